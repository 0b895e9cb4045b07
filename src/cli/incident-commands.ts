// `evident incident ...` and `evident killswitch ...`: incident response through a running server.
import type { Command } from 'commander';
import { AppError, EXIT } from '../errors.js';
import { apiClient, collect, withApiOptions, type ApiOptions, type ServerCommandIo } from './api-client.js';
import type { Incident, KillSwitch } from '../incidents/schema.js';
import { KILL_SCOPES, SEVERITIES } from '../incidents/schema.js';
import { REGIME_NAMES } from '../incidents/deadlines.js';
import { COMPONENT_KINDS } from '../releases/schema.js';

type Io = ServerCommandIo;
type Common = ApiOptions & { json?: boolean };
const enc = encodeURIComponent;

/** `model/fraud-scorer` -> { kind, name }. */
function componentRef(s: string): { kind: string; name: string } {
  const i = s.indexOf('/');
  if (i <= 0) throw new AppError('VALIDATION_FAILED', `--component ${s}: write kind/name, e.g. model/fraud-scorer (kinds: ${COMPONENT_KINDS.join(', ')})`);
  return { kind: s.slice(0, i), name: s.slice(i + 1) };
}

function showIncident(io: Io, i: Incident, json: boolean | undefined): void {
  if (json) return void io.out(JSON.stringify(i, null, 2) + '\n');
  io.out(`${i.id}  ${i.severity.toUpperCase()}  ${i.status}  ${i.title}\n  detected ${i.detectedAt}  opened by ${i.openedBy}  revision ${i.revision}\n`);
  if (i.affected.components.length || i.affected.zones.length) io.out(`  affects ${[...i.affected.components.map((c) => `${c.kind}/${c.name}`), ...i.affected.zones.map((z) => `zone ${z}`)].join(', ')}\n`);
  for (const d of i.deadlines) io.out(`  ${d.regime.padEnd(22)} due ${d.dueAt}  ${d.notifiedAt ? `notified ${d.notifiedAt}${d.late ? ' (LATE)' : ''}` : d.overdue ? 'OVERDUE' : 'pending'}\n`);
  for (const k of i.killSwitches) io.out(`  kill switch ${k.scope} ${k.target} ${k.engaged ? `ENGAGED since ${k.engagedAt}` : `released ${k.releasedAt}`}\n`);
}

const showKill = (io: Io, k: KillSwitch, json: boolean | undefined) =>
  io.out(json ? JSON.stringify(k, null, 2) + '\n' : `${k.id}  ${k.scope.padEnd(11)} ${k.target}  ${k.engaged ? `ENGAGED since ${k.engagedAt} by ${k.engagedBy}` : `released ${k.releasedAt} by ${k.releasedBy}`}  (${k.reason})\n`);

