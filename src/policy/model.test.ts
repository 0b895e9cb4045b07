import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../errors.js';
import { compilePolicy } from './model.js';
import { EXAMPLES_DIR, exampleSources } from '../../test/helpers/policy.js';

// The two shapes from the design notes, character for character.
const SEED_ZONE = `regulated_ai_zone:
  ingress: private_only
  egress:
    default: deny
    allowed_destinations:
      - model-registry.internal
      - feature-store.internal
      - audit-log-sink.internal
  workloads:
    require_signed_images: true
    require_encrypted_volumes: true
    require_runtime_identity: true
`;
const SEED_CLASSES = `data_class_policy:
  public:
    allowed_zones: ["standard-ai"]
  personal_data:
    allowed_zones: ["regulated-ai-eu", "regulated-ai-us"]
    require_redacted_logs: true
  ephi:
    allowed_zones: ["hipaa-ai"]
    require_private_ingress: true
    require_audit_logging: true
  cardholder_data:
    allowed_zones: ["pci-ai"]
    require_network_segmentation: true
    prohibit_external_llm_calls: true
`;

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    return ((e as { details?: { problems?: { file: string; line: number; column: number; path: string; message: string }[] } }).details?.problems ?? []).map(
      (p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`,
    );
  }
  throw new Error('expected the policy to be rejected');
};

describe('policy files', () => {
  it('ships the seed shapes exactly as written, and they compile alone', () => {
    expect(readFileSync(join(EXAMPLES_DIR, 'regulated-ai-zone.yaml'), 'utf8')).toBe(SEED_ZONE);
    expect(readFileSync(join(EXAMPLES_DIR, 'data-classes.yaml'), 'utf8')).toBe(SEED_CLASSES);
    const zoneOnly = compilePolicy([{ name: 'zone.yaml', text: SEED_ZONE }]);
    expect(zoneOnly.zones.get('regulated_ai_zone')).toMatchObject({
      ingress: 'private_only',
      egress: { default: 'deny', allowedDestinations: ['model-registry.internal', 'feature-store.internal', 'audit-log-sink.internal'] },
      requireSignedImages: true,
      requireImageDigest: true,
      requireEncryptedVolumes: true,
      requireRuntimeIdentity: true,
      forbidHostAccess: true,
      regulated: true,
    });
  });

  it('compiles the shipped examples: the five zones, the four classes, a stable digest', () => {
    const p = compilePolicy(exampleSources());
    expect([...p.zones.keys()].sort()).toEqual(['hipaa-ai', 'pci-ai', 'regulated-ai-eu', 'regulated-ai-us', 'regulated_ai_zone', 'standard-ai']);
    expect([...p.classes.keys()].sort()).toEqual(['cardholder_data', 'ephi', 'personal_data', 'public']);
    expect(p.zones.get('hipaa-ai')).toMatchObject({ ingress: 'private_only', region: 'us-east-1', storageClasses: ['encrypted-gp3', 'encrypted-io2'], registries: ['registry.evident.internal'] });
    expect(p.namespaceZones.get('clinical-ml')).toBe('hipaa-ai');
    // A zone that lists no namespaces owns one named after it.
    expect(p.namespaceZones.get('regulated-ai-zone')).toBe('regulated_ai_zone');
    expect(() => compilePolicy([{ name: 'z.yaml', text: 'zones:\n  a: { namespaces: [b] }\n  b: {}\n' }])).toThrow(/zone b lists no namespaces and its default namespace "b" belongs to zone a/u);
    expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/u);
    expect(compilePolicy([...exampleSources()].reverse()).digest).toBe(p.digest);
    expect(Object.isFrozen(p.zones.get('hipaa-ai'))).toBe(true);
  });

  it('reports schema mistakes at file:line:column, every one at once', () => {
    const text = `zones:
  edge-ai:
    ingress: privat_only
    egress:
      default: deny
      allowed_destinations: [ok.internal]
    workloads:
      require_signed_image: true
data_class_policy:
  public:
    allowed_zones: standard-ai
typo_section: {}
`;
    expect(problemsOf(() => compilePolicy([{ name: 'p.yaml', text }]))).toEqual([
      expect.stringMatching(/^p\.yaml:3:14 zones\.edge-ai\.ingress: /u),
      'p.yaml:8:7 zones.edge-ai.workloads.require_signed_image: unknown field "require_signed_image"',
      expect.stringMatching(/^p\.yaml:11:20 data_class_policy\.public\.allowed_zones: /u),
      expect.stringMatching(/^p\.yaml:12:15 typo_section: unknown section/u),
    ]);
    expect(problemsOf(() => compilePolicy([{ name: 'bad.yaml', text: 'zones: [\n' }]))[0]).toMatch(/^bad\.yaml:\d+:\d+ \(yaml\)/u);
  });

  it('reports broken references across files with the position of the reference', () => {
    const a = { name: 'a.yaml', text: SEED_ZONE };
    const b = {
      name: 'b.yaml',
      text: `zones:
  eu:
    extends: nowhere
  loop-a:
    extends: loop-b
  loop-b:
    extends: loop-a
  regulated_ai_zone:
    ingress: public
  llm:
    llm_providers: [mystery]
data_class_policy:
  pii:
    allowed_zones: [eu, mars]
namespaces:
  team: atlantis
custom_rules:
  - id: broken
    expression: "object.spec.replicas +"
    message: never
`,
    };
    const problems = problemsOf(() => compilePolicy([a, b]));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^b\.yaml:9:5 zones\.regulated_ai_zone: zone "regulated_ai_zone" is already defined at a\.yaml:2:3/u),
        expect.stringMatching(/^b\.yaml:3:14 zones\.eu\.extends: extends unknown zone "nowhere"/u),
        expect.stringMatching(/cycle: .*loop-a -> loop-b -> loop-a|cycle: .*loop-b -> loop-a -> loop-b/u),
        expect.stringMatching(/^b\.yaml:11:21 zones\.llm\.llm_providers\.0: unknown LLM provider "mystery"/u),
        expect.stringMatching(/^b\.yaml:14:25 data_class_policy\.pii\.allowed_zones\.1: allowed zone "mars"/u),
        expect.stringMatching(/^b\.yaml:16:9 namespaces\.team: namespace team is mapped to unknown zone "atlantis"/u),
        expect.stringMatching(/^b\.yaml:19:17 custom_rules\.0\.expression: expression does not compile/u),
      ]),
    );
  });

  it('lets a zone extend another and override single fields', () => {
    const p = compilePolicy([
      { name: 'a.yaml', text: SEED_ZONE },
      { name: 'b.yaml', text: 'zones:\n  lab:\n    extends: regulated_ai_zone\n    workloads:\n      require_runtime_identity: false\n    egress:\n      default: allow\n' },
    ]);
    const lab = p.zones.get('lab')!;
    // Restating egress.default keeps the destinations it inherits.
    expect(lab).toMatchObject({ ingress: 'private_only', requireSignedImages: true, requireRuntimeIdentity: false, egress: { default: 'allow', allowedDestinations: ['model-registry.internal', 'feature-store.internal', 'audit-log-sink.internal'] } });
  });

  it('never fails on hostile files other than with a clear VALIDATION_FAILED', () => {
    const section = fc.constantFrom('zones', 'data_class_policy', 'regulated_ai_zone', 'rules', 'custom_rules', 'admission', 'namespaces', 'destinations', 'llm_providers', 'x');
    fc.assert(
      fc.property(fc.dictionary(section, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }), (doc) => {
        try {
          compilePolicy([{ name: 'fuzz.yaml', text: JSON.stringify(doc) }]);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).code).toBe('VALIDATION_FAILED');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses names like "__proto__" instead of losing them', () => {
    const proto = problemsOf(() => compilePolicy([{ name: 'proto.yaml', text: 'zones:\n  a: { ingress: public }\n  __proto__: { ingress: public }\n' }]));
    expect(proto).toEqual(['proto.yaml:3:3 zones.__proto__: a key named "__proto__" is not allowed']);
    const names = problemsOf(() =>
      compilePolicy([{ name: 'names.yaml', text: '_bad_zone: {}\nzones:\n  Upper: {}\ndata_class_policy:\n  toString: { allowed_zones: [x] }\nnamespaces:\n  Bad_NS: x\n' }]),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^names\.yaml:1:\d+ _bad_zone: unknown section/u),
        expect.stringMatching(/zones\.Upper: invalid name: use lowercase letters/u),
        expect.stringMatching(/data_class_policy\.toString: invalid name: use lowercase letters/u),
        expect.stringMatching(/namespaces\.Bad_NS: invalid name: a Kubernetes namespace name/u),
      ]),
    );
  });
});
