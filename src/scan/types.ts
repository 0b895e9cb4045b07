// The one result shape every scanner returns. Scanners are pure: they read bytes, never execute
// or import what they read, and never touch the network or the data dir.

/** Ordered: a file's verdict is the worst of its findings' severities. */
export const VERDICTS = ['safe', 'suspicious', 'dangerous'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Finding {
  /** Stable rule id, e.g. `pickle-dangerous-global`, `safetensors-overlap`, `keras-lambda-layer`. */
  rule: string;
  /** What was found and where, in words an approver can act on (module/name, offset, member). */
  detail: string;
  severity: Verdict;
  /** Path inside a container (zip member, npz array, 7z entry) when the finding is in one. */
  member?: string;
}

/** Something found inside a file that must be reviewed as an artifact of its own. */
export interface ExtractedArtifact {
  /** e.g. `prompt-template` for a GGUF `tokenizer.chat_template`. */
  kind: string;
  name: string;
  content: string;
  /** Lowercase hex SHA-256 of `content` as UTF-8. */
  sha256: string;
}

export interface ScanResult {
  path: string;
  /** Detected by content, not extension: `pickle`, `pytorch-zip`, `pytorch-legacy`, `numpy`, `npz`,
   *  `zip`, `7z`, `tar`, `tar+gzip`, `gzip`, `zstd`, `safetensors`, `gguf`, `keras`, `hdf5`, `unknown`, … */
  format: string;
  verdict: Verdict;
  findings: Finding[];
  extracted?: ExtractedArtifact[];
}

export function worstVerdict(findings: readonly { severity: Verdict }[]): Verdict {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, VERDICTS.indexOf(f.severity));
  return VERDICTS[worst]!;
}
