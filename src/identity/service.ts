// Identity: principals (people and workloads), API tokens, OIDC sign-in, and the authorization
// rules that sit beyond the route table (whose tokens you may see or mint, who may grant what).
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { LedgerService } from '../ledger/service.js';
import { AppError, conflict, notFound } from '../errors.js';
import { uuidv7 } from '../util/ids.js';
import type { IdentityStore, PrincipalRow } from './store.js';
import { toPrincipal, toTokenInfo } from './store.js';
import type { CreatePrincipal, CreateToken, Principal, TokenInfo, UpdatePrincipal } from './schema.js';
import { PrincipalNameSchema } from './schema.js';
import type { Role } from './roles.js';
import { generateToken, hashToken, tokenHint, TOKEN_RE } from './tokens.js';
import { enforceSod, noSelfGrant } from './sod.js';
import { envelopeOf, type AuthenticatedPrincipal, type RequestContext } from './context.js';
import type { DenialRecorder } from './denials.js';
import type { OidcIdentity } from './oidc.js';

const DAY_MS = 86_400_000;

export interface IdentityServiceDeps {
  database: Database;
  store: IdentityStore;
  ledger: Pick<LedgerService, 'append'>;
  denials: DenialRecorder;
  tokenTtlDays: number;
  maxTokenTtlDays: number;
  /** How long a token minted from an identity-provider session may live. */
  oidcTokenTtlDays: number;
  now?: () => Date;
}

function hasRole(ctx: RequestContext, ...roles: Role[]): boolean {
  return !!ctx.principal && ctx.principal.roles.some((r) => roles.includes(r));
}

function forbidden(message: string, requiredRoles?: Role[]): AppError {
  return new AppError('FORBIDDEN', message, requiredRoles ? { requiredRoles } : undefined);
}

/** Kinds that may hold a role: approvals need a person; the workload role needs a service. */
function checkRolesForKind(kind: 'human' | 'service', roles: readonly Role[]): void {
  if (kind === 'service' && roles.includes('approver')) {
    throw new AppError('VALIDATION_FAILED', 'a service principal cannot hold the approver role: approvals must come from people');
  }
  if (kind === 'human' && roles.includes('workload')) {
    throw new AppError('VALIDATION_FAILED', 'the workload role is for service principals; give people developer, operator or another human role');
  }
}

/** Names of people are subject data: they go to the sealed part of the event. */
function nameFields(kind: 'human' | 'service', id: string, name: string) {
  return kind === 'human' ? { subject: { id: `principal:${id}`, data: { name } } } : {};
}

