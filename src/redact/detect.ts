// The engine: every detector over the text, overlapping spans merged so nothing between two
// overlapping findings leaks, and a bound on the input so a caller cannot make us work forever.
import { AppError } from '../errors.js';
import { detectStructured } from './detect-structured.js';
import { detectFreeText } from './detect-names.js';
import type { EntityType, Span } from './types.js';
import { forgetFacts, hasAtLeast } from './text-facts.js';

/** Largest text redacted in one call; callers stream bigger inputs line by line or in chunks. */
export const MAX_TEXT_CHARS = 16 * 1024 * 1024;

/**
 * Overlapping spans become one span covering both: masking the union never leaves a fragment of
 * either in clear. The merged span keeps the type of the more certain finding (then the longer).
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start);
  if (!isSorted(sorted)) sorted.sort(byStartThenLongest);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      const keepLast = last.score > s.score || (last.score === s.score && last.end - last.start >= s.end - s.start);
      out[out.length - 1] = keepLast ? { ...last, end: Math.max(last.end, s.end) } : { ...s, start: last.start, end: Math.max(last.end, s.end) };
    } else out.push(s);
  }
  return out;
}

/** Span order of the engine: by start, the longer first. */
const byStartThenLongest = (a: Span, b: Span): number => a.start - b.start || b.end - a.end;

function isSorted(spans: readonly Span[]): boolean {
  for (let k = 1; k < spans.length; k++) if (byStartThenLongest(spans[k - 1]!, spans[k]!) > 0) return false;
  return true;
}

/**
 * The two detectors' outputs are each already in span order: merging them gives what a stable
 * sort of their concatenation gives (ties keep `a` first), without sorting.
 */
function mergeSorted(a: Span[], b: Span[]): Span[] {
  if (!isSorted(a) || !isSorted(b)) return [...a, ...b];
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(byStartThenLongest(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/giu;

/**
 * Spans wholly inside a UUID are its hex digits, not a card or a phone: the all-digit last group
 * of a request id passed Luhn as a 12-digit Maestro number (the suite's leak check caught it).
 */
function outsideUuids(text: string, spans: Span[]): Span[] {
  if (!hasAtLeast(text, '-', 4)) return spans;
  const uuids: [number, number][] = [];
  for (const m of text.matchAll(UUID_RE)) uuids.push([m.index, m.index + m[0].length]);
  if (!uuids.length) return spans;
  return spans.filter((s) => s.type === 'DEVICE_ID' || !uuids.some(([a, b]) => s.start >= a && s.end <= b));
}

export function detect(text: string, opts: { types?: readonly EntityType[] } = {}): Span[] {
  if (text.length > MAX_TEXT_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', `text of ${text.length} characters is over the ${MAX_TEXT_CHARS}-character limit of one redaction; send it in parts (lines or paragraphs)`);
  let all: Span[];
  try {
    all = outsideUuids(text, mergeSorted(detectStructured(text), detectFreeText(text)));
  } finally {
    forgetFacts();
  }
  const wanted = opts.types ? new Set(opts.types) : null;
  return mergeSpans(wanted ? all.filter((s) => wanted.has(s.type)) : all);
}
