// @ts-check
// Policy benchmarks, each beside a baseline measured in the same run:
//  - in-process decision for a realistic Pod in a regulated zone vs one CEL rule (cel-js) doing a
//    fraction of the same checks;
//  - admission webhook round trips over HTTPS at a fixed rate vs an HTTPS echo endpoint.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Environment } from '@marcbachmann/cel-js';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { pino } from 'pino';
import { loadConfig } from '../dist/config.js';
import { initialize, startServer, initialPolicySources } from '../dist/main.js';
import { compilePolicy } from '../dist/policy/model.js';
import { decide } from '../dist/policy/decide.js';

const DIGEST = 'sha256:' + 'a'.repeat(64);
const silent = pino({ level: 'silent' });

/** A Pod as a controller would submit it in a regulated zone: three containers, volumes, labels. */
function realisticPod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'triage-7c9f', namespace: 'clinical-ml', labels: { app: 'triage', 'evident.io/data-class': 'ephi', 'pod-template-hash': '7c9f' } },
    spec: {
      serviceAccountName: 'triage-model',
      automountServiceAccountToken: false,
      nodeSelector: { 'evident.io/node-pool': 'gpu-hipaa' },
      tolerations: [{ key: 'evident.io/gpu-hipaa', operator: 'Exists', effect: 'NoSchedule' }],
      initContainers: [{ name: 'fetch-weights', image: `registry.evident.internal/tools/fetch:2.1@${DIGEST}` }],
      containers: [
        { name: 'server', image: `registry.evident.internal/models/triage:1.4@${DIGEST}`, resources: { limits: { 'nvidia.com/gpu': 1, memory: '16Gi' } }, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } },
        { name: 'sidecar', image: `registry.evident.internal/tools/otel:0.98@${DIGEST}`, securityContext: { runAsNonRoot: true } },
      ],
      volumes: [
        { name: 'cache', ephemeral: { volumeClaimTemplate: { spec: { storageClassName: 'encrypted-gp3', resources: { requests: { storage: '50Gi' } } } } } },
        { name: 'config', configMap: { name: 'triage-config' } },
      ],
    },
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchDecision(results) {
  const policy = compilePolicy(initialPolicySources(loadConfig({ env: {} })));
  const pod = realisticPod();
  const N = 50_000;
  const once = decide(policy, { zone: 'hipaa-ai', object: pod });
  if (!once.allowed) throw new Error(`the realistic pod should be allowed: ${JSON.stringify(once.violations)}`);
  const time = (fn) => {
    for (let i = 0; i < 5000; i++) fn();
    const samples = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const t = process.hrtime.bigint();
      fn();
      samples[i] = Number(process.hrtime.bigint() - t) / 1000;
    }
    return Array.from(samples).sort((a, b) => a - b);
  };
  const ours = time(() => decide(policy, { zone: 'hipaa-ai', object: pod }));
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('object', 'map')
    .registerVariable('allowed', 'list<string>');
  const rule = env.parse(
    "object.spec.containers.all(c, c.image.contains('@sha256:') && c.image.startsWith('registry.evident.internal/') && !c.?securityContext.?privileged.orValue(false)) && object.metadata.labels['evident.io/data-class'] in allowed",
  );
  const celAct = { object: pod, allowed: ['ephi'] };
  if (rule(celAct) !== true) throw new Error('the CEL baseline should pass');
  const cel = time(() => rule(celAct));
  const median = percentile(ours, 50);
  results.push({
    name: 'policy decision, realistic Pod in a regulated zone (all built-in rules, in process)',
    value: median,
    unit: 'µs median',
    baseline: percentile(cel, 50),
    baselineName: 'one CEL rule (cel-js) checking images, privilege and one class',
    ratio: median / percentile(cel, 50),
    target: '<= 20 µs median',
    pass: median <= 20,
    detail: `p99 ${percentile(ours, 99).toFixed(1)} µs (CEL rule p99 ${percentile(cel, 99).toFixed(1)} µs)`,
    lowerIsBetter: true,
  });
}

/** Open-loop load: one request every 1000/rate ms for `seconds`, latency per request. */
async function fixedRate(send, rate, seconds) {
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const latencies = [];
  let errors = 0;
  const start = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      (async () => {
        const t = performance.now();
        try {
          await send();
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  return { sorted: latencies.sort((a, b) => a - b), errors };
}

export async function benchWebhook(results) {
  const dir = mkdtempSync(join(tmpdir(), 'evident-bench-'));
  const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 200);
  const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
  try {
    const config = loadConfig({ env: {}, overrides: { dataDir: join(dir, 'data'), server: { port: 0 }, webhook: { port: 0 }, log: { level: 'silent' } } });
    await initialize(config, { logger: silent });
    const server = await startServer(config, { logger: silent });
    const wh = server.webhook;
    const agent = new Agent({ connect: { ca: wh.tls.ca, servername: 'localhost' }, keepAliveTimeout: 30_000, connections: 16 });
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: '00000000-0000-0000-0000-000000000000', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'clinical-ml', name: 'triage-7c9f', userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' }, object: realisticPod() },
    });
    const url = wh.url.replace('127.0.0.1', 'localhost');
    const sendReview = async () => {
      const res = await request(`${url}/admission/validate/hipaa-ai`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: review });
      const body = await res.body.json();
      if (res.statusCode !== 200 || !body.response.allowed) throw new Error('unexpected answer');
    };
    // Baseline: an HTTPS endpoint on the same certificate that only echoes the body back.
    const echo = Fastify({ https: { key: wh.tls.key, cert: wh.tls.cert }, bodyLimit: 8 << 20 });
    echo.post('/echo', async (req) => req.body);
    await echo.listen({ host: '127.0.0.1', port: 0 });
    const echoPort = echo.server.address().port;
    const sendEcho = async () => {
      const res = await request(`https://localhost:${echoPort}/echo`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: review });
      await res.body.json();
    };
    for (let i = 0; i < 200; i++) {
      await sendReview();
      await sendEcho();
    }
    const base = await fixedRate(sendEcho, RATE, SECONDS);
    const ours = await fixedRate(sendReview, RATE, SECONDS);
    await echo.close();
    await agent.close();
    await server.close();
    const p99 = percentile(ours.sorted, 99);
    results.push({
      name: `admission webhook over HTTPS at ${RATE} requests/s for ${SECONDS} s (decision recorded in the ledger, durably)`,
      value: p99,
      unit: 'ms p99',
      baseline: percentile(base.sorted, 99),
      baselineName: 'HTTPS echo of the same AdmissionReview',
      ratio: p99 / percentile(base.sorted, 99),
      target: '<= 5 ms p99',
      pass: p99 <= 5 && ours.errors === 0,
      detail: `p50 ${percentile(ours.sorted, 50).toFixed(2)} ms (echo ${percentile(base.sorted, 50).toFixed(2)} ms), errors ${ours.errors}`,
      lowerIsBetter: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
