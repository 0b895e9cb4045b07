// TLS for the admission webhook. Kubernetes calls webhooks over HTTPS only, verifying the serving
// certificate against the caBundle in the webhook configuration. Evident makes its own small CA and
// a serving certificate for the in-cluster service names (ECDSA P-256, via @peculiar/x509 over
// WebCrypto), or uses files the operator provides.
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
// @peculiar/x509 resolves its ASN.1 helpers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AppError } from '../../errors.js';
import { writeFileDurable } from '../../util/durable-fs.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface WebhookTls {
  cert: string;
  key: string;
  ca: string;
  /** base64 of the CA certificate PEM: the caBundle of the webhook configuration. */
  caBundle: string;
  dnsNames: string[];
}

export interface TlsPaths {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/gu, '').replace(/\s+/gu, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

export function serviceDnsNames(service: string, namespace: string, extra: readonly string[] = []): string[] {
  return [...new Set([service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, 'localhost', ...extra])];
}

function expiresWithin(pem: string, days: number): boolean {
  return new Date(new NodeX509(pem).validTo).getTime() - Date.now() < days * DAY;
}

function covers(pem: string, names: readonly string[]): boolean {
  const san = new NodeX509(pem).subjectAltName ?? '';
  return names.every((n) => san.includes(`DNS:${n}`));
}

/**
 * Loads the webhook's CA and serving certificate from the data dir, creating them when missing,
 * renewing the serving certificate when it is within 30 days of expiry or lacks a name.
 */
export async function ensureWebhookTls(paths: TlsPaths, dnsNames: string[], ipAddresses: string[] = ['127.0.0.1']): Promise<WebhookTls> {
  let caCertPem: string;
  let caKey: CryptoKey;
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    caCertPem = readFileSync(paths.caCert, 'utf8');
    caKey = await importKeyPem(readFileSync(paths.caKey, 'utf8'));
  } else {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/u, '1'),
      name: 'CN=Evident admission webhook CA',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3650 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    caCertPem = ca.toString('pem') + '\n';
    caKey = keys.privateKey;
    writeFileDurable(paths.caKey, await exportKeyPem(caKey), 0o600);
    writeFileDurable(paths.caCert, caCertPem, 0o644);
  }
  if (!existsSync(paths.cert) || !existsSync(paths.key) || expiresWithin(readFileSync(paths.cert, 'utf8'), 30) || !covers(readFileSync(paths.cert, 'utf8'), dnsNames)) {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const caCert = new x509.X509Certificate(caCertPem);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/u, '1'),
      subject: `CN=${dnsNames[0]}`,
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 365 * DAY),
      signingKey: caKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ipAddresses.map((value) => ({ type: 'ip' as const, value }))]),
      ],
    });
    writeFileDurable(paths.key, await exportKeyPem(keys.privateKey), 0o600);
    writeFileDurable(paths.cert, cert.toString('pem') + '\n', 0o644);
  }
  return loadWebhookTls({ cert: paths.cert, key: paths.key, ca: paths.caCert }, dnsNames);
}

/** Uses certificate files the operator provides (e.g. from cert-manager). */
export function loadWebhookTls(files: { cert: string; key: string; ca: string }, dnsNames: string[] = []): WebhookTls {
  try {
    const ca = readFileSync(files.ca, 'utf8');
    const cert = readFileSync(files.cert, 'utf8');
    const key = readFileSync(files.key, 'utf8');
    if (!new NodeX509(cert).checkIssued(new NodeX509(ca))) throw new AppError('CONFIG_INVALID', `the webhook certificate ${files.cert} was not issued by the CA in ${files.ca}`);
    return { cert, key, ca, caBundle: Buffer.from(ca).toString('base64'), dnsNames };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('CONFIG_INVALID', `cannot load the webhook TLS files: ${(e as Error).message}`);
  }
}
