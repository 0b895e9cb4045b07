// `evident artifact ...`: intake through a running server, as the person holding the token.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { Command } from 'commander';
import { AppError, EXIT } from '../errors.js';
import { apiClient, collect, withApiOptions, type ApiOptions, type ServerCommandIo } from './api-client.js';
import type { Artifact } from '../registry/schema.js';
import { ARTIFACT_KINDS } from '../registry/schema.js';
import { sha256File } from '../util/hash-file.js';
import { trustedKey } from '../signing/keys.js';
import { verifyCosignBundle, verifyCosignSignature } from '../signing/cosign.js';

interface Io extends ServerCommandIo {
  /** True when stderr is a terminal: progress is drawn in place. */
  tty?: boolean;
}

type Common = ApiOptions & { json?: boolean };


function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('BAD_REQUEST', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Counts bytes through and reports progress: in place on a terminal, every 25 % otherwise. */
function progress(io: Io, label: string, total: number): Transform {
  let done = 0;
  let lastQuarter = -1;
  const started = Date.now();
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const pct = total ? Math.floor((done / total) * 100) : 100;
      const mib = (n: number) => (n / 1048576).toFixed(1);
      const rate = mib(done / Math.max(0.001, (Date.now() - started) / 1000));
      if (io.tty) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${mib(done)}/${mib(total)} MiB ${rate} MiB/s`);
        if (done >= total) io.err('\n');
      } else if (Math.floor(pct / 25) > lastQuarter) {
        lastQuarter = Math.floor(pct / 25);
        io.err(`${label}: ${pct}% (${mib(done)} of ${mib(total)} MiB)\n`);
      }
      cb(null, chunk);
    },
  });
}

function show(io: Io, a: Artifact, json: boolean | undefined): void {
  if (json) {
    io.out(JSON.stringify(a, null, 2) + '\n');
    return;
  }
  io.out(`${a.name}@${a.digest}\n  id ${a.id}  kind ${a.kind}  state ${a.state}  revision ${a.revision}${a.expired ? '  EXPIRED' : ''}\n`);
  io.out(`  size ${a.size}  license ${a.license ?? '(none)'}  environments ${a.environments.join(', ') || '(none)'}  expires ${a.expiresAt ?? 'never'}\n`);
  if (a.scan) {
    io.out(`  scan ${a.scan.verdict} (${a.scan.format})\n`);
    for (const f of a.scan.findings.filter((x) => x.severity !== 'safe')) io.out(`    ${f.severity} [${f.rule}] ${f.member ? `${f.member}: ` : ''}${f.detail}\n`);
  }
  if (a.sbom) io.out(`  sbom ${a.sbom.components} components, ${a.sbom.matches.length} advisories${a.sbom.highest ? ` (highest ${a.sbom.highest})` : ''}\n`);
  if (a.signature) io.out(`  signature ${a.signature.verified ? 'verified' : 'NOT verified'} (${a.signature.format}) signer ${a.signature.signer.identity ?? 'unknown'}${a.signature.reasons.length ? `: ${a.signature.reasons.join('; ')}` : ''}\n`);
  for (const ap of a.approvals) io.out(`  approved by ${ap.principalId} at ${ap.decidedAt} (revision ${ap.revision})${ap.note ? `: ${ap.note}` : ''}\n`);
  for (const p of a.promotedTo) io.out(`  promoted to ${p.zone} at ${p.at} by ${p.by}\n`);
}

export function registerArtifactCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const artifact = program.command('artifact').description('controlled intake through the registry: push, review, approve, promote (talks to a running server)');
  const withApi = withApiOptions;

  withApi(
    artifact
      .command('push')
      .description('upload a file into intake; it is hashed, stored and scanned, then signed if --signature is given')
      .argument('<file>', 'the artifact file')
      .requiredOption('--name <name>', 'repository-style name, e.g. models/fraud-scorer')
      .requiredOption('--kind <kind>', `one of ${ARTIFACT_KINDS.join(', ')}`)
      .option('--license <expr>', 'SPDX expression or named model licence')
      .option('--env <zone>', 'a zone it may be promoted to; repeatable', collect)
      .option('--expires-at <time>', 'ISO-8601 time after which it must be reviewed')
      .option('--source <url>', 'where it came from')
      .option('--metadata <file>', 'model card / release metadata (JSON object, at most 8 KiB)')
      .option('--signature <file>', 'cosign signature (base64) or bundle over the file')
      .option('--key <file>', "signer's public key: the signature is checked locally before uploading")
      .option('--sbom <file>', 'CycloneDX JSON SBOM, attached to the artifact and audited against the advisory database'),
  ).action(async (file: string, o: Common & { name: string; kind: string; license?: string; env?: string[]; expiresAt?: string; source?: string; metadata?: string; signature?: string; key?: string; sbom?: string }) => {
    const api = apiClient(o, io.env);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new AppError('BAD_REQUEST', `cannot read ${file}`);
    }
    const digest = await sha256File(file);
    const signature = o.signature ? readText(o.signature, 'signature').trim() : undefined;
    if (signature && o.key) {
      // Fail fast on a wrong signature before moving gigabytes; the server checks again with its own trust policy.
      const trust = { keys: [trustedKey(readText(o.key, 'key'), basename(o.key))], certificateAuthorities: [] };
      const r = signature.startsWith('{') ? verifyCosignBundle(signature, { sha256: digest.slice(7) }, trust) : verifyCosignSignature({ sha256: digest.slice(7), signature }, trust);
      if (!r.verified) throw new AppError('VALIDATION_FAILED', `the signature does not verify with ${o.key}: ${r.reasons.join('; ')}`);
    }
    const metadata = o.metadata ? readText(o.metadata, 'metadata') : undefined;
    const q = new URLSearchParams({ name: o.name, kind: o.kind, digest });
    if (o.license) q.set('license', o.license);
    if (o.env?.length) q.set('environments', o.env.join(','));
    if (o.expiresAt) q.set('expiresAt', o.expiresAt);
    if (o.source) q.set('source', o.source);
    if (metadata) q.set('metadata', metadata);
    const body = Readable.toWeb(createReadStream(file).pipe(progress(io, basename(file), size))) as unknown as RequestInit['body'];
    let a = await api.call<Artifact>('POST', `/api/v1/artifacts?${q}`, { body, headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } });
    if (o.sbom && a.state !== 'quarantined') {
      let sbom: unknown;
      try {
        sbom = JSON.parse(readText(o.sbom, 'SBOM'));
      } catch (e) {
        throw e instanceof AppError ? e : new AppError('BAD_REQUEST', `${o.sbom} is not JSON (a CycloneDX JSON SBOM is expected)`);
      }
      a = await api.call<Artifact>('POST', `/api/v1/artifacts/${a.id}/sbom`, { json: sbom });
    }
    if (signature && a.state === 'scanned') a = await api.call<Artifact>('POST', `/api/v1/artifacts/${a.id}/signatures`, { json: { format: 'cosign', signature } });
    show(io, a, o.json);
    setExit(a.state === 'quarantined' ? EXIT.NEGATIVE : EXIT.OK);
  });

  withApi(
    artifact
      .command('list')
      .description('artifacts, newest first')
      .option('--state <state>', 'only this state')
      .option('--name <name>', 'only this name')
      .option('--pending', 'only what awaits an approver'),
  ).action(async (o: Common & { state?: string; name?: string; pending?: boolean }) => {
    const q = new URLSearchParams();
    if (o.state) q.set('state', o.state);
    if (o.name) q.set('name', o.name);
    if (o.pending) q.set('pendingApproval', 'true');
    const r = await apiClient(o, io.env).call<{ artifacts: Artifact[] }>('GET', `/api/v1/artifacts?${q}`);
    if (o.json) io.out(JSON.stringify(r.artifacts, null, 2) + '\n');
    else for (const a of r.artifacts) io.out(`${a.id}  ${a.state.padEnd(11)} ${a.kind.padEnd(18)} ${a.name}@${a.digest.slice(0, 19)}…${a.expired ? '  EXPIRED' : ''}\n`);
  });

  withApi(artifact.command('show').description('one artifact: scan findings, signature, approvals, promotions').argument('<id>')).action(async (id: string, o: Common) => {
    show(io, await apiClient(o, io.env).call<Artifact>('GET', `/api/v1/artifacts/${encodeURIComponent(id)}`), o.json);
  });

  withApi(
    artifact
      .command('approve')
      .description('approve as yourself (approver role; never the uploader)')
      .argument('<id>')
      .option('--note <text>', 'why; kept with the approval')
      .option('--revision <n>', 'the revision you reviewed: refused if it changed since', (v) => Number(v))
      .option('--accept-findings', 'you reviewed the suspicious scan findings and accept them'),
  ).action(async (id: string, o: Common & { note?: string; revision?: number; acceptFindings?: boolean }) => {
    const body = { ...(o.note ? { note: o.note } : {}), ...(o.revision !== undefined ? { revision: o.revision } : {}), ...(o.acceptFindings ? { acceptFindings: true } : {}) };
    show(io, await apiClient(o, io.env).call<Artifact>('POST', `/api/v1/artifacts/${encodeURIComponent(id)}/approvals`, { json: body }), o.json);
  });

  for (const [name, path, what] of [
    ['reject', 'rejection', 'reject: it leaves intake for good'],
    ['quarantine', 'quarantine', 'quarantine: nothing can pull or promote it again'],
  ] as const) {
    withApi(artifact.command(name).description(what).argument('<id>').requiredOption('--reason <text>', 'why; kept in the ledger')).action(async (id: string, o: Common & { reason: string }) => {
      show(io, await apiClient(o, io.env).call<Artifact>('POST', `/api/v1/artifacts/${encodeURIComponent(id)}/${path}`, { json: { reason: o.reason } }), o.json);
    });
  }

  withApi(artifact.command('promote').description('promote an approved artifact to a zone it is permitted in (operator role)').argument('<id>').requiredOption('--env <zone>', 'the zone')).action(
    async (id: string, o: Common & { env: string }) => {
      show(io, await apiClient(o, io.env).call<Artifact>('POST', `/api/v1/artifacts/${encodeURIComponent(id)}/promotions`, { json: { zone: o.env } }), o.json);
    },
  );

  withApi(
    artifact
      .command('review')
      .description('set a new expiry after review (approver role; never the uploader)')
      .argument('<id>')
      .requiredOption('--expires-at <time>', 'ISO-8601 time')
      .option('--note <text>', 'what was reviewed'),
  ).action(async (id: string, o: Common & { expiresAt: string; note?: string }) => {
    show(io, await apiClient(o, io.env).call<Artifact>('POST', `/api/v1/artifacts/${encodeURIComponent(id)}/review`, { json: { expiresAt: o.expiresAt, ...(o.note ? { note: o.note } : {}) } }), o.json);
  });
}
