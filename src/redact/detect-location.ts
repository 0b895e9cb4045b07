// Locations (cities, countries, US states and other regions; HIPAA H2 when smaller than a state)
// found in free text: a place-name dictionary (./data/places.ts) plus context ("from", "in",
// "moved to"), and place-name word endings for towns the dictionary does not know.
import { matchPlace } from './detect-address.js';
import type { Token } from './detect-names-tokens.js';

// The cue words ("in", "from", "moved to": LOCATION_CUES) and town-name endings (W_PLACE_ENDING,
// read from each token's flags) live in word-classes.ts with the other word lists.

/** The place name starting at token i (longest dictionary match), or null. */
export function placeAt(tokens: readonly Token[], i: number): { end: number; kind: string } | null {
  return matchPlace(tokens, i);
}
