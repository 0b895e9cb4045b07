// Who is acting, passed from the HTTP layer (or the CLI) into every service call.
import type { Actor } from '../ledger/schema.js';
import type { Role } from './roles.js';

export interface AuthenticatedPrincipal {
  id: string;
  name: string;
  kind: 'human' | 'service';
  roles: Role[];
  /** Zones it belongs to (what it may pull from the registry). */
  zones?: string[];
  /** "token:<id>" or "oidc:<issuer>". */
  via: string;
  /** When the credential used stops working. */
  expiresAt?: string;
  /** For tokens minted by someone else: who else could have acted with it (see SoD). */
  controlledBy?: string;
}

export interface RequestContext {
  /** Null for the system itself (init, the CLI on the data dir). */
  principal: AuthenticatedPrincipal | null;
  requestId?: string | undefined;
  address?: string | undefined;
  /** For system actors: what acted ("init", "cli", "oidc-sync"). */
  system?: string;
}

export function actorOf(ctx: RequestContext): Actor {
  if (ctx.principal) {
    const p = ctx.principal;
    return { type: 'principal', id: p.id, kind: p.kind, roles: p.roles, via: p.via, ...(p.controlledBy ? { controlledBy: p.controlledBy } : {}) };
  }
  return { type: 'system', via: ctx.system ?? 'system' };
}

export function envelopeOf(ctx: RequestContext): { actor: Actor; requestId?: string } {
  return { actor: actorOf(ctx), ...(ctx.requestId ? { requestId: ctx.requestId } : {}) };
}

export const systemContext = (system: string): RequestContext => ({ principal: null, system });
