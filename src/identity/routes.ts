import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { IdentityService } from './service.js';
import {
  CreatePrincipalSchema,
  CreateTokenSchema,
  CreatedTokenSchema,
  ListPrincipalsQuerySchema,
  ListTokensQuerySchema,
  PrincipalIdParamsSchema,
  PrincipalListSchema,
  PrincipalSchema,
  TokenIdParamsSchema,
  TokenInfoSchema,
  TokenListSchema,
  UpdatePrincipalSchema,
  WhoAmISchema,
} from './schema.js';
import { AppError } from '../errors.js';

const tags = ['identity'];

export const identityRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, { identity }) => {
  app.get('/api/v1/whoami', { schema: { tags, summary: 'The calling principal and its effective roles', response: { 200: WhoAmISchema } } }, async (req) => {
    const p = req.ctx.principal;
    if (!p) throw new AppError('UNAUTHENTICATED', 'no principal');
    const stored = await identity.getPrincipal(p.id);
    return { principal: { ...stored, roles: p.roles }, via: p.via };
  });

  app.post(
    '/api/v1/principals',
    { schema: { tags, summary: 'Create a principal (a person or a workload)', body: CreatePrincipalSchema, response: { 201: PrincipalSchema } } },
    async (req, reply) => reply.status(201).send(await identity.createPrincipal(req.ctx, req.body)),
  );

  app.get(
    '/api/v1/principals',
    { schema: { tags, summary: 'List principals', querystring: ListPrincipalsQuerySchema, response: { 200: PrincipalListSchema } } },
    async (req) => ({ principals: await identity.listPrincipals(req.query) }),
  );

  app.get(
    '/api/v1/principals/:id',
    { schema: { tags, summary: 'One principal', params: PrincipalIdParamsSchema, response: { 200: PrincipalSchema } } },
    async (req) => identity.getPrincipal(req.params.id),
  );

  app.patch(
    '/api/v1/principals/:id',
    {
      schema: {
        tags,
        summary: 'Change roles or disable/enable a principal (never your own)',
        params: PrincipalIdParamsSchema,
        body: UpdatePrincipalSchema,
        response: { 200: PrincipalSchema },
      },
    },
    async (req) => identity.updatePrincipal(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token (shown once)',
        description: 'Without principalId the token is for the caller. Only admins create tokens for others.',
        body: CreateTokenSchema,
        response: { 201: CreatedTokenSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await identity.createToken(req.ctx, req.body)),
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'List API tokens (never their secrets)',
        description: 'Your own tokens; admins and auditors see everyone\'s, or one principal\'s with principalId.',
        querystring: ListTokensQuerySchema,
        response: { 200: TokenListSchema },
      },
    },
    async (req) => ({ tokens: await identity.listTokens(req.ctx, req.query.principalId) }),
  );

  app.delete(
    '/api/v1/tokens/:id',
    { schema: { tags, summary: 'Revoke an API token', params: TokenIdParamsSchema, response: { 200: TokenInfoSchema } } },
    async (req) => identity.revokeToken(req.ctx, req.params.id),
  );
};

