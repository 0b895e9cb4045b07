import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { RegistryService } from './service.js';
import { ARTIFACT_KINDS, ApproveBodySchema, ArtifactSchema, DigestSchema, IdParamsSchema, ListQuerySchema, PromoteBodySchema, ReasonBodySchema, ReviewBodySchema } from './schema.js';
import type { SignatureInput, SignatureChecker } from './signatures.js';
import { SignatureInputSchema } from './signatures.js';

const tags = ['registry'];

const UploadQuery = z
  .object({
    name: z.string().describe('repository-style name, e.g. models/fraud-scorer'),
    kind: z.enum(ARTIFACT_KINDS),
    digest: DigestSchema.optional().describe('the digest you expect; the upload is refused if the content differs'),
    license: z.string().max(512).optional(),
    environments: z.string().max(6400).optional().describe('comma-separated zones it may be promoted to'),
    expiresAt: z.string().optional(),
    source: z.string().max(2048).optional(),
    mediaType: z.string().max(255).optional(),
    metadata: z.string().max(8192).optional().describe('model card / release metadata as a JSON object'),
  })
  .strict();

function parseMetadata(s: string | undefined): Record<string, unknown> | undefined {
  if (s === undefined) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new AppError('VALIDATION_FAILED', 'query string is invalid: metadata: must be a JSON object');
}

