// Where things live in the data dir. Everything secret is 0600 inside 0700 directories.
import { join } from 'node:path';

export function dataLayout(dataDir: string) {
  return {
    dataDir,
    keysDir: join(dataDir, 'keys'),
    keyring: join(dataDir, 'keys', 'keyring.json'),
    ledgerKey: join(dataDir, 'keys', 'ledger.key'),
    /** Signs the in-toto attestations Evident issues (scan results, approvals). */
    attestationKey: join(dataDir, 'keys', 'attestation.key'),
    bootstrapToken: join(dataDir, 'bootstrap-admin-token'),
    /** Registry content: blobs by digest, upload temp files. */
    registryDir: join(dataDir, 'registry'),
    webhookTls: {
      caCert: join(dataDir, 'keys', 'webhook-ca.pem'),
      caKey: join(dataDir, 'keys', 'webhook-ca.key'),
      cert: join(dataDir, 'keys', 'webhook.pem'),
      key: join(dataDir, 'keys', 'webhook.key'),
    },
  };
}
export type DataLayout = ReturnType<typeof dataLayout>;
