// Bounded parsing of untrusted signature material: JSON with a size cap, strict base64 and zod
// failures turned into AppErrors that name the field. Signatures, bundles and envelopes arrive
// from uploaders, so a malformed one is a caller error (VALIDATION_FAILED), never a crash.
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Largest envelope, bundle or statement we parse: 4 MiB is far above any real signature. */
export const MAX_SIGNATURE_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Parses JSON text (or bytes, or an already-parsed value) after checking its size. */
export function parseBoundedJson(input: unknown, field: string, maxBytes = MAX_SIGNATURE_DOCUMENT_BYTES): unknown {
  if (typeof input !== 'string' && !Buffer.isBuffer(input) && !(input instanceof Uint8Array)) {
    // Already parsed by the caller (e.g. an HTTP body); bound it by its serialized size.
    if (input === null || typeof input !== 'object') throw invalid(field, 'must be a JSON object');
    let size: number;
    try {
      size = Buffer.byteLength(JSON.stringify(input));
    } catch {
      throw invalid(field, 'is not serializable JSON');
    }
    if (size > maxBytes) throw tooLarge(field, size, maxBytes);
    return input;
  }
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) throw tooLarge(field, size, maxBytes);
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid(field, 'is not valid JSON');
  }
}

/** Validates with a zod schema; the first issues are reported with their paths under `field`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => ({ path: [field, ...i.path.map(String)].join('.'), message: i.message }));
  const first = issues[0];
  throw new AppError('VALIDATION_FAILED', `${first ? first.path : field}: ${first ? first.message : 'invalid'}`, { issues });
}

const STD_B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_B64 = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes standard or URL-safe base64 (DSSE allows both), padded or not. Node's decoder silently
 * skips junk characters, so the alphabet and length are checked first: a wrong character is an
 * error naming the field, not a different byte string.
 */
export function decodeBase64(value: string, field: string): Buffer {
  if (!STD_B64.test(value) && !URL_B64.test(value)) throw invalid(field, 'is not valid base64');
  const unpadded = value.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw invalid(field, 'is not valid base64 (truncated)');
  if (value.length !== unpadded.length && value.length % 4 !== 0) throw invalid(field, 'is not valid base64 (bad padding)');
  return Buffer.from(unpadded, 'base64');
}

/** Lowercase 64-hex SHA-256; uppercase is accepted and normalised, anything else is refused. */
export function normalizeSha256Hex(value: string, field: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw invalid(field, 'must be a SHA-256 digest: 64 hex characters');
  return value.toLowerCase();
}

export function invalid(field: string, what: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field} ${what}`, { field });
}

function tooLarge(field: string, size: number, max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `${field} is ${size} bytes; the limit is ${max} bytes`, { field, size, max });
}
