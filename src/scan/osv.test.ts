import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { cvss3BaseScore, cvss4Level, recordSeverity } from './osv-severity.js';
import { maxVersion, normalizePackageName } from './osv-versions.js';
import { createAdvisorySet, loadAdvisoryDirectory, parseOsvRecord, queryAdvisories, type OsvRecord } from './osv.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url));
const set = loadAdvisoryDirectory(DIR);

interface Query {
  ecosystem: string;
  name: string;
  version: string;
  expect: string[];
  must_not_include_withdrawn?: string[];
  note?: string;
}
const expected = JSON.parse(readFileSync(`${DIR}/EXPECTED.json`, 'utf8')) as { queries: Query[] };

describe('OSV fixture set', () => {
  it('loads all 210 records, knows the 6 withdrawn ones and reports the one unusable range', () => {
    expect(set.records.size + set.withdrawn.size).toBe(210);
    expect([...set.withdrawn].sort()).toEqual(['GHSA-27h2-hvpr-p74q', 'GO-2024-2730', 'GO-2025-3543', 'PYSEC-2022-15', 'PYSEC-2022-43059', 'PYSEC-2023-73']);
    expect(set.problems).toHaveLength(1);
    expect(set.problems[0]).toMatch(/^GHSA-h755-8qp9-cq85: .*7\.2\.4, 6\.11\.4/u);
  });

  it('has 30 expected queries', () => {
    expect(expected.queries).toHaveLength(30);
  });

  it.each(expected.queries.map((q) => [`${q.ecosystem} ${q.name} ${q.version}`, q] as const))('%s', (_, q) => {
    const ids = queryAdvisories(set, q.ecosystem, q.name, q.version).map((h) => h.record.id).sort();
    expect(ids).toEqual([...q.expect].sort());
    for (const w of q.must_not_include_withdrawn ?? []) expect(ids).not.toContain(w);
  });

  it('reports the next fixed version of the matching range', () => {
    const hits = queryAdvisories(set, 'PyPI', 'torch', '1.13.0');
    expect(Object.fromEntries(hits.map((h) => [h.record.id, h.fixed]))).toMatchObject({ 'GHSA-47fc-vmwq-366v': '1.13.1', 'GHSA-5pcm-hx3q-hm94': '2.2.0' });
    expect(queryAdvisories(set, 'npm', 'vm2', '3.9.19')[0]!.fixed).toBeUndefined();
  });

  it('reads severity from GitHub database_specific, CVSS v3 vectors and (approximately) v4', () => {
    expect(set.records.get('GHSA-47fc-vmwq-366v')!.level).toBe('critical');
    // Most PYSEC and GO records carry no severity at all; every record that does gets a level.
    for (const r of set.records.values()) {
      const ds = r.database_specific as { severity?: unknown } | undefined;
      const rated = typeof ds?.severity === 'string' || (r.severity ?? []).some((s) => s.type === 'CVSS_V3' || s.type === 'CVSS_V4');
      expect(r.level === 'unknown', r.id).toBe(!rated);
    }
  });
});

