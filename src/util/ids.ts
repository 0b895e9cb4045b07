import { randomUUID } from 'node:crypto';

/**
 * RFC 9562 UUIDv7: 48-bit millisecond time prefix, so ids sort by creation time and index
 * inserts stay sequential. The random bits come from randomUUID, whose pooled entropy costs a
 * fraction of a randomBytes call.
 */
export function uuidv7(now = Date.now()): string {
  const r = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V already the RFC variant
  const ts = now.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
