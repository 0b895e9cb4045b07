// API token format: "evd_" + 43 base64url characters (256 random bits). Only SHA-256 of the
// whole token is stored; a 256-bit secret needs no slow hash. The prefix lets secret scanners
// (and our own redaction) recognise a leaked token.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'evd_';
export const TOKEN_RE = /^evd_[A-Za-z0-9_-]{43}$/u;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function tokenHint(token: string): string {
  return token.slice(0, 8);
}

export function looksLikeJwt(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/u.test(s);
}
