// Suite-wide leak check (vitest globalSetup): every test server hands its log lines to a folder
// (test/helpers/app.ts); when the whole suite is done, the redaction engine scans them and the
// run fails if Evident logged personal data, PHI, card data or a secret anywhere.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanLogFile } from '../src/cli/redact-commands.js';

let dir: string | undefined;

export function setup(): void {
  dir = mkdtempSync(join(tmpdir(), 'evident-test-logs-'));
  process.env.EVIDENT_TEST_LOG_DIR = dir;
}

export async function teardown(): Promise<void> {
  if (!dir) return;
  const files = readdirSync(dir).map((f) => join(dir!, f));
  const problems: string[] = [];
  for (const f of files) {
    for (const x of await scanLogFile(f)) problems.push(`${f}:${x.line}:${x.column} ${x.type} (${x.validator})`);
  }
  if (!process.env.EVIDENT_KEEP_TEST_LOGS) rmSync(dir, { recursive: true, force: true });
  if (problems.length) {
    // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
    process.exitCode = 1;
    throw new Error(`Evident's logs carried personal data or secrets in ${problems.length} place(s):\n${problems.slice(0, 50).join('\n')}`);
  }
}
