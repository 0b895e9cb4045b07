// Checksummed health and device identifiers: NPI (Luhn with the 80840 prefix), DEA registration
// (its check digit), VIN (North-American check digit; others only with context) and IMEI (Luhn).
// Identifiers without a checksum (MRN, member ID) are in detect-keyed.ts.
import { at, contextBefore, isAlnum, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { deaValid, imeiValid, npiValid, vinCheckDigit } from './validators.js';
import { F_RUN10, factsOf } from './text-facts.js';

const TEN_DIGITS = /(?<![0-9A-Za-z-])[12][0-9]{9}(?![0-9A-Za-z]|-[0-9])/g;
const NPI_CONTEXT = /\b(?:npi|provider|prescriber|physician|dr\.?|md|np|pa-c)\b/;

export function detectNpi(text: string): Span[] {
  if ((factsOf(text).flags & F_RUN10) === 0) return [];
  const out: Span[] = [];
  TEN_DIGITS.lastIndex = 0;
  for (let m = TEN_DIGITS.exec(text); m; m = TEN_DIGITS.exec(text)) {
    if (!npiValid(m[0])) continue;
    // One ten-digit number in ten passes Luhn: without a context word a phone number wins.
    const ctx = contextBefore(text, m.index, NPI_CONTEXT, 40);
    out.push(mk(m.index, m.index + 10, 'NPI', ctx ? 1 : 0.5, ctx ? 'npi-luhn+context' : 'npi-luhn'));
  }
  return out;
}

const DEA_SHAPE = /(?<![A-Za-z0-9])[A-Z][A-Z9][0-9]{7}(?![A-Za-z0-9])/g;

export function detectDea(text: string): Span[] {
  if (factsOf(text).longestDigitRun < 7) return [];
  const out: Span[] = [];
  DEA_SHAPE.lastIndex = 0;
  for (let m = DEA_SHAPE.exec(text); m; m = DEA_SHAPE.exec(text)) {
    if (!deaValid(m[0])) continue;
    const ctx = contextBefore(text, m.index, /\bdea\b/, 32);
    out.push(mk(m.index, m.index + 9, 'DEA', ctx ? 1 : 0.9, ctx ? 'dea-checksum+context' : 'dea-checksum'));
  }
  return out;
}

// Positions 14–17 of every VIN are digits: find 4-digit runs (cheap) and look back 13 characters,
// instead of running a 17-character class over every capital letter of the text.
const VIN_TAIL = /[0-9]{4}/g;
const VIN_AT = /[A-HJ-NPR-Z0-9]{13}[0-9]{4}/y;
const VIN_CONTEXT = /\b(?:vin|vehicle|chassis|car|truck|auto)\b/;

export function detectVin(text: string): Span[] {
  if (text.length < 17 || factsOf(text).longestDigitRun < 4) return [];
  const out: Span[] = [];
  VIN_TAIL.lastIndex = 0;
  for (let t = VIN_TAIL.exec(text); t; t = VIN_TAIL.exec(text)) {
    // The tail may sit anywhere in a longer digit run; the VIN ends where the run ends.
    let e = t.index + 4;
    while (e < text.length && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++;
    VIN_TAIL.lastIndex = e;
    const s = e - 17;
    if (s < 0 || isAlnum(at(text, s - 1)) || isAlnum(at(text, e))) continue;
    VIN_AT.lastIndex = s;
    if (!VIN_AT.test(text)) continue;
    const v = text.slice(s, e);
    const letters = v.replace(/[0-9]/g, '').length;
    // Real VINs start with a lettered manufacturer code; all-digit 17-character runs are accounts.
    if (letters < 2) continue;
    const ctx = contextBefore(text, s, VIN_CONTEXT, 32);
    if (vinCheckDigit(v)) out.push(mk(s, e, 'VIN', ctx ? 1 : 0.85, ctx ? 'vin-check+context' : 'vin-check'));
    else if (ctx) out.push(mk(s, e, 'VIN', 0.6, 'context'));
  }
  return out;
}

// 15 digits, or the printed 2-6-6-1 grouping ("35-209900-176148-1").
const IMEI_SHAPE = /(?<![0-9-])(?:[0-9]{15}|[0-9]{2}[- ][0-9]{6}[- ][0-9]{6}[- ][0-9])(?![0-9]|-[0-9])/g;
const IMEI_CONTEXT = /\b(?:imei|meid|handset|device|serial)\b/;

export function detectImei(text: string): Span[] {
  const facts = factsOf(text);
  if (facts.digits < 15 || facts.longestDigitRun < 6) return [];
  const out: Span[] = [];
  IMEI_SHAPE.lastIndex = 0;
  for (let m = IMEI_SHAPE.exec(text); m; m = IMEI_SHAPE.exec(text)) {
    if (isAlnum(at(text, m.index - 1))) continue;
    const digits = m[0].replace(/[- ]/g, '');
    if (!imeiValid(digits)) continue;
    // A bare 15-digit Luhn number is as likely an Amex/JCB card; only the grouping or a word tells.
    const grouped = m[0].length > 15;
    const ctx = contextBefore(text, m.index, IMEI_CONTEXT, 32);
    if (ctx || grouped) out.push(mk(m.index, m.index + m[0].length, 'DEVICE_ID', ctx ? 1 : 0.8, 'imei-luhn'));
  }
  return out;
}

export const healthDetector: Detector = {
  name: 'health',
  types: ['NPI', 'DEA', 'VIN', 'DEVICE_ID'],
  detect: (text) => [...detectNpi(text), ...detectDea(text), ...detectVin(text), ...detectImei(text)],
};
