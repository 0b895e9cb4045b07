// The webhook's own CA and serving certificate: issued once, reissued exactly when they no longer
// fit (names, CA, a torn key/cert pair), and never created by a read-only caller.
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { dataLayout } from '../../setup/layout.js';
import { tempDir } from '../../../test/helpers/db.js';
import { createCa, ensureWebhookTls, issueCertificate, readWebhookCaBundle } from './tls.js';

const names = ['evident-webhook.evident-system.svc', 'localhost'];

describe('webhook TLS material', () => {
  it('issues a serving certificate for exactly the configured names, signing-only, from its own CA', async () => {
    const paths = dataLayout(tempDir()).webhookTls;
    const tls = await ensureWebhookTls(paths, names);
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toBe('DNS:evident-webhook.evident-system.svc, DNS:localhost, IP Address:127.0.0.1');
    expect(cert.checkIssued(new X509Certificate(tls.ca))).toBe(true);
    const usages = new x509.X509Certificate(tls.cert).getExtension(x509.KeyUsagesExtension)!;
    expect(usages.usages).toBe(x509.KeyUsageFlags.digitalSignature); // no keyEncipherment on an ECDSA key
    // Unchanged settings: the same certificate is served again.
    expect((await ensureWebhookTls(paths, names)).cert).toBe(tls.cert);
  });

  it('reissues when a name is added or dropped, when the CA was replaced, and when key and certificate do not match', async () => {
    const paths = dataLayout(tempDir()).webhookTls;
    const first = await ensureWebhookTls(paths, [...names, 'webhook.bank.internal']);
    const fewer = await ensureWebhookTls(paths, names);
    expect(fewer.cert).not.toBe(first.cert);
    expect(new X509Certificate(fewer.cert).subjectAltName).not.toContain('webhook.bank.internal');

    rmSync(paths.caCert);
    rmSync(paths.caKey);
    const newCa = await ensureWebhookTls(paths, names);
    expect(newCa.ca).not.toBe(fewer.ca);
    expect(new X509Certificate(newCa.cert).checkIssued(new X509Certificate(newCa.ca))).toBe(true);

    const other = await issueCertificate(await createCa('other'), { commonName: 'x', usage: 'server', dnsNames: names, ipAddresses: ['127.0.0.1'] });
    writeFileSync(paths.key, other.keyPem); // as if a crash came between writing the key and the certificate
    const healed = await ensureWebhookTls(paths, names);
    expect(new X509Certificate(healed.cert).checkPrivateKey(createPrivateKey(healed.key))).toBe(true);
  });

  it('reads the CA bundle for rendering without ever creating one', async () => {
    const paths = dataLayout(tempDir()).webhookTls;
    expect(() => readWebhookCaBundle(undefined, paths)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining('there is no webhook CA in the data dir yet') }));
    expect(() => readWebhookCaBundle(join(tempDir(), 'missing.pem'), paths)).toThrow(/the webhook CA file .*missing\.pem does not exist/u);
    await ensureWebhookTls(paths, names);
    expect(Buffer.from(readWebhookCaBundle(undefined, paths), 'base64').toString()).toBe(readFileSync(paths.caCert, 'utf8'));
  });
});
