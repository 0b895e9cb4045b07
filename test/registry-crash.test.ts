// SIGKILL the server in the middle of blob uploads: after a restart no partial blob is visible,
// the abandoned temp files are gone, and a blob acknowledged before the kill is whole.
import { afterAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServe } from './helpers/crash.js';
import { tempDir } from './helpers/db.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry uploads across a crash', () => {
  const dataDir = tempDir();
  const env = { EVIDENT_DATA_DIR: dataDir, EVIDENT_LOG_LEVEL: 'warn', EVIDENT_WEBHOOK_ENABLED: 'false' };
  let kill: (() => void) | undefined;
  afterAll(() => kill?.());

  it('shows no partial blob after a kill mid-upload, and keeps the one acknowledged before', async () => {
    const first = await spawnServe(env);
    kill = () => first.child.kill('SIGKILL');
    const token = readFileSync(join(dataDir, 'bootstrap-admin-token'), 'utf8').trim();
    const auth = { authorization: `Bearer ${token}` };
    const done = randomBytes(3 << 20);
    const put = await fetch(`${first.url}/v2/crash/test/blobs/uploads/?digest=${sha(done)}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: done });
    expect(put.status).toBe(201);

    // A chunked upload with one chunk in, then a second chunk still streaming when the server dies.
    const partial = randomBytes(8 << 20);
    const loc = (await fetch(`${first.url}/v2/crash/test/blobs/uploads/`, { method: 'POST', headers: auth })).headers.get('location')!;
    expect((await fetch(first.url + loc, { method: 'PATCH', headers: auth, body: partial.subarray(0, 4 << 20) })).status).toBe(202);
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= 2 << 20) {
          first.child.kill('SIGKILL');
          await new Promise((r) => setTimeout(r, 200));
          controller.error(new Error('server gone'));
          return;
        }
        controller.enqueue(partial.subarray((4 << 20) + sent, (4 << 20) + sent + (256 << 10)));
        sent += 256 << 10;
      },
    });
    await fetch(first.url + loc, { method: 'PATCH', headers: auth, body: slow, duplex: 'half' } as RequestInit).catch(() => undefined);
    await new Promise<void>((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r() : first.child.once('exit', () => r())));
    expect(readdirSync(join(dataDir, 'registry', 'uploads')).length).toBeGreaterThan(0); // the temp file is there…

    const second = await spawnServe(env);
    kill = () => second.child.kill('SIGKILL');
    // …and gone after the restart; the partial content is nowhere under a digest.
    expect(readdirSync(join(dataDir, 'registry', 'uploads'))).toEqual([]);
    expect((await fetch(`${second.url}/v2/crash/test/blobs/${sha(partial)}`, { method: 'HEAD', headers: auth })).status).toBe(404);
    expect((await fetch(second.url + loc, { method: 'GET', headers: auth })).status).toBe(404); // the session is forgotten
    const kept = await fetch(`${second.url}/v2/crash/test/blobs/${sha(done)}`, { method: 'HEAD', headers: auth });
    expect(kept.status).toBe(200);
    const stored = readFileSync(join(dataDir, 'registry', 'blobs', 'sha256', sha(done).slice(7, 9), sha(done).slice(7)));
    expect(stored.equals(done)).toBe(true);
    const blobs = readdirSync(join(dataDir, 'registry', 'blobs', 'sha256')).flatMap((d) => readdirSync(join(dataDir, 'registry', 'blobs', 'sha256', d)));
    for (const b of blobs) {
      const content = readFileSync(join(dataDir, 'registry', 'blobs', 'sha256', b.slice(0, 2), b));
      expect(sha(content)).toBe(`sha256:${b}`); // every visible blob is whole
    }
    second.child.kill('SIGTERM');
  });
});
