import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createAdvisorySet, loadAdvisoryDirectory, parseOsvRecord } from './osv.js';
import { parsePurl, purlPackage } from './sbom-purl.js';
import { auditSbom, readComponents } from './sbom.js';

const SBOM_DIR = fileURLToPath(new URL('../../test/fixtures/sbom/', import.meta.url));
const advisories = loadAdvisoryDirectory(fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url)));

interface Expected {
  specVersion: string;
  components: number;
  components_with_supported_purl: number;
  expected_matches: Record<string, string[]>;
  match_only_withdrawn_records_so_must_not_be_reported: Record<string, string[]>;
}
const expected = (JSON.parse(readFileSync(`${SBOM_DIR}/EXPECTED.json`, 'utf8')) as { sboms: Record<string, Expected> }).sboms;
const load = (file: string) => JSON.parse(readFileSync(`${SBOM_DIR}/${file}`, 'utf8')) as Record<string, unknown>;

describe('auditSbom against the fixture SBOMs', () => {
  it.each(Object.entries(expected))('%s', (file, exp) => {
    const sbom = load(file);
    const r = auditSbom(sbom, advisories, 'high');
    // Record ids per component purl, aliases merged or not, must be exactly the expected ones.
    const got: Record<string, string[]> = {};
    for (const m of r.matches) got[m.purl] = [...(got[m.purl] ?? []), ...m.records].sort();
    const want = Object.fromEntries(Object.entries(exp.expected_matches).map(([k, v]) => [k, [...v].sort()]));
    expect(got).toEqual(want);
    for (const purl of Object.keys(exp.match_only_withdrawn_records_so_must_not_be_reported)) expect(got[purl]).toBeUndefined();
    // Component counts exclude metadata.component, which is audited too.
    const metaComponent = (sbom.metadata as { component?: { purl?: string } } | undefined)?.component;
    const meta = metaComponent ? 1 : 0;
    const metaSupported = metaComponent?.purl ? 1 : 0;
    expect(r.stats.components - meta).toBe(exp.components);
    expect(r.stats.components - r.stats.unsupported - metaSupported).toBe(exp.components_with_supported_purl);
    expect(r.findings).toHaveLength(r.matches.length);
  });

  it('merges aliases of one vulnerability into one match', () => {
    const r = auditSbom(load('python-ray-serve-poetry.cdx-1.6.json'), advisories, 'critical');
    const idna = r.matches.filter((m) => m.component === 'idna');
    expect(idna).toHaveLength(1);
    expect(idna[0]).toMatchObject({ advisoryId: 'GHSA-jjg7-2v4v-x38h', records: ['GHSA-jjg7-2v4v-x38h', 'PYSEC-2024-60'], version: '3.6', fixed: '3.7' });
    expect(idna[0]!.aliases).toEqual(expect.arrayContaining(['CVE-2024-3651', 'PYSEC-2024-60']));
  });

  it('blocks at or above the threshold and informs below it', () => {
    const sbom = load('python-torch-poetry.cdx-1.6.json');
    const strict = auditSbom(sbom, advisories, 'low');
    expect(strict.findings.every((f) => f.severity === 'dangerous')).toBe(true);
    const lax = auditSbom(sbom, advisories, 'critical');
    const bySeverity = lax.matches.map((m, i) => [m.severity, lax.findings[i]!.severity]);
    for (const [level, finding] of bySeverity) expect(finding).toBe(level === 'critical' || level === 'unknown' ? 'dangerous' : 'safe');
    expect(lax.findings.some((f) => f.severity === 'safe' && f.detail.includes('below the critical threshold'))).toBe(true);
  });

  it('treats a match without any severity as blocking', () => {
    const rec = parseOsvRecord(JSON.stringify({ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: '@acme/lib' }, versions: ['1.0.0'] }] }), 'x.json');
    const sbom = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'lib', purl: 'pkg:npm/%40acme/lib@1.0.0' }] };
    const r = auditSbom(sbom, createAdvisorySet([rec]), 'critical');
    expect(r.matches).toEqual([expect.objectContaining({ advisoryId: 'X-1', severity: 'unknown', purl: 'pkg:npm/%40acme/lib@1.0.0' })]);
    expect(r.findings[0]).toMatchObject({ rule: 'sbom-vulnerable-component', severity: 'dangerous' });
    expect(r.matches[0]!.fixed).toBeUndefined();
  });

  it('walks nested components and metadata.component', () => {
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.4',
      metadata: { component: { type: 'application', name: 'app', purl: 'pkg:npm/app@1.0.0' } },
      components: [{ type: 'library', name: 'a', components: [{ type: 'library', name: 'express', purl: 'pkg:npm/express@4.19.2' }] }],
    };
    expect(readComponents(sbom).map((c) => c.field)).toEqual(['components[0]', 'components[0].components[0]', 'metadata.component']);
    expect(auditSbom(sbom, advisories, 'high').matches.map((m) => m.advisoryId)).toEqual(['GHSA-qw6h-vgh9-j6wx']);
  });

  it('reports an unparsable purl as suspicious and goes on', () => {
    const sbom = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'library', name: 'x', purl: 'not a purl' }] };
    expect(auditSbom(sbom, advisories, 'high').findings).toEqual([expect.objectContaining({ rule: 'sbom-invalid-purl', severity: 'suspicious' })]);
  });
});

