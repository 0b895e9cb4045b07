// Every structured-identifier detector (checksums, shapes, context words) and their combination:
// one span per stretch of characters, the more certain finding winning (see resolveOverlaps).
import { ageDetector, dateDetector } from './detect-dates.js';
import { bankDetector } from './detect-bank.js';
import { cardDetector } from './detect-cards.js';
import { healthDetector } from './detect-health.js';
import { ssnDetector } from './detect-ids.js';
import { keyedDetector } from './detect-keyed.js';
import { networkDetector } from './detect-network.js';
import { phoneDetector } from './detect-phone.js';
import { secretDetector, walletDetector } from './detect-secrets.js';
import { resolveOverlaps } from './detect-shared.js';
import type { Detector, Span } from './types.js';

export const structuredDetectors: Detector[] = [
  cardDetector,
  bankDetector,
  ssnDetector,
  networkDetector,
  phoneDetector,
  dateDetector,
  ageDetector,
  healthDetector,
  keyedDetector,
  secretDetector,
  walletDetector,
];

export function detectStructured(text: string): Span[] {
  if (text.length === 0) return [];
  const all: Span[] = [];
  for (const d of structuredDetectors) {
    const found = d.detect(text);
    for (let k = 0; k < found.length; k++) all.push(found[k]!);
  }
  return all.length === 0 ? all : resolveOverlaps(all);
}
