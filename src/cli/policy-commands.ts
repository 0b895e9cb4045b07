// `evident policy ...`: validate files, check a placement, apply a version, render a zone.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Command } from 'commander';
import { AppError, EXIT } from '../errors.js';
import type { Config } from '../config.js';
import { compilePolicy, type CompiledPolicy, type PolicySource } from '../policy/model.js';
import { decide, type Decision, type Violation } from '../policy/decide.js';
import { renderZone } from '../policy/render.js';
import { EXAMPLES_DIR, readPolicyDir } from '../policy/service.js';
import type { K8sObject } from '../policy/workload.js';
import { openRuntime } from '../main.js';
import { readWebhookCaBundle } from '../policy/admission/tls.js';
import { dataLayout } from '../setup/layout.js';
import { systemContext } from '../identity/context.js';
import type { CliIo } from './program.js';
import { pino } from 'pino';

interface Deps {
  io: CliIo;
  setExit(code: number): void;
  config(o: { dataDir?: string; config?: string }): Config;
}

function readSources(files: string[]): PolicySource[] {
  return files.map((f) => {
    try {
      return { name: f, text: readFileSync(f, 'utf8') };
    } catch {
      throw new AppError('BAD_REQUEST', `cannot read policy file ${f}`);
    }
  });
}

