// Credentials in logs and payloads: provider tokens with well-known prefixes, JWTs, PEM private
// key blocks, `password=` / `"secret": "…"` values, and random-looking tokens only next to a
// key/token/secret word. Plus crypto wallet addresses (Bitcoin base58check and bech32, Ethereum).
import { at, contextBefore, isAlnum, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { bech32Valid, bitcoinBase58Valid, shannonEntropy } from './validators.js';
import { T_PREFIXED_SECRET, T_SECRET_KEY, T_TOKEN_CONTEXT } from './keyword-triggers.js';
import { F_BECH32, F_LONG_ALNUM, factsOf } from './text-facts.js';

// Prefixed tokens: each alternative is a fixed prefix and one bounded character class.
const PREFIXED =
  /(?:A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255}|xox[abposre]-[A-Za-z0-9-]{10,250}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{35}|sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)[0-9]{2}-)?[A-Za-z0-9_-]{20,250}|glpat-[A-Za-z0-9_-]{20}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{34}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})/g;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;

export function detectPrefixedSecrets(text: string): Span[] {
  const out: Span[] = [];
  const facts = factsOf(text);
  // Each pattern runs only when some word can start its keywords (keyword-triggers.ts).
  PREFIXED.lastIndex = 0;
  for (let m = (facts.triggers & T_PREFIXED_SECRET) !== 0 ? PREFIXED.exec(text) : null; m; m = PREFIXED.exec(text)) {
    if (isAlnum(at(text, m.index - 1))) continue;
    if (isAlnum(at(text, m.index + m[0].length))) continue;
    out.push(mk(m.index, m.index + m[0].length, 'SECRET', 1, 'token-prefix'));
  }
  if (text.indexOf('eyJ') >= 0) {
    JWT.lastIndex = 0;
    for (let m = JWT.exec(text); m; m = JWT.exec(text)) out.push(mk(m.index, m.index + m[0].length, 'SECRET', 1, 'jwt'));
  }
  if (text.indexOf('-----BEGIN') >= 0) {
    PEM_BEGIN.lastIndex = 0;
    for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
      const endAt = text.indexOf('-----END', m.index + m[0].length);
      // A block cut off by truncation is still a key: mask to the end of the text.
      if (endAt < 0) {
        out.push(mk(m.index, text.length, 'SECRET', 1, 'pem'));
        break;
      }
      const close = text.indexOf('-----', endAt + 8);
      const e = close < 0 ? text.length : close + 5;
      out.push(mk(m.index, e, 'SECRET', 1, 'pem'));
      PEM_BEGIN.lastIndex = e;
    }
  }
  return out;
}

// Key names whose value is a credential (longest first, so "authorization" is not read as "auth").
// The match is the key; the value is read after it by hand.
const SECRET_KEY =
  /(?:password|passwd|passphrase|pwd|client[_-]?secret|secret|access[_-]?token|refresh[_-]?token|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|authorization|auth|credentials?|session[_-]?id|cookie|bearer)/gi;
const PLACEHOLDER = /^(?:null|none|true|false|undefined|\*+|x+|<[^>]*>|\$\{.*\}|\{\{.*\}\}|redacted|\[redacted\]|changeme|n\/a|-+)$/i;
const isValueChar = (c: number): boolean => c > 32 && c !== 34 && c !== 39 && c !== 44 && c !== 59 && c !== 38 && c !== 125 && c !== 93 && c !== 41 && c !== 96;
const isAsciiLower = (c: number): boolean => c >= 97 && c <= 122;
const isKeySuffixChar = (c: number): boolean => isAlnum(c) || c === 95 || c === 45 || c === 46;

export function detectKeyValueSecrets(text: string): Span[] {
  const out: Span[] = [];
  SECRET_KEY.lastIndex = 0;
  for (let m = (factsOf(text).triggers & T_SECRET_KEY) !== 0 ? SECRET_KEY.exec(text) : null; m; m = SECRET_KEY.exec(text)) {
    let i = m.index + m[0].length;
    // Key continues as a longer word ("tokens", "authored", "secretary"): not a key.
    if (isAsciiLower(at(text, i))) continue;
    // A longer identifier ("secret_key", "apiToken_v2") is read to its end; then the value must look
    // like a token, since such keys also name counts, types and labels ("token_count", "secret_name").
    const suffixStart = i;
    while (i < text.length && i - suffixStart < 24 && isKeySuffixChar(text.charCodeAt(i))) i++;
    const hasSuffix = i > suffixStart;
    const key = m[0].toLowerCase();
    let sawAssign = false;
    // `key": "v"`, `key = v`, `key: v`, `Authorization: Bearer v`, `bearer v`.
    for (let n = 0; n < 6 && i < text.length; n++) {
      const c = text[i]!;
      if (c === '"' || c === "'" || c === ' ' || c === '\t') i++;
      else if ((c === ':' || c === '=') && !sawAssign) {
        sawAssign = true;
        i++;
      } else break;
    }
    if (!sawAssign && key !== 'bearer') continue;
    if (/^(?:bearer|basic|token) /i.test(text.slice(i, i + 7))) i = text.indexOf(' ', i) + 1;
    while (text[i] === ' ' || text[i] === '"' || text[i] === "'") i++;
    let e = i;
    while (e < text.length && e - i < 512 && isValueChar(text.charCodeAt(e))) e++;
    const value = text.slice(i, e);
    if (value.length === 0 || PLACEHOLDER.test(value)) continue;
    const isPassword = !hasSuffix && /^(?:password|passwd|passphrase|pwd|secret|client[_-]?secret|private[_-]?key)$/.test(key);
    if (!isPassword) {
      const classes = (/[a-z]/.test(value) ? 1 : 0) + (/[A-Z]/.test(value) ? 1 : 0) + (/[0-9]/.test(value) ? 1 : 0);
      if (value.length < 8 || classes < 2) continue;
    }
    out.push(mk(i, e, 'SECRET', isPassword ? 0.9 : 0.85, 'key-value'));
    SECRET_KEY.lastIndex = e;
  }
  return out;
}

