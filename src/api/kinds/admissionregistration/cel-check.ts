// Compile checks of the CEL expressions admissionregistration objects carry, for validation.
import { celCompileError } from './cel.ts';

export function matchConditionCheck(expr: string): string | undefined {
  return celCompileError('matchCondition', expr, 'bool');
}

export function policyExpressionCheck(expr: string): string | undefined {
  return celCompileError('policy', expr, 'bool');
}

export function policyMessageExpressionCheck(expr: string): string | undefined {
  return celCompileError('policy', expr, 'string');
}

export function policyValueExpressionCheck(expr: string): string | undefined {
  return celCompileError('policy', expr);
}
