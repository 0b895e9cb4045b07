import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { modelLicense } from './license-models.js';
import { checkLicense, parseDeclared } from './license.js';

const rules = (r: ReturnType<typeof checkLicense>) => r.findings.map((f) => [f.rule, f.severity]);

describe('checkLicense: parsing and normalization', () => {
  it.each([
    ['mit', 'MIT'],
    ['apache-2.0', 'Apache-2.0'],
    ['cc-by-nc-4.0', 'CC-BY-NC-4.0'],
    ['gpl-3.0', 'GPL-3.0-only'],
    ['GPL-2.0+', 'GPL-2.0+'],
    ['mit or apache-2.0', 'MIT OR Apache-2.0'],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', '(MIT OR Apache-2.0) AND BSD-3-Clause'],
    ['MIT OR Apache-2.0 AND BSD-3-Clause', 'MIT OR Apache-2.0 AND BSD-3-Clause'],
    ['GPL-2.0-or-later WITH classpath-exception-2.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
    ['llama3.1', 'LicenseRef-llama3.1'],
    ['Llama3.2', 'LicenseRef-llama3.2'],
    ['openrail++', 'LicenseRef-openrail-plus-plus'],
    ['bigscience-openrail-m', 'LicenseRef-bigscience-openrail-m'],
    ['gemma OR apache-2.0', 'LicenseRef-gemma OR Apache-2.0'],
    ['LicenseRef-acme-internal', 'LicenseRef-acme-internal'],
    ['LicenseRef-llama3', 'LicenseRef-llama3'],
  ])('%s -> %s', (declared, normalized) => {
    const r = checkLicense(declared, {});
    expect(r.normalized).toBe(normalized);
    expect(r.ok).toBe(true);
    expect(r.findings.filter((f) => f.severity !== 'safe')).toEqual([]);
  });

  it.each(['', 'other', 'unknown', 'bsd', 'my own licence', 'MIT AND', 'MIT WITH MIT', '__proto__', 'constructor', 'x'.repeat(2000)])(
    'reports %j as license-unknown',
    (declared) => {
      const r = checkLicense(declared, {});
      expect(rules(r)).toEqual([['license-unknown', 'suspicious']]);
      expect(r.ok).toBe(true); // nothing to allow it against: review, do not block
      expect(checkLicense(declared, { allow: ['MIT'] }).ok).toBe(false);
    },
  );

  it('describes model licence terms for approvers', () => {
    const r = checkLicense('llama3.1', {});
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'license-model-terms', severity: 'safe' })]);
    expect(r.findings[0]!.detail).toMatch(/700 million.*Built with Llama/u);
    expect(modelLicense('apple-amlr')).toMatchObject({ commercialUse: 'no', id: 'LicenseRef-apple-amlr' });
    expect(modelLicense('qwen')?.commercialUse).toBe('restricted');
    expect(modelLicense('deepseek')?.useRestrictions).toBe(true);
    expect(modelLicense('toString')).toBeUndefined();
  });
});

describe('checkLicense: policy', () => {
  const permissive = { allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'llama3.1'] };

  it('needs one allowed branch of an OR and every part of an AND', () => {
    expect(checkLicense('MIT OR GPL-3.0-only', permissive).ok).toBe(true);
    expect(checkLicense('MIT AND GPL-3.0-only', permissive).ok).toBe(false);
    expect(checkLicense('(GPL-3.0-only OR MIT) AND (Apache-2.0 OR AGPL-3.0-only)', permissive).ok).toBe(true);
    expect(checkLicense('llama3.1', permissive).ok).toBe(true);
    expect(checkLicense('llama3.2', permissive).ok).toBe(false);
  });

  it('reports why a licence failed, and which alternative to avoid when it passed', () => {
    expect(rules(checkLicense('MIT AND GPL-3.0-only', permissive))).toEqual([['license-not-allowed', 'dangerous']]);
    expect(rules(checkLicense('MIT OR GPL-3.0-only', permissive))).toEqual([['license-choice', 'safe']]);
  });

  it('lets deny win over allow', () => {
    const policy = { allow: ['MIT', 'CC-BY-NC-4.0'], deny: ['cc-by-nc-4.0'] };
    const r = checkLicense('CC-BY-NC-4.0', policy);
    expect(r.ok).toBe(false);
    expect(rules(r)).toEqual([['license-denied', 'dangerous']]);
    expect(checkLicense('CC-BY-NC-4.0 OR MIT', policy).ok).toBe(true);
    expect(checkLicense('llama2', { deny: ['LicenseRef-llama2'] }).ok).toBe(false);
    expect(checkLicense('apache-2.0', { deny: ['llama2'] }).ok).toBe(true);
  });

  it('uses SPDX ranges and exceptions like spdx-satisfies', () => {
    expect(checkLicense('GPL-3.0-only', { allow: ['GPL-2.0-or-later'] }).ok).toBe(true);
    expect(checkLicense('GPL-2.0-only', { allow: ['GPL-3.0-or-later'] }).ok).toBe(false);
    expect(checkLicense('Apache-2.0 WITH LLVM-exception', { allow: ['Apache-2.0'] }).ok).toBe(true);
    expect(checkLicense('GPL-2.0-only WITH Classpath-exception-2.0', { deny: ['GPL-2.0-only'] }).ok).toBe(false);
  });

  it('rejects a policy entry that is not one licence', () => {
    expect(() => checkLicense('MIT', { allow: ['MIT OR Apache-2.0'] })).toThrow(AppError);
    expect(() => checkLicense('MIT', { deny: ['not a licence'] })).toThrow(/deny entry "not a licence"/u);
  });

  it('bounds the size of an expression', () => {
    const many = Array.from({ length: 100 }, () => 'MIT').join(' AND ');
    expect(parseDeclared(many)).toBeNull();
  });

  it('never throws on random declarations', () => {
    const word = fc.constantFrom('MIT', 'and', 'OR', 'WITH', '(', ')', 'llama3', 'GPL-2.0+', 'LicenseRef-a', 'x', '++', 'LLVM-exception');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(word, { maxLength: 12 }).map((w) => w.join(' '))), (s) => {
        const r = checkLicense(s, { allow: ['MIT'], deny: ['GPL-2.0-only'] });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
