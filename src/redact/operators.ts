// What replaces a detected span. Operators never see more than the span they replace; the keyed
// pseudonym is an HMAC so the same value gives the same token across calls and services (joins
// still work) while nobody without the key can recompute it from a guess.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { EntityType, Span } from './types.js';

export const OPERATORS = ['mask', 'tag', 'pseudonym', 'last4', 'keep'] as const;
export type Operator = (typeof OPERATORS)[number];

export const RedactionPolicySchema = z
  .object({
    default: z.enum(OPERATORS).default('tag'),
    perType: z.partialRecord(z.string(), z.enum(OPERATORS)).default({}),
  })
  .strict();
export type RedactionPolicy = z.infer<typeof RedactionPolicySchema>;

export const DEFAULT_POLICY: RedactionPolicy = {
  default: 'tag',
  // PCI DSS 3.4.1: at most the last four digits of a PAN may be shown.
  perType: { CREDIT_CARD: 'last4' },
};

/** Canonical form of a value before keyed hashing: formatting must not change the token. */
export function normalizeForToken(type: EntityType, value: string): string {
  switch (type) {
    case 'CREDIT_CARD':
    case 'PHONE':
    case 'US_SSN':
    case 'US_ITIN':
    case 'ABA_ROUTING':
    case 'NPI':
      return value.replace(/\D/gu, '');
    case 'IBAN':
      return value.replace(/\s/gu, '').toUpperCase();
    case 'EMAIL':
    case 'URL':
      return value.trim().toLowerCase();
    default:
      return value.trim().replace(/\s+/gu, ' ');
  }
}

export function pseudonym(key: Uint8Array, type: EntityType, value: string): string {
  const mac = createHmac('sha256', key).update(`${type}\u0000${normalizeForToken(type, value)}`, 'utf8').digest('hex');
  return `<${type}_${mac.slice(0, 12)}>`;
}

/** Every digit but the last four becomes `*`; separators stay, so the shape is still readable. */
export function lastFour(value: string): string {
  const digits = value.replace(/\D/gu, '').length;
  let seen = 0;
  let out = '';
  for (const ch of value) {
    if (/\d/u.test(ch)) {
      seen++;
      out += seen > digits - 4 ? ch : '*';
    } else out += ch;
  }
  return out;
}

function replacement(op: Operator, span: Span, value: string, key: Uint8Array | undefined): string {
  switch (op) {
    case 'keep':
      return value;
    case 'mask':
      return '*'.repeat(value.length);
    case 'last4':
      return span.type === 'CREDIT_CARD' || span.type === 'ACCOUNT_NUMBER' || span.type === 'BANK_ACCOUNT' ? lastFour(value) : `[${span.type}]`;
    case 'pseudonym':
      if (!key) throw new Error('the pseudonym operator needs a key');
      return pseudonym(key, span.type, value);
    case 'tag':
      return `[${span.type}]`;
  }
}

/** Applies the policy to non-overlapping spans sorted by start. */
export function applyOperators(text: string, spans: readonly Span[], policy: RedactionPolicy = DEFAULT_POLICY, key?: Uint8Array): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // defensive: overlaps were resolved upstream
    const op = (policy.perType[s.type] ?? policy.default) as Operator;
    out += text.slice(at, s.start) + replacement(op, s, text.slice(s.start, s.end), key);
    at = s.end;
  }
  return out + text.slice(at);
}
