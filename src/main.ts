// Composition root: the one place that turns configuration into a database, keys, stores,
// services, the HTTP server and the CLI's local operations. Nothing else constructs services.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { openDatabase, type Database } from './db/database.js';
import { dataLayout } from './setup/layout.js';
import { readMeta, writeMeta, type InstallationMeta } from './setup/meta.js';
import { ensureLocalKeys, loadAttestationSigner, loadLedgerSigner } from './setup/keys.js';
import { loadLocalKeyring } from './keys/keyring.js';
import { createSubjectKeyStore } from './keys/store.js';
import { createSubjectKeyService } from './keys/service.js';
import { createLedgerStore } from './ledger/store.js';
import { createLedgerService, type LedgerService } from './ledger/service.js';
import { parseVerifierKey } from './ledger/note.js';
import { startSequencer, type Sequencer } from './ledger/sequencer.js';
import { createIdentityStore } from './identity/store.js';
import { createIdentityService, type IdentityService } from './identity/service.js';
import { createDenialRecorder, type DenialRecorder } from './identity/denials.js';
import { createOidcVerifier } from './identity/oidc.js';
import { systemContext } from './identity/context.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createHttpServer } from './http/server.js';
import { createWebhookServer } from './http/webhook-server.js';
import { createPolicyStore } from './policy/store.js';
import { createPolicyService, readPolicyDir, EXAMPLES_DIR, type PolicyService } from './policy/service.js';
import { createAdmissionService, type AdmissionService } from './policy/admission/service.js';
import { ensureWebhookTls, loadWebhookTls, serviceDnsNames, type WebhookTls } from './policy/admission/tls.js';
import { writeFileDurable } from './util/durable-fs.js';
import { createBlobStore } from './registry/blob-store.js';
import { createRegistryStore } from './registry/store.js';
import { createRegistryService, type RegistryService } from './registry/service.js';
import { createOciService, type OciService } from './registry/oci-service.js';
import { createSignatureChecker } from './registry/signature-checker.js';
import { createSbomAuditor } from './registry/sbom-intake.js';
import type { SignatureChecker } from './registry/signatures.js';
import { scanFile } from './scan/scan.js';
import { createReleaseStore } from './releases/store.js';
import { createReleaseService, type ReleaseService } from './releases/service.js';
import { createIncidentStore } from './incidents/store.js';
import { createIncidentService, type IncidentService } from './incidents/service.js';
import { createPayloadStore } from './payloads/store.js';
import { createPayloadService, type PayloadService } from './payloads/service.js';
import { redact } from './redact/redact.js';
import { detect } from './redact/detect.js';
import { createVaultStore } from './vault/store.js';
import { createVaultService, type VaultService } from './vault/service.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const BOOTSTRAP_TOKEN_DAYS = 30;
const PAYLOAD_SWEEP_MS = 60_000;

