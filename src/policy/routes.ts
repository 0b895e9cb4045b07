import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PolicyService } from './service.js';
import { renderZone } from './render.js';
import { AppError } from '../errors.js';

const tags = ['policy'];
const ViolationSchema = z.object({ rule: z.string(), mode: z.enum(['enforce', 'warn', 'audit']), source: z.string(), field: z.string(), message: z.string(), fix: z.string() });
const DecisionSchema = z.object({
  allowed: z.boolean(),
  zone: z.string().nullable(),
  classes: z.array(z.string()),
  policyVersion: z.number().int(),
  policyDigest: z.string(),
  violations: z.array(ViolationSchema).describe('enforced rules that were broken: any one denies'),
  warnings: z.array(ViolationSchema),
  audit: z.array(ViolationSchema).describe('rules in audit mode: what would have been denied'),
  images: z.array(z.string()),
});
const VersionInfo = z.object({ version: z.number().int(), digest: z.string(), note: z.string().nullable(), createdAt: z.string(), createdBy: z.string().nullable() });
const Name = z.string().min(1).max(63);

export const policyRoutes: FastifyPluginAsyncZod<{ policy: PolicyService; render: { namespace: string; service: string; timeoutSeconds: number; caBundle: () => string | null } }> = async (
  app,
  { policy, render },
) => {
  app.get(
    '/api/v1/policy',
    { schema: { tags, summary: 'The policy in force: version, digest, zones and data classes', response: { 200: VersionInfo.extend({ files: z.array(z.string()), zones: z.array(z.string()), classes: z.array(z.string()) }) } } },
    async () => {
      const p = await policy.active();
      return { version: p.version, digest: p.digest, note: p.note, createdAt: p.createdAt, createdBy: p.createdBy, files: p.files, zones: [...p.compiled.zones.keys()], classes: [...p.compiled.classes.keys()] };
    },
  );

  app.get('/api/v1/policy/versions', { schema: { tags, summary: 'Every policy version, newest first', response: { 200: z.object({ versions: z.array(VersionInfo) }) } } }, async () => ({
    versions: await policy.versions(),
  }));

  app.get(
    '/api/v1/policy/versions/:version',
    {
      schema: {
        tags,
        summary: 'One policy version with its files exactly as applied',
        params: z.object({ version: z.string().regex(/^[1-9][0-9]{0,8}$/u, 'a version number').transform(Number) }).strict(),
        response: { 200: VersionInfo.extend({ files: z.array(z.object({ name: z.string(), text: z.string() })) }) },
      },
    },
    async (req) => policy.version(req.params.version),
  );

  app.post(
    '/api/v1/policy/versions',
    {
      schema: {
        tags,
        summary: 'Validate and put a policy in force as the next version (recorded with its author)',
        description: 'Problems come back as 400 with file:line:column for each; the previous version stays in force.',
        body: z.object({ files: z.array(z.object({ name: z.string().min(1).max(256), text: z.string().max(1 << 20) }).strict()).min(1).max(100), note: z.string().max(2000).optional() }).strict(),
        response: { 201: z.object({ version: z.number().int(), digest: z.string(), changed: z.boolean() }), 200: z.object({ version: z.number().int(), digest: z.string(), changed: z.boolean() }) },
      },
    },
    async (req, reply) => {
      const r = await policy.applyDirect(req.ctx, req.body.files, req.body.note);
      return reply.status(r.changed ? 201 : 200).send(r);
    },
  );

  app.post(
    '/api/v1/policy/decisions',
    {
      schema: {
        tags,
        summary: 'Decide a placement: may these data classes (and these manifests) go to this zone?',
        body: z
          .object({
            zone: Name,
            classes: z.array(Name).max(50).default([]),
            llmProviders: z.array(Name).max(50).optional(),
            manifests: z.array(z.record(z.string(), z.unknown())).max(100).default([]).describe('Kubernetes objects, as JSON'),
          })
          .strict(),
        response: { 200: DecisionSchema },
      },
    },
    async (req) => {
      const d = await policy.decidePlacement(req.ctx, {
        zone: req.body.zone,
        classes: req.body.classes,
        objects: req.body.manifests,
        ...(req.body.llmProviders ? { llmProviders: req.body.llmProviders } : {}),
      });
      return { allowed: d.allowed, zone: d.zone, classes: d.classes, policyVersion: d.policyVersion, policyDigest: d.policyDigest, violations: d.violations, warnings: d.warnings, audit: d.audit, images: d.images };
    },
  );

  app.get(
    '/api/v1/policy/render/k8s',
    { schema: { tags, summary: "A zone's Namespaces, NetworkPolicies and webhook configurations (YAML); 409 when this server runs no webhook", querystring: z.object({ zone: Name }).strict() } },
    async (req, reply) => {
      const p = await policy.active();
      if (!p.compiled.zones.has(req.query.zone)) throw new AppError('NOT_FOUND', `zone ${JSON.stringify(req.query.zone)} is not defined by policy v${p.version}`);
      const caBundle = render.caBundle();
      if (!caBundle) throw new AppError('CONFLICT', 'the admission webhook is disabled on this server, so there is no CA to render; render where the webhook runs, or with `evident policy render k8s`');
      const r = renderZone(p.compiled, req.query.zone, { namespace: render.namespace, service: render.service, timeoutSeconds: render.timeoutSeconds, caBundle });
      return reply.type('application/yaml; charset=utf-8').send(r.yaml);
    },
  );
};
