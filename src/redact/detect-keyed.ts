// Identifiers with no checksum and no distinctive shape (MRN, member ID, account, passport and
// driver's licence numbers, device IDs): reported only as the value right after a context word,
// e.g. "MRN: 00482913", "driver's license number is A5631933", "\"member_id\": \"XJH4471902\"".
import { at, isAlnum, mk } from './detect-shared.js';
import type { Detector, EntityType, Span } from './types.js';
import { T_KEYED } from './keyword-triggers.js';
import { factsOf } from './text-facts.js';

interface Rule {
  type: EntityType;
  /** Value accepted after the keyword (tested on the whole token). */
  value: RegExp;
  minDigits: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/;
const RULES: Readonly<Record<string, Rule>> = {
  mrn: { type: 'MEDICAL_RECORD', value: ID, minDigits: 4 },
  health: { type: 'HEALTH_PLAN', value: ID, minDigits: 3 },
  account: { type: 'ACCOUNT_NUMBER', value: /^[A-Za-z0-9][0-9-]*[0-9]$/, minDigits: 4 },
  bank: { type: 'BANK_ACCOUNT', value: /^[0-9][0-9-]*[0-9]$/, minDigits: 6 },
  passport: { type: 'US_PASSPORT', value: /^[A-Za-z]?[0-9]{6,9}$|^[A-Za-z]{2}[0-9]{7}$/, minDigits: 6 },
  license: { type: 'US_DRIVER_LICENSE', value: ID, minDigits: 4 },
  device: { type: 'DEVICE_ID', value: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^[0-9A-Fa-f]{12,40}$/, minDigits: 2 },
};

// One alternation for every keyword; the rule is picked from the matched text. Separators inside
// keywords are a bounded [ _-]? so "member_id", "member id" and "memberId" all match.
const KEYWORDS =
  /\b(?:mrn|medical[ _-]?record(?:[ _-]?(?:number|no|num))?|med[ _-]?rec|chart[ _-]?(?:number|no|#)|patient[ _-]?(?:id|number|no)|hospital[ _-]?(?:number|no)|member[ _-]?(?:id|number|no|#)|subscriber[ _-]?(?:id|number|no)|policy[ _-]?(?:number|no|#|id)|group[ _-]?(?:number|no)|health[ _-]?plan[ _-]?(?:id|number|no)?|insurance[ _-]?(?:id|number|no)|medicare[ _-]?(?:id|number|no)?|medicaid[ _-]?(?:id|number|no)?|mbi|beneficiary[ _-]?id|(?:bank|checking|savings|deposit)[ _-]?(?:account|acct)(?:[ _-]?(?:number|no|#))?|account[ _-]?(?:number|no|#|num)|acct[ _-]?(?:number|no|#)?|a\/c(?:[ _-]?no)?|passport(?:[ _-]?(?:number|no|#))?|driver'?s?[ _-]?licen[cs]e(?:[ _-]?(?:number|no|#))?|driver’s[ _-]?licen[cs]e(?:[ _-]?(?:number|no|#))?|driving[ _-]?licen[cs]e(?:[ _-]?(?:number|no|#))?|dl[ _-]?(?:number|no|#)|device[ _-]?id|udid|idfa|idfv|gaid|android[ _-]?id|advertising[ _-]?id|hardware[ _-]?id)/gi;

function ruleFor(keyword: string): Rule {
  const k = keyword.toLowerCase();
  if (/^(?:mrn|medical|med|chart|patient|hospital)/.test(k)) return RULES.mrn!;
  if (/^(?:member|subscriber|policy|group|health|insurance|medicare|medicaid|mbi|beneficiary)/.test(k)) return RULES.health!;
  if (/^(?:bank|checking|savings|deposit)/.test(k)) return RULES.bank!;
  if (/^(?:account|acct|a\/c)/.test(k)) return RULES.account!;
  if (k.startsWith('passport')) return RULES.passport!;
  if (/^(?:driv|dl)/.test(k)) return RULES.license!;
  return RULES.device!;
}

const FILLER = new Set(['number', 'num', 'no', 'nbr', 'id', 'is', 'was', 'of', 'the', 'a', 'my', 'on', 'file', 'reads', 'value']);
const isSep = (c: number): boolean => c === 32 || c === 9 || c === 58 || c === 35 || c === 61 || c === 34 || c === 39 || c === 45 || c === 46 || c === 40 || c === 41 || c === 44;

/** Start of the value after a keyword: skips separators and up to three filler words. */
function valueStart(text: string, from: number): number {
  let i = from;
  for (let round = 0; round < 4; round++) {
    let n = 0;
    while (i < text.length && n < 8 && isSep(text.charCodeAt(i))) {
      i++;
      n++;
    }
    let j = i;
    while (j < text.length && j - i < 8 && ((text.charCodeAt(j) | 32) >= 97 && (text.charCodeAt(j) | 32) <= 122)) j++;
    if (j > i && !isAlnum(at(text, j)) && FILLER.has(text.slice(i, j).toLowerCase())) i = j;
    else break;
  }
  return i;
}

export function detectKeyed(text: string): Span[] {
  const facts = factsOf(text);
  if (facts.digits === 0 || (facts.triggers & T_KEYED) === 0) return [];
  const out: Span[] = [];
  KEYWORDS.lastIndex = 0;
  for (let m = KEYWORDS.exec(text); m; m = KEYWORDS.exec(text)) {
    const kwEnd = m.index + m[0].length;
    if (isAlnum(at(text, kwEnd)) && text[kwEnd - 1] !== '#') continue; // "mrnx", "accountant"
    const rule = ruleFor(m[0]);
    const s = valueStart(text, kwEnd);
    let e = s;
    while (e < text.length && e - s < 40 && (isAlnum(text.charCodeAt(e)) || (text[e] === '-' && isAlnum(at(text, e + 1))))) e++;
    if (e === s || isAlnum(at(text, e))) continue;
    const value = text.slice(s, e);
    if (value.length < 4 || !rule.value.test(value)) continue;
    let digits = 0;
    for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) digits++;
    if (digits < rule.minDigits) continue;
    out.push(mk(s, e, rule.type, 0.92, 'context'));
    KEYWORDS.lastIndex = e;
  }
  return out;
}

export const keyedDetector: Detector = {
  name: 'keyed',
  types: ['MEDICAL_RECORD', 'HEALTH_PLAN', 'ACCOUNT_NUMBER', 'BANK_ACCOUNT', 'US_PASSPORT', 'US_DRIVER_LICENSE', 'DEVICE_ID'],
  detect: detectKeyed,
};