// Random-looking tokens (≥ 20 chars, mixed classes, high entropy) only within 40 characters after
// a credential word. The words are found first: a token regex over the whole text costs more
// than every other secret check together.
const TOKEN_CONTEXT = /\b(?:key|token|secret|bearer|credentials?|apikey|api key|password|passwd|auth|signature|sig)\b/gi;

const isTokenChar = (c: number): boolean => isAlnum(c) || c === 43 || c === 47 || c === 95 || c === 61 || c === 45;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

export function detectEntropyTokens(text: string): Span[] {
  const out: Span[] = [];
  let scannedTo = 0;
  TOKEN_CONTEXT.lastIndex = 0;
  for (let c = (factsOf(text).triggers & T_TOKEN_CONTEXT) !== 0 ? TOKEN_CONTEXT.exec(text) : null; c; c = TOKEN_CONTEXT.exec(text)) {
    // Token starts within 40 characters after the word; each character is looked at once overall.
    const limit = c.index + c[0].length + 40;
    let i = Math.max(c.index + c[0].length, scannedTo);
    while (i < limit && i < text.length) {
      if (!isTokenChar(text.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      while (i < text.length && i - start < 512 && isTokenChar(text.charCodeAt(i))) i++;
      const v = text.slice(start, i);
      if (v.length < 20 || isAlnum(at(text, start - 1))) continue;
      const classes = (/[a-z]/.test(v) ? 1 : 0) + (/[A-Z]/.test(v) ? 1 : 0) + (/[0-9]/.test(v) ? 1 : 0);
      if (classes < 2 || shannonEntropy(v) < 3.5) continue;
      // A UUID names a record (request ids, principal ids); it opens nothing.
      if (UUID_RE.test(v)) continue;
      out.push(mk(start, i, 'SECRET', 0.8, 'entropy+context'));
    }
    scannedTo = Math.max(scannedTo, i);
  }
  return out;
}

const BASE58 = /(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/g;
const BECH32 = /(?<![A-Za-z0-9])(?:bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})(?![A-Za-z0-9])/g;
const ETH = /(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])/g;
const WALLET_CONTEXT = /\b(?:wallet|eth|ether|ethereum|address|send|btc|bitcoin|crypto|usdt|usdc)\b/;

export function detectWallets(text: string): Span[] {
  const out: Span[] = [];
  const facts = factsOf(text);
  BASE58.lastIndex = 0;
  for (let m = (facts.flags & F_LONG_ALNUM) !== 0 ? BASE58.exec(text) : null; m; m = BASE58.exec(text)) {
    if (bitcoinBase58Valid(m[0])) out.push(mk(m.index, m.index + m[0].length, 'CRYPTO_WALLET', 1, 'base58check'));
  }
  if ((facts.flags & F_BECH32) !== 0) {
    BECH32.lastIndex = 0;
    for (let m = BECH32.exec(text); m; m = BECH32.exec(text)) {
      if (bech32Valid(m[0], 'bc')) out.push(mk(m.index, m.index + m[0].length, 'CRYPTO_WALLET', 1, 'bech32'));
    }
  }
  if (text.indexOf('0x') >= 0) {
    ETH.lastIndex = 0;
    for (let m = ETH.exec(text); m; m = ETH.exec(text)) {
      // No keccak in node:crypto for the EIP-55 case checksum; a 40-hex address alone could be a hash.
      const ctx = contextBefore(text, m.index, WALLET_CONTEXT, 40);
      out.push(mk(m.index, m.index + 42, 'CRYPTO_WALLET', ctx ? 0.95 : 0.75, ctx ? 'pattern+context' : 'pattern'));
    }
  }
  return out;
}

export const secretDetector: Detector = {
  name: 'secrets',
  types: ['SECRET'],
  detect: (text) => [...detectPrefixedSecrets(text), ...detectKeyValueSecrets(text), ...detectEntropyTokens(text)],
};

export const walletDetector: Detector = { name: 'wallets', types: ['CRYPTO_WALLET'], detect: detectWallets };
