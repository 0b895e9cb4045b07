// A real server on 127.0.0.1 over a fresh data dir (and database), with its logs kept in memory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';
import { initialize, memoryLogStream, startServer, createLogger, type Server } from '../../src/main.js';
import type { Dialect } from '../../src/db/tables.js';
import type { Role } from '../../src/identity/roles.js';
import { systemContext } from '../../src/identity/context.js';
import { createTestStorage, type TestStorage } from './db.js';

export interface Response<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestApp {
  storage: TestStorage;
  config: Config;
  server: Server;
  url: string;
  adminToken: string;
  adminId: string;
  logs: string[];
  clock: { offsetMs: number };
  request<T = any>(method: string, path: string, opts?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response<T>>;
  /** Creates a principal with the given roles and returns it with a fresh token (minted by the admin). */
  principal(name: string, roles: Role[], kind?: 'human' | 'service'): Promise<{ id: string; token: string }>;
  /**
   * A principal holding a token only it has held (as `evident token issue` on the data dir gives
   * out): separation-of-duties checks see it as its own pair of hands, not the admin's.
   */
  person(name: string, roles: Role[], opts?: { zones?: string[]; kind?: 'human' | 'service' }): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

/** Hands the server's log lines to the suite-wide leak scan (test/log-leak-scan.ts). */
function keepLogsForLeakScan(lines: readonly string[]): void {
  const dir = process.env.EVIDENT_TEST_LOG_DIR;
  if (dir && lines.length) writeFileSync(join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.jsonl`), lines.join('\n') + '\n');
}

export async function createTestApp(dialect: Dialect, overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const storage = await createTestStorage(dialect);
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: storage.dataDir,
      server: { port: 0 },
      log: { level: 'info' },
      ledger: { checkpointIntervalMs: 50 },
      ...(storage.url ? { database: { url: storage.url } } : {}),
      ...overrides,
    },
  });
  const { stream, lines } = memoryLogStream();
  const logger = createLogger('info', stream);
  const init = await initialize(config, { logger });
  const clock = { offsetMs: 0 };
  const now = () => new Date(Date.now() + clock.offsetMs);
  const server = await startServer(config, { logger, now });
  const request: TestApp['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? init.adminToken! : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(server.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as never, text, headers: res.headers };
  };
  return {
    storage,
    config,
    server,
    url: server.url,
    adminToken: init.adminToken!,
    adminId: init.adminPrincipalId!,
    logs: lines,
    clock,
    request,
    async principal(name, roles, kind) {
      const k = kind ?? (roles.includes('workload') ? 'service' : 'human');
      const p = await request('POST', '/api/v1/principals', { body: { name, kind: k, roles } });
      if (p.status !== 201) throw new Error(`creating ${name}: ${p.text}`);
      const t = await request('POST', '/api/v1/tokens', { body: { principalId: p.body.id, name: 'test' } });
      if (t.status !== 201) throw new Error(`token for ${name}: ${t.text}`);
      return { id: p.body.id, token: t.body.token };
    },
    async person(name, roles, opts = {}) {
      const k = opts.kind ?? (roles.includes('workload') ? 'service' : 'human');
      const p = await request('POST', '/api/v1/principals', { body: { name, kind: k, roles, ...(opts.zones ? { zones: opts.zones } : {}) } });
      if (p.status !== 201) throw new Error(`creating ${name}: ${p.text}`);
      const rt = server.runtime;
      const t = await rt.database.transact((tx) => rt.identity.createTokenIn(tx, systemContext('cli'), p.body.id, 'own', 7, null));
      return { id: p.body.id, token: t.token };
    },
    async close() {
      await server.close();
      keepLogsForLeakScan(lines);
      await storage.cleanup();
    },
  };
}

/** Ledger events of one action, read straight from the ledger table (pending ones included). */
export async function ledgerEvents(app: TestApp, action: string): Promise<any[]> {
  const rows = await app.server.runtime.database.db.selectFrom('ledger_entries').select('leaf').where('action', '=', action).orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.leaf.toString('utf8')));
}
