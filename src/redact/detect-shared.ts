// Small helpers shared by the structured detectors: character classes, context-word look-ups and
// the overlap resolution. Kept free of regex backtracking: look-ups slice a bounded window.
import type { EntityType, Span } from './types.js';

export function mk(start: number, end: number, type: EntityType, score: number, validator: string): Span {
  return { start, end, type, score, validator };
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isAlnum = (c: number): boolean => isDigit(c) || isAsciiLetter(c);
/** Letters of any script count as word characters at a boundary ("José1234" is not a number). */
export const isWordChar = (c: number): boolean => isAlnum(c) || c === 95 || (c > 127 && /\p{L}|\p{N}/u.test(String.fromCharCode(c)));

/** Code unit at i, or -1 outside the string; keeps boundary checks short. */
export const at = (text: string, i: number): number => (i >= 0 && i < text.length ? text.charCodeAt(i) : -1);

/** True when `re` (no g flag) matches in the `window` characters before `start`, lower-cased. */
export function contextBefore(text: string, start: number, re: RegExp, window = 48): boolean {
  return re.test(text.slice(Math.max(0, start - window), start).toLowerCase());
}

/** True when `re` (no g flag) matches in the `window` characters after `end`, lower-cased. */
export function contextAfter(text: string, end: number, re: RegExp, window = 24): boolean {
  return re.test(text.slice(end, end + window).toLowerCase());
}

export const digitsOf = (s: string): string => s.replace(/[^0-9]/g, '');

/**
 * Keeps one span per stretch of characters: the higher score wins, then the longer span, then the
 * earlier one. A span overlapping an already kept one is dropped whole (the engine merges what
 * is left into unions, so dropping never leaves kept characters unmasked). Spans are first split
 * into clusters of transitively overlapping ones, so the cost stays linear when few overlap.
 */
export function resolveOverlaps(spans: readonly Span[]): Span[] {
  // Most texts give no span or a few already in order: copy without the empty ones, and sort only
  // when out of order (the sort is stable, so an ordered array would come back unchanged anyway).
  const byStart: Span[] = [];
  let ordered = true;
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!;
    if (s.end <= s.start) continue;
    const p = byStart[byStart.length - 1];
    if (p !== undefined && (p.start > s.start || (p.start === s.start && p.end < s.end))) ordered = false;
    byStart.push(s);
  }
  if (!ordered) byStart.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  let i = 0;
  while (i < byStart.length) {
    let j = i + 1;
    let reach = byStart[i]!.end;
    while (j < byStart.length && byStart[j]!.start < reach) reach = Math.max(reach, byStart[j++]!.end);
    if (j === i + 1) out.push(byStart[i]!);
    else for (const s of resolveCluster(byStart.slice(i, j))) out.push(s);
    i = j;
  }
  return out;
}

function resolveCluster(spans: Span[]): Span[] {
  const order = spans.sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Span[] = []; // sorted by start, pairwise disjoint
  for (const s of order) {
    // First kept span that ends after s starts; s overlaps it iff it starts before s ends.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid]!.end <= s.start) lo = mid + 1;
      else hi = mid;
    }
    const next = kept[lo];
    if (next && next.start < s.end) continue;
    kept.splice(lo, 0, s);
  }
  return kept;
}
