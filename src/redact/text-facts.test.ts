// The gates of text-facts.ts must only skip work: with them off (every pattern runs on every text)
// each detector must find exactly the same spans. Texts are corpus samples and random strings
// built from the fragments the keyword and digit gates look for.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus-eval.js';
import { detectFreeText } from './detect-names.js';
import { structuredDetectors } from './detect-structured.js';
import { forgetFacts, gating } from './text-facts.js';

function allFindings(text: string): string {
  forgetFacts();
  return JSON.stringify([detectFreeText(text), ...structuredDetectors.map((d) => d.detect(text))]);
}

function sameWithAndWithoutGates(text: string): void {
  gating.enabled = true;
  const gated = allFindings(text);
  gating.enabled = false;
  const open = allFindings(text);
  gating.enabled = true;
  expect(gated, JSON.stringify(text)).toBe(open);
}

const fragment = fc.oneof(
  fc.constantFrom(
    ' ', '-', '.', '/', ':', '\n', '1', '12', '1987', '2024-01-05', '03/27', '3rd of March', 'Mon', 'next monday', '45-year-old', '93M',
    'y/o', 'turned 45', 'when she was 33', 'aged ', 'cvv ', 'card-cvv: ', 'CVC2 ', 'security code ', 'exp ', 'MRN: ', 'a/c no ', 'éa/c ',
    'acct#', 'dl# ', 'passport ', 'member id ', 'password=', 'dbpassword: ', 'api_key=', 'Bearer ', 'token: ', 'sig=', 'AKIA', 'ghp_', 'sk-proj-',
    'xoxb-', 'bc1q', 'BC1Q', '0x', 'GB82', 'WEST', 'NO93', '4111 1111 1111 1111', '123-45-6789', '021000021', '1234567893', 'AB1234563',
    '1HGCM82633A004352', '35-209900-176148-1', '192.168.0.1', 'fe80::1', 'aa:bb:cc:dd:ee:ff', 'aa-bb-cc-dd-ee-ff', '0123.4567.89ab',
    '550e8400-e29b-41d4-a716-446655440000', '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', '\u212Akey ', 'émrn ', 'İstanbul', '𝒜', 'O\'Brien',
    'Mr. ', 'John Smith', '12 Main St', 'www.example.com', 'user@example.org', '(555) 123-4567', '+44 20 7946 0958', 'call ',
  ),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: 0, max: 99999999 }).map(String),
);

describe('text facts: the gates never change a finding', () => {
  afterEach(() => {
    gating.enabled = true;
  });

  it('on every corpus sample', () => {
    for (const s of loadCorpus('all')) sameWithAndWithoutGates(s.text);
  });

  it('on random texts made of the fragments the gates look for', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }).map((a) => a.join('')), (text) => sameWithAndWithoutGates(text)),
      { numRuns: 3000 },
    );
  });
});
