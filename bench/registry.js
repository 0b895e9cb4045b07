// @ts-check
// Registry throughput: push and pull of one 200 MiB layer with skopeo, against Evident (hashing and
// scanning at intake, the pull gate, ledger events) and against Debian's docker-registry (CNCF
// distribution 2.8) started here on 127.0.0.1, in the same run. Runs alternate between the two so
// background noise hits both, and who goes first alternates. Needs skopeo and docker-registry (Debian packages); skipped without.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../dist/config.js';
import { initialize, openRuntime } from '../dist/main.js';
import { systemContext } from '../dist/identity/context.js';

const LAYER_MIB = Number(process.env.BENCH_LAYER_MIB ?? 200);
const RUNS = Number(process.env.BENCH_REGISTRY_RUNS ?? 6);

const has = (cmd) => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function layout(dir, layer) {
  const put = (b) => {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', sha(b).slice(7)), b);
    return { digest: sha(b), size: b.length };
  };
  const config = Buffer.from(JSON.stringify({ descriptor: { name: 'bench' }, config: { format: 'raw' }, modelfs: { type: 'layers', diffIds: [sha(layer)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.model.manifest.v1+json',
      config: { mediaType: 'application/vnd.cncf.model.config.v1+json', ...put(config) },
      layers: [{ mediaType: 'application/vnd.cncf.model.weight.v1.raw', ...put(layer) }],
      annotations: { 'dev.evident.environments': 'standard-ai', 'org.opencontainers.image.licenses': 'Apache-2.0' },
    }),
  );
  const m = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }));
  return m.digest;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t) / 1e9) : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`))));
  });
}

/** `evident serve` in its own process; resolves with its URL once it listens. */
function spawnServe(dataDir, configFile) {
  const bin = new URL('../bin/evident.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/u.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`evident serve exited with ${code}: ${out}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchRegistry(results) {
  if (!has('skopeo') || !has('docker-registry')) {
    console.log('registry: skipped (needs Debian packages skopeo and docker-registry)');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'evident-bench-registry-'));

  // Evident on embedded defaults, in a process of its own like the reference registry. People
  // and their own tokens are made on the data dir first (as an identity provider would).
  const dataDir = join(work, 'evident');
  writeFileSync(join(work, 'evident.yaml'), 'registry:\n  requireSignature: false\nwebhook:\n  enabled: false\nlog:\n  level: warn\n');
  const config = loadConfig({ env: {}, file: join(work, 'evident.yaml'), overrides: { dataDir } });
  const logger = pino({ level: 'silent' });
  await initialize(config, { logger });
  const rt = await openRuntime(config, { logger });
  const person = async (name, roles, zones) => {
    const p = await rt.identity.createPrincipal(systemContext('bench'), { name, kind: roles.includes('workload') ? 'service' : 'human', roles, ...(zones ? { zones } : {}) });
    return (await rt.database.transact((tx) => rt.identity.createTokenIn(tx, systemContext('bench'), p.id, 'bench', 1, null))).token;
  };
  const dev = await person('bench-dev', ['developer']);
  const approverToken = await person('bench-approver', ['approver']);
  const opsToken = await person('bench-ops', ['operator']);
  const workload = await person('bench-svc', ['workload'], ['standard-ai']);
  await rt.ledger.integrate();
  await rt.close();
  const server = await spawnServe(dataDir, join(work, 'evident.yaml'));
  const evident = server.url.replace('http://', '');

  // The reference registry.
  const port = await freePort();
  const regDir = join(work, 'distribution');
  mkdirSync(regDir, { recursive: true });
  writeFileSync(join(regDir, 'config.yml'), `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${join(regDir, 'data')} }, delete: { enabled: true } }\nhttp: { addr: 127.0.0.1:${port} }\n`);
  const reg = spawn('docker-registry', ['serve', join(regDir, 'config.yml')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  const api = (method, path, token, body) =>
    fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.json());
  const times = { evidentPush: [], registryPush: [], evidentPull: [], registryPull: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      // A new layer each run: skopeo's blob-info cache would otherwise mount instead of uploading.
      const src = join(work, `src-${i}`);
      const digest = layout(src, randomBytes(LAYER_MIB * 1024 * 1024));
      const repo = `bench/model-${i}`;
      // Who goes first alternates: the second copy meets the first one's disk writeback.
      const pushRegistry = async () => times.registryPush.push(await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${src}:v1`, `docker://127.0.0.1:${port}/${repo}:v1`]));
      const pushEvident = async () => times.evidentPush.push(await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `evident:${dev}`, `oci:${src}:v1`, `docker://${evident}/${repo}:v1`]));
      if (i % 2) {
        await pushEvident();
        await pushRegistry();
      } else {
        await pushRegistry();
        await pushEvident();
      }
      const a = (await api('GET', `/api/v1/artifacts?name=${repo}`, approverToken)).artifacts.find((x) => x.digest === digest);
      await api('POST', `/api/v1/artifacts/${a.id}/approvals`, approverToken, {});
      await api('POST', `/api/v1/artifacts/${a.id}/promotions`, opsToken, { zone: 'standard-ai' });
      const out = join(work, `out-${i}`);
      const pullRegistry = async () => times.registryPull.push(await run('skopeo', ['copy', '--src-tls-verify=false', `docker://127.0.0.1:${port}/${repo}:v1`, `oci:${out}-r:v1`]));
      const pullEvident = async () => times.evidentPull.push(await run('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', `evident:${workload}`, `docker://${evident}/${repo}:v1`, `oci:${out}-e:v1`]));
      if (i % 2) {
        await pullEvident();
        await pullRegistry();
      } else {
        await pullRegistry();
        await pullEvident();
      }
      rmSync(src, { recursive: true, force: true });
      rmSync(`${out}-r`, { recursive: true, force: true });
      rmSync(`${out}-e`, { recursive: true, force: true });
    }
  } finally {
    reg.kill('SIGTERM');
    server.child.kill('SIGTERM');
  }
  rmSync(work, { recursive: true, force: true });
  for (const dir of ['Push', 'Pull']) {
    const ours = LAYER_MIB / median(times[`evident${dir}`]);
    const theirs = LAYER_MIB / median(times[`registry${dir}`]);
    results.push({
      name: `registry: skopeo ${dir.toLowerCase()} of a ${LAYER_MIB} MiB model layer (median of ${RUNS})`,
      value: ours,
      unit: 'MiB/s',
      baseline: theirs,
      baselineName: 'Debian docker-registry 2.8, same machine, same run',
      ratio: ours / theirs,
      target: '>= 1.0x',
      pass: ours / theirs >= 1.0,
      detail: `Evident ${times[`evident${dir}`].map((t) => t.toFixed(2)).join('/')} s, distribution ${times[`registry${dir}`].map((t) => t.toFixed(2)).join('/')} s${dir === 'Push' ? ' (Evident hashes, scans and records intake)' : ' (Evident decides and records the pull)'}`,
    });
  }
}
