// policy/v1 PodDisruptionBudget (pkg/apis/policy): minAvailable / maxUnavailable (int or percent,
// not both), the pod selector, unhealthyPodEvictionPolicy; status written by the disruption
// controller (src/controllers/disruption) and by the eviction subresource.
import type { FieldError } from '../errors.ts';
import { notSupported } from '../errors.ts';
import { labelSelectorSchema } from './common.ts';
import { age, ageColumn, col, defineKind, resetStatus } from '../meta.ts';
import { validateLabelSelector } from '../labels.ts';
import { int, int64, intOrString, list, map, obj, str, time } from '../schema.ts';
import { invalidRendered, validateNonnegative } from '../validation.ts';
import { validateIntOrPercent } from './workload.ts';

export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

/** The DisruptionAllowed condition's type and reasons (policy/v1). */
export const PDB_CONDITION = {
  type: 'DisruptionAllowed',
  sufficientPods: 'SufficientPods',
  insufficientPods: 'InsufficientPods',
  syncFailed: 'SyncFailed',
} as const;

/** What a fresh PDB's status holds (those four counters are not omitempty). */
export const emptyPdbStatus = () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });

const metaCondition = obj('Condition contains details for one aspect of the current state of this API Resource.', {
  type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
  status: str('status of the condition, one of True, False, Unknown.'),
  observedGeneration: int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
  reason: str("reason contains a programmatic identifier indicating the reason for the condition's last transition."),
  message: str('message is a human readable message indicating details about the transition.'),
});

/** IntOrString.String(): the number or the percent string; "N/A" when unset (printers.go). */
const intOrPercentCell = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudget = defineKind({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  shortNames: ['pdb'],
  namespaced: true,
  subresources: { status: true },
  description: 'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods',
  fields: {
    spec: obj('Specification of the desired behavior of the PodDisruptionBudget.', {
      minAvailable: intOrString('An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod. So for example you can prevent all voluntary evictions by specifying "100%".'),
      selector: { ...labelSelectorSchema, description: 'Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.' },
      maxUnavailable: intOrString('An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod. For example, one can prevent all voluntary evictions by specifying 0. This is a mutually exclusive setting with "minAvailable".'),
      unhealthyPodEvictionPolicy: str('UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Valid policies are IfHealthyBudget and AlwaysAllow.'),
    }),
    status: obj('Most recently observed status of the PodDisruptionBudget.', {
      observedGeneration: int64('Most recent generation observed when updating this PDB status.'),
      disruptedPods: map('DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller.', time()),
      disruptionsAllowed: int('Number of pod disruptions that are currently allowed.'),
      currentHealthy: int('current number of healthy pods'),
      desiredHealthy: int('minimum desired number of healthy pods'),
      expectedPods: int('total number of pods counted by this disruption budget'),
      conditions: list('Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition.', metaCondition, { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] }),
    }),
  },
  // ValidatePodDisruptionBudgetSpec and the status counters' ValidatePodDisruptionBudgetStatusUpdate.
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    if (s.minAvailable != null && s.maxUnavailable != null) errs.push(invalidRendered('spec', 'policy.PodDisruptionBudgetSpec{...}', 'minAvailable and maxUnavailable cannot be both set'));
    errs.push(...validateIntOrPercent(s.minAvailable, 'spec.minAvailable'), ...validateIntOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
    errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
    if (s.unhealthyPodEvictionPolicy != null && !UNHEALTHY_POD_EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy))
      errs.push(notSupported('spec.unhealthyPodEvictionPolicy', s.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
    const st = o.status ?? {};
    for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...validateNonnegative(`status.${f}`, st[f]));
    return errs;
  },
  strategy: { specFields: ['spec'], prepareForCreate: resetStatus(emptyPdbStatus) },
  columns: [
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  cells: (o, now) => [intOrPercentCell(o.spec?.minAvailable), intOrPercentCell(o.spec?.maxUnavailable), o.status?.disruptionsAllowed ?? 0, age(o, now)],
});
