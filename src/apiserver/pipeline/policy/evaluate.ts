// Evaluating one policy for one request and one param: match conditions, variables, validations
// (with their messages and reasons) and audit annotations, as Kubernetes' validating policy
// validator decides them.
import { evaluateCel } from '../../../api/kinds/admissionregistration/cel.ts';
import type { CompiledExpression, CompiledPolicy } from './compile.ts';

export type Decision = { action: 'deny'; message: string; reason: string; index: number } | { action: 'error'; message: string; index: number };

export interface PolicyResult {
  decisions: Decision[];
  auditAnnotations: { key: string; value: string }[];
}

async function run(e: CompiledExpression, vars: Record<string, unknown>): Promise<unknown> {
  if (!e.program) throw new Error(e.error ?? 'compilation failed');
  return evaluateCel(e.program, e.expression, vars);
}

/** Asynchronous: the authorizer library's checks ask the API server's authorizer. */
export async function evaluatePolicy(p: CompiledPolicy, vars: Record<string, unknown>): Promise<PolicyResult> {
  const out: PolicyResult = { decisions: [], auditAnnotations: [] };
  // matchConditions: one false → the policy does not apply; an error → one error decision
  const errors: string[] = [];
  for (const c of p.matchConditions) {
    try {
      const v = await run(c, vars);
      if (v === false) return out;
      if (v !== true) errors.push(`expression '${c.expression}' resulted in error: no such overload`);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) return { decisions: [{ action: 'error', message: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`, index: 0 }], auditAnnotations: [] };
  const variables: Record<string, unknown> = {};
  const withVars = { ...vars, variables };
  for (const v of p.variables) {
    try {
      variables[v.name] = await run(v, withVars);
    } catch {
      // an unusable variable fails the expressions that use it ("no such key")
    }
  }
  for (const [index, v] of p.validations.entries()) {
    let result: unknown;
    try {
      result = await run(v.expression, withVars);
    } catch (err) {
      out.decisions.push({ action: 'error', message: (err as Error).message, index });
      continue;
    }
    if (result === true) continue;
    let message = '';
    if (v.messageExpression) {
      try {
        const m = await run(v.messageExpression, withVars);
        if (typeof m === 'string' && !m.includes('\n') && m.trim().length <= 5 * 1024) message = m.trim();
      } catch {
        // Kubernetes logs it and falls back to message
      }
    }
    if (!message && v.message) message = v.message.trim();
    if (!message) message = `failed expression: ${v.expression.expression.trim()}`;
    out.decisions.push({ action: 'deny', message, reason: v.reason ?? 'Invalid', index });
  }
  for (const a of p.auditAnnotations) {
    try {
      const value = await run(a.value, withVars);
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') {
        out.decisions.push({ action: 'error', message: `valueExpression '${a.value.expression}' resulted in unsupported return type: ${typeof value}. Return type must be either string or null.`, index: -1 });
        continue;
      }
      if (value.trim()) out.auditAnnotations.push({ key: a.key, value: value.trim().slice(0, 10 * 1024) });
    } catch (err) {
      out.decisions.push({ action: 'error', message: (err as Error).message, index: -1 });
    }
  }
  return out;
}
