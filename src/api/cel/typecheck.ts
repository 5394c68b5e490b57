// ValidatingAdmissionPolicy type checking (Kubernetes' validating.TypeChecker): each validation's
// expression and messageExpression compiled with `object`/`oldObject` typed from the schema of every
// kind matchConstraints names outright (no wildcards, no subresources, at most 10, sorted by group,
// version, kind) and `params` from paramKind's; what does not compile is a warning for
// status.typeChecking.expressionWarnings, never a change in how the policy behaves. Types the schema
// leaves open (int-or-string, preserve-unknown-fields, formatted strings) are dyn, so they never warn.
import type { Environment } from '@marcbachmann/cel-js';
import type { Schema } from '../resource.ts';
import { AUTHORIZER_TYPE } from './authz.ts';
import { kubernetesEnvironment } from './env.ts';

/** A kind an expression is checked against: `apps/v1, Kind=Deployment` and its schema. */
export interface CheckedKind {
  gvk: string;
  schema: Schema;
}

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

export interface PolicyExpressions {
  validations?: { expression?: string; messageExpression?: string }[];
  /** Whether the policy has a paramKind (params is then declared). */
  hasParams: boolean;
}

const MAX_DEPTH = 32;

/** Registers the object types of a schema (innermost first) and returns the CEL type of its root. */
function declare(env: Environment, s: Schema | undefined, names: { next: number }, depth: number): string {
  if (!s || depth > MAX_DEPTH || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields']) return 'dyn';
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      return s.format ? 'dyn' : 'string';
    case 'array':
      return `list<${declare(env, s.items, names, depth + 1)}>`;
    case 'object':
    case undefined: {
      if (s.properties && Object.keys(s.properties).length) {
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.properties)) fields[k] = declare(env, v, names, depth + 1);
        const name = `kubesim.typecheck.T${names.next++}`;
        env.registerType(name, { fields } as never);
        return name;
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map<string, ${declare(env, s.additionalProperties, names, depth + 1)}>`;
      return 'dyn';
    }
    default:
      return 'dyn';
  }
}

const OPERATORS: Record<string, string> = { '==': '_==_', '!=': '_!=_', '<': '_<_', '<=': '_<=_', '>': '_>_', '>=': '_>=_', '+': '_+_', '-': '_-_', '*': '_*_', '/': '_/_', '%': '_%_' };

/** cel-go's issue text for a cel-js check error: `ERROR: <input>:1:12: undefined field 'x'` plus the source line and a caret. */
export function celGoIssue(expr: string, err: unknown): string {
  const e = err as { summary?: string; message?: string; range?: { start?: number } };
  let text = String(e?.summary ?? e?.message ?? err).split('\n')[0];
  let at = typeof e?.range?.start === 'number' ? e.range.start : undefined;
  const field = /^No such key: (.+)$/.exec(text);
  const overload = /^no such overload: (\S+) (==|!=|<=|>=|<|>|\+|-|\*|\/|%) (\S+)$/.exec(text);
  if (field) {
    text = `undefined field '${field[1]}'`;
    if (at !== undefined) at -= 1; // cel-go points at the '.' of the selection
  } else if (overload) {
    text = `found no matching overload for '${OPERATORS[overload[2]]}' applied to '(${overload[1]}, ${overload[3]})'`;
    const op = expr.indexOf(` ${overload[2]} `, at ?? 0);
    if (op >= 0) at = op + 1;
  }
  if (at === undefined) return `ERROR: <input>: ${text}`;
  const before = expr.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n') - 1;
  const source = expr.split('\n')[line - 1];
  return `ERROR: <input>:${line}:${col + 1}: ${text}\n | ${source}\n | ${'.'.repeat(col)}^`;
}

function environmentFor(kind: CheckedKind, params: Schema | undefined, hasParams: boolean): Environment {
  const env = kubernetesEnvironment();
  const names = { next: 0 };
  const objectType = declare(env, kind.schema, names, 0);
  env.registerVariable('object', objectType).registerVariable('oldObject', objectType);
  if (hasParams) env.registerVariable('params', params ? declare(env, params, names, 0) : 'dyn');
  for (const v of ['request', 'namespaceObject', 'variables']) env.registerVariable(v, 'dyn');
  env.registerVariable('authorizer', AUTHORIZER_TYPE);
  return env;
}

/** Checker.Check: the warnings of a policy's validations against its kinds (empty when all compile). */
export function typeCheckPolicy(p: PolicyExpressions, kinds: CheckedKind[], params?: Schema): ExpressionWarning[] {
  if (kinds.length === 0) return [];
  const envs = kinds.map((k) => environmentFor(k, params, p.hasParams));
  const check = (expr: string): string | undefined => {
    const results: string[] = [];
    envs.forEach((env, i) => {
      let error: unknown;
      try {
        const c = env.check(expr);
        if (!c.valid) error = c.error;
      } catch (err) {
        error = err;
      }
      if (error !== undefined) results.push(`${kinds[i].gvk}: ${celGoIssue(expr, error)}\n`);
    });
    return results.length ? results.join('\n') : undefined;
  };
  const warnings: ExpressionWarning[] = [];
  (p.validations ?? []).forEach((v, i) => {
    const w = typeof v?.expression === 'string' ? check(v.expression) : undefined;
    if (w) warnings.push({ fieldRef: `spec.validations[${i}].expression`, warning: w });
    const m = typeof v?.messageExpression === 'string' && v.messageExpression ? check(v.messageExpression) : undefined;
    if (m) warnings.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: m });
  });
  return warnings;
}
