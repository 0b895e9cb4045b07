// The one result shape every verifier returns, and the trust material they verify against. A
// signature that does not verify is a result (verified: false, with reasons), not an exception.
import type { X509Certificate } from 'node:crypto';
import type { Statement } from './intoto.js';
import type { TrustedKey } from './keys.js';

/** Keys and CA certificates to verify against; built from a zone's trust policy. */
export interface TrustMaterial {
  keys: readonly TrustedKey[];
  /** Trust anchors: a leaf must chain to one of these (they need not be self-signed). */
  certificateAuthorities: readonly X509Certificate[];
  /** Time at which certificates must be valid; default now. No trusted timestamp is checked offline. */
  at?: Date;
}

export type SignerInfo =
  | { kind: 'key'; keyId: string; identity: string }
  | {
      kind: 'certificate';
      /** Key id of the leaf certificate's public key. */
      keyId: string;
      /** First SAN email or URI, else the subject DN. */
      identity: string;
      subject: string;
      sanEmails: string[];
      sanUris: string[];
      /** Fulcio OIDC issuer extension (1.3.6.1.4.1.57264.1.8, or legacy .1.1), when present. */
      oidcIssuer: string | null;
      /** SHA-256 (hex) of the DER of the trust anchor the chain ended at. */
      anchorFingerprint: string;
    };

export type SignatureFormat = 'dsse' | 'in-toto' | 'cosign-signature' | 'cosign-bundle' | 'sigstore-bundle' | 'model-signing';

export interface VerificationResult {
  format: SignatureFormat;
  verified: boolean;
  signer: SignerInfo | null;
  /** Transparency-log entries are never checked offline; 'absent' when the input carried none. */
  tlog: 'not-checked' | 'absent';
  /** The in-toto statement carried, for DSSE-based formats. */
  statement?: Statement;
  reasons: string[];
}
