import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/helpers/cli.js';
import { tempDir } from '../../test/helpers/db.js';
import { EXAMPLES_DIR } from '../../test/helpers/policy.js';
import { parseAllDocuments } from 'yaml';

const examples = ['regulated-ai-zone.yaml', 'data-classes.yaml', 'zones.yaml'].map((f) => join(EXAMPLES_DIR, f));

describe('evident policy', () => {
  it('validate: accepts the shipped examples and reports problems at file:line:column', async () => {
    const ok = await cli(['policy', 'validate', ...examples]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^valid: 6 zones/u);
    const bad = join(tempDir(), 'bad.yaml');
    writeFileSync(bad, 'zones:\n  x:\n    ingress: everywhere\n');
    const r = await cli(['policy', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3:14: zones.x.ingress:`);
    expect(JSON.parse((await cli(['policy', 'validate', bad, '--json'])).out)).toMatchObject({ valid: false, problems: [{ line: 3, column: 14 }] });
  });

  it('check: exit 0 on allow, 3 on deny with every reason, against the shipped examples when no data dir', async () => {
    const env = { EVIDENT_DATA_DIR: join(tempDir(), 'none') };
    const allow = await cli(['policy', 'check', '--class', 'ephi', '--zone', 'hipaa-ai'], env);
    expect(allow.code).toBe(0);
    expect(allow.out).toContain('ALLOW');
    expect(allow.out).toContain('shipped example policy');
    const deny = await cli(['policy', 'check', '--class', 'ephi', '--class', 'public', '--zone', 'standard-ai'], env);
    expect(deny.code).toBe(3);
    expect(deny.out).toContain('DENY [class-allowed-in-zone] (class:ephi) zone: data class ephi may not be placed in zone standard-ai');
    expect(deny.out).toContain('fix: no zone satisfies every data class together; split the workload');
    const one = await cli(['policy', 'check', '--class', 'ephi', '--zone', 'standard-ai'], env);
    expect(one.out).toContain('fix: deploy to zone hipaa-ai');
  });

  it('check --manifest: every object of a multi-document file, with the fields at fault', async () => {
    const m = join(tempDir(), 'app.yaml');
    writeFileSync(
      m,
      `apiVersion: v1
kind: Service
metadata: { name: api }
spec: { type: LoadBalancer }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  labels: { evident.io/data-class: cardholder_data }
spec:
  template:
    spec:
      serviceAccountName: scorer
      automountServiceAccountToken: false
      containers:
        - name: app
          image: registry.evident.internal/fraud/scorer@sha256:${'b'.repeat(64)}
`,
    );
    const r = await cli(['policy', 'check', '--zone', 'pci-ai', '--manifest', m, '--json'], { EVIDENT_DATA_DIR: join(tempDir(), 'none') });
    expect(r.code).toBe(3);
    const out = JSON.parse(r.out);
    expect(out.decisions).toHaveLength(2);
    expect(out.decisions[0].violations.map((v: { rule: string; field: string }) => [v.rule, v.field])).toEqual([['private-ingress-services', 'spec.type']]);
    expect(out.decisions[1]).toMatchObject({ allowed: true, classes: ['cardholder_data'] });
  });

  it('apply: a new version in force in the data dir, recorded; check then uses it', async () => {
    const dir = join(tempDir(), 'data');
    await cli(['init', '--data-dir', dir]);
    const strict = join(tempDir(), 'override.yaml');
    writeFileSync(strict, 'rules:\n  class-allowed-in-zone: { mode: warn }\n');
    const r = await cli(['policy', 'apply', ...examples, strict, '--data-dir', dir, '--note', 'soften placement to warnings during migration', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ version: 2, changed: true });
    const again = await cli(['policy', 'apply', ...examples, strict, '--data-dir', dir]);
    expect(again.out).toContain('unchanged: policy v2');
    const check = await cli(['policy', 'check', '--class', 'ephi', '--zone', 'standard-ai', '--data-dir', dir]);
    expect(check.code).toBe(0);
    expect(check.out).toContain('WARN [class-allowed-in-zone]');
    expect(check.out).toContain('policy v2');
    const broken = join(tempDir(), 'broken.yaml');
    writeFileSync(broken, 'zones:\n  y: { ingress: nope }\n');
    const failed = await cli(['policy', 'apply', broken, '--data-dir', dir]);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('broken.yaml:2:17: zones.y.ingress');
    expect((await cli(['ledger', 'verify', '--data-dir', dir])).code).toBe(0);
  });

  it('render k8s: valid multi-document YAML carrying the webhook CA', async () => {
    const dir = join(tempDir(), 'data');
    // Rendering never makes a CA of its own: it would not be the one the server presents.
    const none = await cli(['policy', 'render', 'k8s', '--zone', 'hipaa-ai', '--data-dir', dir]);
    expect(none.code).toBe(6);
    expect(none.err).toContain('there is no webhook CA in the data dir yet');
    expect(existsSync(join(dir, 'keys'))).toBe(false);
    expect((await cli(['init', '--data-dir', dir])).code).toBe(0);
    const r = await cli(['policy', 'render', 'k8s', '--zone', 'hipaa-ai', '--data-dir', dir]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', ...Array(5).fill('NetworkPolicy'), 'ValidatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    const ca = readFileSync(join(dir, 'keys', 'webhook-ca.pem'), 'utf8');
    for (const vwc of docs.slice(-2)) expect(Buffer.from(vwc.webhooks[0].clientConfig.caBundle, 'base64').toString()).toBe(ca);
    expect((await cli(['policy', 'render', 'k8s', '--zone', 'mars', '--data-dir', dir])).code).toBe(5);
  });
});
