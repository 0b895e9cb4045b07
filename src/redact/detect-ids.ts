// US SSN and ITIN. The dashed form is reported on its own (its shape is distinctive); spaced and
// unseparated nine-digit numbers only after a context word, since phone and account numbers share
// that shape.
import { contextBefore, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { itinValid, ssnValid } from './validators.js';
import { factsOf } from './text-facts.js';

const SSN_SHAPE = /(?<![0-9A-Za-z-])([0-9]{3})([- ]?)([0-9]{2})\2([0-9]{4})(?![0-9A-Za-z]|-[0-9])/g;
const SSN_CONTEXT = /\b(?:ssn|ss#|ss ?no|social security|social sec|soc ?sec|sin|tin|itin|taxpayer|tax id)\b/;

export function detectSsn(text: string): Span[] {
  const facts = factsOf(text);
  if (facts.digits < 9 || facts.longestDigitRun < 4) return [];
  const out: Span[] = [];
  SSN_SHAPE.lastIndex = 0;
  for (let m = SSN_SHAPE.exec(text); m; m = SSN_SHAPE.exec(text)) {
    const digits = m[1]! + m[3]! + m[4]!;
    const ctx = contextBefore(text, m.index, SSN_CONTEXT, 40);
    if (m[2] !== '-' && !ctx) continue;
    const s = m.index;
    const e = s + m[0].length;
    if (ssnValid(digits)) out.push(mk(s, e, 'US_SSN', ctx ? 1 : 0.85, ctx ? 'ssn-rules+context' : 'ssn-rules'));
    else if (itinValid(digits)) out.push(mk(s, e, 'US_ITIN', ctx ? 1 : 0.85, ctx ? 'itin-rules+context' : 'itin-rules'));
  }
  return out;
}

export const ssnDetector: Detector = { name: 'ssn', types: ['US_SSN', 'US_ITIN'], detect: detectSsn };
