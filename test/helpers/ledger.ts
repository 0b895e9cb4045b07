// Builds a ledger over a fresh test database with throwaway keys.
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createLedgerStore } from '../../src/ledger/store.js';
import { createLedgerService, type LedgerService } from '../../src/ledger/service.js';
import { signerFromSeed } from '../../src/ledger/note.js';
import { localKeyProvider } from '../../src/keys/keyring.js';
import { createSubjectKeyStore } from '../../src/keys/store.js';
import { createSubjectKeyService, type SubjectKeyService } from '../../src/keys/service.js';
import { createTestStorage, type TestStorage } from './db.js';
import type { Dialect } from '../../src/db/tables.js';
import type { LedgerEvent } from '../../src/ledger/event-catalog.js';

export interface TestLedger {
  storage: TestStorage;
  database: Database;
  ledger: LedgerService;
  subjectKeys: SubjectKeyService;
  origin: string;
  close(): Promise<void>;
}

export async function createTestLedger(dialect: Dialect, opts: { integrateBatchSize?: number } = {}): Promise<TestLedger> {
  const storage = await createTestStorage(dialect);
  const database = await openDatabase({ dataDir: storage.dataDir, url: storage.url });
  const origin = `evident.test/${randomBytes(4).toString('hex')}`;
  const signer = signerFromSeed(origin, randomBytes(32));
  const subjectKeys = createSubjectKeyService({ keys: localKeyProvider(randomBytes(32), randomBytes(32)), store: createSubjectKeyStore() });
  const ledger = createLedgerService({
    database,
    store: createLedgerStore(),
    keys: { origin, signer, verifiers: [signer.verifier] },
    subjectKeys,
    ...(opts.integrateBatchSize ? { integrateBatchSize: opts.integrateBatchSize } : {}),
  });
  await ledger.ensureState();
  return {
    storage,
    database,
    ledger,
    subjectKeys,
    origin,
    close: async () => {
      await database.close();
      await storage.cleanup();
    },
  };
}

export function annotation(n: number, extra: Partial<LedgerEvent> = {}): LedgerEvent {
  return {
    action: 'ledger.annotated',
    outcome: 'allowed',
    actor: { type: 'system' },
    body: { note: `note ${n}` },
    ...extra,
  } as LedgerEvent;
}
