// Licence declarations of artifacts: SPDX expressions (`MIT OR Apache-2.0`, `LicenseRef-x`,
// `GPL-2.0-or-later WITH Classpath-exception-2.0`) and the Hugging Face card ids of model licences
// that SPDX does not list (`llama3.1`, `gemma`, `openrail++`, …), which become `LicenseRef-` ids.
// A policy is an allow list and/or a deny list of single licences. Semantics (spdx-satisfies):
// OR lets the licensee pick any branch, AND needs every part. A leaf is acceptable when no deny
// entry matches it (deny wins over allow) and, if an allow list is given, an allow entry does.
// An exception only adds permissions, so an allowed base licence also allows it WITH an exception;
// a denied base licence stays denied with one.
import { createRequire } from 'node:module';
import parse from 'spdx-expression-parse';
import { AppError } from '../errors.js';
import { AMBIGUOUS_HUB_IDS, HUB_TO_SPDX, modelLicense } from './license-models.js';
import type { Finding } from './types.js';

const require = createRequire(import.meta.url);
const spdxSatisfies = require('spdx-satisfies') as (expression: string, approved: string[]) => boolean;
const LICENSE_IDS = byLowerCase([...(require('spdx-license-ids') as string[]), ...(require('spdx-license-ids/deprecated.json') as string[])]);
const EXCEPTION_IDS = byLowerCase([...(require('spdx-exceptions') as string[]), ...(require('spdx-exceptions/deprecated.json') as string[])]);

/** Longer declarations are not licence expressions; also bounds the parser's work. */
const MAX_DECLARED = 1000;
const MAX_LEAVES = 64;

export interface LicensePolicy {
  allow?: string[];
  deny?: string[];
}

type Node = parse.Info;
type Leaf = parse.LicenseInfo;

export function checkLicense(declared: string, policy: LicensePolicy): { ok: boolean; normalized: string; findings: Finding[] } {
  const allow = policy.allow?.map((e) => policyEntry(e, 'allow'));
  const deny = policy.deny?.map((e) => policyEntry(e, 'deny')) ?? [];
  const tree = parseDeclared(declared);
  if (!tree) {
    const shown = JSON.stringify(declared.slice(0, 200));
    return {
      ok: allow === undefined,
      normalized: declared.trim(),
      findings: [{ rule: 'license-unknown', severity: 'suspicious', detail: `licence ${shown} is not an SPDX expression or a known model licence; review it by hand` }],
    };
  }
  const normalized = render(tree, true);
  const leaves = collectLeaves(tree);
  const leafOk = new Map<Leaf, boolean>(leaves.map((l) => [l, !matches(l, deny, true) && (allow === undefined || matches(l, allow, false))]));
  const ok = evaluate(tree, leafOk);
  const findings: Finding[] = [];
  const rejected = leaves.filter((l) => !leafOk.get(l));
  for (const l of rejected) {
    const denied = matches(l, deny, true);
    const rule = denied ? 'license-denied' : 'license-not-allowed';
    const why = denied ? 'is on the deny list' : 'is not on the allow list';
    if (ok) findings.push({ rule: 'license-choice', severity: 'safe', detail: `${render(l, false)} ${why}; use ${normalized} under one of its other alternatives` });
    else findings.push({ rule, severity: 'dangerous', detail: `${render(l, false)} ${why} (declared: ${normalized})` });
  }
  for (const l of leaves) {
    const m = modelLicense(l.license);
    if (m) {
      const commercial = { yes: 'commercial use allowed', no: 'no commercial use', restricted: 'commercial use with conditions' }[m.commercialUse];
      const extras = [commercial, m.useRestrictions ? 'use-based restrictions' : '', m.attribution ? 'attribution required' : ''].filter(Boolean).join(', ');
      findings.push({ rule: 'license-model-terms', severity: 'safe', detail: `${m.id} (${m.name}): ${extras}; ${m.note}` });
    }
  }
  return { ok, normalized, findings };
}

