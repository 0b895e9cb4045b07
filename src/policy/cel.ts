// Custom rules in CEL, the language of Kubernetes ValidatingAdmissionPolicy, through
// @marcbachmann/cel-js (pure JS, no dependencies, VAP-compatible syntax including `.?`).
// Bounds: structural limits at parse time (AST size and depth), input size is bounded by the
// request body limit, and each evaluation is timed; a rule that errs or runs past its budget
// counts as failed (a policy must not pass because its check broke).
import { Environment } from '@marcbachmann/cel-js';
import type { CustomRuleInput, Mode } from './schema.js';

export const CEL_LIMITS = { maxAstNodes: 2000, maxDepth: 50, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 };
export const CEL_BUDGET_MS = 5;

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
  const program = env.parse(r.expression) as unknown as ((a: Record<string, unknown>) => unknown) & { check(): { valid: boolean; type?: string; error?: Error } };
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

/** CEL integers are int64: whole JSON numbers become BigInts so arithmetic type-checks as in Kubernetes. */
export function toCel(v: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => toCel(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x, depth + 1);
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
