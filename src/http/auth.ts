// Authentication and route authorization, before the body is even parsed. Every refusal is a
// ledger event (see identity/denials.ts for how floods from one address are folded).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import { accessFor } from '../identity/permissions.js';
import { DENIAL_CODES, auditReason, type DenialCode, type DenialRecorder } from '../identity/denials.js';
import type { IdentityService } from '../identity/service.js';
import type { OidcVerifier } from '../identity/oidc.js';
import type { RequestContext } from '../identity/context.js';
import type { Role } from '../identity/roles.js';
import { TOKEN_PREFIX, looksLikeJwt } from '../identity/tokens.js';
import { tokenFromBasic } from '../registry/oci-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyInstance {
    /** Every "METHOD /url" registered, as checked against the permission table. */
    registeredRoutes: string[];
  }
}

export function installAuth(app: FastifyInstance, deps: { identity: IdentityService; denials: DenialRecorder; oidc?: OidcVerifier | undefined }): void {
  app.decorateRequest('ctx', null as unknown as RequestContext);

  // Refuse to serve a route the permission table does not name; remember the rest for tests.
  const routes: string[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (!accessFor(m, route.url)) throw new Error(`route ${m} ${route.url} has no entry in identity/permissions.ts`);
      routes.push(`${m} ${route.url}`);
    }
  });

  async function principalFor(req: FastifyRequest) {
    const header = req.headers.authorization;
    if (!header) throw new AppError('UNAUTHENTICATED', 'this endpoint needs a credential: send Authorization: Bearer <token>');
    // Registry clients (skopeo --creds, docker login) send the token as a Basic password.
    const basic = req.routeOptions.url?.startsWith('/v2/') ? tokenFromBasic(header) : null;
    const m = /^Bearer\s+(\S+)$/iu.exec(header);
    if (!m && basic === null) throw new AppError('UNAUTHENTICATED', 'the Authorization header must have the form "Bearer <token>"');
    const credential = basic ?? m![1]!;
    if (credential.startsWith(TOKEN_PREFIX)) return deps.identity.authenticateToken(credential);
    if (looksLikeJwt(credential)) {
      if (!deps.oidc) throw new AppError('UNAUTHENTICATED', 'a JWT was sent but no OIDC issuer is configured (auth.oidc); use an Evident API token');
      return deps.identity.signInOidc(await deps.oidc.verify(credential));
    }
    throw new AppError('UNAUTHENTICATED', 'the bearer token is neither an Evident API token (evd_…) nor a JWT');
  }

  app.addHook('onRequest', async (req) => {
    req.ctx = { principal: null, requestId: req.id, address: req.ip };
    const route = req.routeOptions.url;
    if (!route) return; // unknown URL: the not-found handler answers
    const access = accessFor(req.method, route);
    if (!access) throw new AppError('INTERNAL', `route ${req.method} ${route} has no permission entry`);
    if (access === 'public') return;
    const operation = `${req.method} ${route}`;
    try {
      const principal = await principalFor(req);
      req.ctx.principal = principal;
      if (!principal.roles.some((r) => access.includes(r))) {
        const needs = `${operation} needs one of the roles ${access.join(', ')}`;
        throw new AppError('FORBIDDEN', `${needs}; principal ${JSON.stringify(principal.name)} has ${principal.roles.join(', ') || 'none'}`, {
          requiredRoles: [...access],
          auditReason: `${needs}; the caller has ${principal.roles.join(', ') || 'none'}`,
        });
      }
    } catch (e) {
      if (isAppError(e) && DENIAL_CODES.has(e.code)) {
        await deps.denials.record(req.ctx, {
          operation,
          code: e.code as DenialCode,
          reason: auditReason(e),
          ...(e.code === 'FORBIDDEN' ? { requiredRoles: [...access] as Role[] } : {}),
        });
      }
      throw e;
    }
  });
}
