// Locations (cities, countries, US states and other regions; HIPAA H2 when smaller than a state)
// found in free text: a place-name dictionary (./data/places.ts) plus context ("from", "in",
// "moved to"), and place-name word endings for towns the dictionary does not know.
import { matchPlace } from './detect-address.js';
import { memoWord, type Token } from './detect-names-tokens.js';

/** Words right before a proper noun that make it a place rather than a person. */
export const LOCATION_CUES: ReadonlySet<string> = new Set([
  'in', 'from', 'to', 'at', 'near', 'visit', 'visiting', 'visited', 'towards', 'toward', 'across', 'around', 'outside', 'inside',
  'via', 'into', 'through', 'throughout', 'of', 'between', 'within', 'travelling', 'traveling',
]);

/** Word endings of town names (-burg, -ville, -stadt …), used only when nothing says person. */
const PLACE_ENDINGS = [
  'burg', 'bourg', 'borough', 'ville', 'stadt', 'stad', 'heim', 'hausen', 'dorf', 'ingen', 'holm', 'pur', 'abad', 'grad', 'polis',
  'chester', 'caster', 'mouth', 'minster', 'by', 'thorpe', 'wick', 'kirchen', 'kirch', 'bury', 'field', 'ford', 'port', 'haven', 'vik', 'fjord', 'øy',
];

export const hasPlaceEnding = memoWord((lower) => {
  for (const e of PLACE_ENDINGS) if (lower.length > e.length + 2 && lower.endsWith(e)) return true;
  return false;
});

/** The place name starting at token i (longest dictionary match), or null. */
export function placeAt(tokens: readonly Token[], i: number): { end: number; kind: string } | null {
  return matchPlace(tokens, i);
}