/** Kubernetes objects from a YAML or JSON file, several documents allowed. */
function readManifests(file: string): K8sObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('BAD_REQUEST', `cannot read manifest ${file}`);
  }
  const docs = parseAllDocuments(text, { maxAliasCount: 100 } as never);
  const out: K8sObject[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) throw new AppError('BAD_REQUEST', `${file}: not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    const items = (v as { kind?: string; items?: unknown[] }).kind === 'List' ? ((v as { items?: unknown[] }).items ?? []) : [v];
    for (const item of items) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw new AppError('BAD_REQUEST', `${file}: every document must be a Kubernetes object`);
      out.push(item as K8sObject);
    }
  }
  if (out.length === 0) throw new AppError('BAD_REQUEST', `${file} holds no Kubernetes object`);
  return out;
}

/** The policy in force in the data dir, or the shipped examples when there is none. */
async function policyInForce(deps: Deps, o: { dataDir?: string; config?: string }): Promise<{ policy: CompiledPolicy; label: string }> {
  const config = deps.config(o);
  if (config.database.url || existsSync(join(config.dataDir, 'evident.db'))) {
    const rt = await openRuntime(config, { readOnly: true, logger: pino({ level: 'silent' }) });
    try {
      const p = await rt.policy.active();
      return { policy: p.compiled, label: `policy v${p.version} of ${config.dataDir}` };
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'UNAVAILABLE')) throw e;
    } finally {
      await rt.close();
    }
  }
  const dir = config.policy.dir ?? EXAMPLES_DIR;
  return { policy: compilePolicy(readPolicyDir(dir)), label: config.policy.dir ? `the policy files in ${dir}` : 'the shipped example policy' };
}

function violationLines(title: string, vs: Violation[]): string {
  return vs.map((v) => `${title} [${v.rule}] (${v.source}) ${v.field}: ${v.message}\n    fix: ${v.fix}\n`).join('');
}

export function registerPolicyCommands(program: Command, deps: Deps): void {
  const { io } = deps;
  const policy = program.command('policy').description('policy as code: validate, check placements, apply versions, render Kubernetes objects');

  policy
    .command('validate')
    .description('check policy files; problems are reported as file:line:column')
    .argument('<files...>', 'policy YAML files (all of one policy)')
    .option('--json', 'print machine-readable JSON')
    .action(async (files: string[], o: { json?: boolean }) => {
      try {
        const p = compilePolicy(readSources(files));
        if (o.json) io.out(JSON.stringify({ valid: true, digest: p.digest, zones: [...p.zones.keys()], classes: [...p.classes.keys()] }, null, 2) + '\n');
        else io.out(`valid: ${p.zones.size} zones (${[...p.zones.keys()].join(', ')}), ${p.classes.size} data classes, ${p.customRules.length} custom rules\ndigest ${p.digest}\n`);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') throw e;
        const problems = ((e.details as { problems?: unknown[] })?.problems ?? []) as { file: string; line: number; column: number; path: string; message: string }[];
        if (o.json) io.out(JSON.stringify({ valid: false, problems }, null, 2) + '\n');
        else io.err(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}\n`).join('') || `${e.message}\n`);
        deps.setExit(EXIT.ERROR);
      }
    });

  policy
    .command('check')
    .description('may these data classes (and this manifest) go to this zone? exit 0 allow, 3 deny')
    .requiredOption('--zone <zone>', 'target zone')
    .option('--class <class>', 'a data class the workload handles; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--manifest <file>', 'Kubernetes YAML/JSON to check too (several documents allowed)')
    .option('--data-dir <dir>', 'data directory whose policy is in force (default ./.evident)')
    .option('--config <file>', 'YAML configuration file')
    .option('--json', 'print machine-readable JSON')
    .action(async (o: { zone: string; class?: string[]; manifest?: string; dataDir?: string; config?: string; json?: boolean }) => {
      const { policy: p, label } = await policyInForce(deps, o);
      const objects = o.manifest ? readManifests(o.manifest) : [];
      const decisions: Decision[] = objects.length ? objects.map((obj) => decide(p, { zone: o.zone, classes: o.class ?? [], object: obj })) : [decide(p, { zone: o.zone, classes: o.class ?? [] })];
      const allowed = decisions.every((d) => d.allowed);
      if (o.json) {
        io.out(JSON.stringify({ allowed, zone: o.zone, policy: label, policyDigest: p.digest, decisions }, null, 2) + '\n');
      } else {
        io.out(`${allowed ? 'ALLOW' : 'DENY'}: ${o.class?.length ? `data classes ${o.class.join(', ')}` : 'workload'} in zone ${o.zone} under ${label}\n`);
        decisions.forEach((d, i) => {
          const obj = objects[i];
          const head = obj ? `${String(obj.kind ?? '?')}/${String((obj.metadata as { name?: unknown } | undefined)?.name ?? '?')}` : '';
          io.out(violationLines(`${head ? head + ' ' : ''}DENY`, d.violations) + violationLines(`${head ? head + ' ' : ''}WARN`, d.warnings) + violationLines(`${head ? head + ' ' : ''}AUDIT`, d.audit));
        });
      }
      deps.setExit(allowed ? EXIT.OK : EXIT.NEGATIVE);
    });

  policy
    .command('apply')
    .description('validate policy files and put them in force as the next version (recorded in the ledger)')
    .argument('<files...>', 'policy YAML files (the whole policy)')
    .option('--note <text>', 'why: kept with the version and in the ledger')
    .option('--data-dir <dir>', 'data directory (default ./.evident)')
    .option('--config <file>', 'YAML configuration file')
    .option('--json', 'print machine-readable JSON')
    .action(async (files: string[], o: { note?: string; dataDir?: string; config?: string; json?: boolean }) => {
      const sources = readSources(files).map((s) => ({ ...s, name: basename(s.name) }));
      const rt = await openRuntime(deps.config(o), { logger: pino({ level: 'silent' }) });
      try {
        const r = await rt.policy.apply(systemContext('cli'), sources, o.note);
        await rt.ledger.integrate();
        if (o.json) io.out(JSON.stringify(r) + '\n');
        else io.out(r.changed ? `policy v${r.version} is in force (${r.digest})\n` : `unchanged: policy v${r.version} already has these files (${r.digest})\n`);
      } finally {
        await rt.close();
      }
    });

  const render = policy.command('render').description('render policy as platform objects');
  render
    .command('k8s')
    .description("print a zone's Namespaces, NetworkPolicies and webhook configurations (YAML), with the CA of the webhook `evident serve` runs")
    .requiredOption('--zone <zone>', 'zone to render')
    .option('--data-dir <dir>', 'data directory (default ./.evident)')
    .option('--config <file>', 'YAML configuration file')
    .action(async (o: { zone: string; dataDir?: string; config?: string }) => {
      const config = deps.config(o);
      const { policy: p } = await policyInForce(deps, o);
      if (!p.zones.has(o.zone)) throw new AppError('NOT_FOUND', `zone ${JSON.stringify(o.zone)} is not defined; known zones: ${[...p.zones.keys()].join(', ')}`);
      const caBundle = readWebhookCaBundle(config.webhook.caFile, dataLayout(config.dataDir).webhookTls);
      const r = renderZone(p, o.zone, { namespace: config.webhook.namespace, service: config.webhook.service, timeoutSeconds: config.webhook.timeoutSeconds, caBundle });
      for (const w of r.warnings) io.err(`warning: ${w}\n`);
      io.out(r.yaml);
    });
}
