// `evident change|release|model ...`: release management through a running server, as the person
// holding the token (authors, approvers and operators must be told apart by the ledger).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AppError, EXIT } from '../errors.js';
import { apiClient, collect, withApiOptions, type ApiOptions, type ServerCommandIo } from './api-client.js';
import type { Change, Deployment } from '../releases/schema.js';
import { COMPONENT_KINDS, GLOBAL_ZONE } from '../releases/schema.js';
import { verifyAttestation } from '../signing/intoto.js';
import { trustedKey } from '../signing/keys.js';

type Io = ServerCommandIo;

type Common = ApiOptions & { json?: boolean };

const enc = encodeURIComponent;

function readText(file: string, what = 'file'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('BAD_REQUEST', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** A spec or evaluation file: JSON or YAML, an object at the top. */
function readDocument(file: string, what: string): Record<string, unknown> {
  const text = readText(file, what);
  let v: unknown;
  try {
    v = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AppError('VALIDATION_FAILED', `${file}: the ${what} must be an object`);
  return v as Record<string, unknown>;
}

/** `--metric auc=0.82` pairs. */
function metrics(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^([^=]+)=(.+)$/u.exec(p);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new AppError('VALIDATION_FAILED', `--metric ${p}: write name=number, e.g. --metric auc=0.82`);
    out[m[1]!.trim()] = v;
  }
  return out;
}

function showChange(io: Io, c: Change, json: boolean | undefined): void {
  if (json) return void io.out(JSON.stringify(c, null, 2) + '\n');
  io.out(`${c.component.kind}/${c.component.name} v${c.version.version} -> ${c.zone}: ${c.title}\n`);
  io.out(`  id ${c.id}  state ${c.state}  revision ${c.revision}  author ${c.author}${c.emergency ? '  EMERGENCY' : ''}${c.overdue ? '  APPROVAL OVERDUE' : ''}\n`);
  io.out(`  version ${c.version.digest}  base ${c.base ? `v${c.base.version}` : '(nothing active)'}\n`);
  if (c.reason) io.out(`  reason ${c.reason}\n`);
  if (c.evaluation) io.out(`  evaluation ${c.evaluation.passed ? 'passed' : 'FAILED'}: ${Object.entries(c.evaluation.metrics).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  const current = c.approvals.filter((a) => a.current);
  io.out(`  approvals ${current.length}/${c.approvalsRequired}${current.length ? `: ${current.map((a) => a.principalId).join(', ')}` : ''}${c.approvalDueAt ? `  due ${c.approvalDueAt}` : ''}\n`);
  if (c.blockers.length) {
    io.out('  blocked:\n');
    for (const b of c.blockers) io.out(`    [${b.step}] ${b.detail}\n`);
  } else if (c.state !== 'deployed') io.out('  ready to deploy\n');
}

function showDeployment(io: Io, d: Deployment, json: boolean | undefined): void {
  if (json) return void io.out(JSON.stringify(d, null, 2) + '\n');
  io.out(`${d.deployedAt}  ${d.action.padEnd(8)} ${d.component.kind}/${d.component.name} v${d.version.version} in ${d.zone}${d.previous ? ` (was v${d.previous.version})` : ''}  by ${d.deployedBy}  manifest ${d.manifestDigest.slice(0, 19)}…\n`);
}

/** `--model M` is `--kind model --name M`. */
function component(o: { model?: string; kind?: string; name?: string }): { kind: string; name: string } {
  const kind = o.model ? 'model' : o.kind;
  const name = o.model ?? o.name;
  if (!kind || !name) throw new AppError('BAD_REQUEST', 'name the component: --model NAME, or --kind KIND --name NAME');
  return { kind, name };
}

export function registerReleaseCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const withApi = withApiOptions;
  const api = (o: Common) => apiClient(o, io.env);

  const change = program.command('change').description('change requests: propose, evaluate, approve and deploy a new version of a model, prompt, config… (talks to a running server)');

  withApi(
    change
      .command('create')
      .description('propose a new version of a component for a zone; validation runs at once')
      .requiredOption('--kind <kind>', `one of ${COMPONENT_KINDS.join(', ')}`)
      .requiredOption('--name <name>', 'the component, e.g. fraud-scorer')
      .option('--zone <zone>', 'where it is to be deployed (not for --kind policy, which applies everywhere)')
      .requiredOption('--title <text>', 'what and why, in a line')
      .option('--spec <file>', 'the version: JSON or YAML with dataClasses, artifacts, lineage, card, config')
      .option('--policy-files <files...>', '--kind policy: the policy YAML files themselves (instead of --spec)')
      .option('--emergency', 'deployable before approval; approval is then due within the zone\'s emergency period')
      .option('--reason <text>', 'why (required with --emergency)'),
  ).action(async (o: Common & { kind: string; name: string; zone?: string; title: string; spec?: string; policyFiles?: string[]; emergency?: boolean; reason?: string }) => {
    if (!o.spec === !o.policyFiles) throw new AppError('BAD_REQUEST', 'give the version as --spec FILE, or for --kind policy as --policy-files FILE...');
    const spec = o.spec ? readDocument(o.spec, 'spec') : { config: { files: o.policyFiles!.map((f) => ({ name: basename(f), text: readText(f) })) } };
    const body = { kind: o.kind, name: o.name, ...(o.zone ? { zone: o.zone } : {}), title: o.title, spec, ...(o.emergency ? { emergency: true } : {}), ...(o.reason ? { reason: o.reason } : {}) };
    showChange(io, await api(o).call<Change>('POST', '/api/v1/changes', { json: body }), o.json);
  });

  withApi(
    change
      .command('list')
      .description('changes, newest first')
      .option('--pending', 'only what awaits an approver (emergency changes included)')
      .option('--overdue', 'only emergency changes deployed and unapproved past their due date')
      .option('--state <state>', 'only this state')
      .option('--zone <zone>', 'only this zone')
      .option('--kind <kind>', 'only this kind')
      .option('--name <name>', 'only this component (with --kind)'),
  ).action(async (o: Common & { pending?: boolean; overdue?: boolean; state?: string; zone?: string; kind?: string; name?: string }) => {
    const q = new URLSearchParams();
    if (o.pending) q.set('pendingApproval', 'true');
    if (o.overdue) q.set('overdue', 'true');
    for (const k of ['state', 'zone', 'kind', 'name'] as const) if (o[k]) q.set(k, o[k]!);
    const r = await api(o).call<{ changes: Change[] }>('GET', `/api/v1/changes?${q}`);
    if (o.json) return void io.out(JSON.stringify(r.changes, null, 2) + '\n');
    for (const c of r.changes) {
      const why = c.blockers.length ? `blocked: ${[...new Set(c.blockers.map((b) => b.step))].join(', ')}` : c.state === 'deployed' ? '' : 'ready';
      io.out(`${c.id}  ${c.state.padEnd(9)} ${`${c.component.kind}/${c.component.name} v${c.version.version}`.padEnd(36)} ${c.zone.padEnd(16)} ${why}${c.emergency ? '  EMERGENCY' : ''}${c.overdue ? '  OVERDUE' : ''}\n`);
    }
  });

  withApi(change.command('show').description('one change: validation, evaluation, approvals and why it is blocked').argument('<id>')).action(async (id: string, o: Common) => {
    const c = await api(o).call<Change>('GET', `/api/v1/changes/${enc(id)}`);
    showChange(io, c, o.json);
    setExit(c.blockers.length ? EXIT.NEGATIVE : EXIT.OK);
  });

  withApi(
    change
      .command('edit')
      .description('edit your change: a new spec, a new title, or rebase onto what runs now (approvals start over)')
      .argument('<id>')
      .option('--spec <file>', 'the new version (JSON or YAML)')
      .option('--title <text>')
      .option('--rebase', 'diff against the version active in the zone now')
      .option('--revision <n>', 'the revision you edited: refused if it changed since', (v) => Number(v)),
  ).action(async (id: string, o: Common & { spec?: string; title?: string; rebase?: boolean; revision?: number }) => {
    const body = { ...(o.spec ? { spec: readDocument(o.spec, 'spec') } : {}), ...(o.title ? { title: o.title } : {}), ...(o.rebase ? { rebase: true } : {}), ...(o.revision !== undefined ? { revision: o.revision } : {}) };
    showChange(io, await api(o).call<Change>('PATCH', `/api/v1/changes/${enc(id)}`, { json: body }), o.json);
  });

  withApi(
    change
      .command('evaluate')
      .description("attach evaluation evidence, judged against the zone's thresholds")
      .argument('<id>')
      .option('--metric <name=value>', 'a metric; repeatable', collect)
      .option('--file <file>', 'evaluation as JSON/YAML: { metrics, dataset?, reportDigest? }')
      .option('--dataset <name@digest>', 'the evaluation dataset snapshot')
      .option('--report-digest <digest>', 'sha256 of the full evaluation report'),
  ).action(async (id: string, o: Common & { metric?: string[]; file?: string; dataset?: string; reportDigest?: string }) => {
    const body: Record<string, unknown> = o.file ? readDocument(o.file, 'evaluation') : {};
    if (o.metric?.length) body.metrics = { ...(body.metrics as object | undefined), ...metrics(o.metric) };
    if (o.dataset) {
      const at = o.dataset.lastIndexOf('@');
      if (at <= 0) throw new AppError('VALIDATION_FAILED', `--dataset ${o.dataset}: write name@sha256:<hex>`);
      body.dataset = { name: o.dataset.slice(0, at), digest: o.dataset.slice(at + 1) };
    }
    if (o.reportDigest) body.reportDigest = o.reportDigest;
    if (!body.metrics) throw new AppError('BAD_REQUEST', 'give the metrics: --metric name=value (repeatable) or --file');
    const c = await api(o).call<Change>('POST', `/api/v1/changes/${enc(id)}/evaluations`, { json: body });
    showChange(io, c, o.json);
    setExit(c.evaluation?.passed ? EXIT.OK : EXIT.NEGATIVE);
  });

  withApi(
    change
      .command('approve')
      .description('approve the revision you reviewed (approver role; never the author)')
      .argument('<id>')
      .option('--note <text>', 'why; kept with the approval')
      .option('--revision <n>', 'the revision you reviewed: refused if it changed since', (v) => Number(v)),
  ).action(async (id: string, o: Common & { note?: string; revision?: number }) => {
    const body = { ...(o.note ? { note: o.note } : {}), ...(o.revision !== undefined ? { revision: o.revision } : {}) };
    showChange(io, await api(o).call<Change>('POST', `/api/v1/changes/${enc(id)}/approvals`, { json: body }), o.json);
  });

  withApi(change.command('reject').description('reject a change (approver)').argument('<id>').requiredOption('--reason <text>', 'why; kept in the ledger')).action(async (id: string, o: Common & { reason: string }) => {
    showChange(io, await api(o).call<Change>('POST', `/api/v1/changes/${enc(id)}/rejection`, { json: { reason: o.reason } }), o.json);
  });

  withApi(change.command('withdraw').description('withdraw your own change').argument('<id>').option('--reason <text>')).action(async (id: string, o: Common & { reason?: string }) => {
    showChange(io, await api(o).call<Change>('POST', `/api/v1/changes/${enc(id)}/withdrawal`, { json: o.reason ? { reason: o.reason } : {} }), o.json);
  });

  withApi(change.command('deploy').description('deploy the change to its zone (operator role); refused with every blocker otherwise').argument('<id>')).action(async (id: string, o: Common) => {
    const r = await api(o).call<{ change: Change; deployment: Deployment }>('POST', `/api/v1/changes/${enc(id)}/deployments`, { json: {} });
    if (o.json) return void io.out(JSON.stringify(r, null, 2) + '\n');
    showDeployment(io, r.deployment, false);
    if (r.change.approvalDueAt) io.out(`  emergency: approval due by ${r.change.approvalDueAt}\n`);
  });

  const release = program.command('release').description('what is deployed where: point-in-time answers, history, rollback (talks to a running server)');
  const componentOptions = (c: Command) => c.option('--model <name>', 'the model (same as --kind model --name NAME)').option('--kind <kind>', `one of ${COMPONENT_KINDS.join(', ')}`).option('--name <name>', 'the component');

  withApi(
    componentOptions(release.command('active').description('which version was active in a zone at an instant, who approved it, with which evidence'))
      .option('--zone <zone>', 'the zone (for --kind policy: none, it applies everywhere)')
      .option('--at <time>', 'ISO-8601 instant (default: now)'),
  ).action(async (o: Common & { model?: string; kind?: string; name?: string; zone?: string; at?: string }) => {
    const c = component(o);
    if (!o.zone && c.kind !== 'policy') throw new AppError('BAD_REQUEST', 'name the zone: --zone ZONE');
    const zone = o.zone ?? 'global';
    const q = new URLSearchParams({ kind: c.kind, name: c.name, zone, ...(o.at ? { at: o.at } : {}) });
    const r = await api(o).call<{ at: string; active: (Deployment & { change: { id: string; author: string; emergency: boolean; approvals: { principalId: string; decidedAt: string; afterTheFact: boolean }[]; evaluation: { passed: boolean; metrics: Record<string, number> } | null } | null; evidence: { eventId: string; action: string; index: number | null }[] }) | null }>(
      'GET',
      `/api/v1/releases/active?${q}`,
    );
    setExit(r.active ? EXIT.OK : EXIT.NEGATIVE);
    if (o.json) return void io.out(JSON.stringify(r, null, 2) + '\n');
    if (!r.active) return void io.out(`nothing of ${c.kind}/${c.name} was active in ${zone} at ${r.at}\n`);
    const a = r.active;
    io.out(`${c.kind}/${c.name} v${a.version.version} (${a.version.digest}) was active in ${zone} at ${r.at}\n`);
    io.out(`  since ${a.deployedAt} (${a.action} by ${a.deployedBy}, policy v${a.policyVersion}, manifest ${a.manifestDigest})\n`);
    if (a.change) {
      io.out(`  change ${a.change.id} by ${a.change.author}${a.change.emergency ? ' (emergency)' : ''}\n`);
      for (const ap of a.change.approvals) io.out(`  approved by ${ap.principalId} at ${ap.decidedAt}${ap.afterTheFact ? ' (after the fact)' : ''}\n`);
      if (a.change.evaluation) io.out(`  evaluation ${a.change.evaluation.passed ? 'passed' : 'FAILED'}: ${Object.entries(a.change.evaluation.metrics).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    }
    for (const e of a.evidence) io.out(`  ledger ${e.index === null ? '(pending)' : `#${e.index}`} ${e.action} ${e.eventId}\n`);
  });

  withApi(componentOptions(release.command('list').description('deployment history, newest first')).option('--zone <zone>')).action(async (o: Common & { model?: string; kind?: string; name?: string; zone?: string }) => {
    const q = new URLSearchParams();
    if (o.model || o.kind || o.name) {
      const c = component(o);
      q.set('kind', c.kind);
      q.set('name', c.name);
    }
    if (o.zone) q.set('zone', o.zone);
    const r = await api(o).call<{ deployments: Deployment[] }>('GET', `/api/v1/deployments?${q}`);
    if (o.json) return void io.out(JSON.stringify(r.deployments, null, 2) + '\n');
    for (const d of r.deployments) showDeployment(io, d, false);
  });

  withApi(
    componentOptions(release.command('rollback').description("put the zone's rollback target back in service (operator role), recorded as a deployment"))
      .option('--zone <zone>', 'the zone (for --kind policy: none, it applies everywhere)')
      .requiredOption('--reason <text>', 'why; kept in the ledger'),
  ).action(async (o: Common & { model?: string; kind?: string; name?: string; zone?: string; reason: string }) => {
    const c = component(o);
    if (!o.zone && c.kind !== 'policy') throw new AppError('BAD_REQUEST', 'name the zone: --zone ZONE');
    showDeployment(io, await api(o).call<Deployment>('POST', '/api/v1/releases/rollback', { json: { ...c, zone: o.zone ?? GLOBAL_ZONE, reason: o.reason } }), o.json);
  });

  release
    .command('verify')
    .description('verify a signed release manifest offline (as printed by `release manifest`) against the attestation public key; exit 0 verified, 3 not')
    .argument('<manifest>', 'the DSSE envelope (JSON file)')
    .requiredOption('--key <pem>', "Evident's attestation public key (GET /api/v1/registry/attestation-key)")
    .option('--digest <sha256:hex>', 'the version or artifact digest the manifest must name as a subject')
    .option('--json', 'print machine-readable JSON')
    .action((file: string, o: { key: string; digest?: string; json?: boolean }) => {
      let envelope: unknown;
      try {
        envelope = JSON.parse(readText(file, 'manifest'));
      } catch (e) {
        throw e instanceof AppError ? e : new AppError('VALIDATION_FAILED', `${file} is not JSON (a DSSE envelope is expected)`);
      }
      const v = verifyAttestation(envelope, [trustedKey(readText(o.key, 'key'), basename(o.key))], o.digest ? { expectedSha256: o.digest.replace(/^sha256:/u, '') } : {});
      setExit(v.verified ? EXIT.OK : EXIT.NEGATIVE);
      if (o.json) return void io.out(JSON.stringify(v, null, 2) + '\n');
      if (!v.verified) return void io.out(`NOT verified: ${v.reasons.join('; ')}\n`);
      const p = v.statement!.predicate as { component?: { kind: string; name: string }; version?: { version: number }; zone?: string; deployedAt?: string; deployedBy?: string; approvals?: { principalId: string }[] };
      io.out(`verified: ${p.component?.kind}/${p.component?.name} v${p.version?.version} in ${p.zone}, deployed ${p.deployedAt} by ${p.deployedBy}, approved by ${(p.approvals ?? []).map((a) => a.principalId).join(', ') || 'nobody (emergency or rollback)'}\n`);
      for (const s of v.statement!.subject) io.out(`  subject ${s.name} sha256:${s.digest.sha256}\n`);
    });

  withApi(release.command('manifest').description('the signed release manifest of a deployment (DSSE envelope), to verify offline').argument('<deployment-id>')).action(async (id: string, o: Common) => {
    const r = await api(o).call<{ digest: string; envelope: unknown }>('GET', `/api/v1/deployments/${enc(id)}/manifest`);
    io.out(JSON.stringify(o.json ? r : r.envelope, null, 2) + '\n');
  });

  const model = program.command('model').description('models: versions, what runs where, diffs and lineage (talks to a running server)');
  withApi(model.command('list').description('models (or --kind components) with their latest version and what is active where').option('--kind <kind>', 'another component kind', 'model')).action(async (o: Common & { kind: string }) => {
    const r = await api(o).call<{ components: { kind: string; name: string; latestVersion: number; active: Record<string, number> }[] }>('GET', `/api/v1/components?kind=${enc(o.kind)}`);
    if (o.json) return void io.out(JSON.stringify(r.components, null, 2) + '\n');
    for (const c of r.components) io.out(`${`${c.kind}/${c.name}`.padEnd(40)} latest v${c.latestVersion}  ${Object.entries(c.active).map(([z, v]) => `${z}: v${v}`).join(', ') || '(not deployed)'}\n`);
  });
  withApi(model.command('show').description('a model (or --kind component): its versions and what is active in each zone').argument('<name>').option('--kind <kind>', 'another component kind', 'model')).action(
    async (name: string, o: Common & { kind: string }) => {
      const c = await api(o).call<{ kind: string; name: string; versions: { version: number; digest: string; createdAt: string; createdBy: string }[]; active: Record<string, { version: number; since: string; rollbackTo: number | null }> }>('GET', `/api/v1/components/${enc(o.kind)}/${enc(name)}`);
      if (o.json) return void io.out(JSON.stringify(c, null, 2) + '\n');
      io.out(`${c.kind}/${c.name}\n`);
      for (const v of c.versions) io.out(`  v${v.version}  ${v.digest}  ${v.createdAt}  by ${v.createdBy}\n`);
      for (const [zone, a] of Object.entries(c.active)) io.out(`  active in ${zone}: v${a.version} since ${a.since}${a.rollbackTo !== null ? `, rollback target v${a.rollbackTo}` : ''}\n`);
    },
  );
  withApi(model.command('diff').description('what changes between two versions').argument('<name>').argument('<from>').argument('<to>').option('--kind <kind>', 'another component kind', 'model')).action(
    async (name: string, from: string, to: string, o: Common & { kind: string }) => {
      const d = await api(o).call<{ changes: { path: string; op: string; from?: unknown; to?: unknown }[] }>('GET', `/api/v1/components/${enc(o.kind)}/${enc(name)}/diff?from=${enc(from)}&to=${enc(to)}`);
      if (o.json) return void io.out(JSON.stringify(d, null, 2) + '\n');
      for (const x of d.changes) io.out(`${x.op === 'added' ? '+' : x.op === 'removed' ? '-' : '~'} ${x.path}${x.op !== 'added' ? `  ${JSON.stringify(x.from)}` : ''}${x.op !== 'removed' ? ` -> ${JSON.stringify(x.to)}` : ''}\n`);
    },
  );
  withApi(
    model
      .command('lineage')
      .description('walk lineage from a reference: what fed it (default) or what was built from it')
      .argument('<ref>', 'model/NAME@VERSION, dataset:NAME@sha256:…, artifact:NAME@sha256:…, commit:REPO@SHA, run:ID')
      .option('--downstream', 'what was built from it (e.g. for a deletion request on a dataset)')
      .option('--depth <n>', 'levels to walk (1-20)', (v) => Number(v), 5),
  ).action(async (ref: string, o: Common & { downstream?: boolean; depth: number }) => {
    const q = new URLSearchParams({ ref, direction: o.downstream ? 'downstream' : 'upstream', depth: String(o.depth) });
    const r = await api(o).call<{ edges: { from: string; to: string; relation: string }[] }>('GET', `/api/v1/lineage?${q}`);
    if (o.json) return void io.out(JSON.stringify(r, null, 2) + '\n');
    for (const e of r.edges) io.out(`${e.from}  --${e.relation}-->  ${e.to}\n`);
  });
}
