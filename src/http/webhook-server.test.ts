// The webhook listener's transport: mutual TLS when a client CA is configured (only the API server
// may call), and a serving certificate swapped in place when it changes on disk.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { tempDir } from '../../test/helpers/db.js';
import { admissionFixture } from '../../test/helpers/policy.js';
import { createCa, issueCertificate } from '../policy/admission/tls.js';
import { dataLayout } from '../setup/layout.js';

/** The serial number of the certificate a fresh TLS connection is served. */
function servedSerial(url: string, ca: string, client: { cert: string; key: string }): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port), ca, servername: 'localhost', ...client }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.on('error', reject);
  });
}

describe('webhook transport', () => {
  let app: TestApp;
  let client: { cert: string; key: string };
  beforeAll(async () => {
    const clientCa = await createCa('kube-apiserver client CA');
    const leaf = await issueCertificate(clientCa, { commonName: 'kube-apiserver', usage: 'client' });
    client = { cert: leaf.certPem, key: leaf.keyPem };
    const clientCaFile = join(tempDir(), 'client-ca.pem');
    writeFileSync(clientCaFile, clientCa.certPem);
    app = await createTestApp('sqlite', { webhook: { clientCaFile, tlsReloadSeconds: 1 } });
  });
  afterAll(async () => app?.close());

  async function post(agent: Agent) {
    const url = app.server.webhook!.url.replace('127.0.0.1', 'localhost') + '/admission/validate';
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(admissionFixture('connaisseur__02_pod.review.json')) });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  }

  it('answers only callers presenting a certificate from the client CA', async () => {
    const ca = app.server.webhook!.tls.ca;
    const withCert = new Agent({ connect: { ca, servername: 'localhost', ...client } });
    const stranger = await issueCertificate(await createCa('someone else'), { commonName: 'intruder', usage: 'client' });
    const wrongCert = new Agent({ connect: { ca, servername: 'localhost', cert: stranger.certPem, key: stranger.keyPem } });
    const noCert = new Agent({ connect: { ca, servername: 'localhost' } });
    try {
      expect((await post(withCert)).body.kind).toBe('AdmissionReview');
      await expect(post(noCert)).rejects.toThrow();
      await expect(post(wrongCert)).rejects.toThrow();
    } finally {
      await Promise.all([withCert.close(), wrongCert.close(), noCert.close()]);
    }
  });

  it('serves a renewed certificate to new connections without a restart', async () => {
    const ca = app.server.webhook!.tls.ca;
    const before = await servedSerial(app.server.webhook!.url, ca, client);
    rmSync(dataLayout(app.config.dataDir).webhookTls.cert); // the next reload issues a new one
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await servedSerial(app.server.webhook!.url, ca, client);
    }
    expect(after).not.toBe(before);
  });
});
