// Checksums that separate a real identifier from a number of the same shape. Each takes the bare
// value (separators already removed by the caller, unless stated) and never throws.
import { createHash } from 'node:crypto';

const isDigits = (s: string): boolean => s.length > 0 && /^[0-9]+$/.test(s);

/** Luhn mod-10 over a digit string (cards, IMEI, NPI with its prefix). */
export function luhn(digits: string): boolean {
  if (!isDigits(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** IBAN length per country (SWIFT IBAN registry); a country not listed is not an IBAN country. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616 mod-97 over an IBAN without spaces (any case); also checks the country's length. */
export function ibanValid(iban: string): boolean {
  const s = iban.toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(s)) return false;
  if (IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    // Letters count as two digits (A=10 … Z=35); folding one digit at a time keeps rem small.
    if (c >= 65) rem = (rem * 100 + (c - 55)) % 97;
    else rem = (rem * 10 + (c - 48)) % 97;
  }
  return rem === 1;
}

/** ABA routing number: 9 digits, 3-7-1 weighted sum divisible by 10, plausible Fed prefix. */
export function abaValid(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  const p = Number(digits.slice(0, 2));
  // 00 is the US government, 01–12 and 21–32 Federal Reserve districts, 61–72 thrifts, 80 travellers' cheques.
  if (!(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p === 80)) return false;
  const w = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * w[i % 3]!;
  return sum % 10 === 0;
}

/** NPI: 10 digits starting with 1 or 2, Luhn over "80840" + the number (the ISO card-issuer prefix). */
export function npiValid(digits: string): boolean {
  return /^[12][0-9]{9}$/.test(digits) && luhn('80840' + digits);
}

/** DEA registration: 2 letters + 7 digits; (d1+d3+d5) + 2(d2+d4+d6) ends in d7. */
export function deaValid(value: string): boolean {
  const s = value.toUpperCase();
  // First letter is the registrant type; the second is the registrant's initial or 9 for businesses.
  if (!/^[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}$/.test(s)) return false;
  const d = (i: number): number => s.charCodeAt(2 + i) - 48;
  const check = d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5));
  return check % 10 === d(6);
}

const VIN_VALUES: Readonly<Record<string, number>> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** VIN shape: 17 characters, digits and letters without I, O, Q. */
export function vinShape(value: string): boolean {
  return /^[A-HJ-NPR-Z0-9]{17}$/.test(value.toUpperCase());
}

/** North-American VIN check digit (position 9, 0–9 or X). Other regions do not use it. */
export function vinCheckDigit(value: string): boolean {
  const s = value.toUpperCase();
  if (!vinShape(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = s[i]!;
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : VIN_VALUES[c]!;
    sum += v * VIN_WEIGHTS[i]!;
  }
  const r = sum % 11;
  return s[8] === (r === 10 ? 'X' : String(r));
}

/** IMEI: 15 digits with a Luhn check digit (IMEISV, 16 digits, has none and is not accepted). */
export function imeiValid(digits: string): boolean {
  return /^[0-9]{15}$/.test(digits) && luhn(digits);
}

const SSN_SAMPLES = new Set(['078051120', '219099999', '457555462', '123456789']);

/** US SSN (9 digits): area not 000, 666 or 9xx; group not 00; serial not 0000; not a known sample. */
export function ssnValid(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  if (/^(.)\1{8}$/.test(digits)) return false;
  return !SSN_SAMPLES.has(digits);
}

/** US ITIN: 9xx-GG-SSSS with group 50–65, 70–88, 90–92 or 94–99. */
export function itinValid(digits: string): boolean {
  if (!/^9[0-9]{8}$/.test(digits)) return false;
  const g = Number(digits.slice(3, 5));
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || g >= 94;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** Base58Check decode; returns the payload (version byte included) or null when the checksum fails. */
export function base58checkDecode(value: string): Uint8Array | null {
  if (value.length === 0 || value.length > 128) return null;
  const bytes: number[] = []; // little-endian big number
  for (const ch of value) {
    let carry = B58.indexOf(ch);
    if (carry < 0) return null;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  // Each leading '1' stands for a leading zero byte.
  for (let i = 0; i < value.length && value[i] === '1'; i++) bytes.push(0);
  const body = Uint8Array.from(bytes.reverse());
  if (body.length < 5) return null;
  const payload = body.subarray(0, body.length - 4);
  const check = sha256(sha256(payload)).subarray(0, 4);
  for (let i = 0; i < 4; i++) if (check[i] !== body[body.length - 4 + i]) return null;
  return payload;
}

/** Bitcoin P2PKH (version 0x00, "1…") or P2SH (0x05, "3…") address with a valid Base58Check. */
export function bitcoinBase58Valid(value: string): boolean {
  const p = base58checkDecode(value);
  return p !== null && p.length === 21 && (p[0] === 0x00 || p[0] === 0x05);
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GEN[i]!;
  }
  return chk >>> 0;
}

/** Bech32 / bech32m (BIP-173 / BIP-350) checksum; single case; `hrp` must match when given. */
export function bech32Valid(value: string, hrp?: string): boolean {
  if (value.length < 8 || value.length > 90) return false;
  if (value !== value.toLowerCase() && value !== value.toUpperCase()) return false;
  const s = value.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) return false;
  const h = s.slice(0, sep);
  if (hrp !== undefined && h !== hrp) return false;
  const data: number[] = [];
  for (let i = sep + 1; i < s.length; i++) {
    const v = BECH32_CHARSET.indexOf(s[i]!);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded: number[] = [];
  for (let i = 0; i < h.length; i++) expanded.push(h.charCodeAt(i) >> 5);
  expanded.push(0);
  for (let i = 0; i < h.length; i++) expanded.push(h.charCodeAt(i) & 31);
  const pm = bech32Polymod([...expanded, ...data]);
  return pm === 1 || pm === 0x2bc830a3;
}

/** Shannon entropy in bits per character; used to tell a random token from a word. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
