import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LedgerService } from './service.js';
import {
  ConsistencyProofSchema,
  ConsistencyQuerySchema,
  EntriesQuerySchema,
  EntriesResponseSchema,
  EventProofSchema,
  InclusionProofSchema,
  InclusionQuerySchema,
} from './schema.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';

const tags = ['ledger'];
const TEXT = 'text/plain; charset=utf-8';

export const ledgerRoutes: FastifyPluginAsyncZod<{ ledger: LedgerService }> = async (app, { ledger }) => {
  // Reading the audit log is itself recorded (PCI DSS 10.2.1.3); if that fails, so does the read.
  const recordAccess = (ctx: RequestContext, body: { operation: 'entries' | 'entry' | 'export'; start?: number; end?: number }) =>
    ledger.record({ action: 'ledger.accessed', outcome: 'allowed', ...envelopeOf(ctx), body });

  app.get(
    '/api/v1/ledger/keys',
    {
      schema: {
        tags,
        summary: 'The ledger origin and its verifier keys (C2SP signed-note form)',
        response: { 200: z.object({ origin: z.string(), verifierKeys: z.array(z.string()) }) },
      },
    },
    async () => ({ origin: ledger.keys.origin, verifierKeys: ledger.keys.verifiers.map((v) => v.encoded) }),
  );

  app.get(
    '/api/v1/ledger/checkpoint',
    { schema: { tags, summary: 'The latest signed checkpoint (C2SP tlog-checkpoint, text/plain)' } },
    async (_req, reply) => reply.type(TEXT).send(await ledger.latestCheckpoint()),
  );

  app.post(
    '/api/v1/ledger/checkpoint',
    { schema: { tags, summary: 'Integrate pending events now and return the newest signed checkpoint (text/plain)' } },
    async (_req, reply) => {
      const r = await ledger.integrate();
      return reply.type(TEXT).send(r?.checkpoint ?? (await ledger.latestCheckpoint()));
    },
  );

  app.get(
    '/api/v1/ledger/entries',
    { schema: { tags, summary: 'Leaves [start, end) with their exact bytes (at most 1000)', querystring: EntriesQuerySchema, response: { 200: EntriesResponseSchema } } },
    async (req) => {
      const r = await ledger.entries(req.query.start, req.query.end);
      await recordAccess(req.ctx, { operation: 'entries', start: req.query.start, end: req.query.start + r.entries.length });
      return r;
    },
  );

  app.get(
    '/api/v1/ledger/events/:eventId',
    {
      schema: {
        tags,
        summary: 'One event with its inclusion proof in the latest checkpoint',
        params: z.object({ eventId: z.string().uuid() }).strict(),
        response: { 200: EventProofSchema },
      },
    },
    async (req) => {
      const r = await ledger.eventProof(req.params.eventId);
      await recordAccess(req.ctx, { operation: 'entry', start: r.index });
      return r;
    },
  );

  app.get(
    '/api/v1/ledger/proofs/inclusion',
    { schema: { tags, summary: 'Inclusion proof of a leaf in a tree size (RFC 9162 §2.1.3)', querystring: InclusionQuerySchema, response: { 200: InclusionProofSchema } } },
    async (req) => ledger.inclusionProof(req.query.index, req.query.size),
  );

  app.get(
    '/api/v1/ledger/proofs/consistency',
    { schema: { tags, summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)', querystring: ConsistencyQuerySchema, response: { 200: ConsistencyProofSchema } } },
    async (req) => ledger.consistencyProof(req.query.first, req.query.second),
  );

  app.get(
    '/api/v1/ledger/export',
    { schema: { tags, summary: 'The offline bundle (JSON Lines) as of the latest checkpoint; verify with `evident ledger verify --bundle`' } },
    async (req, reply) => {
      await recordAccess(req.ctx, { operation: 'export' });
      const out = new PassThrough();
      ledger
        .exportBundle(async (chunk) => {
          if (!out.write(chunk)) await once(out, 'drain');
        })
        .then(
          () => out.end(),
          (e: unknown) => out.destroy(e as Error),
        );
      return reply.type('application/x-ndjson').header('content-disposition', 'attachment; filename="ledger-bundle.jsonl"').send(out);
    },
  );

  app.post(
    '/api/v1/ledger/annotations',
    {
      schema: {
        tags,
        summary: 'Add an operator note to the ledger (maintenance window, drill, incident marker)',
        body: z.object({ note: z.string().min(1).max(2000) }).strict(),
        response: { 201: z.object({ eventId: z.string(), leafHash: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await ledger.record({ action: 'ledger.annotated', outcome: 'allowed', ...envelopeOf(req.ctx), body: { note: req.body.note } })),
  );
};
