// Creates and loads the two local secrets: the ledger signing key and the keyring.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createKeySigner, type Signer } from '../signing/keys.js';
import { createFileExclusive, fsyncDir, writeFileDurable } from '../util/durable-fs.js';
import { linkSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeSignerKey, parseSignerKey, type NoteSigner } from '../ledger/note.js';
import { createKeyringFile } from '../keys/keyring.js';
import { AppError } from '../errors.js';
import type { DataLayout } from './layout.js';

export function ensureLocalKeys(layout: DataLayout, origin: string): void {
  if (!existsSync(layout.keyring)) createKeyringFile(layout.keyring);
  if (!existsSync(layout.ledgerKey)) createFileExclusive(layout.ledgerKey, encodeSignerKey(origin, randomBytes(32)) + '\n', 0o600);
  loadAttestationSigner(layout);
}

/**
 * The attestation signing key (Ed25519, PKCS#8 PEM, 0600), created on first use so installations
 * made before the registry existed get one too.
 */
export function loadAttestationSigner(layout: DataLayout): { signer: Signer; publicKeyPem: string } {
  if (!existsSync(layout.attestationKey)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    // Written whole to a temp file, then linked into place: a crash never leaves half a key, and
    // of two processes creating it at once the first link wins.
    const tmp = `${layout.attestationKey}.${process.pid}.tmp`;
    writeFileDurable(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    try {
      linkSync(tmp, layout.attestationKey);
      fsyncDir(dirname(layout.attestationKey));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const st = statSync(layout.attestationKey);
  if ((st.mode & 0o077) !== 0) throw new AppError('CONFIG_INVALID', `attestation key ${layout.attestationKey} is readable by group or others; chmod 600 it`);
  const key = createPrivateKey(readFileSync(layout.attestationKey, 'utf8'));
  return { signer: createKeySigner(key), publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string };
}

export function loadLedgerSigner(layout: DataLayout): NoteSigner {
  let text: string;
  try {
    const st = statSync(layout.ledgerKey);
    if ((st.mode & 0o077) !== 0) {
      throw new AppError('CONFIG_INVALID', `ledger signing key ${layout.ledgerKey} is readable by group or others; chmod 600 it`);
    }
    text = readFileSync(layout.ledgerKey, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('CONFIG_INVALID', `cannot read the ledger signing key ${layout.ledgerKey}; run "evident init" or restore the key`);
  }
  try {
    return parseSignerKey(text);
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `the ledger signing key ${layout.ledgerKey} is malformed: ${(e as Error).message}`);
  }
}
