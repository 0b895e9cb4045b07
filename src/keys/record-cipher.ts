// One record, one key: AES-256-GCM under a fresh data key that exists only wrapped by the keyring.
// Deleting the record deletes its only key, so expiry is erasure (payload logs, vault tokens).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyProvider } from './keyring.js';

export interface SealedRecord {
  /** The data key, wrapped by the keyring with `keyContext` bound. */
  wrappedKey: Buffer;
  /** iv (12) || ciphertext || tag (16). */
  ciphertext: Buffer;
}

export function sealRecord(keys: KeyProvider, keyContext: string, aad: string, plaintext: string): SealedRecord {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
  return { wrappedKey: keys.wrap(key, keyContext), ciphertext };
}

/** Throws when the key context, the associated data or a byte of the record is not what was sealed. */
export function openRecord(keys: KeyProvider, keyContext: string, aad: string, sealed: SealedRecord): string {
  const key = keys.unwrap(sealed.wrappedKey, keyContext);
  const ct = sealed.ciphertext;
  const d = createDecipheriv('aes-256-gcm', key, ct.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(ct.subarray(ct.length - 16));
  return Buffer.concat([d.update(ct.subarray(12, ct.length - 16)), d.final()]).toString('utf8');
}
