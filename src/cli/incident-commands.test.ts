import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { cli } from '../../test/helpers/cli.js';

describe('evident incident / killswitch against a running server', () => {
  let app: TestApp;
  let env: (token: string) => NodeJS.ProcessEnv;
  let ops: { token: string };
  let auditor: { token: string };

  beforeAll(async () => {
    app = await createTestApp('sqlite');
    env = (token) => ({ EVIDENT_URL: app.url, EVIDENT_TOKEN: token });
    ops = await app.person('ops', ['operator']);
    auditor = await app.person('audit', ['auditor']);
  });
  afterAll(async () => app?.close());

  it('opens an incident, shows the overdue deadline, engages and releases a kill switch, records the notification and prints the timeline', async () => {
    const detected = new Date(Date.now() - 73 * 3_600_000).toISOString();
    const opened = await cli(['incident', 'open', '--title', 'prompt injection exfiltrated ticket text', '--severity', 'high', '--detected-at', detected, '--component', 'prompt/support-triage', '--zone', 'standard-ai', '--regime', 'gdpr', '--json'], env(ops.token));
    expect(opened.code, opened.err).toBe(0);
    const id = JSON.parse(opened.out).id as string;
    expect((await cli(['incident', 'open', '--title', 't', '--severity', 'high', '--component', 'nokind'], env(ops.token))).err).toMatch(/write kind\/name/u);

    const show = await cli(['incident', 'show', id], env(auditor.token));
    expect(show.code).toBe(3);
    expect(show.out).toMatch(/gdpr\s+due \S+\s+OVERDUE/u);

    const engaged = await cli(['killswitch', 'engage', '--scope', 'zone-egress', '--zone', 'standard-ai', '--incident', id, '--reason', 'cut external calls', '--json'], env(ops.token));
    expect(engaged.code, engaged.err).toBe(0);
    const ks = JSON.parse(engaged.out);
    expect((await cli(['killswitch', 'list', '--engaged'], env(auditor.token))).out).toMatch(/zone-egress\s+standard-ai\s+ENGAGED/u);
    expect((await cli(['killswitch', 'engage', '--scope', 'zone-egress', '--zone', 'standard-ai', '--reason', 'again'], env(ops.token))).code).toBe(6);
    expect((await cli(['killswitch', 'release', ks.id, '--reason', 'contained'], env(ops.token))).out).toMatch(/released/u);

    const notified = await cli(['incident', 'notify', id, '--regime', 'gdpr', '--authority', 'ICO', '--reference', 'ICO/2026/77'], env(ops.token));
    expect(notified.out).toMatch(/notified \S+ \(LATE\)/u);
    expect((await cli(['incident', 'update', id, '--status', 'resolved'], env(ops.token))).out).toMatch(/resolved/u);
    expect((await cli(['incident', 'update', id, '--status', 'closed'], env(ops.token))).out).toMatch(/closed/u);
    const timeline = await cli(['incident', 'timeline', id], env(auditor.token));
    expect(timeline.out).toMatch(/incident\.opened[\s\S]*killswitch\.engaged[\s\S]*killswitch\.released[\s\S]*incident\.notified/u);
  });
});
