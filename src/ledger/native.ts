// Optional native batch hashing (native/merkle.c, built by `npm ci` through node-gyp). When it is
// missing, verification runs on the JavaScript reference implementation with the same results.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeBinding {
  parseLeafLines(text: Uint8Array, firstIndex: number, leaves: Uint8Array, offsets: Uint32Array): number;
  leafHashes(data: Uint8Array, offsets: Uint32Array, out: Uint8Array): void;
  chunkFrontier(leafHashes: Uint8Array, cuts: Uint32Array, out: Uint8Array): number;
}

/** Absolute path of the compiled addon (same place from src/ and dist/). */
export const NATIVE_PATH = fileURLToPath(new URL('../../build/Release/evident_native.node', import.meta.url));

let loaded: NativeBinding | null | undefined;

export function nativeBinding(): NativeBinding | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(NATIVE_PATH) as NativeBinding;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}
