// Container image references as the OCI / Docker tooling reads them:
// [registry[:port]/]repository[:tag][@algorithm:hex]. A first path component is a registry when it
// has a "." or ":" or is "localhost"; otherwise the image comes from Docker Hub.
export interface ImageRef {
  original: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/u;

export function parseImageRef(image: string): ImageRef | null {
  if (!image || image.length > 1024 || /\s/u.test(image)) return null;
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return null;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/u.test(tag)) return null;
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift()!;
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (!/^[a-z0-9]+([._-]{1,2}[a-z0-9]+)*(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$/u.test(repository)) return null;
  return { original: image, registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Whether an image comes from one of the allowed registries: a host, or a host/path prefix. */
export function fromAllowedRegistry(ref: ImageRef, allowed: readonly string[]): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  return allowed.some((a) => {
    const entry = a.replace(/\/+$/u, '');
    return ref.registry === entry || full.startsWith(`${entry}/`);
  });
}
