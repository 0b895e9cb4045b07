// Detect and replace in one call: the redacted text and the spans over the original, so a caller
// can audit what was removed without keeping what it was.
import { detect } from './detect.js';
import { applyOperators, DEFAULT_POLICY, type RedactionPolicy } from './operators.js';
import type { EntityType, Span } from './types.js';

export interface RedactOptions {
  types?: readonly EntityType[];
  policy?: RedactionPolicy;
  /** Per-tenant key for the pseudonym operator. */
  key?: Uint8Array;
}

export function redact(text: string, opts: RedactOptions = {}): { text: string; spans: Span[] } {
  const spans = detect(text, opts.types ? { types: opts.types } : {});
  return { text: applyOperators(text, spans, opts.policy ?? DEFAULT_POLICY, opts.key), spans };
}

/** Decodes bytes as UTF-8, refusing invalid sequences with the offset of the first one. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let lo = 0;
    let hi = bytes.length;
    // The first bad byte: the longest prefix that still decodes (allowing a cut sequence at its end).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    // `lo` bytes decode as a stream; if they end inside a sequence, that sequence's lead byte is
    // where the input went wrong.
    let k = lo;
    while (k > 0 && (bytes[k - 1]! & 0xc0) === 0x80) k--;
    throw new InvalidUtf8Error(k > 0 && bytes[k - 1]! >= 0xc0 ? k - 1 : lo);
  }
}

export class InvalidUtf8Error extends Error {
  constructor(readonly offset: number) {
    super(`the input is not valid UTF-8 (first invalid byte at offset ${offset}); convert it first, e.g. iconv -f latin1 -t utf-8`);
  }
}
