// Short fuzz runs (the long ones: `npm run test:reliability`).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { fuzzAdmission, fuzzApi, fuzzLedger } from './helpers/fuzz.js';

describe('fuzzing', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
  });
  afterAll(async () => app?.close());

  it('the API answers hostile input with 4xx in the error shape, never 5xx', async () => {
    await fuzzApi(app, 60);
  });

  it('the admission webhook answers hostile reviews with 200 or 400, never 5xx', async () => {
    await fuzzAdmission(app, 60);
  });

  it('no single tampering of a ledger goes undetected', async () => {
    await fuzzLedger(40, 300);
  });
});
