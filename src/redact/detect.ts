// The engine: every detector over the text, overlapping spans merged so nothing between two
// overlapping findings leaks, and a bound on the input so a caller cannot make us work forever.
import { AppError } from '../errors.js';
import { detectStructured } from './detect-structured.js';
import { detectFreeText } from './detect-names.js';
import type { EntityType, Span } from './types.js';

/** Largest text redacted in one call; callers stream bigger inputs line by line or in chunks. */
export const MAX_TEXT_CHARS = 16 * 1024 * 1024;

/**
 * Overlapping spans become one span covering both: masking the union never leaves a fragment of
 * either in clear. The merged span keeps the type of the more certain finding (then the longer).
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
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

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/giu;

/**
 * Spans wholly inside a UUID are its hex digits, not a card or a phone: the all-digit last group
 * of a request id passed Luhn as a 12-digit Maestro number (the suite's leak check caught it).
 */
function outsideUuids(text: string, spans: Span[]): Span[] {
  if (!text.includes('-')) return spans;
  const uuids: [number, number][] = [];
  for (const m of text.matchAll(UUID_RE)) uuids.push([m.index, m.index + m[0].length]);
  if (!uuids.length) return spans;
  return spans.filter((s) => s.type === 'DEVICE_ID' || !uuids.some(([a, b]) => s.start >= a && s.end <= b));
}

export function detect(text: string, opts: { types?: readonly EntityType[] } = {}): Span[] {
  if (text.length > MAX_TEXT_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', `text of ${text.length} characters is over the ${MAX_TEXT_CHARS}-character limit of one redaction; send it in parts (lines or paragraphs)`);
  const all = outsideUuids(text, [...detectStructured(text), ...detectFreeText(text)]);
  const wanted = opts.types ? new Set(opts.types) : null;
  return mergeSpans(wanted ? all.filter((s) => wanted.has(s.type)) : all);
}
