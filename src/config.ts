// Configuration: one zod schema over defaults < YAML file < EVIDENT_* environment < CLI flags,
// parsed once at start, deep-frozen and passed down. Nothing reads process.env after this.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';
import { parseYamlInput } from './util/yaml-input.js';
import { ROLES } from './identity/roles.js';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const OidcSchema = z
  .object({
    issuer: z.string().url().max(2048),
    audience: z.string().min(1).max(512),
    /** Defaults to the jwks_uri of the issuer's /.well-known/openid-configuration. */
    jwksUri: z.string().url().max(2048).optional(),
    /** Claim that identifies the principal; with the issuer it keys the principal record. */
    subjectClaim: z.string().min(1).max(128).default('sub'),
    nameClaim: z.string().min(1).max(128).default('preferred_username'),
    rolesClaim: z.string().min(1).max(128).default('groups'),
    /** Maps a claim value (e.g. an IdP group) to Evident roles; unmapped values grant nothing. */
    roleMapping: z.record(z.string().max(256), z.array(z.enum(ROLES)).max(ROLES.length)).default({}),
    /** Claim whose value "service" marks a workload identity rather than a person. */
    kindClaim: z.string().min(1).max(128).optional(),
    algorithms: z.array(z.string().max(16)).max(10).default(['RS256', 'ES256', 'EdDSA', 'PS256']),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** After fetching the JWKS, how long an unknown key id waits before the next fetch. */
    jwksCooldownSeconds: z.number().int().min(0).max(3600).default(30),
    /** Longest life of an API token a person mints for themselves while signed in through the IdP. */
    maxTokenTtlDays: z.number().int().min(1).max(3650).default(30),
    /** Only for tests and labs: allow an http:// issuer on a loopback address. */
    allowInsecureLoopback: z.boolean().default(false),
  })
  .strict();

