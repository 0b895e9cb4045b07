// C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint): origin, tree size, root hash, extensions.
import { HASH_SIZE } from './merkle.js';
import { NoteError, openNote, signNote, type NoteSigner, type NoteVerifier } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  return [c.origin, String(c.size), c.root.toString('base64'), ...c.extensions].join('\n') + '\n';
}

export function parseCheckpointBody(text: string, expectedOrigin?: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('checkpoint body must have at least three lines');
  const [origin, sizeStr, rootStr] = lines as [string, string, string];
  const extensions = lines.slice(3, -1);
  if (origin.length === 0) throw new NoteError('checkpoint origin is empty');
  if (expectedOrigin !== undefined && origin !== expectedOrigin) {
    throw new NoteError(`checkpoint origin ${JSON.stringify(origin)} is not the expected ${JSON.stringify(expectedOrigin)}`);
  }
  if (!/^(0|[1-9][0-9]{0,15})$/u.test(sizeStr)) throw new NoteError(`checkpoint size ${JSON.stringify(sizeStr)} is not a decimal number`);
  const size = Number(sizeStr);
  if (!Number.isSafeInteger(size)) throw new NoteError('checkpoint size is too large');
  const root = Buffer.from(rootStr, 'base64');
  if (root.length !== HASH_SIZE || root.toString('base64') !== rootStr) throw new NoteError('checkpoint root is not a base64 SHA-256 hash');
  return { origin, size, root, extensions };
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(c), [signer]);
}

export interface VerifiedCheckpoint extends Checkpoint {
  note: string;
  verifiedBy: string[];
}

/** Opens a signed checkpoint: signatures first, then the body, then the origin. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], expectedOrigin?: string): VerifiedCheckpoint {
  const opened = openNote(note, verifiers);
  const body = parseCheckpointBody(opened.text, expectedOrigin);
  return { ...body, note, verifiedBy: opened.verifiedBy };
}
