// TLS for the admission webhook. Kubernetes calls webhooks over HTTPS only, verifying the serving
// certificate against the caBundle in the webhook configuration. Evident makes its own small CA and
// a serving certificate for the in-cluster service names (ECDSA P-256, via @peculiar/x509 over
// WebCrypto), or uses files the operator provides.
import { createPrivateKey, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
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

/** The certificate names exactly these DNS names and IP addresses: no name lost, none left over. */
function namesExactly(cert: NodeX509, dnsNames: readonly string[], ips: readonly string[]): boolean {
  const have = (cert.subjectAltName ?? '').split(', ').filter(Boolean).sort();
  const want = [...dnsNames.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP Address:${ip}`)].sort();
  return have.length === want.length && have.every((n, i) => n === want[i]);
}

/** Whether the serving certificate must be (re)issued: missing, expiring, other names, other CA. */
function needsIssue(paths: TlsPaths, caPem: string, dnsNames: readonly string[], ips: readonly string[]): boolean {
  if (!existsSync(paths.cert) || !existsSync(paths.key)) return true;
  const ca = new NodeX509(caPem);
  let cert: NodeX509;
  let keyMatches: boolean;
  try {
    cert = new NodeX509(readFileSync(paths.cert, 'utf8'));
    // A crash between writing the key and the certificate leaves a pair that does not match.
    keyMatches = cert.checkPrivateKey(createPrivateKey(readFileSync(paths.key, 'utf8')));
  } catch {
    return true; // unreadable or truncated: ours to replace
  }
  return !keyMatches || expiresWithin(cert.toString(), 30) || !namesExactly(cert, dnsNames, ips) || !cert.checkIssued(ca) || !cert.verify(ca.publicKey);
}

const serial = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/u, '1');

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

/** A new self-signed CA (ten years), ECDSA P-256. */
export async function createCa(commonName: string): Promise<CaMaterial> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { certPem: ca.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

/** A one-year leaf certificate from `ca`: a TLS server's (its names in the SAN) or a client's. */
export async function issueCertificate(
  ca: CaMaterial,
  o: { commonName: string; usage: 'server' | 'client'; dnsNames?: readonly string[]; ipAddresses?: readonly string[] },
): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [...(o.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(o.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${o.commonName}`,
    issuer: new x509.X509Certificate(ca.certPem).subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingKey: await importKeyPem(ca.keyPem),
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDSA keys sign (the TLS handshake); they never encipher keys.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([o.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

/**
 * Loads the webhook's CA and serving certificate from the data dir, creating them when missing,
 * reissuing the serving certificate when it is within 30 days of expiry, names other hosts than
 * configured, or was not issued by the CA in the data dir (say, after the CA was replaced).
 */
export async function ensureWebhookTls(paths: TlsPaths, dnsNames: string[], ipAddresses: string[] = ['127.0.0.1']): Promise<WebhookTls> {
  let ca: CaMaterial;
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    ca = { certPem: readFileSync(paths.caCert, 'utf8'), keyPem: readFileSync(paths.caKey, 'utf8') };
  } else {
    ca = await createCa('Evident admission webhook CA');
    writeFileDurable(paths.caKey, ca.keyPem, 0o600);
    writeFileDurable(paths.caCert, ca.certPem, 0o644);
  }
  if (needsIssue(paths, ca.certPem, dnsNames, ipAddresses)) {
    const leaf = await issueCertificate(ca, { commonName: dnsNames[0]!, usage: 'server', dnsNames, ipAddresses });
    writeFileDurable(paths.key, leaf.keyPem, 0o600);
    writeFileDurable(paths.cert, leaf.certPem, 0o644);
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

/**
 * The CA bundle for rendering webhook configurations, read only: the operator's CA file, else the
 * CA `evident serve` made in the data dir. Rendering never creates a CA, since a CA made here would
 * not be the one the server presents.
 */
export function readWebhookCaBundle(caFile: string | undefined, paths: TlsPaths): string {
  const file = caFile ?? paths.caCert;
  if (!existsSync(file)) {
    throw new AppError(
      'CONFLICT',
      caFile ? `the webhook CA file ${caFile} does not exist` : `there is no webhook CA in the data dir yet (${paths.caCert}): start \`evident serve\` once with the webhook enabled, or set webhook.caFile`,
    );
  }
  return Buffer.from(readFileSync(file, 'utf8')).toString('base64');
}
