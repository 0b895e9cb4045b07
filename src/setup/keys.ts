// Creates and loads the two local secrets: the ledger signing key and the keyring.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createFileExclusive } from '../util/durable-fs.js';
import { encodeSignerKey, parseSignerKey, type NoteSigner } from '../ledger/note.js';
import { createKeyringFile } from '../keys/keyring.js';
import { AppError } from '../errors.js';
import type { DataLayout } from './layout.js';

export function ensureLocalKeys(layout: DataLayout, origin: string): void {
  if (!existsSync(layout.keyring)) createKeyringFile(layout.keyring);
  if (!existsSync(layout.ledgerKey)) createFileExclusive(layout.ledgerKey, encodeSignerKey(origin, randomBytes(32)) + '\n', 0o600);
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
