// The local keyring: a 0600 file in the data dir holding the key-encryption key (KEK) that wraps
// per-subject data keys, and the key for subject lookups. It is the embedded default behind the
// KeyProvider seam; KMS/Vault adapters implement the same interface.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { createFileExclusive } from '../util/durable-fs.js';
import { AppError } from '../errors.js';

export interface KeyProvider {
  /** AES-256-GCM wraps key material; `context` is bound as associated data and must match on unwrap. */
  wrap(plaintext: Uint8Array, context: string): Buffer;
  unwrap(wrapped: Uint8Array, context: string): Buffer;
  /** Keyed hash for finding records by an identifier without storing the identifier. */
  lookup(value: string): string;
}

const KeyringFile = z
  .object({
    version: z.literal(1),
    kek: z.string().regex(/^[A-Za-z0-9+/]{43}=$/u),
    lookupKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/u),
    createdAt: z.string(),
  })
  .strict();

const WRAP_VERSION = 0x01;

export function createKeyringFile(path: string): void {
  const content = {
    version: 1,
    kek: randomBytes(32).toString('base64'),
    lookupKey: randomBytes(32).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  createFileExclusive(path, JSON.stringify(content, null, 2) + '\n', 0o600);
}

export function loadLocalKeyring(path: string): KeyProvider {
  let text: string;
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0) {
      throw new AppError('CONFIG_INVALID', `keyring ${path} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('CONFIG_INVALID', `cannot read keyring ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; run "evident init" first`);
  }
  const parsed = KeyringFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new AppError('CONFIG_INVALID', `keyring ${path} is malformed`);
  return localKeyProvider(Buffer.from(parsed.data.kek, 'base64'), Buffer.from(parsed.data.lookupKey, 'base64'));
}

export function localKeyProvider(kek: Buffer, lookupKey: Buffer): KeyProvider {
  return {
    wrap(plaintext, context) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', kek, iv);
      c.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return Buffer.concat([Buffer.from([WRAP_VERSION]), iv, ct, c.getAuthTag()]);
    },
    unwrap(wrapped, context) {
      const buf = Buffer.from(wrapped);
      if (buf.length < 1 + 12 + 16 || buf[0] !== WRAP_VERSION) throw new AppError('INTERNAL', 'wrapped key has an unknown format');
      const d = createDecipheriv('aes-256-gcm', kek, buf.subarray(1, 13));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(buf.subarray(buf.length - 16));
      try {
        return Buffer.concat([d.update(buf.subarray(13, buf.length - 16)), d.final()]);
      } catch (e) {
        throw new AppError('INTERNAL', 'a wrapped key failed authentication (wrong keyring or wrong context)', undefined, { cause: e });
      }
    },
    lookup(value) {
      return createHmac('sha256', lookupKey).update(value, 'utf8').digest('hex');
    },
  };
}
