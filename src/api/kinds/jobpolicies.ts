// ValidateJobSpec's rules for the failure and success policies: backoffLimitPerIndex and
// maxFailedIndexes (Indexed only), podFailurePolicy rules (actions, exit codes, pod conditions),
// podReplacementPolicy with a failure policy, successPolicy (Indexed only), with Kubernetes' messages.
import type { FieldError } from '../errors.ts';
import { duplicate, invalidValue, notSupported, required } from '../errors.ts';
import { invalidRendered, tooMany, validateNonnegative } from '../validation.ts';

const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const STATUSES = ['False', 'True', 'Unknown'];
const goList = (xs: string[]) => `[${xs.map((x) => `"${x}"`).join(' ')}]`;
const requiredWhy = (field: string, why: string): FieldError => ({ ...required(field), detail: `Required value: ${why}` });
const invalidNoValue = (field: string, why: string): FieldError => ({ field, type: 'FieldValueInvalid', detail: `Invalid value: ${why}` });
const goInts = (xs: unknown[]) => `[]int32{${xs.join(', ')}}`;

/** SetDefaults_Job for the policies: an onPodConditions pattern without status means True. */
export function defaultJobPolicies(spec: any): void {
  for (const r of spec?.podFailurePolicy?.rules ?? []) for (const p of r?.onPodConditions ?? []) if (p && typeof p === 'object') p.status ??= 'True';
}