describe('version ranges', () => {
  const rec = (events: object[], extra: object = {}, ecosystem = 'npm'): OsvRecord =>
    parseOsvRecord(JSON.stringify({ id: 'T-1', affected: [{ package: { ecosystem, name: 'p' }, ranges: [{ type: 'ECOSYSTEM', events }], ...extra }] }), 't.json');
  const hit = (r: OsvRecord, v: string, eco = 'npm') => queryAdvisories(createAdvisorySet([r]), eco, 'p', v).length === 1;

  it('evaluates introduced/fixed/last_affected/limit in version order, not list order', () => {
    const r = rec([{ fixed: '2.0.0' }, { introduced: '1.0.0' }, { introduced: '3.0.0' }, { last_affected: '3.1.0' }]);
    expect(['0.9.0', '1.0.0', '1.9.9', '2.0.0', '2.5.0', '3.0.0', '3.1.0', '3.1.1'].map((v) => hit(r, v))).toEqual([false, true, true, false, false, true, true, false]);
    const limited = rec([{ introduced: '0' }, { limit: '2.0.0' }]);
    expect([hit(limited, '1.0.0'), hit(limited, '2.0.0')]).toEqual([true, false]);
  });

  it('pads short npm versions and skips unparsable ranges', () => {
    expect(hit(rec([{ introduced: '1.0' }, { fixed: '2' }]), '1.5.0')).toBe(true);
    const bad = rec([{ introduced: '1.0.0' }, { fixed: 'soon' }]);
    expect(hit(bad, '1.5.0')).toBe(false);
    expect(createAdvisorySet([bad]).problems).toHaveLength(1);
    expect(hit(rec([{ introduced: '0' }]), 'not-a-version')).toBe(false);
  });

  it('compares PyPI versions by PEP 440 and listed versions by value', () => {
    const r = rec([{ introduced: '2.2.0rc0' }, { fixed: '2.2.0' }], { versions: ['0.8.0-alpha2'] }, 'PyPI');
    expect([hit(r, '2.2.0rc1', 'PyPI'), hit(r, '2.2.0', 'PyPI'), hit(r, '0.8.0a2', 'PyPI'), hit(r, '2.2.0.post1', 'PyPI')]).toEqual([true, false, true, false]);
    expect(normalizePackageName('PyPI', 'Llama_CPP.python')).toBe('llama-cpp-python');
    expect(maxVersion('PyPI', ['1.0', '1.0.post1', '0.9'])).toBe('1.0.post1');
  });

  it('ignores GIT ranges and other ecosystems', () => {
    const r = parseOsvRecord(JSON.stringify({ id: 'G', affected: [{ package: { ecosystem: 'PyPI', name: 'p' }, ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: '0' }] }] }] }), 'g.json');
    expect(hit(r, '1.0', 'PyPI')).toBe(false);
    const other = parseOsvRecord(JSON.stringify({ id: 'M', affected: [{ package: { ecosystem: 'Maven', name: 'p' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }), 'm.json');
    expect(queryAdvisories(createAdvisorySet([other]), 'Maven', 'p', '1.0')).toEqual([]);
  });
});

describe('parsing records', () => {
  it('keeps unquoted YAML scalars as strings', () => {
    const r = parseOsvRecord('id: X-1\nwithdrawn: 2023-06-06T10:37:00Z\naffected:\n- package: {ecosystem: PyPI, name: p}\n  versions: [2.10, 1.34]\n', 'x.yaml');
    expect(r.affected![0]!.versions).toEqual(['2.10', '1.34']);
    expect(r.withdrawn).toBe('2023-06-06T10:37:00Z');
  });

  it('names the file and field of a malformed record', () => {
    expect(() => parseOsvRecord('{"id": 5}', 'a.json')).toThrow(/a\.json: field id/u);
    expect(() => parseOsvRecord('{', 'b.json')).toThrow(AppError);
    expect(() => parseOsvRecord('a: [', 'c.yaml')).toThrow(/c\.yaml: not valid YAML/u);
  });

  it('never throws anything but AppError on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.constantFrom('r.json', 'r.yaml'), (s, name) => {
        try {
          const r = parseOsvRecord(s, name);
          queryAdvisories(createAdvisorySet([r]), 'PyPI', 'x', '1.0');
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('severity', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:H', 4.7],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N', 5.0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ])('CVSS v3 %s = %d (CVSS 3.1 calculator values)', (v, score) => {
    expect(cvss3BaseScore(v)).toBe(score);
  });

  it('rejects malformed v3 vectors', () => {
    for (const v of ['CVSS:3.1/AV:N', 'CVSS:2.0/AV:N/AC:L', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '']) {
      expect(cvss3BaseScore(v)).toBeNull();
    }
  });

  it('approximates CVSS v4 levels', () => {
    expect(cvss4Level('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe('critical');
    expect(cvss4Level('CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N')).toBe('high');
    expect(cvss4Level('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N')).toBe('medium');
    expect(cvss4Level('CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N')).toBe('low');
    expect(cvss4Level('CVSS:4.0/AV:N')).toBeNull();
  });

  it('prefers the curated GitHub level over vectors', () => {
    const r = { database_specific: { severity: 'MODERATE' }, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] };
    expect(recordSeverity(r).level).toBe('medium');
    expect(recordSeverity({ severity: r.severity }).level).toBe('critical');
    expect(recordSeverity({}).level).toBe('unknown');
  });
});
