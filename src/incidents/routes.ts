import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IncidentService } from './service.js';
import { EngageSchema, IdParamsSchema, INCIDENT_STATES, IncidentSchema, KILL_SCOPES, KillSwitchSchema, NotificationSchema, OpenIncidentSchema, RollbackOrderSchema, UpdateIncidentSchema } from './schema.js';
import { DeploymentSchema } from '../releases/schema.js';

const tags = ['incidents'];

export const incidentRoutes: FastifyPluginAsyncZod<{ incidents: IncidentService }> = async (app, { incidents }) => {
  app.post(
    '/api/v1/incidents',
    { schema: { tags, summary: 'Open an incident; the notification deadlines of its regimes count from detectedAt', body: OpenIncidentSchema, response: { 201: IncidentSchema } } },
    async (req, reply) => reply.status(201).send(await incidents.open(req.ctx, req.body)),
  );
  app.get(
    '/api/v1/incidents',
    {
      schema: {
        tags,
        summary: 'Incidents, most recently detected first; overdue=true: a notification deadline passed without a notification',
        querystring: z.object({ status: z.enum(INCIDENT_STATES).optional(), overdue: z.enum(['true', 'false']).optional() }).strict(),
        response: { 200: z.object({ incidents: z.array(IncidentSchema) }) },
      },
    },
    async (req) => ({ incidents: await incidents.list({ status: req.query.status, overdue: req.query.overdue === 'true' }) }),
  );
  app.get('/api/v1/incidents/:id', { schema: { tags, summary: 'One incident with its deadlines, notifications and kill switches', params: IdParamsSchema, response: { 200: IncidentSchema } } }, async (req) =>
    incidents.get(req.params.id),
  );
  app.patch(
    '/api/v1/incidents/:id',
    { schema: { tags, summary: 'Change status (open, mitigated, resolved, closed), severity, regimes or what is affected; closing needs every notification made', params: IdParamsSchema, body: UpdateIncidentSchema, response: { 200: IncidentSchema } } },
    async (req) => incidents.update(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/api/v1/incidents/:id/notifications',
    { schema: { tags, summary: 'Record a notification made to an authority under one regime (late ones are recorded as late)', params: IdParamsSchema, body: NotificationSchema, response: { 200: IncidentSchema } } },
    async (req) => incidents.notify(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/api/v1/incidents/:id/rollbacks',
    { schema: { tags, summary: 'Order a rollback under this incident: carried out by release management and linked to the incident', params: IdParamsSchema, body: RollbackOrderSchema, response: { 201: DeploymentSchema } } },
    async (req, reply) => reply.status(201).send(await incidents.orderRollback(req.ctx, req.params.id, req.body)),
  );
  app.get(
    '/api/v1/incidents/:id/timeline',
    { schema: { tags, summary: 'The incident timeline from ledger events (each with its event id and leaf index)', params: IdParamsSchema, response: { 200: z.record(z.string(), z.unknown()) } } },
    async (req) => incidents.timeline(req.params.id),
  );

  app.post(
    '/api/v1/kill-switches',
    { schema: { tags, summary: "Stop a deployment (kind/name in a zone), an LLM provider, or a zone's external calls, until released", body: EngageSchema, response: { 201: KillSwitchSchema } } },
    async (req, reply) => reply.status(201).send(await incidents.engage(req.ctx, req.body)),
  );
  app.get(
    '/api/v1/kill-switches',
    {
      schema: {
        tags,
        summary: 'Kill switches (engaged=true: only those in force), for the gateway and operators',
        querystring: z.object({ engaged: z.enum(['true', 'false']).optional(), scope: z.enum(KILL_SCOPES).optional() }).strict(),
        response: { 200: z.object({ killSwitches: z.array(KillSwitchSchema) }) },
      },
    },
    async (req) => ({ killSwitches: await incidents.killSwitches({ engagedOnly: req.query.engaged === 'true', scope: req.query.scope }) }),
  );
  app.post(
    '/api/v1/kill-switches/:id/release',
    { schema: { tags, summary: 'Release a kill switch', params: IdParamsSchema, body: z.object({ reason: z.string().min(1).max(2000) }).strict(), response: { 200: KillSwitchSchema } } },
    async (req) => incidents.release(req.ctx, req.params.id, req.body.reason),
  );
};
