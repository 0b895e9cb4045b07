import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fuzzAdmission, fuzzApi, fuzzLedger } from '../helpers/fuzz.js';
import { DIALECTS } from '../helpers/db.js';

describe.each(DIALECTS)('long fuzzing on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(dialect);
  });
  afterAll(async () => app?.close());

  it('the API never answers 5xx to hostile input', { timeout: 600_000 }, async () => {
    await fuzzApi(app, 2000);
  });

  it('the admission webhook never answers 5xx to hostile reviews', { timeout: 600_000 }, async () => {
    await fuzzAdmission(app, 2000);
  });
});

describe('long ledger fuzzing', () => {
  it('no single tampering goes undetected', { timeout: 600_000 }, async () => {
    await fuzzLedger(1000, 3000);
  });
});
