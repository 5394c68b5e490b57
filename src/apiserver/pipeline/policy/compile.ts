// A ValidatingAdmissionPolicy compiled once when the informer sees it: its CEL programs (match
// conditions, variables, validations, message expressions, audit annotations) and what it matches.
import { compileCel, type Compiled } from '../../../api/kinds/admissionregistration/cel.ts';
import type { KubeObject } from '../../../api/types.ts';

export interface CompiledExpression extends Compiled {
  expression: string;
}

export interface CompiledValidation {
  expression: CompiledExpression;
  message?: string;
  messageExpression?: CompiledExpression;
  reason?: string;
}

export interface CompiledPolicy {
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints: any;
  matchConditions: (CompiledExpression & { name: string })[];
  variables: (CompiledExpression & { name: string })[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; value: CompiledExpression }[];
}

const compile = (expression: string, returns?: 'bool' | 'string'): CompiledExpression => ({ expression, ...compileCel('policy', expression, returns) });

export function compilePolicy(p: KubeObject): CompiledPolicy {
  const spec = (p.spec as any) ?? {};
  const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
  return {
    name: p.metadata.name ?? '',
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    ...(spec.paramKind ? { paramKind: spec.paramKind } : {}),
    matchConstraints: spec.matchConstraints ?? {},
    matchConditions: list(spec.matchConditions).map((c) => ({ name: c.name, ...compile(c.expression, 'bool') })),
    variables: list(spec.variables).map((v) => ({ name: v.name, ...compile(v.expression) })),
    validations: list(spec.validations).map((v) => ({
      expression: compile(v.expression, 'bool'),
      ...(v.message ? { message: v.message } : {}),
      ...(v.messageExpression ? { messageExpression: compile(v.messageExpression, 'string') } : {}),
      ...(v.reason ? { reason: v.reason } : {}),
    })),
    auditAnnotations: list(spec.auditAnnotations).map((a) => ({ key: a.key, value: compile(a.valueExpression) })),
  };
}

export interface Binding {
  name: string;
  policyName: string;
  paramRef?: { name?: string; namespace?: string; selector?: any; parameterNotFoundAction?: string };
  matchResources?: any;
  validationActions: string[];
}

export function compileBinding(b: KubeObject): Binding {
  const spec = (b.spec as any) ?? {};
  return {
    name: b.metadata.name ?? '',
    policyName: spec.policyName ?? '',
    ...(spec.paramRef ? { paramRef: spec.paramRef } : {}),
    ...(spec.matchResources ? { matchResources: spec.matchResources } : {}),
    validationActions: Array.isArray(spec.validationActions) ? spec.validationActions : [],
  };
}