export const ConfigSchema = z
  .object({
    dataDir: z.string().min(1).max(4096).default('./.evident'),
    server: z
      .object({
        host: z.string().min(1).max(255).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
        requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
        /**
         * Behind a reverse proxy: the proxy's address or CIDR list ("10.0.0.0/8,127.0.0.1") or the
         * number of proxy hops, so X-Forwarded-For is believed only from the proxy. `true` trusts
         * any client's header and lets it forge the address written to the ledger.
         */
        /** The URL clients reach this server at (behind a proxy or TLS terminator): the registry's token realm. */
        publicUrl: z.string().url().max(2048).optional(),
        trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10), z.string().min(1).max(2000)]).default(false),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        /** postgres://… to run on PostgreSQL; unset runs on SQLite in the data dir. */
        url: z.string().max(4096).optional(),
        poolSize: z.number().int().min(1).max(200).default(10),
      })
      .strict()
      .prefault({}),
    ledger: z
      .object({
        /** C2SP checkpoint origin and key name; defaults to evident/<instance id>. */
        origin: z.string().min(1).max(255).regex(/^[^\s+]+$/u, 'must not contain spaces or "+"').optional(),
        /** How often pending events are integrated and a checkpoint signed (at most 1 s). */
        checkpointIntervalMs: z.number().int().min(10).max(1000).default(250),
        integrateBatchSize: z.number().int().min(1).max(100_000).default(20_000),
        groupCommitMaxBatch: z.number().int().min(1).max(10_000).default(1000),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        tokenTtlDays: z.number().int().min(1).max(3650).default(90),
        maxTokenTtlDays: z.number().int().min(1).max(3650).default(400),
        oidc: OidcSchema.optional(),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /** Directory of policy YAML files put in force on a fresh installation; default: the shipped examples. */
        dir: z.string().min(1).max(4096).optional(),
        /**
         * Policy changes go through change requests (kind policy) with approvals; the direct API
         * route is refused. `evident policy apply` on the data dir stays as recorded break-glass.
         */
        changeControl: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    registry: z
      .object({
        /** Largest blob (layer, model file) accepted, in bytes. */
        maxBlobBytes: z.number().int().positive().default(64 * 1024 ** 3),
        /** Distinct approvers (role approver, never the uploader) an artifact needs. */
        approvalsRequired: z.number().int().min(1).max(10).default(1),
        /** Approval needs a signature verified against the trust policy. */
        requireSignature: z.boolean().default(true),
        /** Public keys (PEM files) whose signatures are trusted, by id; zones may narrow them in policy. */
        trustedKeys: z.array(z.object({ id: z.string().min(1).max(128), file: z.string().min(1).max(4096) }).strict()).max(100).default([]),
        /** PEM CA bundles whose certificates (and identities) are trusted for certificate-signed bundles. */
        trustedCaFiles: z.array(z.string().min(1).max(4096)).max(20).default([]),
        /** Folder of OSV advisory records (JSON/YAML) SBOMs are audited against, offline. */
        advisoriesDir: z.string().min(1).max(4096).optional(),
      })
      .strict()
      .prefault({}),
    releases: z
      .object({
        /** Distinct approvers (role approver, never the author) every change needs; a zone's policy may ask for more. */
        approvalsRequired: z.number().int().min(1).max(10).default(1),
        /** Days to approve an emergency change after its deployment, where the zone does not say. */
        emergencyApprovalDays: z.number().int().min(1).max(90).default(3),
      })
      .strict()
      .prefault({}),
    webhook: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().min(1).max(255).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8443),
        /** Where Evident runs in the cluster: names the Service the API server calls. */
        namespace: z.string().min(1).max(63).default('evident-system'),
        service: z.string().min(1).max(63).default('evident-webhook'),
        timeoutSeconds: z.number().int().min(1).max(30).default(5),
        /** PEM files from your own CA (cert-manager, ...); unset: Evident makes a CA in the data dir. */
        certFile: z.string().max(4096).optional(),
        keyFile: z.string().max(4096).optional(),
        caFile: z.string().max(4096).optional(),
        extraDnsNames: z.array(z.string().max(253)).max(20).default([]),
        /** PEM CA whose client certificates may call the webhook (mutual TLS); unset: any caller. */
        clientCaFile: z.string().max(4096).optional(),
        /** Names (certificate CN or DNS SAN) that may call; empty: any certificate from clientCaFile. */
        clientNames: z.array(z.string().min(1).max(253)).max(20).default([]),
        /** How often the serving certificate is re-read (operator files) or renewed (own CA). */
        tlsReloadSeconds: z.number().int().min(1).max(86_400).default(3600),
        bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    log: z.object({ level: LogLevel.default('info') }).strict().prefault({}),
  })
  .strict();

export type Config = Readonly<z.output<typeof ConfigSchema>>;
export type OidcConfig = z.output<typeof OidcSchema>;

type EnvSpec = { path: string[]; parse: 'string' | 'int' | 'bool' | 'json' };
/** The environment variables Evident reads, documented in docs/configuration.md. */
export const ENV_VARS: Record<string, EnvSpec> = {
  EVIDENT_DATA_DIR: { path: ['dataDir'], parse: 'string' },
  EVIDENT_HOST: { path: ['server', 'host'], parse: 'string' },
  EVIDENT_PORT: { path: ['server', 'port'], parse: 'int' },
  EVIDENT_BODY_LIMIT_BYTES: { path: ['server', 'bodyLimitBytes'], parse: 'int' },
  EVIDENT_TRUST_PROXY: { path: ['server', 'trustProxy'], parse: 'string' },
  EVIDENT_DATABASE_URL: { path: ['database', 'url'], parse: 'string' },
  DATABASE_URL: { path: ['database', 'url'], parse: 'string' },
  EVIDENT_DATABASE_POOL_SIZE: { path: ['database', 'poolSize'], parse: 'int' },
  EVIDENT_LEDGER_ORIGIN: { path: ['ledger', 'origin'], parse: 'string' },
  EVIDENT_CHECKPOINT_INTERVAL_MS: { path: ['ledger', 'checkpointIntervalMs'], parse: 'int' },
  EVIDENT_TOKEN_TTL_DAYS: { path: ['auth', 'tokenTtlDays'], parse: 'int' },
  EVIDENT_OIDC_ISSUER: { path: ['auth', 'oidc', 'issuer'], parse: 'string' },
  EVIDENT_OIDC_AUDIENCE: { path: ['auth', 'oidc', 'audience'], parse: 'string' },
  EVIDENT_OIDC_JWKS_URI: { path: ['auth', 'oidc', 'jwksUri'], parse: 'string' },
  EVIDENT_OIDC_ROLE_MAPPING: { path: ['auth', 'oidc', 'roleMapping'], parse: 'json' },
  EVIDENT_LOG_LEVEL: { path: ['log', 'level'], parse: 'string' },
  EVIDENT_POLICY_DIR: { path: ['policy', 'dir'], parse: 'string' },
  EVIDENT_WEBHOOK_ENABLED: { path: ['webhook', 'enabled'], parse: 'bool' },
  EVIDENT_WEBHOOK_HOST: { path: ['webhook', 'host'], parse: 'string' },
  EVIDENT_WEBHOOK_PORT: { path: ['webhook', 'port'], parse: 'int' },
};
/** Read by the CLI's HTTP client and the config loader itself, not config fields. */
const CLIENT_ENV = new Set(['EVIDENT_URL', 'EVIDENT_TOKEN', 'EVIDENT_CONFIG']);