export const registryRoutes: FastifyPluginAsyncZod<{ registry: RegistryService; signatures: SignatureChecker; attestationPublicKey: string }> = async (app, { registry, signatures, attestationPublicKey }) => {
  // Artifact content streams to the blob store as it arrives; nothing buffers a model in memory.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.post(
    '/api/v1/artifacts',
    {
      schema: {
        tags,
        summary: 'Upload an artifact into intake (body: the raw bytes, Content-Type: application/octet-stream)',
        description: 'The content is hashed as it is stored, then scanned; a dangerous verdict quarantines it at once. Uploading the same content under the same name again returns the existing record (200).',
        querystring: UploadQuery,
        response: { 201: ArtifactSchema, 200: ArtifactSchema },
      },
    },
    async (req, reply) => {
      if (!req.body || typeof (req.body as Readable).pipe !== 'function') {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the artifact bytes as the body with Content-Type: application/octet-stream');
      }
      const q = req.query;
      const metadata = parseMetadata(q.metadata);
      const { artifact, created } = await registry.intake(
        req.ctx,
        {
          name: q.name,
          kind: q.kind,
          ...(q.license ? { license: q.license } : {}),
          environments: (q.environments ?? '').split(',').map((s) => s.trim()).filter(Boolean),
          ...(q.expiresAt ? { expiresAt: q.expiresAt } : {}),
          ...(q.source ? { source: q.source } : {}),
          ...(q.mediaType ? { mediaType: q.mediaType } : {}),
          ...(metadata ? { metadata } : {}),
        },
        req.body as Readable,
        q.digest,
      );
      return reply.status(created ? 201 : 200).send(artifact);
    },
  );

  app.get(
    '/api/v1/artifacts',
    { schema: { tags, summary: 'List artifacts (newest first); pendingApproval=true lists what awaits an approver', querystring: ListQuerySchema, response: { 200: z.object({ artifacts: z.array(ArtifactSchema) }) } } },
    async (req) => ({
      artifacts: await registry.list({ state: req.query.state, name: req.query.name, kind: req.query.kind, pendingApproval: req.query.pendingApproval === 'true' }),
    }),
  );

  app.get('/api/v1/artifacts/:id', { schema: { tags, summary: 'One artifact with its scan, signature, approvals and promotions', params: IdParamsSchema, response: { 200: ArtifactSchema } } }, async (req) =>
    registry.get(req.params.id),
  );

  app.post(
    '/api/v1/artifacts/:id/signatures',
    {
      schema: {
        tags,
        summary: 'Check a signature over the artifact against the trust policy; a verified one moves it to verified',
        params: IdParamsSchema,
        body: SignatureInputSchema,
        response: { 200: ArtifactSchema },
      },
    },
    async (req) => {
      const a = await registry.get(req.params.id);
      const result = await signatures.check(a, req.body as SignatureInput);
      return registry.recordSignature(req.ctx, req.params.id, result);
    },
  );

  app.post(
    '/api/v1/artifacts/:id/sbom',
    {
      schema: {
        tags,
        summary: 'Attach a CycloneDX JSON SBOM (before approval); it is audited offline against the advisory database',
        params: IdParamsSchema,
        body: z.record(z.string(), z.unknown()).describe('the CycloneDX document'),
        response: { 200: ArtifactSchema },
      },
      bodyLimit: 32 * 1024 * 1024,
    },
    async (req) => registry.attachSbom(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/v1/artifacts/:id/attestations',
    {
      schema: {
        tags,
        summary: 'Attach an in-toto attestation (DSSE envelope) about the artifact, e.g. SLSA provenance; kept when it verifies against the trusted keys and names this artifact',
        params: IdParamsSchema,
        body: z.object({ envelope: z.record(z.string(), z.unknown()) }).strict(),
        response: { 200: ArtifactSchema },
      },
    },
    async (req) => registry.attachAttestation(req.ctx, req.params.id, req.body.envelope, (a) => signatures.attestation(a, req.body.envelope)),
  );

  app.post(
    '/api/v1/artifacts/:id/approvals',
    { schema: { tags, summary: 'Approve (approver role; never the uploader). Completes when enough distinct approvers have approved', params: IdParamsSchema, body: ApproveBodySchema, response: { 200: ArtifactSchema } } },
    async (req) => registry.approve(req.ctx, req.params.id, req.body),
  );

  app.post('/api/v1/artifacts/:id/rejection', { schema: { tags, summary: 'Reject: the artifact leaves intake for good', params: IdParamsSchema, body: ReasonBodySchema, response: { 200: ArtifactSchema } } }, async (req) =>
    registry.reject(req.ctx, req.params.id, req.body.reason),
  );

  app.post('/api/v1/artifacts/:id/quarantine', { schema: { tags, summary: 'Quarantine: nothing can pull or promote it again', params: IdParamsSchema, body: ReasonBodySchema, response: { 200: ArtifactSchema } } }, async (req) =>
    registry.quarantine(req.ctx, req.params.id, req.body.reason),
  );

  app.post(
    '/api/v1/artifacts/:id/promotions',
    { schema: { tags, summary: 'Promote an approved artifact to a zone it is permitted in', params: IdParamsSchema, body: PromoteBodySchema, response: { 200: ArtifactSchema } } },
    async (req) => registry.promote(req.ctx, req.params.id, req.body.zone),
  );

  app.post(
    '/api/v1/artifacts/:id/review',
    { schema: { tags, summary: 'Review: set a new expiry (approver role; never the uploader)', params: IdParamsSchema, body: ReviewBodySchema, response: { 200: ArtifactSchema } } },
    async (req) => registry.review(req.ctx, req.params.id, req.body.expiresAt, req.body.note),
  );

  app.get(
    '/api/v1/artifacts/:id/attestations/:digest',
    {
      schema: {
        tags,
        summary: 'A signed in-toto attestation Evident issued about this artifact (DSSE envelope); verify it with GET /api/v1/registry/attestation-key',
        params: z.object({ id: z.string().uuid(), digest: DigestSchema }).strict(),
      },
    },
    async (req, reply) => {
      const a = await registry.get(req.params.id);
      if (!a.attestations.some((x) => x.digest === req.params.digest)) throw new AppError('NOT_FOUND', `artifact ${a.id} has no attestation ${req.params.digest}`);
      return reply.type('application/vnd.dsse.envelope.v1+json').send(registry.blobs.read(req.params.digest));
    },
  );

  app.get('/api/v1/registry/attestation-key', { schema: { tags, summary: "The public key (PEM) that verifies Evident's attestations" } }, async (_req, reply) =>
    reply.type('application/x-pem-file').send(attestationPublicKey),
  );

  app.get(
    '/api/v1/artifacts/:id/content',
    { schema: { tags, summary: 'Download the content: only promoted, unexpired, to a zone the caller belongs to (recorded either way)', params: IdParamsSchema } },
    async (req, reply) => {
      const a = await registry.get(req.params.id);
      await registry.authorizePull(req.ctx, { name: a.name, digest: a.digest, reference: a.id });
      const info = await registry.blobs.stat(a.digest);
      if (!info) throw new AppError('NOT_FOUND', `the content of artifact ${a.id} is not a single blob (pull it through /v2/${a.name})`);
      return reply.headers({ 'content-type': 'application/octet-stream', 'content-length': String(info.size), 'docker-content-digest': a.digest }).send(registry.blobs.read(a.digest));
    },
  );
};
