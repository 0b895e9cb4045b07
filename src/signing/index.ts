// Public API of offline signature, provenance and attestation verification.
export { MAX_SIGNATURE_DOCUMENT_BYTES } from './input.js';
export { createKeySigner, importPublicKey, keyIdOf, trustedKey, verifySignature, type Signer, type SupportedAlgorithm, type TrustedKey } from './keys.js';
export { verifyEcdsaPrehashed } from './ecdsa-prehash.js';
export { parseDsseEnvelope, preAuthEncoding, signDsse, verifyDsse, type DsseEnvelope, type DsseVerification, type SerializedEnvelope } from './dsse.js';
export {
  EVIDENT_APPROVAL_V1,
  EVIDENT_SCAN_V1,
  INTOTO_PAYLOAD_TYPE,
  SLSA_PROVENANCE_V1,
  STATEMENT_V01,
  STATEMENT_V1,
  issueAttestation,
  matchingSubjects,
  parseStatement,
  summarizeSlsaProvenance,
  verifyAttestation,
  type AttestationInput,
  type AttestationVerification,
  type ProvenanceSummary,
  type Statement,
} from './intoto.js';
export { verifyCosignBundle, verifyCosignSignature } from './cosign.js';
export { BUNDLE_MEDIA_TYPES, parseSigstoreBundle, verifySigstoreBundle, type BundleVerification, type BundleVerifyOptions, type ParsedBundle } from './sigstore-bundle.js';
export { MODEL_SIGNING_PREDICATE_V1, verifyModelSignature, type ModelFilesReport, type ModelSigningVerification, type ModelVerifyOptions } from './model-signing.js';
export { compileTrustPolicy, evaluateTrust, globMatch, TrustPolicySchema, type CompiledTrustPolicy, type TrustDecision, type TrustPolicy, type TrustPolicyInput } from './trust-policy.js';
export { certificateFingerprint, parseCertificateBundle, verifyCertificateChain } from './x509-chain.js';
export type { SignatureFormat, SignerInfo, TrustMaterial, VerificationResult } from './types.js';
