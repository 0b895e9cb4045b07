import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDsse } from './dsse.js';
import { EVIDENT_APPROVAL_V1, EVIDENT_SCAN_V1, INTOTO_PAYLOAD_TYPE, issueAttestation, matchingSubjects, parseStatement, summarizeSlsaProvenance, verifyAttestation } from './intoto.js';
import { createKeySigner, trustedKey } from './keys.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createKeySigner(privateKey);
const keys = [trustedKey(publicKey)];
const digest = createHash('sha256').update('model').digest('hex');

const provenance = {
  buildDefinition: {
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/models', path: '.github/workflows/train.yml' } },
    internalParameters: { github: { event_name: 'push' } },
    resolvedDependencies: [{ uri: 'git+https://github.com/acme/models@refs/heads/main', digest: { gitCommit: 'a'.repeat(40) } }],
  },
  runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' }, metadata: { invocationId: 'run-1', startedOn: '2025-01-01T00:00:00Z' } },
};

describe('statements', () => {
  it('accepts Statement v1 and v0.1 and refuses other types', () => {
    const base = { subject: [{ name: 'm', digest: { sha256: digest } }], predicateType: 'x' };
    expect(parseStatement({ _type: 'https://in-toto.io/Statement/v1', ...base })._type).toBe('https://in-toto.io/Statement/v1');
    expect(parseStatement(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', ...base }))._type).toBe('https://in-toto.io/Statement/v0.1');
    expect(() => parseStatement({ _type: 'https://in-toto.io/Statement/v2', ...base })).toThrow(/statement._type/);
    expect(() => parseStatement({ _type: 'https://in-toto.io/Statement/v1', ...base, subject: [] })).toThrow(/at least one subject/);
  });

  it('matches subjects by lowercase sha256', () => {
    const s = parseStatement({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a', digest: { sha256: digest.toUpperCase() } }, { name: 'b', digest: { sha512: 'x' } }], predicateType: 'x' });
    expect(matchingSubjects(s, digest)).toEqual(['a']);
    expect(matchingSubjects(s, '00'.repeat(32))).toEqual([]);
    expect(() => matchingSubjects(s, 'nope')).toThrow(/digest must be a SHA-256 digest/);
  });
});

describe('SLSA provenance v1', () => {
  it('summarizes builder, build type, parameters and dependencies for an approver', () => {
    expect(summarizeSlsaProvenance(provenance)).toEqual({
      builderId: 'https://github.com/actions/runner/github-hosted',
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: ['workflow.ref = refs/heads/main', 'workflow.repository = https://github.com/acme/models', 'workflow.path = .github/workflows/train.yml'],
      dependencies: [{ uri: 'git+https://github.com/acme/models@refs/heads/main', name: null, digest: { gitCommit: 'a'.repeat(40) } }],
      invocationId: 'run-1',
      startedOn: '2025-01-01T00:00:00Z',
      finishedOn: null,
    });
  });

  it('refuses a predicate without builder id, naming the field', () => {
    expect(() => summarizeSlsaProvenance({ ...provenance, runDetails: { builder: {} } })).toThrow(/predicate.runDetails.builder.id/);
  });

  it('cuts long parameter values', () => {
    const p = { ...provenance, buildDefinition: { ...provenance.buildDefinition, externalParameters: { big: 'x'.repeat(1000) } } };
    expect(summarizeSlsaProvenance(p).externalParameters[0]!.length).toBeLessThan(220);
  });
});

describe('issueAttestation / verifyAttestation', () => {
  it('issues scan and approval attestations that verify against the artifact digest', () => {
    for (const predicateType of [EVIDENT_SCAN_V1, EVIDENT_APPROVAL_V1]) {
      const env = issueAttestation({ subject: [{ name: 'model.safetensors', digest: { sha256: digest.toUpperCase() } }], predicateType, predicate: { verdict: 'clean' } }, signer);
      expect(env.payloadType).toBe(INTOTO_PAYLOAD_TYPE);
      const r = verifyAttestation(JSON.stringify(env), keys, { expectedSha256: digest });
      expect(r).toMatchObject({ verified: true, subjectMatched: true, keyIds: [signer.keyId] });
      expect(r.statement).toMatchObject({ _type: 'https://in-toto.io/Statement/v1', predicateType, subject: [{ digest: { sha256: digest } }] });
    }
  });

  it('fails for another artifact, another key, or another payload type', () => {
    const env = issueAttestation({ subject: [{ name: 'm', digest: { sha256: digest } }], predicateType: EVIDENT_SCAN_V1, predicate: {} }, signer);
    expect(verifyAttestation(env, keys, { expectedSha256: '11'.repeat(32) })).toMatchObject({ verified: false, subjectMatched: false });
    expect(verifyAttestation(env, [trustedKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)]).verified).toBe(false);
    expect(verifyAttestation(signDsse('text/plain', 'x', signer), keys).reasons[0]).toMatch(/is not application\/vnd.in-toto\+json/);
  });

  it('refuses to issue without subjects or with a bad digest', () => {
    expect(() => issueAttestation({ subject: [], predicateType: EVIDENT_SCAN_V1, predicate: {} }, signer)).toThrow(/subject must name/);
    expect(() => issueAttestation({ subject: [{ name: 'm', digest: { sha256: 'x' } }], predicateType: EVIDENT_SCAN_V1, predicate: {} }, signer)).toThrow(/subject.0.digest.sha256/);
  });
});