describe('malformed SBOMs', () => {
  it.each([
    [null, '(root)'],
    [{ bomFormat: 'SPDX', specVersion: '1.6' }, 'bomFormat'],
    [{ bomFormat: 'CycloneDX', specVersion: '2.0' }, 'specVersion'],
    [{ bomFormat: 'CycloneDX', specVersion: '1.6', components: {} }, 'components'],
    [{ bomFormat: 'CycloneDX', specVersion: '1.6', components: [7] }, 'components[0]'],
    [{ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 1 }] }, 'components[0].name'],
    [{ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'a', components: [{ name: 'b', purl: 5 }] }] }, 'components[0].components[0].purl'],
    [{ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: [] }, 'metadata'],
  ])('%j names field %s', (sbom, field) => {
    try {
      auditSbom(sbom, advisories, 'high');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('VALIDATION_FAILED');
      expect((e as AppError).message).toContain(`SBOM field ${field}:`);
    }
  });

  it('bounds nesting depth', () => {
    let c: Record<string, unknown> = { name: 'leaf' };
    for (let i = 0; i < 100; i++) c = { name: `n${i}`, components: [c] };
    expect(() => auditSbom({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [c] }, advisories, 'high')).toThrow(/nested deeper/u);
  });

  it('rejects an unknown threshold', () => {
    expect(() => auditSbom({ bomFormat: 'CycloneDX', specVersion: '1.6' }, advisories, 'severe' as 'high')).toThrow(AppError);
  });

  it('throws only AppError on random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const sbom = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [v] };
        try {
          auditSbom(sbom, advisories, 'high');
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePurl', () => {
  it.each([
    ['pkg:pypi/torch@2.1.2?download_url=https%3A%2F%2Fx', { ecosystem: 'PyPI', name: 'torch' }, '2.1.2', 'pkg:pypi/torch@2.1.2'],
    ['pkg:npm/%40grpc/grpc-js@1.8.0', { ecosystem: 'npm', name: '@grpc/grpc-js' }, '1.8.0', 'pkg:npm/%40grpc/grpc-js@1.8.0'],
    ['pkg:npm/@grpc/grpc-js@1.8.0', { ecosystem: 'npm', name: '@grpc/grpc-js' }, '1.8.0', 'pkg:npm/@grpc/grpc-js@1.8.0'],
    ['pkg:golang/github.com/ollama/ollama@v0.1.33#cmd', { ecosystem: 'Go', name: 'github.com/ollama/ollama' }, 'v0.1.33', 'pkg:golang/github.com/ollama/ollama@v0.1.33'],
    ['PKG:PyPI/Jinja2@3.1.3', { ecosystem: 'PyPI', name: 'Jinja2' }, '3.1.3', 'pkg:PyPI/Jinja2@3.1.3'],
  ])('%s', (s, pkg, version, base) => {
    const p = parsePurl(s)!;
    expect(purlPackage(p)).toEqual(pkg);
    expect(p.version).toBe(version);
    expect(p.base).toBe(base);
  });

  it('rejects what is not a purl and leaves unknown types unmatched', () => {
    for (const s of ['', 'pkg:', 'pkg:npm', 'npm/x@1', 'pkg:npm/%zz@1', 'pkg:npm/x@%zz']) expect(parsePurl(s)).toBeNull();
    expect(purlPackage(parsePurl('pkg:maven/org.a/b@1')!)).toBeNull();
    expect(purlPackage(parsePurl('pkg:constructor/b@1')!)).toBeNull();
    expect(parsePurl('pkg:pypi/x')!.version).toBeUndefined();
  });

  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const p = parsePurl(`pkg:${s}`);
        if (p) purlPackage(p);
      }),
      { numRuns: 1000 },
    );
  });
});
