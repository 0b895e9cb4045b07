// Certificate path validation for offline verification: leaf -> (intermediates from the bundle)
// -> a trust anchor from the policy. Signatures are checked with Node's X509Certificate (native);
// extensions are read with @peculiar/x509. Checked: signatures, validity at `at`, basic
// constraints CA on every issuer, keyCertSign where key usage is present, and on the leaf
// digitalSignature / codeSigning EKU where those extensions are present. Not checked: CRL/OCSP
// (offline), name or policy constraints, path length constraints, SCTs.
import 'reflect-metadata';
import { createHash, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AppError } from '../errors.js';
import { keyIdOf } from './keys.js';
import type { SignerInfo } from './types.js';

const MAX_CHAIN = 10;
const MAX_ANCHORS = 100;
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const OID_ANY_EKU = '2.5.29.37.0';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';

/** Parses a PEM bundle of CA certificates (a trust policy field) into anchors. */
export function parseCertificateBundle(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new AppError('VALIDATION_FAILED', `${field} holds no PEM certificate`, { field });
  if (blocks.length > MAX_ANCHORS) throw new AppError('VALIDATION_FAILED', `${field} holds more than ${MAX_ANCHORS} certificates`, { field });
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new AppError('VALIDATION_FAILED', `${field}: certificate ${i} is not a valid X.509 certificate`, { field });
    }
  });
}

/** Parses a DER certificate from a bundle; malformed bytes are a caller error naming the field. */
export function parseDerCertificate(der: Buffer, field: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new AppError('VALIDATION_FAILED', `${field} is not a valid X.509 certificate`, { field });
  }
}

export type ChainResult = { ok: true; signer: Extract<SignerInfo, { kind: 'certificate' }> } | { ok: false; reason: string };

export function verifyCertificateChain(chain: readonly X509Certificate[], anchors: readonly X509Certificate[], at: Date): ChainResult {
  const leaf = chain[0];
  if (!leaf) return { ok: false, reason: 'no certificate was supplied' };
  if (anchors.length === 0) return { ok: false, reason: 'no trusted certificate authorities were supplied' };
  const leafProblem = checkLeaf(leaf, at);
  if (leafProblem) return { ok: false, reason: leafProblem };
  const pool = chain.slice(1, MAX_CHAIN);
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    // An anchor that issued the current certificate ends the path.
    const anchor = anchors.find((a) => issued(a, current));
    if (anchor) {
      const problem = checkIssuer(anchor, at, 'trusted CA');
      if (problem) return { ok: false, reason: problem };
      return { ok: true, signer: signerOf(leaf, anchor) };
    }
    const next = pool.find((c) => !path.includes(c) && issued(c, current));
    if (!next) {
      return { ok: false, reason: `certificate ${dn(current)} does not chain to a trusted CA` };
    }
    const problem = checkIssuer(next, at, 'intermediate');
    if (problem) return { ok: false, reason: problem };
    path.push(next);
    current = next;
  }
  return { ok: false, reason: `certificate chain is longer than ${MAX_CHAIN}` };
}

function issued(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validity(cert: X509Certificate, at: Date, role: string): string | null {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (at < from || at > to) return `${role} certificate ${dn(cert)} is not valid at ${at.toISOString()} (valid ${from.toISOString()} to ${to.toISOString()})`;
  return null;
}

function checkLeaf(cert: X509Certificate, at: Date): string | null {
  const v = validity(cert, at, 'signing');
  if (v) return v;
  const p = new x509.X509Certificate(cert.raw);
  const ku = p.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & x509.KeyUsageFlags.digitalSignature) === 0) return `signing certificate ${dn(cert)} does not allow digitalSignature`;
  const eku = p.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.some((u) => u === OID_CODE_SIGNING || u === OID_ANY_EKU)) return `signing certificate ${dn(cert)} does not allow code signing`;
  return null;
}

function checkIssuer(cert: X509Certificate, at: Date, role: string): string | null {
  const v = validity(cert, at, role);
  if (v) return v;
  const p = new x509.X509Certificate(cert.raw);
  if (!p.getExtension(x509.BasicConstraintsExtension)?.ca) return `${role} certificate ${dn(cert)} is not a CA`;
  const ku = p.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) return `${role} certificate ${dn(cert)} does not allow certificate signing`;
  return null;
}

// Fulcio leaves have an empty subject (Node reports undefined); name them by SAN instead.
function dn(cert: X509Certificate): string {
  const subject = (cert.subject ?? '').replace(/\n/g, ', ');
  return JSON.stringify(subject || cert.subjectAltName || `serial ${cert.serialNumber}`);
}

function signerOf(leaf: X509Certificate, anchor: X509Certificate): Extract<SignerInfo, { kind: 'certificate' }> {
  const p = new x509.X509Certificate(leaf.raw);
  const names = p.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  const sanEmails = names.filter((n) => n.type === 'email').map((n) => n.value);
  const sanUris = names.filter((n) => n.type === 'url').map((n) => n.value);
  const subject = p.subject;
  return {
    kind: 'certificate',
    keyId: keyIdOf(leaf.publicKey),
    identity: sanEmails[0] ?? sanUris[0] ?? subject,
    subject,
    sanEmails,
    sanUris,
    oidcIssuer: oidcIssuerOf(p),
    anchorFingerprint: createHash('sha256').update(anchor.raw).digest('hex'),
  };
}

// Fulcio writes the issuer as a DER UTF8String in .1.8 and as raw bytes in the deprecated .1.1.
function oidcIssuerOf(cert: x509.X509Certificate): string | null {
  const v2 = cert.getExtension(OID_FULCIO_ISSUER_V2);
  if (v2) {
    const b = Buffer.from(v2.value);
    if (b[0] === 0x0c && b[1] !== undefined && b[1] < 0x80 && b.length === b[1] + 2) return b.subarray(2).toString('utf8');
    if (b[0] === 0x0c && b[1] === 0x81 && b[2] !== undefined && b.length === b[2] + 3) return b.subarray(3).toString('utf8');
    return null;
  }
  const v1 = cert.getExtension(OID_FULCIO_ISSUER_V1);
  return v1 ? Buffer.from(v1.value).toString('utf8') : null;
}

/** SHA-256 (hex) of a certificate's DER, as reported in `anchorFingerprint`. */
export function certificateFingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}
