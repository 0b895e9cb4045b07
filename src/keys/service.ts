// Per-subject data keys for crypto-shredding. Personal data bound for the ledger is encrypted under
// a key of its own subject; destroying that key (shred) makes every such field unreadable while the
// Merkle tree, which hashes only ciphertext, still verifies.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Executor } from '../db/tables.js';
import type { KeyProvider } from './keyring.js';
import type { SubjectKeyStore } from './store.js';
import type { SealedSubject } from './schema.js';
import { canonicalBytes, type JsonValue } from '../util/canonical-json.js';
import { uuidv7 } from '../util/ids.js';

const KEY_CONTEXT = 'evident/subject-key/v1/';
const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 1000;

export interface SubjectKeyService {
  seal(tx: Executor, subjectId: string, data: Record<string, JsonValue>, aad: string): Promise<SealedSubject>;
  /** Returns null when the subject's key was shredded. */
  open(tx: Executor, sealed: SealedSubject, aad: string): Promise<Record<string, JsonValue> | null>;
  shred(tx: Executor, subjectId: string): Promise<string[]>;
}

export function createSubjectKeyService(deps: { keys: KeyProvider; store: SubjectKeyStore; now?: () => Date }): SubjectKeyService {
  const now = deps.now ?? (() => new Date());
  // Unwrapped keys are cached briefly: a bounded lifetime keeps shredding meaningful.
  const cache = new Map<string, { key: Buffer; until: number }>();
  const remember = (ref: string, key: Buffer) => {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(ref, { key, until: Date.now() + CACHE_TTL_MS });
  };
  const cached = (ref: string) => {
    const c = cache.get(ref);
    if (c && c.until > Date.now()) return c.key;
    cache.delete(ref);
    return undefined;
  };

  async function keyFor(tx: Executor, subjectId: string): Promise<{ ref: string; key: Buffer }> {
    const lookup = deps.keys.lookup(subjectId);
    const row = await deps.store.findActive(tx, lookup);
    if (row?.wrapped_key) {
      const key = cached(row.ref) ?? deps.keys.unwrap(row.wrapped_key, KEY_CONTEXT + row.ref);
      remember(row.ref, key);
      return { ref: row.ref, key };
    }
    const ref = uuidv7();
    const key = randomBytes(32);
    await deps.store.insert(tx, { ref, lookup, wrapped_key: deps.keys.wrap(key, KEY_CONTEXT + ref), created_at: now().toISOString() });
    remember(ref, key);
    return { ref, key };
  }

  return {
    async seal(tx, subjectId, data, aad) {
      const { ref, key } = await keyFor(tx, subjectId);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(`${ref}|${aad}`, 'utf8'));
      const ct = Buffer.concat([c.update(canonicalBytes(data)), c.final(), c.getAuthTag()]);
      return { ref, alg: 'A256GCM', iv: iv.toString('base64'), ct: ct.toString('base64') };
    },
    async open(tx, sealed, aad) {
      let key = cached(sealed.ref);
      if (!key) {
        const row = await deps.store.findByRef(tx, sealed.ref);
        if (!row?.wrapped_key) return null;
        key = deps.keys.unwrap(row.wrapped_key, KEY_CONTEXT + sealed.ref);
        remember(sealed.ref, key);
      }
      const ct = Buffer.from(sealed.ct, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      d.setAAD(Buffer.from(`${sealed.ref}|${aad}`, 'utf8'));
      d.setAuthTag(ct.subarray(ct.length - 16));
      const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, JsonValue>;
    },
    async shred(tx, subjectId) {
      const refs = await deps.store.shred(tx, deps.keys.lookup(subjectId), now().toISOString());
      for (const r of refs) cache.delete(r);
      return refs;
    },
  };
}
