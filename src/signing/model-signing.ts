// OpenSSF model signing (sigstore/model-transparency, `model_signing` 1.x): a Sigstore bundle whose
// DSSE payload is an in-toto Statement with predicate https://model_signing/signature/v1.0. The
// predicate lists every file of the model `{name, algorithm: "sha256", digest}`; the statement's
// subject digest is SHA-256 over the listed raw digests concatenated in listed order (checked
// against all four upstream fixtures). A model verifies only when the signature verifies under our
// trust material AND the model's files are exactly the listed ones: a missing, extra or changed
// file fails and is named. Files under ignore paths (the caller's plus the signed
// `serialization.ignore_paths`) may be present without being listed; a listed file is always
// checked, even under an ignore path. A single-file model is listed as "." (model_signing 1.0).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { normalizeSha256Hex } from './input.js';
import { INTOTO_PAYLOAD_TYPE } from './intoto.js';
import { parseSigstoreBundle, verifyParsedBundle } from './sigstore-bundle.js';
import type { TrustMaterial, VerificationResult } from './types.js';

export const MODEL_SIGNING_PREDICATE_V1 = 'https://model_signing/signature/v1.0';
const MAX_FILES = 100_000;
const MAX_DEPTH = 64;

const PredicateSchema = z.object({
  serialization: z.object({
    method: z.string().max(32),
    hash_type: z.string().max(32),
    allow_symlinks: z.boolean().optional(),
    ignore_paths: z.array(z.string().max(4096)).max(10_000).optional(),
  }),
  resources: z
    .array(z.object({ name: z.string().min(1).max(4096), algorithm: z.string().max(64), digest: z.string().max(1024) }))
    .max(MAX_FILES),
});

export interface ModelFilesReport {
  verified: string[];
  missing: string[];
  extra: string[];
  changed: string[];
  ignored: string[];
}

export interface ModelSigningVerification extends VerificationResult {
  format: 'model-signing';
  /** Null when the signature did not verify: an unsigned manifest is not compared. */
  files: ModelFilesReport | null;
}

export interface ModelVerifyOptions {
  /** Paths relative to the model root that may exist unlisted (e.g. the signature file itself). */
  ignorePaths?: readonly string[];
}

/**
 * Verifies a model-signing bundle and the model's files, given as name -> SHA-256 hex (names are
 * POSIX paths relative to the model root) or as a path to the model directory or single file.
 */
export async function verifyModelSignature(
  bundleJson: unknown,
  files: ReadonlyMap<string, string> | string,
  trust: TrustMaterial,
  opts: ModelVerifyOptions = {},
): Promise<ModelSigningVerification> {
  const bundle = parseSigstoreBundle(bundleJson);
  const sig = verifyParsedBundle(bundle, trust, {}, 'model-signing');
  const base = { format: 'model-signing' as const, signer: sig.signer, tlog: sig.tlog };
  if (!sig.verified || !sig.payload) return { ...base, verified: false, signer: null, files: null, reasons: sig.reasons };
  if (sig.payloadType !== INTOTO_PAYLOAD_TYPE || !sig.statement) {
    return { ...base, verified: false, files: null, reasons: [`payloadType ${JSON.stringify(sig.payloadType)} is not an in-toto statement`] };
  }
  const statement = sig.statement;
  const reasons: string[] = [];
  if (statement.predicateType !== MODEL_SIGNING_PREDICATE_V1) {
    return { ...base, verified: false, statement, files: null, reasons: [`predicateType ${JSON.stringify(statement.predicateType)} is not ${MODEL_SIGNING_PREDICATE_V1}`] };
  }
  const parsed = PredicateSchema.safeParse(statement.predicate);
  if (!parsed.success) {
    return { ...base, verified: false, statement, files: null, reasons: [`the model-signing predicate is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`] };
  }
  const predicate = parsed.data;
  const manifestProblem = checkManifest(predicate, statement.subject.map((s) => s.digest.sha256));
  if (manifestProblem) return { ...base, verified: false, statement, files: null, reasons: [manifestProblem] };

  const listed = new Map(predicate.resources.map((r) => [r.name, r.digest.toLowerCase()]));
  const ignore = [...(opts.ignorePaths ?? []), ...(predicate.serialization.ignore_paths ?? [])].map(cleanIgnorePath).filter((p) => p !== '');
  const actual = typeof files === 'string'
    ? await hashModelPath(files, { listed, ignore, allowSymlinks: predicate.serialization.allow_symlinks === true, reasons })
    : normalizeFileMap(files);

  const report: ModelFilesReport = { verified: [], missing: [], extra: [], changed: [], ignored: [] };
  for (const [name, digest] of listed) {
    const got = actual.get(name);
    if (got === undefined) report.missing.push(name);
    else if (got !== digest) report.changed.push(name);
    else report.verified.push(name);
  }
  for (const name of actual.keys()) {
    if (listed.has(name)) continue;
    if (isIgnored(name, ignore)) report.ignored.push(name);
    else report.extra.push(name);
  }
  for (const n of report.changed) reasons.push(`file ${JSON.stringify(n)} does not match its signed digest`);
  for (const n of report.missing) reasons.push(`signed file ${JSON.stringify(n)} is missing from the model`);
  for (const n of report.extra) reasons.push(`file ${JSON.stringify(n)} is not covered by the signature`);
  return { ...base, verified: reasons.length === 0, statement, files: report, reasons };
}

