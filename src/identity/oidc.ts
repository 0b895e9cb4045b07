// OIDC bearer JWTs from one configured issuer: discovery, JWKS (jose, with its caching and key
// rotation handling), claim checks, and the mapping of claims to a principal and roles.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { Role } from './roles.js';

export interface OidcIdentity {
  issuer: string;
  /** When the identity token expires. */
  expiresAt: string;
  subject: string;
  name: string;
  kind: 'human' | 'service';
  roles: Role[];
}

export interface OidcVerifier {
  verify(jwt: string): Promise<OidcIdentity>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

function checkUrl(url: string, what: string, cfg: OidcConfig): URL {
  const u = new URL(url);
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && cfg.allowInsecureLoopback && LOOPBACK.has(u.hostname)) return u;
  throw new AppError('CONFIG_INVALID', `${what} ${url} must use https (http is allowed only on loopback with auth.oidc.allowInsecureLoopback)`);
}

export function mapRoles(claim: unknown, mapping: Readonly<Record<string, readonly Role[]>>): Role[] {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/u) : [];
  const roles = new Set<Role>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    // Own keys only: a group named "constructor" or "__proto__" must map to nothing.
    for (const r of Object.hasOwn(mapping, v) ? mapping[v]! : []) roles.add(r);
  }
  return [...roles].sort();
}

export function createOidcVerifier(cfg: OidcConfig, opts: { fetchTimeoutMs?: number } = {}): OidcVerifier {
  const timeout = opts.fetchTimeoutMs ?? 5000;
  checkUrl(cfg.issuer, 'OIDC issuer', cfg);
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function keySet() {
    if (jwks) return jwks;
    let jwksUri = cfg.jwksUri;
    if (!jwksUri) {
      const discovery = `${cfg.issuer.replace(/\/$/u, '')}/.well-known/openid-configuration`;
      let doc: { issuer?: unknown; jwks_uri?: unknown };
      try {
        const res = await fetch(discovery, { signal: AbortSignal.timeout(timeout), redirect: 'error' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        doc = (await res.json()) as typeof doc;
      } catch (e) {
        throw new AppError('UNAVAILABLE', `the identity provider's discovery document ${discovery} could not be read (${(e as Error).message}); retry later`);
      }
      if (doc.issuer !== cfg.issuer) throw new AppError('UNAVAILABLE', `the discovery document names issuer ${JSON.stringify(doc.issuer)}, not the configured ${cfg.issuer}`);
      if (typeof doc.jwks_uri !== 'string') throw new AppError('UNAVAILABLE', 'the discovery document has no jwks_uri');
      jwksUri = doc.jwks_uri;
    }
    jwks = createRemoteJWKSet(checkUrl(jwksUri, 'OIDC jwks_uri', cfg), { timeoutDuration: timeout, cooldownDuration: cfg.jwksCooldownSeconds * 1000, cacheMaxAge: 600_000 });
    return jwks;
  }

  return {
    async verify(jwt) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, await keySet(), {
          issuer: cfg.issuer,
          audience: cfg.audience,
          algorithms: [...cfg.algorithms],
          clockTolerance: cfg.clockToleranceSeconds,
          requiredClaims: ['exp', cfg.subjectClaim],
        }));
      } catch (e) {
        if (e instanceof AppError) throw e;
        if (e instanceof joseErrors.JWKSTimeout || !(e instanceof joseErrors.JOSEError)) {
          // The provider is unreachable: that is our outage, not the caller's bad token.
          throw new AppError('UNAVAILABLE', 'the identity provider\'s signing keys could not be fetched; retry later');
        }
        throw new AppError('UNAUTHENTICATED', `the identity token was refused: ${describeJoseError(e)}`);
      }
      const subject = payload[cfg.subjectClaim];
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 512) {
        throw new AppError('UNAUTHENTICATED', `the identity token's ${cfg.subjectClaim} claim is missing or not a string`);
      }
      const nameClaim = payload[cfg.nameClaim];
      const name = typeof nameClaim === 'string' && nameClaim.length > 0 ? nameClaim : subject;
      const kind = cfg.kindClaim && payload[cfg.kindClaim] === 'service' ? 'service' : 'human';
      return {
        issuer: cfg.issuer,
        subject,
        name,
        kind,
        roles: mapRoles(payload[cfg.rolesClaim], cfg.roleMapping),
        expiresAt: new Date((payload.exp ?? 0) * 1000).toISOString(),
      };
    },
  };
}

function describeJoseError(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'it has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `claim ${e.claim} failed validation (${e.reason})`;
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the identity provider matches it';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'its signing algorithm is not allowed';
  if (e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWSInvalid) return 'it is malformed';
  return (e as joseErrors.JOSEError).code;
}
