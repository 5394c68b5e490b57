// spec.podFailurePolicy (pkg/controller/job/pod_failure_policy.go) and spec.successPolicy
// (success_policy.go): the first rule matching a failed pod's non-zero exit codes or conditions
// decides FailJob / FailIndex / Ignore / Count; the first successPolicy rule met by the succeeded
// indexes declares the Job successful.
import type { KubeObject } from '../../api/types.ts';
import { parseIntervals } from './indexed.ts';

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailureMatch {
  action: FailureAction;
  /** The message Kubernetes writes for a FailJob match. */
  message?: string;
}

function exitCodeMatch(rule: any, pod: KubeObject): { container: string; code: number } | undefined {
  const on = rule.onExitCodes;
  const values: number[] = on.values ?? [];
  const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    if (on.containerName && cs?.name !== on.containerName) continue;
    const code = cs?.state?.terminated?.exitCode;
    if (typeof code !== 'number' || code === 0) continue;
    const isIn = values.includes(code);
    if ((on.operator === 'In' && isIn) || (on.operator === 'NotIn' && !isIn)) return { container: cs.name, code };
  }
  return undefined;
}

function conditionMatch(rule: any, pod: KubeObject): string | undefined {
  for (const want of rule.onPodConditions ?? []) {
    const c = (pod.status?.conditions ?? []).find((x: any) => x?.type === want?.type);
    if (c && c.status === (want.status ?? 'True')) return want.type;
  }
  return undefined;
}

/** The action for a failed pod, or undefined when no rule matches (the failure counts). */
export function matchPodFailurePolicy(job: KubeObject, pod: KubeObject): FailureMatch | undefined {
  const rules: any[] = job.spec?.podFailurePolicy?.rules ?? [];
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r?.onExitCodes) {
      const m = exitCodeMatch(r, pod);
      if (m) return { action: r.action, message: `Container ${m.container} for pod ${where} failed with exit code ${m.code} matching ${r.action} rule at index ${i}` };
    } else if (r?.onPodConditions) {
      const t = conditionMatch(r, pod);
      if (t) return { action: r.action, message: `Pod ${where} has condition ${t} matching ${r.action} rule at index ${i}` };
    }
  }
  return undefined;
}

/** The index of the first successPolicy rule the succeeded indexes meet, or undefined. */
export function matchSuccessPolicy(job: KubeObject, succeeded: Set<number>): number | undefined {
  const rules: any[] = job.spec?.successPolicy?.rules ?? [];
  const completions: number = job.spec?.completions ?? 0;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] ?? {};
    if (r.succeededIndexes !== undefined && r.succeededIndexes !== null) {
      const want = parseIntervals(r.succeededIndexes, completions);
      const have = [...want].filter((x) => succeeded.has(x)).length;
      if (r.succeededCount !== undefined && r.succeededCount !== null ? have >= r.succeededCount : have === want.size && want.size > 0) return i;
    } else if (r.succeededCount !== undefined && r.succeededCount !== null && succeeded.size >= r.succeededCount) return i;
  }
  return undefined;
}
