// The webhook listener's transport: mutual TLS when a client CA is configured (only the API server
// may call), and a serving certificate swapped in place when it changes on disk.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
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
  let kubelet: { cert: string; key: string };
  let clientCaFile: string;
  beforeAll(async () => {
    // As with kubeadm, one CA signs the API server's client certificate and others' (a kubelet's).
    const clientCa = await createCa('cluster CA');
    const leaf = await issueCertificate(clientCa, { commonName: 'kube-apiserver', usage: 'client' });
    const other = await issueCertificate(clientCa, { commonName: 'system:node:worker-1', usage: 'client' });
    client = { cert: leaf.certPem, key: leaf.keyPem };
    kubelet = { cert: other.certPem, key: other.keyPem };
    clientCaFile = join(tempDir(), 'client-ca.pem');
    writeFileSync(clientCaFile, clientCa.certPem);
    app = await createTestApp('sqlite', { webhook: { clientCaFile, clientNames: ['kube-apiserver'], tlsReloadSeconds: 1 } });
  });
  afterAll(async () => app?.close());

  async function post(agent: Agent) {
    const url = app.server.webhook!.url.replace('127.0.0.1', 'localhost') + '/admission/validate';
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(admissionFixture('connaisseur__02_pod.review.json')) });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  }

  it('answers only callers presenting a certificate from the client CA, with an allowed name', async () => {
    const ca = app.server.webhook!.tls.ca;
    const withCert = new Agent({ connect: { ca, servername: 'localhost', ...client } });
    const node = new Agent({ connect: { ca, servername: 'localhost', ...kubelet } });
    const stranger = await issueCertificate(await createCa('someone else'), { commonName: 'intruder', usage: 'client' });
    const wrongCert = new Agent({ connect: { ca, servername: 'localhost', cert: stranger.certPem, key: stranger.keyPem } });
    const noCert = new Agent({ connect: { ca, servername: 'localhost' } });
    try {
      expect((await post(withCert)).body.kind).toBe('AdmissionReview');
      await expect(post(noCert)).rejects.toThrow();
      await expect(post(wrongCert)).rejects.toThrow();
      const refused = await post(node);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe('the client certificate (system:node:worker-1) is not one of webhook.clientNames');
    } finally {
      await Promise.all([withCert.close(), wrongCert.close(), noCert.close(), node.close()]);
    }
  });

  it('serves a renewed certificate to new connections without a restart, and renders with the new CA', async () => {
    const paths = dataLayout(app.config.dataDir).webhookTls;
    const before = await servedSerial(app.server.webhook!.url, app.server.webhook!.tls.ca, client);
    // The CA is replaced: the next reload makes a new one and a serving certificate from it.
    rmSync(paths.caCert);
    rmSync(paths.caKey);
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      if (!existsSync(paths.caCert)) continue;
      after = await servedSerial(app.server.webhook!.url, readFileSync(paths.caCert, 'utf8'), client).catch(() => before);
    }
    expect(after).not.toBe(before);
    const rendered = await app.request('GET', '/api/v1/policy/render/k8s?zone=pci-ai');
    const bundle = parseAllDocuments(rendered.text).map((d) => d.toJS()).find((o) => o.kind === 'ValidatingWebhookConfiguration').webhooks[0].clientConfig.caBundle;
    expect(Buffer.from(bundle, 'base64').toString()).toBe(readFileSync(paths.caCert, 'utf8'));
  });

  it("takes a rotated client CA without a restart: the new CA's clients get in, the old one's do not", async () => {
    const rotated = await createCa('cluster CA 2027');
    const next = await issueCertificate(rotated, { commonName: 'kube-apiserver', usage: 'client' });
    writeFileSync(clientCaFile, rotated.certPem);
    const serving = () => readFileSync(dataLayout(app.config.dataDir).webhookTls.caCert, 'utf8');
    const deadline = Date.now() + 10_000;
    let accepted = false;
    // A full request, not just a handshake: under TLS 1.3 the server judges the client's
    // certificate after the client already thinks the handshake is done.
    while (!accepted && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const agent = new Agent({ connect: { ca: serving(), servername: 'localhost', cert: next.certPem, key: next.keyPem } });
      accepted = await post(agent).then(
        (r) => r.status === 200,
        () => false,
      );
      await agent.close();
    }
    expect(accepted).toBe(true);
    const old = new Agent({ connect: { ca: serving(), servername: 'localhost', ...client } });
    try {
      await expect(post(old)).rejects.toThrow();
    } finally {
      await old.close();
    }
  });
});
