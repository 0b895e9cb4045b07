// Formats are recognised by their bytes, never by the file name: a pickle renamed `.bin`, `.txt`
// or `.zip` is still a pickle to the loader that opens it.
import { startsLikeZip } from './zip.js';
import { startsLikeNpy } from './numpy.js';
import { startsLike7z } from './sevenzip.js';
import { startsLikeGzip, startsLikeZstd } from './gzip.js';
import { startsLikeTar } from './tar-header.js';

export type Sniffed = 'zip' | '7z' | 'numpy' | 'gguf' | 'hdf5' | 'safetensors' | 'gzip' | 'zstd' | 'tar' | 'other';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where an HDF5 superblock may sit: offset 0 or after a user block of 512 · 2^k bytes. */
export function hdf5SignatureAt(read: (pos: number, len: number) => Uint8Array, size: number): number | undefined {
  for (let at = 0; at + 8 <= size && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
    const b = read(at, 8);
    if (HDF5_SIGNATURE.every((x, i) => b[i] === x)) return at;
  }
  return undefined;
}

/** `head`: the first 512 bytes (fewer for a shorter file); a tar header needs all of them. */
export function sniff(head: Uint8Array, size: number): Sniffed {
  if (startsLikeZip(head)) return 'zip';
  if (startsLike7z(head)) return '7z';
  if (startsLikeGzip(head)) return 'gzip';
  if (startsLikeZstd(head)) return 'zstd';
  if (startsLikeNpy(head)) return 'numpy';
  if (head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46) return 'gguf';
  if (HDF5_SIGNATURE.every((x, i) => head[i] === x)) return 'hdf5';
  if (head.length >= 9 && head[8] === 0x7b) {
    // safetensors: u64-LE header length, then the JSON header's `{`.
    const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    // The header must fit in the file: 1 in 256 random files has a `{` at byte 8.
    if (n >= 2n && size >= 10 && n <= BigInt(size - 8)) return 'safetensors';
  }
  if (startsLikeTar(head)) return 'tar';
  return 'other';
}