/** Parses a declaration after mapping Hub ids and fixing case; null when it is not a licence. */
export function parseDeclared(declared: string): Node | null {
  const text = declared.trim();
  if (text === '' || text.length > MAX_DECLARED) return null;
  const tokens = text.match(/\(|\)|[^\s()]+/gu) ?? [];
  const out: string[] = [];
  let afterWith = false;
  for (const t of tokens) {
    const upper = t.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'WITH') {
      out.push(upper);
      afterWith = upper === 'WITH';
    } else if (t === '(' || t === ')') {
      out.push(t);
    } else {
      const id = afterWith ? EXCEPTION_IDS.get(t.toLowerCase()) : normalizeId(t);
      if (!id) return null;
      out.push(id);
      afterWith = false;
    }
  }
  try {
    const tree = parse(out.join(' '));
    return collectLeaves(tree).length <= MAX_LEAVES ? tree : null;
  } catch {
    return null;
  }
}

/** One licence id in its SPDX spelling, or undefined when it is not one we can name. */
function normalizeId(token: string): string | undefined {
  const plus = token.endsWith('+') && !token.endsWith('++') ? '+' : '';
  const bare = plus ? token.slice(0, -1) : token;
  const lower = bare.toLowerCase();
  if (AMBIGUOUS_HUB_IDS.has(lower)) return undefined;
  const model = modelLicense(bare);
  if (model) return model.id;
  // A Hub id is never written with "+"; "GPL-2.0+" is the deprecated SPDX "or later" form.
  const hub = !plus && Object.hasOwn(HUB_TO_SPDX, lower) ? HUB_TO_SPDX[lower] : undefined;
  const spdx = hub ?? LICENSE_IDS.get(lower);
  if (spdx) return spdx + plus;
  // Other LicenseRef-/DocumentRef- ids are legal SPDX; keep them as written.
  if (/^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/u.test(bare)) return bare;
  return undefined;
}

function policyEntry(entry: string, list: 'allow' | 'deny'): string {
  const tree = parseDeclared(entry);
  if (!tree || 'conjunction' in tree) {
    throw new AppError('VALIDATION_FAILED', `licence policy ${list} entry ${JSON.stringify(entry)} must be one SPDX licence id, LicenseRef- id or known model licence (no AND/OR)`, { field: list, entry });
  }
  return render(tree, false);
}

function matches(leaf: Leaf, entries: string[], denying: boolean): boolean {
  if (entries.length === 0) return false;
  const full = render(leaf, false);
  const base = render({ license: leaf.license, ...(leaf.plus ? { plus: true as const } : {}) }, false);
  try {
    // Allowing the base licence allows it with an exception; denying it denies it with one too.
    return spdxSatisfies(full, entries) || (leaf.exception !== undefined && spdxSatisfies(base, entries)) || (denying && entries.includes(leaf.license));
  } catch {
    return entries.includes(full);
  }
}

function evaluate(n: Node, leafOk: Map<Leaf, boolean>): boolean {
  if (!('conjunction' in n)) return leafOk.get(n) ?? false;
  const l = evaluate(n.left, leafOk);
  const r = evaluate(n.right, leafOk);
  return n.conjunction === 'and' ? l && r : l || r;
}

function collectLeaves(n: Node, out: Leaf[] = []): Leaf[] {
  if ('conjunction' in n) {
    collectLeaves(n.left, out);
    collectLeaves(n.right, out);
  } else out.push(n);
  return out;
}

/** Canonical text: upper-case operators, parentheses only where precedence needs them. */
function render(n: Node, top: boolean, parent?: 'and' | 'or'): string {
  if (!('conjunction' in n)) return `${n.license}${n.plus ? '+' : ''}${n.exception ? ` WITH ${n.exception}` : ''}`;
  const s = `${render(n.left, false, n.conjunction)} ${n.conjunction.toUpperCase()} ${render(n.right, false, n.conjunction)}`;
  return !top && parent === 'and' && n.conjunction === 'or' ? `(${s})` : s;
}

function byLowerCase(ids: string[]): Map<string, string> {
  return new Map(ids.map((id) => [id.toLowerCase(), id]));
}
