// Webhook matchConditions (CEL): every condition true → call; one false → skip; errors → the
// webhook's failurePolicy (Kubernetes' matchconditions.Matcher).
import { compileCel, evaluateCel } from '../../../api/kinds/admissionregistration/cel.ts';
import type { Authorize } from '../../../api/cel/authz.ts';
import { requestAuthorizer } from '../cel-authorizer.ts';
import type { ConditionCompiler } from './hooks.ts';
import { celRequest, toInvocationVersion } from './review.ts';

/** authorize: the API server's authorizer, for CEL's `authorizer` library. */
export const matchConditionsCompiler = (authorize?: Authorize): ConditionCompiler => (conditions) => {
  const compiled = conditions.map((c) => ({ ...c, ...compileCel('matchCondition', c.expression, 'bool') }));
  return async (a, inv) => {
    const vars = {
      object: toInvocationVersion(inv, a.object) ?? null,
      oldObject: toInvocationVersion(inv, a.oldObject) ?? null,
      request: celRequest(a, inv),
      authorizer: requestAuthorizer(authorize, a),
    };
    const errors: string[] = [];
    for (const c of compiled) {
      if (!c.program) {
        errors.push(c.error ?? 'compilation failed');
        continue;
      }
      try {
        const v = await evaluateCel(c.program, c.expression, vars);
        if (v === false) return false;
        if (v !== true) errors.push(`expression '${c.expression}' resulted in error: no such overload`);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    return true;
  };
};
