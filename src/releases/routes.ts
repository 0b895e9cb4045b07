import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReleaseService } from './service.js';
import {
  ActiveQuerySchema,
  ChangeListQuerySchema,
  ChangeSchema,
  COMPONENT_KINDS,
  ComponentNameSchema,
  ComponentParamsSchema,
  CreateChangeSchema,
  DecisionBodySchema,
  DeploymentSchema,
  EvaluationSchema,
  IdParamsSchema,
  ReasonBodySchema,
  RollbackSchema,
  UpdateChangeSchema,
} from './schema.js';
import { LINEAGE_REF_RE } from './lineage.js';

const tags = ['releases'];
const Json = z.record(z.string(), z.unknown());

export const releaseRoutes: FastifyPluginAsyncZod<{ releases: ReleaseService }> = async (app, { releases }) => {
  app.post(
    '/api/v1/changes',
    {
      schema: {
        tags,
        summary: 'Propose a change: a new version of a component for a zone, validated at once (kind rules, placement, registry status of its artifacts)',
        body: CreateChangeSchema,
        response: { 201: ChangeSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await releases.create(req.ctx, req.body)),
  );

  app.get(
    '/api/v1/changes',
    { schema: { tags, summary: 'List changes (newest first); pendingApproval=true lists what awaits an approver, overdue=true unapproved emergency changes past due', querystring: ChangeListQuerySchema, response: { 200: z.object({ changes: z.array(ChangeSchema) }) } } },
    async (req) => ({ changes: await releases.list({ ...req.query, pendingApproval: req.query.pendingApproval === 'true', overdue: req.query.overdue === 'true' }) }),
  );

  app.get('/api/v1/changes/:id', { schema: { tags, summary: 'One change with its validation, evaluation, approvals and what blocks it now', params: IdParamsSchema, response: { 200: ChangeSchema } } }, async (req) => releases.get(req.params.id));

  app.patch(
    '/api/v1/changes/:id',
    { schema: { tags, summary: 'Edit your change: a new spec (a new version) or rebase onto what is active now; approvals start over', params: IdParamsSchema, body: UpdateChangeSchema, response: { 200: ChangeSchema } } },
    async (req) => releases.update(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/v1/changes/:id/evaluations',
    { schema: { tags, summary: "Attach evaluation evidence, judged against the zone's thresholds (a new revision: earlier approvals no longer count)", params: IdParamsSchema, body: EvaluationSchema, response: { 200: ChangeSchema } } },
    async (req) => releases.evaluate(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/v1/changes/:id/approvals',
    { schema: { tags, summary: 'Approve the revision you reviewed (approver role; never the author); after the fact for a deployed emergency change', params: IdParamsSchema, body: DecisionBodySchema, response: { 200: ChangeSchema } } },
    async (req) => releases.approve(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/v1/changes/:id/rejection',
    { schema: { tags, summary: 'Reject a change (final)', params: IdParamsSchema, body: ReasonBodySchema, response: { 200: ChangeSchema } } },
    async (req) => releases.reject(req.ctx, req.params.id, req.body.reason),
  );

  app.post(
    '/api/v1/changes/:id/withdrawal',
    { schema: { tags, summary: 'Withdraw your own change (final)', params: IdParamsSchema, body: z.object({ reason: z.string().min(1).max(2000).optional() }).strict(), response: { 200: ChangeSchema } } },
    async (req) => releases.withdraw(req.ctx, req.params.id, req.body.reason),
  );

  app.post(
    '/api/v1/changes/:id/deployments',
    {
      schema: {
        tags,
        summary: 'Deploy the change to its zone (operator): refused, with every blocker, unless validated, evaluated, approved (or an emergency) and based on what runs now',
        params: IdParamsSchema,
        body: z.object({}).strict().optional(),
        response: { 201: z.object({ change: ChangeSchema, deployment: DeploymentSchema }) },
      },
    },
    async (req, reply) => reply.status(201).send(await releases.deploy(req.ctx, req.params.id)),
  );

  app.post(
    '/api/v1/releases/rollback',
    { schema: { tags, summary: "Put the zone's rollback target (the version before the current one) back in service, recorded as a deployment of its own", body: RollbackSchema, response: { 201: DeploymentSchema } } },
    async (req, reply) => reply.status(201).send(await releases.rollback(req.ctx, req.body)),
  );

  app.get(
    '/api/v1/releases/active',
    { schema: { tags, summary: 'Which version of a component was active in a zone at an instant, who approved it, with which evidence and the ledger events that prove it', querystring: ActiveQuerySchema, response: { 200: Json } } },
    async (req) => releases.activeAt(req.query.kind, req.query.name, req.query.zone, req.query.at),
  );

  app.get(
    '/api/v1/deployments',
    {
      schema: {
        tags,
        summary: 'Deployment history (newest first)',
        querystring: z.object({ kind: z.enum(COMPONENT_KINDS).optional(), name: ComponentNameSchema.optional(), zone: z.string().max(63).optional() }).strict(),
        response: { 200: z.object({ deployments: z.array(DeploymentSchema) }) },
      },
    },
    async (req) => ({ deployments: await releases.deployments(req.query) }),
  );

  app.get(
    '/api/v1/deployments/:id/manifest',
    { schema: { tags, summary: 'The signed release manifest (DSSE envelope over an in-toto statement), verifiable with the attestation key', params: z.object({ id: z.string().uuid() }).strict(), response: { 200: Json } } },
    async (req) => releases.manifest(req.params.id),
  );

  app.get(
    '/api/v1/components',
    {
      schema: {
        tags,
        summary: 'Components (models, prompts, configs…) with their latest version and the version active in each zone',
        querystring: z.object({ kind: z.enum(COMPONENT_KINDS).optional() }).strict(),
        response: { 200: z.object({ components: z.array(z.object({ kind: z.string(), name: z.string(), description: z.string().nullable(), latestVersion: z.number().int(), active: z.record(z.string(), z.number().int()) })) }) },
      },
    },
    async (req) => ({ components: await releases.components(req.query.kind) }),
  );

  app.get('/api/v1/components/:kind/:name', { schema: { tags, summary: 'A component: its versions and what is active in each zone', params: ComponentParamsSchema, response: { 200: Json } } }, async (req) =>
    releases.component(req.params.kind, req.params.name),
  );

  app.get(
    '/api/v1/components/:kind/:name/diff',
    {
      schema: {
        tags,
        summary: 'What changes between two versions, path by path',
        params: ComponentParamsSchema,
        querystring: z.object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() }).strict(),
        response: { 200: Json },
      },
    },
    async (req) => releases.diff(req.params.kind, req.params.name, req.query.from, req.query.to),
  );

  app.get(
    '/api/v1/lineage',
    {
      schema: {
        tags,
        summary: 'Walk lineage from a reference: upstream (what fed it) or downstream (what was built from it)',
        querystring: z
          .object({
            ref: z.string().max(400).regex(LINEAGE_REF_RE, 'a reference is kind/name@version, artifact:name@sha256:…, dataset:name@sha256:…, commit:repo@sha or run:id'),
            direction: z.enum(['upstream', 'downstream']).default('upstream'),
            depth: z.coerce.number().int().min(1).max(20).default(5),
          })
          .strict(),
        response: { 200: Json },
      },
    },
    async (req) => releases.lineage(req.query.ref, req.query.direction, req.query.depth),
  );
};
