// Signature checks at intake: what a caller may submit, and the seam to the offline verifiers in
// src/signing. The result is recorded whether or not it verifies.
import { z } from 'zod';
import type { Artifact, SignatureSummary } from './schema.js';

export const SignatureInputSchema = z
  .object({
    format: z.enum(['cosign', 'sigstore-bundle', 'dsse', 'model-signing']).describe('cosign: base64 DER ECDSA over SHA-256 of the content; dsse: an in-toto statement whose subject is the content digest'),
    signature: z.string().min(1).max(4 * 1024 * 1024).describe('base64 signature (cosign) or the bundle / envelope JSON'),
    files: z.record(z.string().max(1024), z.string().regex(/^[0-9a-f]{64}$/u)).optional().describe('model-signing: the model files by name with their SHA-256, as the uploader hashed them'),
  })
  .strict();
export type SignatureInput = z.infer<typeof SignatureInputSchema>;

export interface AttestationCheck {
  verified: boolean;
  predicateType: string | null;
  issuer: string | null;
  /** SLSA provenance: who built it. */
  builderId: string | null;
  reasons: string[];
}

export interface SignatureChecker {
  check(artifact: Artifact, input: SignatureInput): Promise<SignatureSummary>;
  /** A DSSE in-toto attestation about the artifact (its subject must be the artifact's digest). */
  attestation(artifact: Artifact, envelope: unknown): AttestationCheck;
}
