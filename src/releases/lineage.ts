// Lineage references and the edges a version adds to the graph. A reference is a string that says
// what it points at and pins it by digest or number, so a deletion request or an auditor can walk
// from a dataset snapshot to every model built from it, and back:
//   model/fraud-scorer@3                 a component version
//   artifact:models/fraud-scorer@sha256:… a registry artifact
//   dataset:transactions-2026q3@sha256:… a data snapshot
//   commit:github.com/bank/fraud@4f2a…   a code commit
//   run:mlflow-7f3c                      a training run
import type { VersionSpec } from './schema.js';

export const versionRef = (kind: string, name: string, version: number) => `${kind}/${name}@${version}`;
export const artifactRef = (a: { name: string; digest: string }) => `artifact:${a.name}@${a.digest}`;
export const datasetRef = (d: { name: string; digest: string }) => `dataset:${d.name}@${d.digest}`;

export interface Edge {
  from: string;
  to: string;
  relation: 'contains' | 'trained-on' | 'uses-features' | 'built-from-code' | 'produced-by-run' | 'fine-tuned-from' | 'evaluated-on';
}

/** The edges into one version node: what it is made of and what fed it. */
export function edgesOf(node: string, spec: VersionSpec): Edge[] {
  const e: Edge[] = spec.artifacts.map((a) => ({ from: artifactRef(a), to: node, relation: 'contains' as const }));
  const l = spec.lineage;
  if (!l) return e;
  for (const d of l.trainingData ?? []) e.push({ from: datasetRef(d), to: node, relation: 'trained-on' });
  if (l.features) e.push({ from: versionRef('feature-set', l.features.name, l.features.version), to: node, relation: 'uses-features' });
  if (l.code) e.push({ from: `commit:${l.code.repository}@${l.code.commit}`, to: node, relation: 'built-from-code' });
  if (l.trainingRun) e.push({ from: `run:${l.trainingRun}`, to: node, relation: 'produced-by-run' });
  if (l.baseModel) e.push({ from: artifactRef(l.baseModel), to: node, relation: 'fine-tuned-from' });
  for (const d of l.evaluationDatasets ?? []) e.push({ from: datasetRef(d), to: node, relation: 'evaluated-on' });
  return e;
}

/** Lineage references are bounded strings with a known prefix. */
export const LINEAGE_REF_RE = /^(?:(?:model|prompt|feature-set|retrieval-index|serving-config|access-policy|evaluation-threshold|routing-rule)\/[a-z0-9._-]{1,128}@\d{1,9}|(?:artifact|dataset|commit|run):\S{1,380})$/u;
