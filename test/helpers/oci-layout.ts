// Hand-made OCI image layouts (image-spec "OCI Image Layout"), the way a build or an ML pipeline
// leaves them on disk, for skopeo to push from and pull into.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

export interface Blob {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function writeBlob(dir: string, bytes: Buffer): string {
  const d = sha256(bytes);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), bytes);
  return d;
}

const descriptor = (b: Blob, digest: string) => ({ mediaType: b.mediaType, digest, size: b.bytes.length, ...(b.annotations ? { annotations: b.annotations } : {}) });

/** Writes a layout holding one manifest (tagged `tag`) and returns the manifest's bytes and digest. */
export function writeLayout(dir: string, tag: string, m: { config: Blob; layers: Blob[]; artifactType?: string; annotations?: Record<string, string> }): { manifest: Buffer; digest: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      config: descriptor(m.config, writeBlob(dir, m.config.bytes)),
      layers: m.layers.map((l) => descriptor(l, writeBlob(dir, l.bytes))),
      ...(m.annotations ? { annotations: m.annotations } : {}),
    }),
  );
  const digest = writeBlob(dir, manifest);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return { manifest, digest };
}

export function readLayoutBlob(dir: string, digest: string): Buffer {
  return readFileSync(join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/u, '')));
}

/** Runs skopeo with a bounded time; resolves with its exit code and output. */
export function skopeo(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('skopeo', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
