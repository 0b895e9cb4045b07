// Where things live in the data dir. Everything secret is 0600 inside 0700 directories.
import { join } from 'node:path';

export function dataLayout(dataDir: string) {
  return {
    dataDir,
    keysDir: join(dataDir, 'keys'),
    keyring: join(dataDir, 'keys', 'keyring.json'),
    ledgerKey: join(dataDir, 'keys', 'ledger.key'),
    bootstrapToken: join(dataDir, 'bootstrap-admin-token'),
    webhookTls: {
      caCert: join(dataDir, 'keys', 'webhook-ca.pem'),
      caKey: join(dataDir, 'keys', 'webhook-ca.key'),
      cert: join(dataDir, 'keys', 'webhook.pem'),
      key: join(dataDir, 'keys', 'webhook.key'),
    },
  };
}
export type DataLayout = ReturnType<typeof dataLayout>;
