// Bounds on what one scan may read, inflate and recurse into. Hostile containers (zip bombs,
// archives nested a hundred deep) become findings instead of exhausted memory.

export interface ScanLimits {
  /** Largest member inflated into memory (a deflated pickle, a nested archive). */
  maxMemberBytes: number;
  /** Sum of everything inflated in one scan, across nesting. */
  maxTotalInflated: number;
  /** Inflated/compressed ratio above which a member is a zip bomb (checked past 1 MiB of output). */
  maxRatio: number;
  /** Containers inside containers. */
  maxDepth: number;
  /** Members listed per archive. */
  maxEntries: number;
  /** Bytes searched for lost zip local headers when the layout is broken. */
  maxHeaderSearch: number;
  /** Largest 7z archive loaded into the WebAssembly 7-Zip, and the most it may unpack. */
  max7zBytes: number;
  max7zUnpacked: number;
  /** Leading bytes handed to header-only parsers (GGUF, HDF5). */
  maxHeaderBytes: number;
  /**
   * Leading bytes of one member held in memory when it arrives as a stream (a file in a .tar.gz
   * layer, the content of a .gz); past it only formats judged by their head are fully scanned.
   */
  maxStreamMemberBytes: number;
  /** Decompressed bytes streamed through (gzip layers) in one scan, across nesting; never held. */
  maxStreamedBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxMemberBytes: 256 * 2 ** 20,
  maxTotalInflated: 1024 * 2 ** 20,
  maxRatio: 200,
  maxDepth: 4,
  maxEntries: 100_000,
  maxHeaderSearch: 256 * 2 ** 20,
  max7zBytes: 256 * 2 ** 20,
  max7zUnpacked: 512 * 2 ** 20,
  maxHeaderBytes: 64 * 2 ** 20,
  maxStreamMemberBytes: 64 * 2 ** 20,
  maxStreamedBytes: 64 * 2 ** 30,
};

/** Shared across one scan so nested archives draw from one inflate budget. */
export interface Budget {
  limits: ScanLimits;
  inflated: number;
  /** Decompressed bytes streamed so far (counted against maxStreamedBytes, not maxTotalInflated). */
  streamed: number;
}
