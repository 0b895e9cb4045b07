// OCI manifests and indexes as the distribution spec and image spec define them: parsed, checked
// (every descriptor well formed, sizes bounded), and read for what intake needs (referenced
// digests, the artifact kind, licence and permitted environments from annotations).
import { z } from 'zod';
import { AppError } from '../errors.js';
import { ARTIFACT_KINDS, type ArtifactKind } from './schema.js';

export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest, MEDIA.ociIndex, MEDIA.dockerList]);

export class OciError extends AppError {
  constructor(
    code: ConstructorParameters<typeof AppError>[0],
    readonly ociCode: string,
    message: string,
  ) {
    super(code, message, { reason: ociCode });
  }
}

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/u, 'only sha256 digests are accepted');
const Annotations = z.record(z.string(), z.string()).optional();
const Descriptor = z.object({
  mediaType: z.string().min(1).max(255),
  digest: Digest,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  annotations: Annotations,
  artifactType: z.string().max(255).optional(),
  urls: z.array(z.string()).optional(),
  platform: z.record(z.string(), z.unknown()).optional(),
  data: z.string().optional(),
});
const ImageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().max(255).optional(),
  config: Descriptor,
  layers: z.array(Descriptor).max(1000),
  subject: Descriptor.optional(),
  annotations: Annotations,
});
const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().max(255).optional(),
  manifests: z.array(Descriptor).max(1000),
  subject: Descriptor.optional(),
  annotations: Annotations,
});

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  artifactType: string | null;
  subject: string | null;
  /** Blobs (config, layers) the manifest needs in the repository. */
  blobs: { digest: string; size: number; mediaType: string }[];
  /** Child manifests of an index. */
  children: string[];
  annotations: Record<string, string>;
  configMediaType: string | null;
}

/** Parses manifest bytes sent with `contentType`; throws MANIFEST_INVALID naming the problem. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', 'the manifest is not valid UTF-8 JSON');
  }
  const declared = json && typeof json === 'object' ? (json as { mediaType?: unknown }).mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const mediaType = typeof declared === 'string' ? declared : header;
  if (!mediaType || !MANIFEST_TYPES.has(mediaType)) {
    throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', `unsupported manifest media type ${JSON.stringify(mediaType ?? '(none)')}; send an OCI or Docker v2 manifest or index`);
  }
  if (typeof declared === 'string' && header && header !== declared && header !== 'application/json') {
    throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', `Content-Type ${header} disagrees with the manifest's mediaType ${declared}`);
  }
  const isIndex = INDEX_TYPES.has(mediaType);
  const parsed = (isIndex ? ImageIndex : ImageManifest).safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', `manifest field ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const m = parsed.data as z.infer<typeof ImageManifest> & z.infer<typeof ImageIndex>;
  return {
    mediaType,
    isIndex,
    artifactType: m.artifactType ?? null,
    subject: m.subject?.digest ?? null,
    blobs: isIndex ? [] : [m.config, ...m.layers].map((d) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType })),
    children: isIndex ? m.manifests.map((d) => d.digest) : [],
    annotations: m.annotations ?? {},
    configMediaType: isIndex ? null : m.config.mediaType,
  };
}

/** What kind of artifact a pushed manifest is: an explicit annotation, else its media types. */
export function kindOf(m: ParsedManifest): ArtifactKind {
  // A container image stays an image whatever it is labelled: zones hold images to stricter rules.
  if (m.configMediaType && /vnd\.(oci\.image\.config|docker\.container\.image)/u.test(m.configMediaType)) return 'image';
  const declared = m.annotations['dev.evident.kind'];
  if (declared && (ARTIFACT_KINDS as readonly string[]).includes(declared)) return declared as ArtifactKind;
  const types = [m.artifactType, m.configMediaType, ...m.blobs.map((b) => b.mediaType)].filter(Boolean).join(' ');
  if (/vnd\.(cncf|cnai)\.model|vnd\.kitops\.modelkit/u.test(types)) return 'model';
  if (/vnd\.(oci\.image\.config|docker\.container\.image)/u.test(types)) return 'image';
  return 'model';
}

/** Intake metadata carried as annotations (the standard licence key, Evident's own keys). */
export function intakeAnnotations(m: ParsedManifest): { license?: string; environments: string[]; expiresAt?: string; source?: string } {
  const a = m.annotations;
  const envs = (a['dev.evident.environments'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...(a['org.opencontainers.image.licenses'] ? { license: a['org.opencontainers.image.licenses'] } : {}),
    environments: envs,
    ...(a['dev.evident.expires-at'] ? { expiresAt: a['dev.evident.expires-at'] } : {}),
    ...(a['org.opencontainers.image.source'] ? { source: a['org.opencontainers.image.source'] } : {}),
  };
}