export function validateJobPolicies(s: any): FieldError[] {
  const errs: FieldError[] = [...validateNonnegative('spec.backoffLimitPerIndex', s.backoffLimitPerIndex), ...validateNonnegative('spec.maxFailedIndexes', s.maxFailedIndexes)];
  const indexed = s.completionMode === 'Indexed';
  if (s.maxFailedIndexes != null && s.backoffLimitPerIndex == null) errs.push(requiredWhy('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified'));
  if (indexed && s.completions != null && s.maxFailedIndexes != null && s.maxFailedIndexes > s.completions) errs.push(invalidValue('spec.maxFailedIndexes', s.maxFailedIndexes, 'must be less than or equal to completions'));
  if (!indexed) {
    if (s.backoffLimitPerIndex != null) errs.push(invalidValue('spec.backoffLimitPerIndex', s.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (s.maxFailedIndexes != null) errs.push(invalidValue('spec.maxFailedIndexes', s.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (s.podFailurePolicy != null) errs.push(...validatePodFailurePolicy(s));
  if (s.podReplacementPolicy != null && s.podFailurePolicy != null && s.podReplacementPolicy !== 'Failed') errs.push(notSupported('spec.podReplacementPolicy', s.podReplacementPolicy, ['Failed']));
  const rp = s.template?.spec?.restartPolicy;
  if (s.podFailurePolicy != null && rp === 'OnFailure') errs.push(invalidValue('spec.template.spec.restartPolicy', rp, 'only "Never" is supported when podFailurePolicy is specified'));
  if (s.successPolicy != null) {
    if (!indexed) errs.push(invalidRendered('spec.successPolicy', 'batch.SuccessPolicy{...}', 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(s));
  }
  return errs;
}

function validatePodFailurePolicy(s: any): FieldError[] {
  const errs: FieldError[] = [];
  const rules: any[] = Array.isArray(s.podFailurePolicy?.rules) ? s.podFailurePolicy.rules : [];
  if (rules.length > 20) errs.push(tooMany('spec.podFailurePolicy.rules', rules.length, 20));
  const names = new Set([...(s.template?.spec?.containers ?? []), ...(s.template?.spec?.initContainers ?? [])].map((c: any) => c?.name));
  rules.forEach((r, i) => {
    const path = `spec.podFailurePolicy.rules[${i}]`;
    if (!r?.action) errs.push(requiredWhy(`${path}.action`, `valid values: ${goList(ACTIONS)}`));
    else if (r.action === 'FailIndex') {
      if (s.backoffLimitPerIndex == null) errs.push(invalidValue(`${path}.action`, r.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!ACTIONS.includes(r.action)) errs.push(notSupported(`${path}.action`, r.action, ACTIONS));
    const on = r?.onExitCodes;
    const conds: any[] = Array.isArray(r?.onPodConditions) ? r.onPodConditions : [];
    if (on) errs.push(...validateOnExitCodes(on, `${path}.onExitCodes`, names));
    conds.forEach((p, j) => {
      const sp = `${path}.onPodConditions[${j}].status`;
      if (!p?.type) errs.push(requiredWhy(`${path}.onPodConditions[${j}].type`, "name part must be non-empty"));
      if (!p?.status) errs.push(requiredWhy(sp, `valid values: ${goList(STATUSES)}`));
      else if (!STATUSES.includes(p.status)) errs.push(notSupported(sp, p.status, STATUSES));
    });
    if (on && conds.length) errs.push(invalidNoValue(path, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!on && !conds.length) errs.push(invalidNoValue(path, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

function validateOnExitCodes(on: any, path: string, names: Set<unknown>): FieldError[] {
  const errs: FieldError[] = [];
  if (!on.operator) errs.push(requiredWhy(`${path}.operator`, `valid values: ${goList(OPERATORS)}`));
  else if (!OPERATORS.includes(on.operator)) errs.push(notSupported(`${path}.operator`, on.operator, OPERATORS));
  if (on.containerName != null && !names.has(on.containerName)) errs.push(invalidValue(`${path}.containerName`, on.containerName, 'must be one of the container or initContainer names in the pod template'));
  const values: number[] = Array.isArray(on.values) ? on.values : [];
  if (values.length === 0) errs.push(invalidRendered(`${path}.values`, goInts(values), 'at least one value is required'));
  else if (values.length > 255) errs.push(tooMany(`${path}.values`, values.length, 255));
  const seen = new Set<number>();
  values.forEach((v, j) => {
    if (on.operator === 'In' && v === 0) errs.push(invalidValue(`${path}.values[${j}]`, v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(duplicate(`${path}.values[${j}]`, v));
    seen.add(v);
  });
  if (values.some((v, j) => j > 0 && values[j - 1] > v)) errs.push(invalidRendered(`${path}.values`, goInts(values), 'must be ordered'));
  return errs;
}

function validateSuccessPolicy(s: any): FieldError[] {
  const errs: FieldError[] = [];
  const rules: any[] = Array.isArray(s.successPolicy?.rules) ? s.successPolicy.rules : [];
  if (rules.length === 0) errs.push(requiredWhy('spec.successPolicy.rules', 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > 20) errs.push(tooMany('spec.successPolicy.rules', rules.length, 20));
  const completions: number = s.completions ?? 0;
  rules.forEach((r, i) => {
    const path = `spec.successPolicy.rules[${i}]`;
    if (r?.succeededCount == null && r?.succeededIndexes == null) errs.push(requiredWhy(path, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (r?.succeededIndexes != null) {
      const err = indexesFormatError(String(r.succeededIndexes), completions);
      if (typeof err === 'string') errs.push(invalidValue(`${path}.succeededIndexes`, r.succeededIndexes, `error parsing succeededIndexes: ${err}`));
      else total = err;
    }
    if (r?.succeededCount != null) {
      const cp = `${path}.succeededCount`;
      errs.push(...validateNonnegative(cp, r.succeededCount));
      if (r.succeededCount > completions) errs.push(invalidValue(cp, r.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (r.succeededIndexes != null && r.succeededCount > total) errs.push(invalidValue(cp, r.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
    }
  });
  return errs;
}

/** validateIndexesFormat: ordered, non-overlapping "a,b-c" intervals below completions; the index count or the error. */
function indexesFormatError(s: string, completions: number): number | string {
  if (s === '') return 0;
  let total = 0;
  let last = -1;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return `cannot convert string to integer for index: "${part}"`;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b >= completions) return `too large index: "${b}"`;
    if (a > b) return `non-increasing order, previous: ${a}, current: ${b}`;
    if (a <= last) return `overlapping intervals: ${last}`;
    total += b - a + 1;
    last = b;
  }
  return total;
}