export function registerIncidentCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const withApi = withApiOptions;
  const api = (o: Common) => apiClient(o, io.env);

  const incident = program.command('incident').description('incidents: deadlines per regime, notifications, rollback orders, timelines (talks to a running server)');
  withApi(
    incident
      .command('open')
      .description('open an incident (operator)')
      .requiredOption('--title <text>')
      .requiredOption('--severity <s>', SEVERITIES.join(', '))
      .option('--description <text>', 'kept with the incident, not in the ledger')
      .option('--detected-at <time>', 'when you became aware (deadlines count from here; default now)')
      .option('--component <kind/name>', 'an affected component; repeatable', collect)
      .option('--zone <zone>', 'an affected zone; repeatable', collect)
      .option('--regime <r>', `a notification regime that applies (${REGIME_NAMES.join(', ')}); repeatable`, collect),
  ).action(async (o: Common & { title: string; severity: string; description?: string; detectedAt?: string; component?: string[]; zone?: string[]; regime?: string[] }) => {
    const body = {
      title: o.title,
      severity: o.severity,
      ...(o.description ? { description: o.description } : {}),
      ...(o.detectedAt ? { detectedAt: o.detectedAt } : {}),
      affected: { components: (o.component ?? []).map(componentRef), zones: o.zone ?? [] },
      regimes: o.regime ?? [],
    };
    showIncident(io, await api(o).call<Incident>('POST', '/api/v1/incidents', { json: body }), o.json);
  });
  withApi(incident.command('list').description('incidents, most recently detected first').option('--status <s>').option('--overdue', 'only those with a notification overdue')).action(
    async (o: Common & { status?: string; overdue?: boolean }) => {
      const q = new URLSearchParams({ ...(o.status ? { status: o.status } : {}), ...(o.overdue ? { overdue: 'true' } : {}) });
      const r = await api(o).call<{ incidents: Incident[] }>('GET', `/api/v1/incidents?${q}`);
      if (o.json) return void io.out(JSON.stringify(r.incidents, null, 2) + '\n');
      for (const i of r.incidents) io.out(`${i.id}  ${i.severity.padEnd(8)} ${i.status.padEnd(9)} ${i.detectedAt}  ${i.title}${i.deadlines.some((d) => d.overdue) ? '  NOTIFICATION OVERDUE' : ''}\n`);
    },
  );
  withApi(incident.command('show').description('one incident with its deadlines').argument('<id>')).action(async (id: string, o: Common) => {
    const i = await api(o).call<Incident>('GET', `/api/v1/incidents/${enc(id)}`);
    showIncident(io, i, o.json);
    setExit(i.deadlines.some((d) => d.overdue) ? EXIT.NEGATIVE : EXIT.OK);
  });
  withApi(
    incident
      .command('update')
      .description('move the status (open, mitigated, resolved, closed) or change severity/regimes')
      .argument('<id>')
      .option('--status <s>')
      .option('--severity <s>')
      .option('--regime <r>', 'the full set of regimes; repeatable', collect)
      .option('--note <text>'),
  ).action(async (id: string, o: Common & { status?: string; severity?: string; regime?: string[]; note?: string }) => {
    const body = { ...(o.status ? { status: o.status } : {}), ...(o.severity ? { severity: o.severity } : {}), ...(o.regime ? { regimes: o.regime } : {}), ...(o.note ? { note: o.note } : {}) };
    showIncident(io, await api(o).call<Incident>('PATCH', `/api/v1/incidents/${enc(id)}`, { json: body }), o.json);
  });
  withApi(
    incident
      .command('notify')
      .description('record a notification made to an authority')
      .argument('<id>')
      .requiredOption('--regime <r>')
      .requiredOption('--authority <name>')
      .option('--reference <ref>')
      .option('--notified-at <time>'),
  ).action(async (id: string, o: Common & { regime: string; authority: string; reference?: string; notifiedAt?: string }) => {
    const body = { regime: o.regime, authority: o.authority, ...(o.reference ? { reference: o.reference } : {}), ...(o.notifiedAt ? { notifiedAt: o.notifiedAt } : {}) };
    showIncident(io, await api(o).call<Incident>('POST', `/api/v1/incidents/${enc(id)}/notifications`, { json: body }), o.json);
  });
  withApi(incident.command('rollback').description('order a rollback under the incident (operator)').argument('<id>').requiredOption('--component <kind/name>').requiredOption('--zone <zone>').requiredOption('--reason <text>')).action(
    async (id: string, o: Common & { component: string; zone: string; reason: string }) => {
      const d = await api(o).call<{ version: { version: number }; zone: string; id: string }>('POST', `/api/v1/incidents/${enc(id)}/rollbacks`, { json: { ...componentRef(o.component), zone: o.zone, reason: o.reason } });
      io.out(o.json ? JSON.stringify(d, null, 2) + '\n' : `rolled back ${o.component} in ${d.zone} to v${d.version.version} (deployment ${d.id})\n`);
    },
  );
  withApi(incident.command('timeline').description('the incident timeline from the ledger').argument('<id>')).action(async (id: string, o: Common) => {
    const t = await api(o).call<{ events: { occurredAt: string; action: string; index: number | null; eventId: string; about: string }[] }>('GET', `/api/v1/incidents/${enc(id)}/timeline`);
    if (o.json) return void io.out(JSON.stringify(t, null, 2) + '\n');
    for (const e of t.events) io.out(`${e.occurredAt}  ${(e.index === null ? '(pending)' : `#${e.index}`).padEnd(9)} ${e.action.padEnd(26)} ${e.about}  ${e.eventId}\n`);
  });

  const kill = program.command('killswitch').description('stop a deployment, an LLM provider or a zone\'s external calls (talks to a running server)');
  withApi(
    kill
      .command('engage')
      .description('engage a kill switch (operator)')
      .requiredOption('--scope <scope>', KILL_SCOPES.join(', '))
      .option('--component <kind/name>', 'deployment scope: the component')
      .option('--zone <zone>', 'deployment and zone-egress scopes')
      .option('--provider <name>', 'provider scope')
      .option('--incident <id>', 'the incident it belongs to')
      .requiredOption('--reason <text>'),
  ).action(async (o: Common & { scope: string; component?: string; zone?: string; provider?: string; incident?: string; reason: string }) => {
    const body = { scope: o.scope, ...(o.component ? componentRef(o.component) : {}), ...(o.zone ? { zone: o.zone } : {}), ...(o.provider ? { provider: o.provider } : {}), ...(o.incident ? { incidentId: o.incident } : {}), reason: o.reason };
    showKill(io, await api(o).call<KillSwitch>('POST', '/api/v1/kill-switches', { json: body }), o.json);
  });
  withApi(kill.command('list').description('kill switches').option('--engaged', 'only those in force')).action(async (o: Common & { engaged?: boolean }) => {
    const r = await api(o).call<{ killSwitches: KillSwitch[] }>('GET', `/api/v1/kill-switches${o.engaged ? '?engaged=true' : ''}`);
    if (o.json) return void io.out(JSON.stringify(r.killSwitches, null, 2) + '\n');
    for (const k of r.killSwitches) showKill(io, k, false);
  });
  withApi(kill.command('release').description('release a kill switch (operator)').argument('<id>').requiredOption('--reason <text>')).action(async (id: string, o: Common & { reason: string }) => {
    showKill(io, await api(o).call<KillSwitch>('POST', `/api/v1/kill-switches/${enc(id)}/release`, { json: { reason: o.reason } }), o.json);
  });
}