type Plain = Record<string, unknown>;

function setPath(target: Plain, path: string[], value: unknown): void {
  let t = target;
  for (const k of path.slice(0, -1)) {
    if (typeof t[k] !== 'object' || t[k] === null) t[k] = {};
    t = t[k] as Plain;
  }
  t[path[path.length - 1]!] = value;
}

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Plain, v as Plain) : v;
  }
  return out;
}

function fromEnv(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || raw === '') continue;
    const spec = Object.hasOwn(ENV_VARS, name) ? ENV_VARS[name] : undefined;
    if (!spec) {
      if (name.startsWith('EVIDENT_') && !CLIENT_ENV.has(name)) {
        throw new AppError('CONFIG_INVALID', `unknown environment variable ${name}; see docs/configuration.md for the supported ones`);
      }
      continue;
    }
    let value: unknown = raw;
    if (spec.parse === 'int') {
      if (!/^-?\d+$/u.test(raw)) throw new AppError('CONFIG_INVALID', `${name}=${JSON.stringify(raw)} is not a whole number`);
      value = Number(raw);
    } else if (spec.parse === 'bool') {
      if (!['true', 'false', '1', '0'].includes(raw)) throw new AppError('CONFIG_INVALID', `${name} must be true or false`);
      value = raw === 'true' || raw === '1';
    } else if (spec.parse === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new AppError('CONFIG_INVALID', `${name} is not valid JSON`);
      }
    }
    setPath(out, spec.path, value);
  }
  return out;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export interface LoadConfigOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** CLI flags: highest precedence. */
  overrides?: Plain;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.EVIDENT_CONFIG;
  let fromFile: Plain = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new AppError('CONFIG_INVALID', `cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    // Validate the file alone first so errors carry its line numbers; the defaults it fills in
    // are the same ones the final parse would, so merging its output is harmless.
    fromFile = parseYamlInput(text, ConfigSchema.partial(), file, 'CONFIG_INVALID') as Plain;
  }
  const merged = merge(merge(fromFile, fromEnv(env)), opts.overrides ?? {});
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`, { issues: lines });
  }
  const cfg = { ...result.data, dataDir: resolve(result.data.dataDir) };
  const files = [cfg.webhook.certFile, cfg.webhook.keyFile, cfg.webhook.caFile].filter(Boolean).length;
  if (files !== 0 && files !== 3) throw new AppError('CONFIG_INVALID', 'webhook.certFile, webhook.keyFile and webhook.caFile go together: give all three or none');
  if (cfg.webhook.clientNames.length && !cfg.webhook.clientCaFile) throw new AppError('CONFIG_INVALID', 'webhook.clientNames needs webhook.clientCaFile: names are only checked on certificates from that CA');
  if (cfg.auth.tokenTtlDays > cfg.auth.maxTokenTtlDays) {
    throw new AppError('CONFIG_INVALID', 'auth.tokenTtlDays must not exceed auth.maxTokenTtlDays');
  }
  return deepFreeze(cfg);
}