export function createIdentityService(deps: IdentityServiceDeps) {
  const { database, store, ledger } = deps;
  const now = deps.now ?? (() => new Date());

  async function createPrincipalIn(
    tx: Tx,
    ctx: RequestContext,
    input: CreatePrincipal,
    external?: { issuer: string; subject: string },
  ): Promise<Principal> {
    checkRolesForKind(input.kind, input.roles);
    if (await store.principalByName(tx, input.name)) throw conflict(`a principal named ${JSON.stringify(input.name)} already exists; pick another name`);
    const at = now().toISOString();
    const row: PrincipalRow = {
      id: uuidv7(),
      name: input.name,
      kind: input.kind,
      roles: JSON.stringify(input.roles),
      status: 'active',
      zones: JSON.stringify(input.zones ?? []),
      external_issuer: external?.issuer ?? null,
      external_subject: external?.subject ?? null,
      created_at: at,
      created_by: ctx.principal?.id ?? null,
      updated_at: at,
    };
    await store.insertPrincipal(tx, row);
    await ledger.append(tx, {
      action: 'principal.created',
      outcome: 'allowed',
      ...envelopeOf(ctx),
      target: { type: 'principal', id: row.id },
      body: {
        principalId: row.id,
        kind: input.kind,
        roles: input.roles,
        ...(input.zones?.length ? { zones: input.zones } : {}),
        ...(input.kind === 'service' ? { name: input.name } : {}),
        ...(external ? { externalIssuer: external.issuer } : {}),
      },
      ...nameFields(input.kind, row.id, input.name),
    });
    return toPrincipal(row);
  }

  async function createPrincipal(ctx: RequestContext, input: CreatePrincipal, external?: { issuer: string; subject: string }): Promise<Principal> {
    checkRolesForKind(input.kind, input.roles);
    return database.transact((tx) => createPrincipalIn(tx, ctx, input, external));
  }

  /**
   * Mints a token for an active principal inside the caller's transaction. `controlledBy` names who
   * besides the owner could have used it (null when only the owner ever held it).
   */
  async function createTokenIn(
    tx: Tx,
    ctx: RequestContext,
    principalId: string,
    name: string,
    days: number,
    controlledBy: string | null,
    notAfter?: Date,
  ): Promise<TokenInfo & { token: string }> {
    const owner = await store.principalById(tx, principalId);
    if (!owner) throw notFound('principal', principalId);
    if (owner.status !== 'active') throw conflict(`principal ${JSON.stringify(owner.name)} is disabled; enable it before creating tokens`);
    const token = generateToken();
    const created = now();
    const wanted = created.getTime() + days * DAY_MS;
    const row = {
      id: uuidv7(),
      principal_id: principalId,
      name,
      token_hash: hashToken(token),
      hint: tokenHint(token),
      created_at: created.toISOString(),
      created_by: ctx.principal?.id ?? null,
      expires_at: new Date(notAfter ? Math.min(wanted, notAfter.getTime()) : wanted).toISOString(),
      revoked_at: null,
      revoked_by: null,
      controlled_by: controlledBy,
    };
    await store.insertToken(tx, row);
    await ledger.append(tx, {
      action: 'token.created',
      outcome: 'allowed',
      ...envelopeOf(ctx),
      target: { type: 'token', id: row.id },
      body: { tokenId: row.id, principalId, name, hint: row.hint, expiresAt: row.expires_at, ...(controlledBy ? { controlledBy } : {}) },
    });
    return { ...toTokenInfo(row, created), token };
  }

  async function getPrincipal(id: string): Promise<Principal> {
    const row = await store.principalById(database.db, id);
    if (!row) throw notFound('principal', id);
    return toPrincipal(row);
  }

  async function listPrincipals(filter: { status?: 'active' | 'disabled' | undefined; kind?: 'human' | 'service' | undefined; role?: Role | undefined }) {
    const rows = await store.listPrincipals(database.db, filter);
    return rows.map(toPrincipal).filter((p) => !filter.role || p.roles.includes(filter.role));
  }

  async function updatePrincipal(ctx: RequestContext, id: string, patch: UpdatePrincipal): Promise<Principal> {
    return deps.denials.guard(ctx, 'identity.updatePrincipal', async () => {
      const sod = noSelfGrant(ctx.principal?.id ?? 'system', id);
      enforceSod(sod);
      return database.transact(async (tx) => {
        if (database.dialect === 'postgres') await store.lockPrincipalChanges(tx);
        const row = await store.principalById(tx, id);
        if (!row) throw notFound('principal', id);
        const before = toPrincipal(row);
        const roles = patch.roles ?? before.roles;
        const status = patch.status ?? before.status;
        checkRolesForKind(before.kind, roles);
        const rolesChanged = JSON.stringify([...roles].sort()) !== JSON.stringify([...before.roles].sort());
        const statusChanged = status !== before.status;
        const zones = patch.zones ?? before.zones;
        const zonesChanged = JSON.stringify([...zones].sort()) !== JSON.stringify([...before.zones].sort());
        if (!rolesChanged && !statusChanged && !zonesChanged) return before;
        const stillAdmin = status === 'active' && roles.includes('admin');
        if (!stillAdmin && before.status === 'active' && before.roles.includes('admin')) {
          const admins = await store.activeAdminIds(tx);
          if (admins.length <= 1) throw conflict('this is the last active admin; make another principal admin first');
        }
        const at = now().toISOString();
        await store.updatePrincipal(tx, id, {
          ...(rolesChanged ? { roles: JSON.stringify(roles) } : {}),
          ...(statusChanged ? { status } : {}),
          ...(zonesChanged ? { zones: JSON.stringify(zones) } : {}),
          updated_at: at,
        });
        await ledger.append(tx, {
          action: 'principal.updated',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'principal', id },
          body: {
            principalId: id,
            ...(rolesChanged ? { roles: { from: before.roles, to: roles } } : {}),
            ...(statusChanged ? { status: { from: before.status, to: status } } : {}),
            ...(zonesChanged ? { zones: { from: before.zones, to: zones } } : {}),
            sod,
          },
        });
        return { ...before, roles, status, zones, updatedAt: at };
      });
    });
  }

  async function createToken(ctx: RequestContext, input: CreateToken): Promise<TokenInfo & { token: string }> {
    return deps.denials.guard(ctx, 'identity.createToken', async () => {
      const caller = ctx.principal;
      if (!caller) throw new AppError('UNAUTHENTICATED', 'a token can only be created by an authenticated principal');
      const principalId = input.principalId ?? caller.id;
      const forSelf = principalId === caller.id;
      if (!forSelf && !hasRole(ctx, 'admin')) {
        throw forbidden('only an admin may create tokens for another principal; omit principalId to create one for yourself', ['admin']);
      }
      const days = input.expiresInDays ?? deps.tokenTtlDays;
      if (days > deps.maxTokenTtlDays) {
        throw new AppError('VALIDATION_FAILED', `expiresInDays ${days} exceeds the maximum of ${deps.maxTokenTtlDays} set by auth.maxTokenTtlDays`);
      }
      // A token never outlives the credential that minted it for oneself (a leaked token cannot
      // renew itself); a session from the identity provider mints for at most oidcTokenTtlDays.
      let notAfter: Date | undefined;
      if (forSelf) {
        notAfter = caller.via.startsWith('oidc:') ? new Date(now().getTime() + deps.oidcTokenTtlDays * DAY_MS) : caller.expiresAt ? new Date(caller.expiresAt) : undefined;
        if (notAfter && input.expiresInDays !== undefined && now().getTime() + days * DAY_MS > notAfter.getTime()) {
          throw new AppError(
            'VALIDATION_FAILED',
            `a token you mint for yourself cannot outlive the credential you are using (until ${notAfter.toISOString()}); ask for fewer days or omit expiresInDays`,
          );
        }
      }
      // Minted for someone else, the token is also in the minter's hands: that is recorded and
      // carried into every action taken with it, so separation-of-duties checks can count it.
      const controlledBy = forSelf ? (caller.controlledBy ?? null) : caller.id;
      return database.transact((tx) => createTokenIn(tx, ctx, principalId, input.name, days, controlledBy, notAfter));
    });
  }

  async function listTokens(ctx: RequestContext, principalId?: string): Promise<TokenInfo[]> {
    return deps.denials.guard(ctx, 'identity.listTokens', async () => {
      const self = ctx.principal?.id;
      const mayListOthers = hasRole(ctx, 'admin', 'auditor');
      if (principalId && principalId !== self && !mayListOthers) throw forbidden('only admins and auditors may list the tokens of other principals', ['admin', 'auditor']);
      const whose = principalId ?? (mayListOthers ? undefined : self);
      const rows = await store.listTokens(database.db, whose);
      const at = now();
      return rows.map((r) => toTokenInfo(r, at));
    });
  }

  async function revokeToken(ctx: RequestContext, id: string): Promise<TokenInfo> {
    return deps.denials.guard(ctx, 'identity.revokeToken', async () =>
      database.transact(async (tx) => {
        const row = await store.tokenById(tx, id);
        // Another principal's token: only an admin may revoke it (the refusal is recorded).
        if (!row || (ctx.principal && row.principal_id !== ctx.principal.id && !hasRole(ctx, 'admin'))) {
          if (row) throw forbidden('only an admin may revoke another principal\'s token', ['admin']);
          throw notFound('token', id);
        }
        const at = now().toISOString();
        if (!(await store.revokeToken(tx, id, at, ctx.principal?.id ?? null))) {
          return toTokenInfo(row, now());
        }
        await ledger.append(tx, {
          action: 'token.revoked',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'token', id },
          body: { tokenId: id, principalId: row.principal_id },
        });
        return toTokenInfo({ ...row, revoked_at: at, revoked_by: ctx.principal?.id ?? null }, now());
      }),
    );
  }

  /** Resolves an API token to its principal, or throws UNAUTHENTICATED saying why. */
  async function authenticateToken(token: string): Promise<AuthenticatedPrincipal> {
    if (!TOKEN_RE.test(token)) throw new AppError('UNAUTHENTICATED', 'the bearer token is not an Evident API token (evd_…) or a JWT from the configured identity provider');
    const row = await store.tokenByHash(database.db, hashToken(token));
    if (!row) throw new AppError('UNAUTHENTICATED', 'the API token is not known; it may have been mistyped or belong to another installation');
    if (row.revoked_at) throw new AppError('UNAUTHENTICATED', `API token ${row.hint}… was revoked at ${row.revoked_at}`);
    if (row.expires_at <= now().toISOString()) throw new AppError('UNAUTHENTICATED', `API token ${row.hint}… expired at ${row.expires_at}; create a new one`);
    const p = await store.principalById(database.db, row.principal_id);
    if (!p || p.status !== 'active') throw new AppError('UNAUTHENTICATED', `the principal of API token ${row.hint}… is disabled`);
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      roles: JSON.parse(p.roles) as Role[],
      zones: JSON.parse(p.zones) as string[],
      via: `token:${row.id}`,
      expiresAt: row.expires_at,
      ...(row.controlled_by ? { controlledBy: row.controlled_by } : {}),
    };
  }

  /**
   * Signs in an OIDC identity: the first time it creates the principal; afterwards it keeps the
   * stored roles in step with what the identity provider grants, recording every change.
   */
  async function signInOidc(identity: OidcIdentity): Promise<AuthenticatedPrincipal> {
    const ctx: RequestContext = { principal: null, system: `oidc:${identity.issuer}` };
    if (identity.roles.length === 0) {
      // Deprovisioned at the provider: strip the stored roles too, so API tokens this person
      // minted earlier lose their power now rather than at expiry.
      const known = await store.principalByExternal(database.db, identity.issuer, identity.subject);
      if (known && (JSON.parse(known.roles) as Role[]).length > 0) await syncRoles(ctx, known.id, JSON.parse(known.roles) as Role[], []);
      throw forbidden('your identity provider grants you no Evident role; ask an admin to map one of your groups in auth.oidc.roleMapping');
    }
    try {
      checkRolesForKind(identity.kind, identity.roles);
    } catch (e) {
      throw forbidden(`the roles your identity provider grants do not fit a ${identity.kind} principal: ${(e as Error).message}`);
    }
    let row = await store.principalByExternal(database.db, identity.issuer, identity.subject);
    if (!row) {
      const name = await freeName(identity);
      try {
        await createPrincipal(ctx, { name, kind: identity.kind, roles: identity.roles }, identity);
      } catch (e) {
        // Two first requests at once: the other one created it.
        if (!(e instanceof AppError && e.code === 'CONFLICT')) throw e;
      }
      row = await store.principalByExternal(database.db, identity.issuer, identity.subject);
      if (!row) throw new AppError('CONFLICT', `could not create a principal for this identity: the name ${JSON.stringify(name)} was taken at the same moment; retry`);
    } else {
      const stored = JSON.parse(row.roles) as Role[];
      if (JSON.stringify([...stored].sort()) !== JSON.stringify([...identity.roles].sort()) && row.status === 'active') {
        await syncRoles(ctx, row.id, stored, identity.roles);
      }
    }
    if (row.status !== 'active') throw new AppError('UNAUTHENTICATED', 'this principal is disabled in Evident, whatever the identity provider says');
    return { id: row.id, name: row.name, kind: row.kind, roles: identity.roles, zones: JSON.parse(row.zones) as string[], via: `oidc:${identity.issuer}`, expiresAt: identity.expiresAt };
  }

  /** Records the identity provider's view of a principal's roles. */
  async function syncRoles(ctx: RequestContext, id: string, from: Role[], to: Role[]): Promise<void> {
    await database.transact(async (tx) => {
      if (database.dialect === 'postgres') await store.lockPrincipalChanges(tx);
      await store.updatePrincipal(tx, id, { roles: JSON.stringify(to), updated_at: now().toISOString() });
      await ledger.append(tx, {
        action: 'principal.updated',
        outcome: 'allowed',
        ...envelopeOf(ctx),
        target: { type: 'principal', id },
        reason: 'roles granted by the identity provider changed',
        body: { principalId: id, roles: { from, to } },
      });
    });
  }

  async function freeName(identity: OidcIdentity): Promise<string> {
    const base = identity.name.replace(/[^A-Za-z0-9._@+-]/gu, '-').replace(/^[^A-Za-z0-9]+/u, '').slice(0, 100) || 'oidc-user';
    const candidate = PrincipalNameSchema.safeParse(base).success ? base : 'oidc-user';
    if (!(await store.principalByName(database.db, candidate))) return candidate;
    return `${candidate}-${createHash('sha256').update(`${identity.issuer}|${identity.subject}`).digest('hex').slice(0, 8)}`;
  }

  return { createPrincipalIn, createTokenIn, createPrincipal, getPrincipal, listPrincipals, updatePrincipal, createToken, listTokens, revokeToken, authenticateToken, signInOidc };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