function checkManifest(p: z.output<typeof PredicateSchema>, subjectDigests: (string | undefined)[]): string | null {
  if (p.serialization.method !== 'files') return `serialization method ${JSON.stringify(p.serialization.method)} is not supported; only "files"`;
  if (p.serialization.hash_type !== 'sha256') return `hash type ${JSON.stringify(p.serialization.hash_type)} is not supported; only "sha256"`;
  const seen = new Set<string>();
  for (const r of p.resources) {
    if (r.algorithm !== 'sha256' || !/^[0-9a-fA-F]{64}$/.test(r.digest)) return `resource ${JSON.stringify(r.name)} does not carry a sha256 digest`;
    if (r.name !== '.' && !isSafeRelative(r.name)) return `resource name ${JSON.stringify(r.name)} is not a relative path inside the model`;
    if (seen.has(r.name)) return `resource ${JSON.stringify(r.name)} is listed twice`;
    seen.add(r.name);
  }
  // The subject binds the manifest: SHA-256 of the raw file digests in listed order.
  const h = createHash('sha256');
  for (const r of p.resources) h.update(Buffer.from(r.digest, 'hex'));
  const expected = h.digest('hex');
  if (!subjectDigests.some((d) => d?.toLowerCase() === expected)) return 'the statement subject digest does not match the listed file digests';
  return null;
}

function isSafeRelative(name: string): boolean {
  if (name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function cleanIgnorePath(p: string): string {
  return posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

function isIgnored(name: string, ignore: readonly string[]): boolean {
  return ignore.some((p) => name === p || name.startsWith(`${p}/`));
}

function normalizeFileMap(files: ReadonlyMap<string, string>): Map<string, string> {
  if (files.size > MAX_FILES) throw new AppError('VALIDATION_FAILED', `files lists more than ${MAX_FILES} entries`, { field: 'files' });
  const out = new Map<string, string>();
  for (const [name, digest] of files) {
    const clean = name === '.' ? '.' : name.replace(/^\.\//, '');
    if (clean !== '.' && !isSafeRelative(clean)) throw new AppError('VALIDATION_FAILED', `files: ${JSON.stringify(name)} is not a relative path inside the model`, { field: 'files' });
    out.set(clean, normalizeSha256Hex(digest, `files[${JSON.stringify(name)}]`));
  }
  return out;
}

interface WalkContext {
  listed: ReadonlyMap<string, string>;
  ignore: readonly string[];
  allowSymlinks: boolean;
  reasons: string[];
}

/** Hashes a model directory (or a single file, named "."), skipping ignored directories nothing listed lives under. */
async function hashModelPath(root: string, ctx: WalkContext): Promise<Map<string, string>> {
  const info = await stat(root).catch(() => {
    throw new AppError('VALIDATION_FAILED', `model path ${JSON.stringify(root)} does not exist`, { field: 'files' });
  });
  const out = new Map<string, string>();
  if (info.isFile()) {
    out.set('.', await sha256File(root));
    return out;
  }
  const listedNames = [...ctx.listed.keys()];
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new AppError('VALIDATION_FAILED', `model directory is nested deeper than ${MAX_DEPTH} levels`, { field: 'files' });
    for await (const entry of await opendir(dir)) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      const l = await lstat(full);
      if (l.isSymbolicLink()) {
        if (!ctx.allowSymlinks) {
          if (!isIgnored(name, ctx.ignore)) ctx.reasons.push(`${JSON.stringify(name)} is a symbolic link and the signature does not allow symlinks`);
          continue;
        }
        const target = await stat(full).catch(() => null);
        if (!target?.isFile()) {
          ctx.reasons.push(`symbolic link ${JSON.stringify(name)} does not point to a regular file`);
          continue;
        }
      } else if (l.isDirectory()) {
        if (isIgnored(name, ctx.ignore) && !listedNames.some((n) => n.startsWith(`${name}/`))) continue;
        await walk(full, name, depth + 1);
        continue;
      } else if (!l.isFile()) {
        ctx.reasons.push(`${JSON.stringify(name)} is not a regular file`);
        continue;
      }
      if (out.size >= MAX_FILES) throw new AppError('VALIDATION_FAILED', `model directory holds more than ${MAX_FILES} files`, { field: 'files' });
      out.set(name, await sha256File(full));
    }
  };
  await walk(root, '', 0);
  return out;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
