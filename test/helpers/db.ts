// Test databases: every store and service test runs on SQLite and, when TEST_DATABASE_URL is set
// (as in CI), again on PostgreSQL, each in its own freshly created database that is dropped after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Dialect } from '../../src/db/tables.js';

export const DIALECTS: Dialect[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStorage {
  dialect: Dialect;
  dataDir: string;
  /** Set on PostgreSQL: the URL of the fresh database. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'evident-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function createTestStorage(dialect: Dialect): Promise<TestStorage> {
  const dataDir = tempDir();
  if (dialect === 'sqlite') {
    return { dialect, dataDir, url: undefined, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `evident_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    dataDir,
    url: url.toString(),
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
