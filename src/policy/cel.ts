// Custom rules in CEL, the language of Kubernetes ValidatingAdmissionPolicy, through
// @marcbachmann/cel-js (pure JS, no dependencies, VAP-compatible syntax including `.?`).
// cel-js has no runtime cost budget, so the cost is bounded by construction: structural limits at
// parse time (AST size and depth), comprehensions (all/exists/map/filter) nested at most two deep,
// and no list or map in the input larger than MAX_LIST (a larger object fails the rule). The worst
// case is then MAX_LIST² iterations. Each evaluation is also timed: one that took too long fails
// (it cannot be interrupted, which is why the structural bounds come first). A rule that errs,
// meets too large an input or overruns counts as failed: a policy never passes because its check
// broke.
import { Environment } from '@marcbachmann/cel-js';
import type { CustomRuleInput, Mode } from './schema.js';

export const CEL_LIMITS = { maxAstNodes: 2000, maxDepth: 50, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 };
export const CEL_BUDGET_MS = 50;
export const MAX_LIST = 512;
const MAX_COMPREHENSION_NESTING = 2;
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * How deeply comprehension macros nest in a parsed expression. A macro call is
 * ["name", receiver, [variable, body]]: the receiver is evaluated once, the body once per element,
 * so only nesting inside a body multiplies the cost (a chain like filter().all() adds).
 */
function comprehensionDepth(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  if (Array.isArray(node)) return Math.max(0, ...node.map(comprehensionDepth));
  const n = node as { op?: unknown; args?: unknown };
  if (n.op === 'rcall' && Array.isArray(n.args) && COMPREHENSIONS.has(n.args[0] as string)) {
    return Math.max(comprehensionDepth(n.args[1]), 1 + comprehensionDepth(n.args.slice(2)));
  }
  return comprehensionDepth(n.args);
}

const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, limits: CEL_LIMITS })
  .registerVariable('object', 'map')
  .registerVariable('oldObject', 'dyn')
  .registerVariable('zone', 'map')
  .registerVariable('classes', 'list<string>')
  .registerVariable('request', 'map');

export interface CompiledCustomRule {
  id: string;
  description?: string;
  mode: Mode;
  match: { kinds?: string[]; zones?: string[]; classes?: string[] };
  message: string;
  fix?: string;
  expression: string;
  program: (activation: Record<string, unknown>) => unknown;
}

export interface CelActivation {
  object: unknown;
  oldObject: unknown;
  zone: unknown;
  classes: string[];
  request: { namespace: string; operation: string; kind: string; name: string };
}

export function compileCustomRule(r: CustomRuleInput): CompiledCustomRule {
  const program = env.parse(r.expression) as unknown as ((a: Record<string, unknown>) => unknown) & { ast: unknown; check(): { valid: boolean; type?: string; error?: Error } };
  if (comprehensionDepth(program.ast) > MAX_COMPREHENSION_NESTING) {
    throw new Error(`comprehensions (all, exists, map, filter) nest more than ${MAX_COMPREHENSION_NESTING} deep; the cost would be unbounded`);
  }
  const checked = program.check();
  if (!checked.valid) throw new Error(checked.error?.message.split('\n')[0] ?? 'type error');
  if (checked.type !== 'bool' && checked.type !== 'dyn') throw new Error(`it evaluates to ${checked.type}; a rule must evaluate to bool`);
  return {
    id: r.id,
    ...(r.description ? { description: r.description } : {}),
    mode: r.mode,
    match: r.match,
    message: r.message,
    ...(r.fix ? { fix: r.fix } : {}),
    expression: r.expression,
    program,
  };
}

export class InputTooLarge extends Error {}

/**
 * CEL integers are int64: whole JSON numbers become BigInts so arithmetic type-checks as in
 * Kubernetes. Lists and maps larger than MAX_LIST throw InputTooLarge (the bound that keeps rules cheap).
 */
export function toCel(v: unknown, depth = 0, path = 'object'): unknown {
  if (depth > 64) throw new InputTooLarge(`${path} is nested more than 64 deep`);
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) {
    if (v.length > MAX_LIST) throw new InputTooLarge(`${path} has ${v.length} items, more than the ${MAX_LIST} custom rules evaluate`);
    return v.map((x, i) => toCel(x, depth + 1, `${path}[${i}]`));
  }
  if (v && typeof v === 'object') {
    // Maps are iterated by comprehensions just like lists (over their keys).
    const size = Object.keys(v).length;
    if (size > MAX_LIST) throw new InputTooLarge(`${path} has ${size} entries, more than the ${MAX_LIST} custom rules evaluate`);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x, depth + 1, `${path}.${k}`);
    return out;
  }
  return v;
}

export type RuleOutcome = { pass: true } | { pass: false; error?: string };

export function runCustomRule(rule: CompiledCustomRule, activation: CelActivation, budgetMs = CEL_BUDGET_MS): RuleOutcome {
  const started = process.hrtime.bigint();
  let value: unknown;
  try {
    value = rule.program(activation as unknown as Record<string, unknown>);
  } catch (e) {
    return { pass: false, error: `the rule could not be evaluated: ${(e as Error).message.split('\n')[0]}` };
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (ms > budgetMs) return { pass: false, error: `the rule took ${ms.toFixed(1)} ms, over its ${budgetMs} ms budget` };
  if (value === true) return { pass: true };
  if (value === false) return { pass: false };
  return { pass: false, error: `the rule returned ${typeof value}, not a bool` };
}
