// The CLI's client for a running Evident server: commands that act as a person (upload, approve,
// promote) go through the API with that person's token, so separation of duties and the ledger
// see who acted. Server errors come back as AppErrors with the server's code and message.
import type { Command } from 'commander';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';

export interface ApiOptions {
  server?: string;
  token?: string;
}

export function apiClient(o: ApiOptions, env: NodeJS.ProcessEnv) {
  const base = (o.server ?? env.EVIDENT_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/u, '');
  const token = o.token ?? env.EVIDENT_TOKEN;
  if (!token) throw new AppError('UNAUTHENTICATED', 'this command acts as you on the server: pass --token or set EVIDENT_TOKEN (and --server or EVIDENT_URL)');

  async function call<T>(method: string, path: string, init: { json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: init.body, duplex: 'half' } : {}),
      } as RequestInit);
    } catch (e) {
      throw new AppError('UNAVAILABLE', `cannot reach the Evident server at ${base}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const err = (body as { error?: { code?: string; message?: string; details?: unknown } })?.error;
      const code = (err?.code && err.code in ERROR_CODES ? err.code : res.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST') as ErrorCode;
      throw new AppError(code, err?.message ?? `the server answered ${res.status}`, (err?.details ?? undefined) as Record<string, unknown> | undefined);
    }
    return body as T;
  }
  return { base, call };
}

/** What commands that talk to a server write to and read from. */
export interface ServerCommandIo {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
}

/** The options every command acting as you on a server takes. */
export function withApiOptions(c: Command): Command {
  return c
    .option('--server <url>', 'Evident server (default EVIDENT_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'your API token (default EVIDENT_TOKEN)')
    .option('--json', 'print machine-readable JSON');
}

/** Commander collector for repeatable options. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
