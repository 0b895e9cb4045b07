// The HTTP server: Fastify with zod schemas (validation and the OpenAPI document come from the same
// schemas), auth before body parsing, one error handler, metrics and one operational log line per
// request that never carries credentials or payloads.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { uuidv7 } from '../util/ids.js';
import { detect } from '../redact/detect.js';
import { errorHandler } from './error-handler.js';
import { installAuth } from './auth.js';
import { requireIJson } from './i-json.js';
import type { Metrics } from './metrics.js';
import type { IdentityService } from '../identity/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import type { OidcVerifier } from '../identity/oidc.js';
import type { LedgerService } from '../ledger/service.js';
import { identityRoutes } from '../identity/routes.js';
import { ledgerRoutes } from '../ledger/routes.js';
import { policyRoutes } from '../policy/routes.js';
import type { PolicyService } from '../policy/service.js';
import { registryRoutes } from '../registry/routes.js';
import { ociRoutes } from '../registry/oci-routes.js';
import { releaseRoutes } from '../releases/routes.js';
import { incidentRoutes } from '../incidents/routes.js';
import { payloadRoutes } from '../payloads/routes.js';
import { vaultRoutes } from '../vault/routes.js';
import type { VaultService } from '../vault/service.js';
import type { PayloadService } from '../payloads/service.js';
import type { IncidentService } from '../incidents/service.js';
import type { ReleaseService } from '../releases/service.js';
import type { RegistryService } from '../registry/service.js';
import type { OciService } from '../registry/oci-service.js';
import type { SignatureChecker } from '../registry/signatures.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  version: string;
  identity: IdentityService;
  denials: DenialRecorder;
  oidc?: OidcVerifier | undefined;
  ledger: LedgerService;
  policy: PolicyService;
  registry: RegistryService;
  releases: ReleaseService;
  incidents: IncidentService;
  payloads: PayloadService;
  vault: VaultService;
  oci: OciService;
  signatures: SignatureChecker;
  attestationPublicKey: string;
  render: { namespace: string; service: string; timeoutSeconds: number; caBundle: () => string | null };
  /** Returns problems that make this instance unready (empty when ready). */
  readiness: () => Promise<string[]>;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/u;

export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request is written by our onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.server.bodyLimitBytes,
    requestTimeout: config.server.requestTimeoutMs,
    trustProxy: config.server.trustProxy as boolean | string, // fastify also takes a hop count at run time
    // A caller's request id is kept when it is well formed, so logs and ledger events line up;
    // it goes into every log line, so one that carries personal data (a card number sent as an
    // id) is replaced by ours. The leak check of the test suite found exactly that.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) && detect(given).length === 0 ? given : uuidv7();
    },
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(config.server.bodyLimitBytes));
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; see /docs for the API reference`, details: null },
      requestId: req.id,
    }),
  );

  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    deps.metrics.observeRequest(req.method, route, reply.statusCode, seconds);
    req.log.info(
      {
        requestId: req.id,
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        principal: req.ctx?.principal?.id,
      },
      'request',
    );
  });

  installAuth(app, { identity: deps.identity, denials: deps.denials, oidc: deps.oidc });
  requireIJson(app as unknown as FastifyInstance);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Evident API',
        version: deps.version,
        description:
          'Control plane for AI workloads in regulated industries. Every state change is recorded in a tamper-evident ledger; see /api/v1/ledger.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An Evident API token (evd_…) or an OIDC JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true }, staticCSP: true });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    const problems = await deps.readiness();
    if (problems.length) {
      return reply.status(503).send({ error: { code: 'UNAVAILABLE', message: problems.join('; '), details: { problems } }, requestId: req.id });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  await app.register(identityRoutes, { identity: deps.identity });
  await app.register(ledgerRoutes, { ledger: deps.ledger });
  await app.register(policyRoutes, { policy: deps.policy, render: deps.render });
  await app.register(releaseRoutes, { releases: deps.releases });
  await app.register(incidentRoutes, { incidents: deps.incidents });
  await app.register(payloadRoutes, { payloads: deps.payloads });
  await app.register(vaultRoutes, { vault: deps.vault });
  await app.register(registryRoutes, { registry: deps.registry, signatures: deps.signatures, attestationPublicKey: deps.attestationPublicKey });
  await app.register(ociRoutes, {
    oci: deps.oci,
    publicUrl: config.server.publicUrl,
    refused: (ctx, operation, name, e) => deps.registry.recordRefusal(ctx, operation, { name }, e),
  });
  return app as unknown as FastifyInstance;
}

export { AppError };
