// Email, URL, IP (v4/v6) and MAC addresses. Email and URL are hand-scanned from their anchor
// ('@', "://", "www.") outwards with bounded walks, because the usual `[…]+@[…]+` regex is
// quadratic on long runs of local-part characters with no '@'.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { at, isAlnum, isWordChar, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { F_NUM_DOT_NUM, factsOf, hasAtLeast } from './text-facts.js';

const isLocalChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
const isLabelChar = (c: number): boolean => isAlnum(c) || c === 45;

/** A TLD we accept: 2–24 ASCII letters, or an IDN "xn--" label. */
function tldOk(label: string): boolean {
  return /^[A-Za-z]{2,24}$/.test(label) || /^xn--[a-z0-9-]{2,59}$/i.test(label);
}

/** End of a dotted host name starting at i (labels of [A-Za-z0-9-], ≤ 253 chars), and its last label. */
function scanHost(text: string, i: number): { end: number; labels: number; tld: string } {
  let end = i;
  let labels = 0;
  let tld = '';
  let p = i;
  while (p < text.length && p - i <= 253) {
    let q = p;
    while (q < text.length && q - p < 63 && isLabelChar(text.charCodeAt(q))) q++;
    if (q === p || text[p] === '-' || text[q - 1] === '-') break;
    labels++;
    tld = text.slice(p, q);
    end = q;
    if (text[q] === '.' && isLabelChar(at(text, q + 1))) p = q + 1;
    else break;
  }
  return { end, labels, tld };
}

export function detectEmail(text: string): Span[] {
  const out: Span[] = [];
  let lastEnd = 0;
  for (let p = text.indexOf('@'); p >= 0; p = text.indexOf('@', p + 1)) {
    let s = p;
    while (s > lastEnd && p - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < p && (text[s] === '.' || text[s] === "'")) s++; // "…said.'bob@x.io" starts at b
    if (s === p || text[p - 1] === '.') continue;
    const host = scanHost(text, p + 1);
    if (host.labels < 2 || !tldOk(host.tld)) continue;
    out.push(mk(s, host.end, 'EMAIL', 0.95, 'pattern+tld'));
    lastEnd = host.end;
    p = host.end - 1;
  }
  return out;
}

const URL_START = /\b(?:https?|ftps?|sftp|wss?):\/\/|\bwww\./gi;
const URL_STOP = new Set([' ', '\t', '\n', '\r', '<', '>', '"', '`', '{', '}', '|', '\\', '^']);

/**
 * /www\./i.test(text) without a regex run over every 'w' of the text: looks back from each '.'
 * (non-unicode /i folds only 'W' and 'w' to w, which is what c | 32 === 119 accepts).
 */
function hasWww(text: string): boolean {
  for (let p = text.indexOf('.', 3); p >= 0; p = text.indexOf('.', p + 1)) {
    if ((text.charCodeAt(p - 1) | 32) === 119 && (text.charCodeAt(p - 2) | 32) === 119 && (text.charCodeAt(p - 3) | 32) === 119) return true;
  }
  return false;
}

export function detectUrl(text: string): Span[] {
  if (text.indexOf('://') < 0 && !hasWww(text)) return [];
  const out: Span[] = [];
  URL_START.lastIndex = 0;
  for (let m = URL_START.exec(text); m; m = URL_START.exec(text)) {
    const s = m.index;
    let hostStart = s + m[0].length;
    let e = hostStart;
    while (e < text.length && e - s < 2048 && !URL_STOP.has(text[e]!) && text.charCodeAt(e) > 31) e++;
    // Userinfo ("user:pass@host") belongs to the URL; the host follows the last '@' before the path.
    const pathAt = text.slice(hostStart, e).search(/[/?#]/);
    const authEnd = pathAt < 0 ? e : hostStart + pathAt;
    const atSign = text.lastIndexOf('@', authEnd - 1);
    if (atSign >= hostStart) hostStart = atSign + 1;
    let hostOk = false;
    if (text[hostStart] === '[') {
      const close = text.indexOf(']', hostStart);
      hostOk = close > 0 && close < authEnd && isIPv6(text.slice(hostStart + 1, close));
    } else {
      const host = scanHost(text, hostStart);
      const name = text.slice(hostStart, host.end);
      hostOk = (host.labels >= 2 && tldOk(host.tld)) || isIPv4(name) || name.toLowerCase() === 'localhost';
    }
    if (!hostOk) continue;
    // Trailing sentence punctuation is not part of the URL; a ')' is kept when it closes a '('.
    while (e > hostStart) {
      const c = text[e - 1]!;
      if ('.,;:!?\'*'.includes(c)) e--;
      else if (c === ')' || c === ']') {
        const seg = text.slice(s, e);
        const open = c === ')' ? '(' : '[';
        if (seg.split(open).length < seg.split(c).length) e--;
        else break;
      } else break;
    }
    out.push(mk(s, e, 'URL', 0.95, 'pattern+tld'));
    URL_START.lastIndex = e;
  }
  return out;
}

// Texts without the shared token pass (text-facts.ts FACTS_MAX_CHARS) scan for addresses directly.
const IPV4 = /(?<![0-9.])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9]|\.[0-9])/g;
const IPV4_AT = /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9]|\.[0-9])/y;
const isHexColonDot = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;

