// The admission webhook listener: HTTPS only (the API server requires it), its own port, its own
// small route set, the same error handler, auth hook and permission table as the API.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { SecureContextOptions, Server as TlsServer, TLSSocket } from 'node:tls';
import { AppError } from '../errors.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorHandler } from './error-handler.js';
import { installAuth } from './auth.js';
import { requireIJson } from './i-json.js';
import type { Metrics } from './metrics.js';
import type { IdentityService } from '../identity/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import type { AdmissionService } from '../policy/admission/service.js';
import type { WebhookTls } from '../policy/admission/tls.js';
import { uuidv7 } from '../util/ids.js';

export async function createWebhookServer(deps: {
  logger: Logger;
  metrics: Metrics;
  tls: WebhookTls;
  bodyLimitBytes: number;
  identity: IdentityService;
  denials: DenialRecorder;
  admission: AdmissionService;
  /** PEM CA of the clients allowed to call (the API server's client certificate): mutual TLS. */
  clientCa?: string | undefined;
  /** With clientCa: the certificate names (CN or DNS SAN) allowed to call; empty, any from the CA. */
  clientNames?: readonly string[];
  /**
   * Re-reads or renews the serving certificate, and re-reads the client CA (rotated when the
   * cluster's CA is); what changed is used for new connections.
   */
  reload?: { everyMs: number; load: () => Promise<ServingMaterial> };
}): Promise<FastifyInstance> {
  const context = (t: ServingMaterial) => {
    const ca = t.clientCa ?? deps.clientCa;
    return { key: t.key, cert: t.cert, minVersion: 'TLSv1.2' as const, ...(ca ? { ca } : {}) };
  };
  const app = Fastify({
    https: { ...context(deps.tls), ...(deps.clientCa ? { requestCert: true, rejectUnauthorized: true } : {}) },
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => uuidv7(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(deps.bodyLimitBytes));
  installAuth(app as unknown as FastifyInstance, { identity: deps.identity, denials: deps.denials });
  requireIJson(app as unknown as FastifyInstance);
  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  const Body = z.record(z.string(), z.unknown()).describe('an AdmissionReview');
  app.post('/admission/validate', { schema: { body: Body } }, async (req) => deps.admission.review(req.body));
  app.post('/admission/validate/:zone', { schema: { body: Body, params: z.object({ zone: z.string().min(1).max(63) }).strict() } }, async (req) =>
    deps.admission.review(req.body, { zone: req.params.zone }),
  );
  if (deps.clientNames?.length) {
    const allowed = new Set(deps.clientNames);
    app.addHook('onRequest', async (req) => {
      const names = peerNames(req.raw.socket as TLSSocket);
      if (!names.some((n) => allowed.has(n))) {
        throw new AppError('FORBIDDEN', `the client certificate (${names.join(', ') || 'no names'}) is not one of webhook.clientNames`);
      }
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  if (deps.reload) watchCertificate(app as unknown as FastifyInstance, { ...deps.tls, ...(deps.clientCa ? { clientCa: deps.clientCa } : {}) }, deps.reload, context, deps.logger);
  return app as unknown as FastifyInstance;
}

/**
 * cert-manager rotates files in place and Evident's own certificate expires in a year: a long-running
 * server re-reads them on a timer and swaps the TLS context, without a restart or a dropped request.
 */
/** The names a client certificate carries: its CN and DNS subject alternative names. */
function peerNames(socket: TLSSocket): string[] {
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  const sans = (cert?.subjectaltname ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  return [...(Array.isArray(cn) ? cn : cn ? [cn] : []), ...sans];
}

/** The serving certificate and, with mutual TLS, the CA whose clients may call. */
export type ServingMaterial = WebhookTls & { clientCa?: string };

function watchCertificate(
  app: FastifyInstance,
  initial: ServingMaterial,
  reload: { everyMs: number; load: () => Promise<ServingMaterial> },
  context: (t: ServingMaterial) => SecureContextOptions,
  logger: Logger,
): void {
  let current = initial;
  let running = false; // a slow load is not stacked under the next tick
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reload
      .load()
      .then((next) => {
        if (next.cert === current.cert && next.key === current.key && next.clientCa === current.clientCa) return;
        (app.server as unknown as TlsServer).setSecureContext(context(next));
        current = next;
        logger.info({ event: 'webhook.certificate_reloaded' }, 'webhook serving certificate reloaded');
      })
      .catch((e: unknown) => logger.error({ err: { message: (e as Error).message } }, 'webhook certificate reload failed; serving the previous one'))
      .finally(() => {
        running = false;
      });
  }, reload.everyMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