/** pino with the fields that could ever hold a credential removed, whatever logs them. */
export function createLogger(level: Config['log']['level'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'evident' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization', '*.token', '*.adminToken', '*.password', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  meta: InstallationMeta;
  ledger: LedgerService;
  identity: IdentityService;
  denials: DenialRecorder;
  policy: PolicyService;
  admission: AdmissionService;
  registry: RegistryService;
  releases: ReleaseService;
  incidents: IncidentService;
  payloads: PayloadService;
  vault: VaultService;
  oci: OciService;
  signatures: SignatureChecker;
  /** PEM public key that verifies the attestations Evident issues. */
  attestationPublicKey: string;
  metrics: Metrics;
  /** Present when the runtime integrates the ledger in the background (serve). */
  sequencer: Sequencer | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Integrate pending ledger events in the background (the server does; one-shot tools do not). */
  sequencer?: boolean;
  /** Installation facts not yet in the database (only `initialize` passes them). */
  meta?: InstallationMeta;
  logger?: Logger;
  /** Read-only tools (verify, export) load no signing key and may not sign. */
  readOnly?: boolean;
  now?: () => Date;
}

/** Opens an initialized data dir: database, keys and services (no network listener). */
export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config.log.level);
  const layout = dataLayout(config.dataDir);
  const notInstalled = () =>
    new AppError('NOT_FOUND', `no Evident installation in ${config.dataDir}${config.database.url ? ' / the configured database' : ''}; run "evident init" first`);
  // Opening must not create anything: a verifier pointed at the wrong directory learns so.
  if (!opts.meta && !config.database.url && !existsSync(join(config.dataDir, 'evident.db'))) throw notInstalled();
  const database = await openDatabase({
    dataDir: config.dataDir,
    url: config.database.url,
    poolSize: config.database.poolSize,
    groupCommitMaxBatch: config.ledger.groupCommitMaxBatch,
    // Read-only tools leave the evidence exactly as they found it, schema included.
    migrate: !opts.readOnly,
  });
  try {
    const meta = opts.meta ?? (await readMeta(database.db).catch(() => null));
    if (!meta) throw notInstalled();
    const verifiers = meta.verifierKeys.map((k) => parseVerifierKey(k));
    let signer;
    if (!opts.readOnly) {
      signer = loadLedgerSigner(layout);
      if (!meta.verifierKeys.includes(signer.verifier.encoded)) {
        throw new AppError('CONFIG_INVALID', `the ledger signing key in ${layout.ledgerKey} is not one this ledger was started with; restore the original key`);
      }
    }
    const metrics = createMetrics();
    const keyring = loadLocalKeyring(layout.keyring);
    const subjectKeys = createSubjectKeyService({ keys: keyring, store: createSubjectKeyStore(), ...(opts.now ? { now: opts.now } : {}) });
    let sequencer: Sequencer | undefined;
    const ledger = createLedgerService({
      database,
      store: createLedgerStore(),
      keys: { origin: meta.origin, ...(signer ? { signer } : {}), verifiers },
      subjectKeys,
      metrics: metrics.ledger,
      integrateBatchSize: config.ledger.integrateBatchSize,
      ...(opts.now ? { now: opts.now } : {}),
    });
    const denials = createDenialRecorder({ ledger, onError: (e) => logger.error({ err: { message: (e as Error).message } }, 'could not record a denial in the ledger') });
    const identity = createIdentityService({
      database,
      store: createIdentityStore(),
      ledger,
      denials,
      tokenTtlDays: config.auth.tokenTtlDays,
      maxTokenTtlDays: config.auth.maxTokenTtlDays,
      oidcTokenTtlDays: config.auth.oidc?.maxTokenTtlDays ?? 30,
      ...(opts.now ? { now: opts.now } : {}),
    });
    // Policy decisions consult the registry, which needs the policy's zones: bound once both exist.
    let registryRef: RegistryService | undefined;
    const artifactLookup = (refs: readonly { repository: string; digest: string }[]) => registryRef!.statusOf(refs);
    const policy = createPolicyService({ database, store: createPolicyStore(), ledger, denials, changeControl: config.policy.changeControl, artifacts: () => (registryRef ? artifactLookup : undefined), ...(opts.now ? { now: opts.now } : {}) });
    const admission = createAdmissionService({ policy, ledger, artifacts: artifactLookup });
    const attestationKey = loadAttestationSigner(layout);
    const blobs = createBlobStore(layout.registryDir, { maxBlobBytes: config.registry.maxBlobBytes });
    const registryStore = createRegistryStore();
    const registry = createRegistryService({
      database,
      store: registryStore,
      blobs,
      ledger,
      denials,
      scan: (path) => scanFile(path),
      attestations: attestationKey.signer,
      zones: async () => (await policy.active()).compiled.zones,
      sbom: createSbomAuditor(config.registry.advisoriesDir),
      options: { approvalsRequired: config.registry.approvalsRequired, requireSignature: config.registry.requireSignature },
      ...(opts.now ? { now: opts.now } : {}),
    });
    registryRef = registry;
    let incidentsRef: IncidentService | undefined;
    const releases = createReleaseService({
      database,
      store: createReleaseStore(),
      ledger,
      denials,
      policy: () => policy.active(),
      artifacts: (refs, tx) => registry.statusOf(refs, tx),
      signer: attestationKey.signer,
      options: config.releases,
      // Deployments consult kill switches; incidents (which engage them) act through releases.
      killSwitch: (target, tx, at) => incidentsRef!.engagedOn('deployment', target, tx, at),
      activatePolicy: (tx, ctx, sources, note) => policy.applyIn(tx, ctx, sources, note),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const incidents = createIncidentService({ database, store: createIncidentStore(), ledger, denials, releases, ...(opts.now ? { now: opts.now } : {}) });
    incidentsRef = incidents;
    const vault = createVaultService({ database, store: createVaultStore(), ledger, denials, keys: keyring, policy: () => policy.active(), detect: (text) => detect(text), ...(opts.now ? { now: opts.now } : {}) });
    const payloads = createPayloadService({ database, store: createPayloadStore(), ledger, denials, keys: keyring, policy: () => policy.active(), redact: (text) => redact(text), ...(opts.now ? { now: opts.now } : {}) });
    const oci = createOciService({ database, store: registryStore, blobs, registry, scan: (path) => scanFile(path), ...(opts.now ? { now: opts.now } : {}) });
    const signatures = createSignatureChecker(config.registry);
    if (opts.sequencer) {
      const seq = startSequencer({ ledger, intervalMs: config.ledger.checkpointIntervalMs, logger });
      // Woken after commits, never before: on PostgreSQL an event is invisible until committed.
      database.onCommit(() => seq.poke());
      sequencer = seq;
    }
    metrics.gauge('evident_db_group_commit_batches', 'Transactions batches committed (SQLite group commit)', () => database.stats().batches);
    metrics.gauge('evident_db_group_commit_units', 'Units of work committed in those batches', () => database.stats().units);
    return {
      config,
      logger,
      database,
      meta,
      ledger,
      identity,
      denials,
      policy,
      admission,
      registry,
      releases,
      incidents,
      payloads,
      vault,
      oci,
      signatures,
      attestationPublicKey: attestationKey.publicKeyPem,
      metrics,
      sequencer,
      close: async () => {
        oci.close();
        await sequencer?.stop();
        await denials.close();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

export interface InitResult {
  created: boolean;
  dataDir: string;
  origin: string;
  ledgerPublicKey: string;
  adminToken?: string;
  adminPrincipalId?: string;
}

/**
 * Initializes a data dir: keys, schema, installation facts, and a bootstrap admin with a token,
 * all recorded in the ledger and covered by a first signed checkpoint. With `ifNeeded` an already
 * initialized installation is left alone (serve's implicit init).
 */
export async function initialize(config: Config, opts: { ifNeeded?: boolean; logger?: Logger } = {}): Promise<InitResult> {
  const layout = dataLayout(config.dataDir);
  const database = await openDatabase({ dataDir: config.dataDir, url: config.database.url, poolSize: config.database.poolSize });
  let existing: InstallationMeta | null;
  try {
    existing = await readMeta(database.db);
  } finally {
    await database.close();
  }
  if (existing) {
    if (!opts.ifNeeded) throw new AppError('CONFLICT', `${config.dataDir} is already initialized (ledger ${existing.origin}); use it with "evident serve"`);
    return { created: false, dataDir: config.dataDir, origin: existing.origin, ledgerPublicKey: existing.verifierKeys[0] ?? '' };
  }
  const instanceId = randomBytes(8).toString('hex');
  ensureLocalKeys(layout, config.ledger.origin ?? `evident/${instanceId}`);
  const signer = loadLedgerSigner(layout);
  const origin = config.ledger.origin ?? signer.name;
  const meta: InstallationMeta = { instanceId, origin, verifierKeys: [signer.verifier.encoded], initializedAt: new Date().toISOString() };
  const rt = await openRuntime(config, { meta, ...(opts.logger ? { logger: opts.logger } : {}) });
  try {
    const ctx = systemContext('init');
    // One transaction: either the installation exists with its record and its admin, or nothing does.
    const { principal, token } = await rt.database.transact(async (tx) => {
      await writeMeta(tx, meta);
      await rt.ledger.ensureState(tx);
      await rt.ledger.append(tx, {
        action: 'system.initialized',
        outcome: 'allowed',
        actor: { type: 'system', via: 'init' },
        body: { instanceId, origin, verifierKey: signer.verifier.encoded, version: VERSION },
      });
      const principal = await rt.identity.createPrincipalIn(tx, ctx, { name: 'admin', kind: 'human', roles: ['admin'] });
      const token = await rt.identity.createTokenIn(tx, ctx, principal.id, 'bootstrap', Math.min(BOOTSTRAP_TOKEN_DAYS, config.auth.maxTokenTtlDays), null);
      return { principal, token };
    });
    await rt.policy.ensureInitial(systemContext('init'), () => initialPolicySources(config));
    // The webhook CA exists from the start, so zones can be rendered before the first `serve`.
    if (config.webhook.enabled) await webhookTls(config);
    await rt.ledger.integrate();
    return { created: true, dataDir: config.dataDir, origin, ledgerPublicKey: signer.verifier.encoded, adminToken: token.token, adminPrincipalId: principal.id };
  } finally {
    await rt.close();
  }
}

/** The policy a fresh installation starts with: the configured directory, else the shipped examples. */
export function initialPolicySources(config: Config) {
  return readPolicyDir(config.policy.dir ?? EXAMPLES_DIR);
}

/** The webhook's TLS material: the operator's files, or Evident's own CA in the data dir. */
export async function webhookTls(config: Config): Promise<WebhookTls> {
  const w = config.webhook;
  const names = serviceDnsNames(w.service, w.namespace, w.extraDnsNames);
  if (w.certFile && w.keyFile && w.caFile) return loadWebhookTls({ cert: w.certFile, key: w.keyFile, ca: w.caFile }, names);
  return ensureWebhookTls(dataLayout(config.dataDir).webhookTls, names);
}

function readClientCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `cannot read webhook.clientCaFile ${file}: ${(e as Error).message}`);
  }
}

export interface Server {
  runtime: Runtime;
  http: FastifyInstance;
  url: string;
  /** The admission webhook's HTTPS listener, when enabled. */
  webhook: { http: FastifyInstance; url: string; tls: WebhookTls } | null;
  sequencer: Sequencer;
  close(): Promise<void>;
}

/** Starts the control plane: runtime, ledger sequencer, HTTP listener. */
export async function startServer(config: Config, opts: RuntimeOptions & { logStream?: DestinationStream } = {}): Promise<Server> {
  const logger = opts.logger ?? createLogger(config.log.level, opts.logStream);
  const runtime = await openRuntime(config, { ...opts, logger, sequencer: true });
  const sequencer = runtime.sequencer!;
  let http: FastifyInstance;
  let webhook: Server['webhook'] = null;
  let payloadSweeper: NodeJS.Timeout | undefined;
  try {
    await runtime.policy.ensureInitial(systemContext('serve'), () => initialPolicySources(config));
    // Upload sessions do not survive a restart; their temp files are never visible as blobs.
    await runtime.oci.sweep();
    // Expired payload logs, debug captures and vault tokens go (with their keys) at start and every minute.
    const sweepExpired = () => Promise.all([runtime.payloads.sweep(), runtime.vault.sweep()]);
    await sweepExpired();
    payloadSweeper = setInterval(() => void sweepExpired().catch((e: unknown) => logger.error({ err: { message: (e as Error).message } }, 'expiry sweep failed')), PAYLOAD_SWEEP_MS);
    payloadSweeper.unref();
    const tls = config.webhook.enabled ? await webhookTls(config) : null;
    // The CA the render route hands out is the one the webhook serves now, reloads included.
    let currentTls = tls;
    const oidc = config.auth.oidc ? createOidcVerifier(config.auth.oidc) : undefined;
    http = await createHttpServer({
      config,
      logger,
      metrics: runtime.metrics,
      version: VERSION,
      identity: runtime.identity,
      denials: runtime.denials,
      oidc,
      ledger: runtime.ledger,
      policy: runtime.policy,
      registry: runtime.registry,
      releases: runtime.releases,
      incidents: runtime.incidents,
      payloads: runtime.payloads,
      vault: runtime.vault,
      oci: runtime.oci,
      signatures: runtime.signatures,
      attestationPublicKey: runtime.attestationPublicKey,
      render: { namespace: config.webhook.namespace, service: config.webhook.service, timeoutSeconds: config.webhook.timeoutSeconds, caBundle: () => currentTls?.caBundle ?? null },
      readiness: async () => {
        const problems: string[] = [];
        try {
          await runtime.database.ping();
        } catch {
          problems.push('the database does not answer');
        }
        const storage = runtime.database.problem();
        if (storage) problems.push(storage);
        const h = sequencer.health();
        // The probe is public: the cause goes to the log, not to the response.
        if (!h.healthy) problems.push('ledger integration is failing (the server log has the cause)');
        return problems;
      },
    });
    await runtime.database.transact((tx) =>
      runtime.ledger.append(tx, {
        action: 'system.started',
        outcome: 'allowed',
        actor: { type: 'system', via: 'serve' },
        body: { version: VERSION, role: 'all', dialect: runtime.database.dialect },
      }),
    );
    await http.listen({ host: config.server.host, port: config.server.port });
    if (tls) {
      const wh = await createWebhookServer({
        logger,
        metrics: runtime.metrics,
        tls,
        bodyLimitBytes: config.webhook.bodyLimitBytes,
        identity: runtime.identity,
        denials: runtime.denials,
        admission: runtime.admission,
        clientCa: config.webhook.clientCaFile ? readClientCa(config.webhook.clientCaFile) : undefined,
        clientNames: config.webhook.clientNames,
        reload: {
          everyMs: config.webhook.tlsReloadSeconds * 1000,
          load: async () => {
            currentTls = await webhookTls(config);
            return { ...currentTls, ...(config.webhook.clientCaFile ? { clientCa: readClientCa(config.webhook.clientCaFile) } : {}) };
          },
        },
      });
      try {
        await wh.listen({ host: config.webhook.host, port: config.webhook.port });
      } catch (e) {
        await wh.close(); // stops its certificate reloads too
        throw e;
      }
      const a = wh.server.address();
      const wport = typeof a === 'object' && a ? a.port : config.webhook.port;
      webhook = { http: wh, url: `https://${config.webhook.host.includes(':') ? `[${config.webhook.host}]` : config.webhook.host}:${wport}`, tls };
    }
  } catch (e) {
    clearInterval(payloadSweeper);
    await http!?.close().catch(() => undefined);
    await runtime.close();
    throw e;
  }
  const addr = http.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return {
    runtime,
    http,
    url: `http://${host}:${port}`,
    webhook,
    sequencer,
    close: async () => {
      clearInterval(payloadSweeper);
      await webhook?.http.close();
      await http.close();
      await sequencer.stop();
      // Leave nothing pending: the last events get their checkpoint before the process exits.
      await runtime.ledger.integrate().catch((e: unknown) => logger.error({ err: { message: (e as Error).message } }, 'final ledger integration failed'));
      await runtime.close();
    },
  };
}

/** For serve's implicit init: the token goes to a 0600 file, never to the logs. */
export function writeBootstrapToken(config: Config, token: string): string {
  const path = dataLayout(config.dataDir).bootstrapToken;
  writeFileDurable(path, token + '\n', 0o600);
  return path;
}

/** A log sink for tests and tools that want the JSON lines in memory. */
export function memoryLogStream(): { stream: DestinationStream; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream: stream as unknown as DestinationStream, lines };
}
