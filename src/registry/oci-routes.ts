// The OCI distribution API at /v2/ (distribution-spec v1.1 endpoints end-1..end-14), as skopeo,
// docker, oras and containerd speak it. Errors use the spec's body {"errors":[{code,message}]}.
// Deletion is refused (UNSUPPORTED): what entered intake is evidence; quarantine or reject it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { toAppError } from '../http/error-handler.js';
import { readBounded } from '../util/read-bounded.js';
import { ARTIFACT_NAME_RE } from './schema.js';
import { DIGEST_RE } from './blob-store.js';
import { MANIFEST_MAX_BYTES, OciError } from './oci-manifest.js';
import type { OciService } from './oci-service.js';

const OCI_CODE_BY_APP: Record<string, string> = {
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'DENIED',
  SOD_VIOLATION: 'DENIED',
  NOT_FOUND: 'NAME_UNKNOWN',
  PAYLOAD_TOO_LARGE: 'SIZE_INVALID',
  RATE_LIMITED: 'TOOMANYREQUESTS',
  METHOD_NOT_ALLOWED: 'UNSUPPORTED',
};

type Route =
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

/** Splits /v2/<name>/<endpoint> (names contain slashes, so the endpoint is matched from the end). */
export function parseOciPath(rest: string): Route {
  const patterns: [RegExp, (m: RegExpExecArray) => Route][] = [
    [/^(.+)\/blobs\/uploads\/?$/u, (m) => ({ kind: 'uploads', name: m[1]! })],
    [/^(.+)\/blobs\/uploads\/([^/]+)$/u, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
    [/^(.+)\/blobs\/([^/]+)$/u, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
    [/^(.+)\/manifests\/([^/]+)$/u, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
    [/^(.+)\/tags\/list$/u, (m) => ({ kind: 'tags', name: m[1]! })],
    [/^(.+)\/referrers\/([^/]+)$/u, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
  ];
  for (const [re, make] of patterns) {
    const m = re.exec(rest);
    if (!m) continue;
    const r = make(m);
    if (r.name.length > 255 || !ARTIFACT_NAME_RE.test(r.name)) throw new OciError('VALIDATION_FAILED', 'NAME_INVALID', `${JSON.stringify(r.name.slice(0, 100))} is not a valid repository name`);
    if ('digest' in r && !DIGEST_RE.test(r.digest)) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', `${JSON.stringify(r.digest.slice(0, 100))} is not a sha256 digest`);
    return r;
  }
  throw new OciError('NOT_FOUND', 'NAME_UNKNOWN', `no OCI endpoint at /v2/${rest.slice(0, 200)}`);
}

function body(req: FastifyRequest): Readable | null {
  return (req.body as Readable | undefined) ?? null;
}

function query(req: FastifyRequest): Record<string, string | undefined> {
  return req.query as Record<string, string | undefined>;
}

export async function ociRoutes(app: FastifyInstance, { oci, publicUrl, refused }: { oci: OciService; publicUrl?: string | undefined; refused: (ctx: FastifyRequest['ctx'], operation: string, name: string, e: AppError) => Promise<void> }): Promise<void> {
  // Every body on /v2/ arrives as a stream: blobs go to disk as they come, manifests are bounded.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err, MANIFEST_MAX_BYTES);
    if (e.status >= 500) req.log.error({ err: { message: ((e.cause ?? err) as Error)?.message, code: e.code } }, 'registry request failed');
    const reason = (e.details as { reason?: string } | undefined)?.reason;
    let code = reason ?? OCI_CODE_BY_APP[e.code] ?? (e.status >= 500 ? 'UNKNOWN' : 'UNSUPPORTED');
    let status = e.status;
    if (code === 'RANGE_NOT_SATISFIABLE') {
      // The client resumes from what the upload holds: tell it where that is.
      status = 416;
      code = 'BLOB_UPLOAD_INVALID';
      const d = e.details as { location?: string; size?: number };
      if (d.location) void reply.headers({ location: d.location, range: d.size ? `0-${d.size - 1}` : '0-0' });
    }
    if (status === 401) {
      // The realm is the configured public URL; the Host header only when none is configured.
      const base = publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
      void reply.header('www-authenticate', `Bearer realm="${base.replace(/\/+$/u, '')}/v2/token",service="evident"`);
    }
    void reply.header('docker-distribution-api-version', 'registry/2.0');
    return reply.status(status).send({ errors: [{ code, message: e.message, detail: { requestId: req.id } }] });
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('docker-distribution-api-version', 'registry/2.0');
    return payload;
  });

  // end-1: the API exists and the credential works.
  app.get('/v2/', async () => ({}));

  // The registry bearer-token flow: the credential (sent as Basic password) is an Evident token,
  // which the auth hook already verified; it is handed back as the bearer token for /v2/.
  app.get('/v2/token', async (req) => {
    const token = tokenFromBasic(req.headers.authorization) ?? bearer(req.headers.authorization);
    if (!token) throw new AppError('UNAUTHENTICATED', 'send your Evident token as the Basic password');
    const expiresIn = req.ctx.principal?.expiresAt ? Math.max(0, Math.floor((Date.parse(req.ctx.principal.expiresAt) - Date.now()) / 1000)) : 300;
    return { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() };
  });

  const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
    const rest = (req.params as { '*': string })['*'];
    const r = parseOciPath(rest);
    const ctx = req.ctx;
    const refuseDeletion = async (name: string) => {
      const e = deletionRefused();
      await refused(ctx, 'oci.delete', name, e);
      throw e;
    };
    const m = req.method;
    switch (r.kind) {
      case 'uploads': {
        if (m !== 'POST') break;
        const q = query(req);
        if (q.mount && q.from) {
          if (!DIGEST_RE.test(q.mount)) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', 'mount must be a sha256 digest');
          if (await oci.mount(r.name, q.mount, q.from)) {
            return reply.status(201).headers({ location: `/v2/${r.name}/blobs/${q.mount}`, 'docker-content-digest': q.mount }).send();
          }
        }
        if (q.digest) {
          if (!DIGEST_RE.test(q.digest)) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', 'digest must be a sha256 digest');
          const info = await oci.monolithic(r.name, body(req) ?? emptyStream(), q.digest);
          return reply.status(201).headers({ location: `/v2/${r.name}/blobs/${info.digest}`, 'docker-content-digest': info.digest }).send();
        }
        const s = oci.startUpload(ctx, r.name);
        return reply.status(202).headers({ location: `/v2/${r.name}/blobs/uploads/${s.session.id}`, range: '0-0', 'docker-upload-uuid': s.session.id, 'oci-chunk-min-length': '0' }).send();
      }
      case 'upload': {
        const loc = `/v2/${r.name}/blobs/uploads/${r.id}`;
        const range = (size: number) => (size > 0 ? `0-${size - 1}` : '0-0');
        if (m === 'PATCH') {
          const s = await oci.appendChunk(ctx, r.name, r.id, body(req) ?? emptyStream(), header(req, 'content-range'));
          return reply.status(202).headers({ location: loc, range: range(s.session.size), 'docker-upload-uuid': r.id }).send();
        }
        if (m === 'PUT') {
          const digest = query(req).digest;
          if (!digest || !DIGEST_RE.test(digest)) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', 'finish an upload with ?digest=sha256:<hex>');
          const info = await oci.finishUpload(ctx, r.name, r.id, body(req), digest);
          return reply.status(201).headers({ location: `/v2/${r.name}/blobs/${info.digest}`, 'docker-content-digest': info.digest }).send();
        }
        if (m === 'GET') {
          const s = oci.sessionFor(ctx, r.name, r.id);
          return reply.status(204).headers({ location: loc, range: range(s.session.size), 'docker-upload-uuid': r.id }).send();
        }
        if (m === 'DELETE') {
          await oci.cancelUpload(ctx, r.name, r.id);
          return reply.status(204).send();
        }
        break;
      }
      case 'blob': {
        if (m === 'DELETE') return refuseDeletion(r.name);
        if (m !== 'GET' && m !== 'HEAD') break;
        const info = await oci.blobInRepo(r.name, r.digest);
        // Pushers learn whether a blob exists (push needs it); content goes only through the gate.
        if (m === 'HEAD' && oci.isPusher(ctx)) {
          if (!info) throw new OciError('NOT_FOUND', 'BLOB_UNKNOWN', `blob ${r.digest} is not in ${r.name}`);
          return reply.status(200).headers({ 'content-length': String(info.size), 'docker-content-digest': r.digest, 'content-type': 'application/octet-stream' }).send();
        }
        if (!info) throw new OciError('NOT_FOUND', 'BLOB_UNKNOWN', `blob ${r.digest} is not in ${r.name}`);
        await oci.authorizeBlob(ctx, r.name, r.digest);
        return sendBlob(req, reply, oci, r.digest, info.size);
      }
      case 'manifest': {
        if (m === 'DELETE') return refuseDeletion(r.name);
        if (m === 'PUT') {
          const bytes = await readBounded(body(req) ?? emptyStream(), MANIFEST_MAX_BYTES, () => new OciError('PAYLOAD_TOO_LARGE', 'SIZE_INVALID', `manifests are limited to ${MANIFEST_MAX_BYTES} bytes`));
          const { digest, subject } = await oci.putManifest(ctx, r.name, r.reference, bytes, header(req, 'content-type'));
          return reply
            .status(201)
            .headers({ location: `/v2/${r.name}/manifests/${digest}`, 'docker-content-digest': digest, ...(subject ? { 'oci-subject': subject } : {}) })
            .send();
        }
        if (m !== 'GET' && m !== 'HEAD') break;
        const row = await oci.resolve(r.name, r.reference);
        if (!row) {
          if (!oci.isPusher(ctx)) await oci.refuseUnknown(ctx, r.name, r.reference);
          throw new OciError('NOT_FOUND', 'MANIFEST_UNKNOWN', `manifest ${r.reference} is not in ${r.name}`);
        }
        if (!(m === 'HEAD' && oci.isPusher(ctx))) await oci.authorizeManifest(ctx, r.name, row.digest, r.reference);
        void reply.headers({ 'content-type': row.media_type, 'docker-content-digest': row.digest, 'content-length': String(row.content.length) });
        return m === 'HEAD' ? reply.status(200).send() : reply.status(200).send(row.content);
      }
      case 'tags': {
        if (m !== 'GET' && m !== 'HEAD') break;
        const q = query(req);
        const n = q.n !== undefined ? Number(q.n) : 1000;
        if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new OciError('VALIDATION_FAILED', 'PAGINATION_NUMBER_INVALID', 'n must be an integer 0..10000');
        if (!(await oci.repoExists(r.name))) throw new OciError('NOT_FOUND', 'NAME_UNKNOWN', `repository ${r.name} is not known`);
        if (!(await oci.mayList(ctx, r.name))) throw new OciError('FORBIDDEN', 'DENIED', `you may pull nothing from ${r.name}, so its tags are not listed to you`);
        const tags = await oci.tags(r.name, q.last, n);
        if (tags.length === n && n > 0) void reply.header('link', `</v2/${r.name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1]!)}>; rel="next"`);
        return reply.type('application/json').send({ name: r.name, tags });
      }
      case 'referrers': {
        if (m !== 'GET' && m !== 'HEAD') break;
        if (!oci.isPusher(ctx)) await oci.authorizeManifest(ctx, r.name, r.digest, `referrers of ${r.digest}`);
        const artifactType = query(req).artifactType;
        const manifests = await oci.referrers(r.name, r.digest, artifactType);
        if (artifactType) void reply.header('oci-filters-applied', 'artifactType');
        return reply.type('application/vnd.oci.image.index.v1+json').send({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
      }
    }
    throw new OciError('METHOD_NOT_ALLOWED', 'UNSUPPORTED', `${m} is not supported on this endpoint`);
  };
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v2/*', handler: dispatch, exposeHeadRoute: false });
}

function deletionRefused() {
  return new OciError('METHOD_NOT_ALLOWED', 'UNSUPPORTED', 'deletion is disabled: what entered intake is evidence; quarantine or reject the artifact instead');
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function emptyStream(): Readable {
  return (async function* () {})() as unknown as Readable;
}

function bearer(h: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/iu.exec(h ?? '');
  return m ? m[1]! : null;
}

export function tokenFromBasic(h: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/iu.exec(h ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i >= 0 ? decoded.slice(i + 1) : null;
}

async function sendBlob(req: FastifyRequest, reply: FastifyReply, oci: OciService, digest: string, size: number) {
  void reply.headers({ 'docker-content-digest': digest, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') return reply.status(200).header('content-length', String(size)).send();
  const range = /^bytes=(\d+)-(\d*)$/u.exec(header(req, 'range') ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end) return reply.status(416).header('content-range', `bytes */${size}`).send();
    return reply
      .status(206)
      .headers({ 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) })
      .send(oci.read(digest, { start, end }));
  }
  return reply.status(200).header('content-length', String(size)).send(oci.read(digest));
}
