// Request bodies must be I-JSON (RFC 7493): JSON.parse accepts "\ud800", but a lone surrogate is
// not Unicode, cannot be canonicalised into a ledger leaf, and has no business in a policy or a
// name. Refuse it at the door, naming where it is, instead of failing later.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

function findIllFormed(v: unknown, path: string, depth: number): string | null {
  if (depth > 100) return `${path} (nested too deeply)`;
  if (typeof v === 'string') return (v as string & { isWellFormed(): boolean }).isWellFormed() ? null : path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findIllFormed(v[i], `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!(k as string & { isWellFormed(): boolean }).isWellFormed()) return `${path} (a key)`;
      const r = findIllFormed(x, `${path}.${k}`, depth + 1);
      if (r) return r;
    }
  }
  return null;
}

export function requireIJson(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined || req.body === null) return;
    if (typeof (req.body as { pipe?: unknown }).pipe === 'function') return; // streamed bodies (blobs) are not JSON
    const at = findIllFormed(req.body, 'body', 0);
    if (at) throw new AppError('BAD_REQUEST', `the request body is not valid Unicode at ${at}: it holds a lone UTF-16 surrogate`);
  });
}
