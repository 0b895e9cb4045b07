import { describe, expect, it } from 'vitest';
import { artifactChecks, describeResult, judgeEvaluation, kindChecks, thresholdSources } from './gates.js';
import { diffSpecs } from './diff.js';
import { edgesOf, LINEAGE_REF_RE, versionRef } from './lineage.js';
import { VersionSpecSchema } from './schema.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const spec = (v: unknown) => VersionSpecSchema.parse(v);

describe('evaluation judgement', () => {
  const bounds = thresholdSources([
    { source: 'zone:pci-ai', thresholds: { recall: { min: 0.8 }, fpr: { max: 0.05 } } },
    { source: 'evaluation-threshold/bar@2', thresholds: { recall: { min: 0.85, max: 1 } } },
  ]);

  it('applies every bound from every source, inclusive at the edge', () => {
    expect(judgeEvaluation({ recall: 0.85, fpr: 0.05 }, bounds).passed).toBe(true);
    const r = judgeEvaluation({ recall: 0.82, fpr: 0.01 }, bounds);
    expect(r.passed).toBe(false);
    expect(r.results.filter((x) => !x.ok)).toEqual([{ metric: 'recall', value: 0.82, min: 0.85, max: 1, ok: false, source: 'evaluation-threshold/bar@2' }]);
  });

  it('fails a required metric that was not reported, and says so', () => {
    const r = judgeEvaluation({ recall: 0.9 }, bounds);
    const missing = r.results.find((x) => x.metric === 'fpr')!;
    expect(missing).toMatchObject({ value: null, ok: false });
    expect(describeResult(missing)).toBe('fpr is required (<= 0.05, zone:pci-ai) but was not reported');
    // A metric named like an Object.prototype member is a metric like any other.
    expect(judgeEvaluation({}, thresholdSources([{ source: 's', thresholds: { constructor: { min: 1 } } }])).passed).toBe(false);
  });

  it('passes anything when no bound applies', () => {
    expect(judgeEvaluation({ anything: 1 }, [])).toEqual({ passed: true, results: [] });
  });
});

describe('kind and artifact checks', () => {
  it('asks each kind for something to deploy', () => {
    expect(kindChecks('model', spec({}))[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/weights at least/u) });
    expect(kindChecks('routing-rule', spec({ config: { route: 'a' } }))[0]!.ok).toBe(true);
    expect(kindChecks('routing-rule', spec({}))[0]!.ok).toBe(false);
    expect(kindChecks('evaluation-threshold', spec({ config: { metrics: { auc: { min: 0.8 } } } }))[0]!.ok).toBe(true);
    for (const bad of [{ metrics: {} }, { metrics: { auc: {} } }, { metrics: { auc: { min: '0.8' } } }, { metrics: { auc: { min: 1, typo: 2 } } }, { metrics: [] }]) {
      expect(kindChecks('evaluation-threshold', spec({ config: bad }))[0]!.ok, JSON.stringify(bad)).toBe(false);
    }
    expect(kindChecks('prompt', spec({ artifacts: [{ name: 'prompts/a', digest: D('a') }], lineage: {} })).some((c) => /lineage/u.test(c.detail))).toBe(true);
  });

  it('needs every artifact promoted to the zone and unexpired', () => {
    const a = { name: 'models/a', digest: D('a') };
    const st = (s: Partial<{ state: string; promotedTo: string[]; expired: boolean }>) => new Map([[`${a.name}@${a.digest}`, { id: 'x', state: 'promoted', promotedTo: ['z'], expired: false, signed: true, ...s }]]);
    expect(artifactChecks([a], st({}), 'z')[0]!.ok).toBe(true);
    expect(artifactChecks([a], st({ promotedTo: ['other'] }), 'z')[0]!.detail).toMatch(/not promoted to z/u);
    expect(artifactChecks([a], st({ state: 'quarantined', promotedTo: [] }), 'z')[0]!.detail).toMatch(/is quarantined/u);
    expect(artifactChecks([a], st({ expired: true }), 'z')[0]!.detail).toMatch(/past its review date/u);
    expect(artifactChecks([a], new Map(), 'z')[0]!.detail).toMatch(/not in the registry/u);
    expect(artifactChecks([], new Map(), 'z')).toEqual([]);
  });
});

describe('spec diff', () => {
  it('keys reference lists by name so a new digest is one change', () => {
    const a = { artifacts: [{ name: 'w', digest: D('a') }, { name: 't', digest: D('b') }], config: { temperature: 0.2, stop: ['x'] } };
    const b = { artifacts: [{ name: 't', digest: D('b') }, { name: 'w', digest: D('c') }], config: { temperature: 0.3, stop: ['x', 'y'] }, description: 'new' };
    expect(diffSpecs(a, b)).toEqual([
      { path: 'artifacts["w"].digest', op: 'changed', from: D('a'), to: D('c') },
      { path: 'config.stop', op: 'changed', from: ['x'], to: ['x', 'y'] },
      { path: 'config.temperature', op: 'changed', from: 0.2, to: 0.3 },
      { path: 'description', op: 'added', to: 'new' },
    ]);
    expect(diffSpecs(a, a)).toEqual([]);
  });
});

describe('lineage edges', () => {
  it('links a model version to everything that fed it, with references the API accepts', () => {
    const s = spec({
      artifacts: [{ name: 'models/m', digest: D('a') }],
      lineage: { trainingData: [{ name: 'tx', digest: D('b') }], features: { name: 'fs', version: 3 }, code: { repository: 'git/x', commit: 'abcdef1' }, trainingRun: 'r1', baseModel: { name: 'models/base', digest: D('c') }, evaluationDatasets: [{ name: 'hold', digest: D('d') }] },
    });
    const node = versionRef('model', 'm', 2);
    const edges = edgesOf(node, s);
    expect(edges.map((e) => e.relation)).toEqual(['contains', 'trained-on', 'uses-features', 'built-from-code', 'produced-by-run', 'fine-tuned-from', 'evaluated-on']);
    expect(edges.every((e) => e.to === node && LINEAGE_REF_RE.test(e.from))).toBe(true);
    expect(LINEAGE_REF_RE.test(node)).toBe(true);
    expect(LINEAGE_REF_RE.test('model/../etc')).toBe(false);
  });
});
