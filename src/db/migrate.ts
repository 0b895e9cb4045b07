import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DB, Dialect } from './tables.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_policy.js';
import * as m0003 from './migrations/0003_registry.js';
import * as m0004 from './migrations/0004_releases.js';
import * as m0005 from './migrations/0005_incidents.js';
import * as m0006 from './migrations/0006_payloads.js';
import * as m0007 from './migrations/0007_vault.js';
import { AppError } from '../errors.js';

// Migrations are TypeScript modules listed here in order; each receives the dialect so one file
// serves SQLite and PostgreSQL.
const MIGRATIONS: Record<string, { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }> = {
  '0001_foundation': m0001,
  '0002_policy': m0002,
  '0003_registry': m0003,
  '0004_releases': m0004,
  '0005_incidents': m0005,
  '0006_payloads': m0006,
  '0007_vault': m0007,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => m.up(db, this.dialect) };
    return out;
  }
}

export async function migrateToLatest(db: Kysely<DB>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), migrationTableName: 'evident_migrations', migrationLockTableName: 'evident_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('UNAVAILABLE', `database migration ${failed} failed: ${(error as Error).message}`, undefined, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
