// scheduling.k8s.io/v1 PriorityClass: a name → priority value mapping (pkg/apis/scheduling). The
// built-in system classes, the reserved "system-" prefix, the user-definable ceiling, and value /
// preemptionPolicy immutability. Which class a pod gets is Priority admission's job
// (src/apiserver/pipeline/priority.ts); that only one class is globalDefault is checked there too.
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { bool, int, str } from '../schema.ts';
import { FIELD_IMMUTABLE } from '../validation.ts';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
export const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** The classes every API server creates at start (SystemPriorityClasses). */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: SYSTEM_CRITICAL_PRIORITY + 1000, globalDefault: false, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: SYSTEM_CRITICAL_PRIORITY, globalDefault: false, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** IsKnownSystemPriorityClass: undefined when (name, value, globalDefault) is one of the system classes, else why not. */
export function systemClassProblem(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${spc.name} PriorityClass must be ${spc.value}`;
  if (spc.globalDefault !== globalDefault) return `globalDefault of ${spc.name} PriorityClass must be ${spc.globalDefault}`;
  return undefined;
}

/** ValidatePreemptionPolicy (shared with pod specs). */
export function validatePreemptionPolicy(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (v === '') return [required(field)];
  return PREEMPTION_POLICIES.includes(v as string) ? [] : [notSupported(field, v, PREEMPTION_POLICIES)];
}

export const priorityClass = defineKind({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  shortNames: ['pc'],
  namespaced: false,
  description: 'PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.',
  fields: {
    value: int('value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.'),
    globalDefault: bool('globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`.'),
    description: str('description is an arbitrary string that usually provides guidelines on when this priority class should be used.'),
    preemptionPolicy: str('preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.'),
  },
  defaults: (o) => {
    o.value ??= 0; // int32, not omitempty: an absent value is 0
    o.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    const name = o.metadata?.name ?? '';
    if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
      const why = systemClassProblem(name, o.value, o.globalDefault === true);
      if (why) errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
    } else if (typeof o.value === 'number' && o.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
    errs.push(...validatePreemptionPolicy(o.preemptionPolicy, 'preemptionPolicy'));
    return errs;
  },
  strategy: {
    // ValidatePriorityClassUpdate: value and preemptionPolicy may not change.
    validateUpdate: (o, old) => {
      const errs: FieldError[] = [];
      if (o.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
      if (o.preemptionPolicy !== old.preemptionPolicy) errs.push(invalidValue('preemptionPolicy', o.preemptionPolicy ?? null, FIELD_IMMUTABLE));
      return errs;
    },
  },
  columns: [
    col('Value', 'integer', 'value represents the integer value of this priority class.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageColumn,
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (o, now) => [o.value ?? 0, o.globalDefault === true, age(o, now), o.preemptionPolicy ?? ''],
});
