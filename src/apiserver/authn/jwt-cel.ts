// The CEL environments of the JWT authenticator (k8s.io/apiserver/pkg/authentication/cel): claim
// mappings and claim validation rules see `claims`, user validation rules see `user`.
import type { Environment } from '@marcbachmann/cel-js';
import { fromCel, kubernetesEnvironment, untyped } from '../../api/cel/index.ts';

export type JwtCelProgram = (vars: Record<string, unknown>) => unknown;

const envs = new Map<string, Environment>();

function envFor(variable: 'claims' | 'user'): Environment {
  let e = envs.get(variable);
  if (!e) {
    e = kubernetesEnvironment().registerVariable(variable, 'dyn');
    envs.set(variable, e);
  }
  return e;
}

/** Parses and checks an expression over `claims` or `user`; the error worded as Kubernetes' compiler does. */
export function compileJwtCel(expression: string, variable: 'claims' | 'user'): { program?: JwtCelProgram; error?: string } {
  try {
    const env = envFor(variable);
    const check = env.check(expression);
    if (!check.valid) return { error: `compilation failed: ${String((check.error as Error | undefined)?.message ?? check.error).split('\n')[0]}` };
    const parsed = env.parse(expression);
    return { program: (vars) => fromCel(parsed(untyped(vars) as Record<string, unknown>)) };
  } catch (e) {
    return { error: `compilation failed: ${String((e as Error).message).split('\n')[0]}` };
  }
}
