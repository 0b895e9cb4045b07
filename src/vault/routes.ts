import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { VaultService } from './service.js';
import { MAX_VAULT_TEXT } from './service.js';

const tags = ['vault'];
const Body = z.object({ zone: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels'), text: z.string().max(MAX_VAULT_TEXT) }).strict();

export const vaultRoutes: FastifyPluginAsyncZod<{ vault: VaultService }> = async (app, { vault }) => {
  app.post(
    '/api/v1/vault/tokenize',
    {
      schema: {
        tags,
        summary: "Replace personal data by reversible tokens, where the zone's policy allows (zones.<z>.reversible_tokens); the originals stay in the vault for its retention period",
        body: Body,
        response: { 200: z.object({ text: z.string(), spans: z.array(z.object({ start: z.number().int(), end: z.number().int(), type: z.string(), score: z.number(), validator: z.string(), token: z.string() })) }) },
      },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (req) => vault.tokenize(req.ctx, req.body),
  );
  app.post(
    '/api/v1/vault/reveal',
    {
      schema: { tags, summary: 'Put the originals back into a text holding tokens of the zone, for the roles the zone names; every reveal is a ledger event', body: Body, response: { 200: z.object({ text: z.string(), revealed: z.number().int(), unknown: z.array(z.string()) }) } },
      bodyLimit: 4 * 1024 * 1024,
    },
    async (req) => vault.reveal(req.ctx, req.body),
  );
};
