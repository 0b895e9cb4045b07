import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PayloadService } from './service.js';
import { IdParamsSchema, ListPayloadsSchema, PayloadMetaSchema, WritePayloadSchema } from './schema.js';

const tags = ['payloads'];

export const payloadRoutes: FastifyPluginAsyncZod<{ payloads: PayloadService }> = async (app, { payloads }) => {
  app.post(
    '/api/v1/payloads',
    {
      schema: {
        tags,
        summary: "Keep a prompt, response, document or tool call (workloads of the zone) or a debug capture, redacted and encrypted, if the zone's policy turns it on",
        body: WritePayloadSchema,
        response: { 201: PayloadMetaSchema },
      },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (req, reply) => reply.status(201).send(await payloads.write(req.ctx, req.body)),
  );
  app.get(
    '/api/v1/payloads',
    { schema: { tags, summary: "Payload records of a zone (metadata only), for the roles the zone's policy names", querystring: ListPayloadsSchema, response: { 200: z.object({ payloads: z.array(PayloadMetaSchema) }) } } },
    async (req) => ({ payloads: await payloads.list(req.ctx, req.query) }),
  );
  app.get(
    '/api/v1/payloads/:id',
    { schema: { tags, summary: 'One payload, redacted, for a reader the zone names; every read is a ledger event', params: IdParamsSchema, response: { 200: PayloadMetaSchema.extend({ text: z.string() }) } } },
    async (req) => payloads.read(req.ctx, req.params.id),
  );
};