export function detectIp(text: string): Span[] {
  const out: Span[] = [];
  const facts = factsOf(text);
  if (facts.tokens === null) {
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
      if (isWordChar(at(text, m.index - 1)) || isWordChar(at(text, m.index + m[0].length))) continue;
      if (isIPv4(m[0])) out.push(mk(m.index, m.index + m[0].length, 'IP_ADDRESS', 0.95, 'node:net'));
    }
  } else if ((facts.flags & F_NUM_DOT_NUM) !== 0) {
    // An address starts a digit run of 1-3 digits followed by '.', with no '.' before it: only
    // those runs are tried (the shared token pass has them), in order, never inside a match.
    let lastEnd = 0;
    for (const t of facts.tokens) {
      if (t.kind !== 'num' || t.start < lastEnd || t.end - t.start > 3 || text.charCodeAt(t.end) !== 46 || at(text, t.start - 1) === 46) continue;
      IPV4_AT.lastIndex = t.start;
      const m = IPV4_AT.exec(text);
      if (!m) continue;
      const e = t.start + m[0].length;
      lastEnd = e;
      if (isWordChar(at(text, t.start - 1)) || isWordChar(at(text, e))) continue;
      if (isIPv4(m[0])) out.push(mk(t.start, e, 'IP_ADDRESS', 0.95, 'node:net'));
    }
  }
  // IPv6: expand around each ':' over hex digits, colons and dots (for "::ffff:1.2.3.4"); colons
  // are rarer than hex letters, so anchoring on them keeps this cheap on prose.
  let scannedTo = 0;
  for (let p = facts.colons >= 2 ? text.indexOf(':') : -1; p >= 0; p = text.indexOf(':', Math.max(p + 1, scannedTo))) {
    let s = p;
    while (s > 0 && p - s < 40 && isHexColonDot(text.charCodeAt(s - 1))) s--;
    let e = p + 1;
    while (e < text.length && e - s < 64 && isHexColonDot(text.charCodeAt(e))) e++;
    scannedTo = e;
    if (isWordChar(at(text, s - 1)) || isWordChar(at(text, e))) continue;
    while (e > s && text[e - 1] === '.') e--; // sentence end
    if (text[s] === ':' && text[s + 1] !== ':') s++; // "addr:fe80::1"
    if (text[e - 1] === ':' && text[e - 2] !== ':') e--; // "fe80::1:" before a port or list
    let colons = 0;
    for (let i = s; i < e; i++) if (text.charCodeAt(i) === 58) colons++;
    if (colons < 2) continue;
    if (isIP(text.slice(s, e)) === 6) out.push(mk(s, e, 'IP_ADDRESS', 0.95, 'node:net'));
  }
  return out;
}

// Anchored on the separators (found with indexOf): a hex-class regex run over the whole text
// would start at every a–f letter of ordinary prose.
const MAC_AT = /[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}/y;
const CISCO_AT = /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y;
const isHexOrSep = (c: number): boolean => isHexColonDot(c) || c === 45;

export function detectMac(text: string): Span[] {
  const out: Span[] = [];
  const tryAt = (re: RegExp, s: number): number => {
    if (s < 0) return -1;
    re.lastIndex = s;
    const m = re.exec(text);
    if (!m) return -1;
    const e = s + m[0].length;
    const b = at(text, s - 1);
    const a = at(text, e);
    if (isWordChar(b) || isWordChar(a) || isHexOrSep(b) || (isHexOrSep(a) && isHexColonDot(at(text, e + 1)))) return -1;
    // Dotted triples of digits only are more often numbers than Cisco-style MACs.
    if (re === CISCO_AT && /^[0-9.]+$/.test(m[0])) return -1;
    out.push(mk(s, e, 'MAC_ADDRESS', 0.9, 'pattern'));
    return e;
  };
  const facts = factsOf(text);
  for (const sep of [':', '-']) {
    if (sep === ':' ? facts.colons < 5 : !hasAtLeast(text, '-', 5)) continue;
    for (let p = text.indexOf(sep, 2); p >= 0; p = text.indexOf(sep, p + 1)) {
      const e = tryAt(MAC_AT, p - 2);
      if (e > 0) p = e;
    }
  }
  for (let p = facts.dots >= 2 ? text.indexOf('.', 4) : -1; p >= 0; p = text.indexOf('.', p + 1)) {
    const e = tryAt(CISCO_AT, p - 4);
    if (e > 0) p = e;
  }
  return out;
}

export const networkDetector: Detector = {
  name: 'network',
  types: ['EMAIL', 'URL', 'IP_ADDRESS', 'MAC_ADDRESS'],
  detect: (text) => [...detectEmail(text), ...detectUrl(text), ...detectIp(text), ...detectMac(text)],
};
