// The CEL environments of admission (k8s.io/apiserver/pkg/admission/plugin/cel): webhook
// matchConditions see object, oldObject, request and authorizer; ValidatingAdmissionPolicy
// expressions also params, namespaceObject and variables. The environment (Kubernetes' CEL libraries)
// and the JSON↔CEL values are src/api/cel's, shared with x-kubernetes-validations rules.
import type { Environment } from '@marcbachmann/cel-js';
import { AUTHORIZER_TYPE } from '../../cel/authz.ts';
import { kubernetesEnvironment } from '../../cel/env.ts';
import { fromCel, untyped as toCel } from '../../cel/values.ts';

export type CelScope = 'matchCondition' | 'policy';

const VARIABLES: Record<CelScope, string[]> = {
  matchCondition: ['object', 'oldObject', 'request', 'authorizer'],
  policy: ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer', 'variables'],
};

const envs = new Map<CelScope, Environment>();

function envFor(scope: CelScope): Environment {
  let env = envs.get(scope);
  if (!env) {
    env = kubernetesEnvironment();
    // authorizer: Kubernetes' authorizer library (src/api/cel/authz.ts), the others JSON values
    for (const v of VARIABLES[scope]) env.registerVariable(v, v === 'authorizer' ? AUTHORIZER_TYPE : 'dyn');
    envs.set(scope, env);
  }
  return env;
}

/** First line of a cel-js error (its message carries a source excerpt below). */
function summary(err: unknown): string {
  const e = err as { summary?: string; message?: string };
  return (e.summary ?? e.message ?? String(err)).split('\n')[0];
}

export type CelProgram = (vars: Record<string, unknown>) => unknown;

export interface Compiled {
  program?: CelProgram;
  /** Kubernetes' wording: "compilation failed: ..." */
  error?: string;
}

const cache = new Map<string, Compiled>();

/** Parses and type-checks once per (scope, expression); `returns` = the type the result must have. */
export function compileCel(scope: CelScope, expression: string, returns?: 'bool' | 'string'): Compiled {
  const key = `${scope}\u0000${returns ?? ''}\u0000${expression}`;
  let c = cache.get(key);
  if (c) return c;
  const env = envFor(scope);
  try {
    const check = env.check(expression);
    if (!check.valid) c = { error: `compilation failed: ERROR: <input>: ${summary(check.error)}` };
    else if (returns && check.type !== returns && check.type !== 'dyn') c = { error: `must evaluate to ${returns}` };
    else {
      const parsed = env.parse(expression);
      // the authorizer is an object of the library, not JSON: it goes in as it is
      c = { program: (vars) => parsed({ ...(toCel({ ...vars, authorizer: undefined }) as Record<string, unknown>), ...(vars.authorizer ? { authorizer: vars.authorizer } : {}) }) };
    }
  } catch (err) {
    c = { error: `compilation failed: ERROR: <input>: ${summary(err)}` };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, c);
  return c;
}

const failed = (expression: string, err: unknown) => new Error(`expression '${expression}' resulted in error: ${summary(err).replace(/^No such key/, 'no such key')}`);

/**
 * Evaluates; throws (or rejects with) Error with Kubernetes' "expression '<e>' resulted in error: ..."
 * on failure. Expressions calling the authorizer library answer asynchronously (a Promise).
 */
export function evaluateCel(program: CelProgram, expression: string, vars: Record<string, unknown>): unknown {
  let out: unknown;
  try {
    out = program(vars);
  } catch (err) {
    throw failed(expression, err);
  }
  if (out instanceof Promise) return out.then(fromCel, (err) => Promise.reject(failed(expression, err)));
  return fromCel(out);
}

/** A compile check for validation: undefined when the expression compiles. */
export function celCompileError(scope: CelScope, expression: string, returns?: 'bool' | 'string'): string | undefined {
  return compileCel(scope, expression, returns).error;
}
