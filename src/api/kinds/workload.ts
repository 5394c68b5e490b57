// Shared pieces of the pod-template workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet, Job):
// template schema/defaults/validation, the selector-matches-template rule, selector immutability,
// and the CONTAINERS / IMAGES / SELECTOR wide columns.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, required } from '../errors.ts';
import { col } from '../meta.ts';
import type { TableColumn } from '../resource.ts';
import { labelSelectorAsSelector, labelSelectorToString, matches, validateLabelSelector, goLabelSelector, type LabelSelector } from '../labels.ts';
import { FIELD_IMMUTABLE, goStringMap, invalidRendered, validateLabels, validateNonnegative } from '../validation.ts';
import { defaultPodSpec, validatePodSpec } from './podspec.ts';

export function defaultTemplate(spec: any): void {
  if (!spec?.template || typeof spec.template !== 'object') return;
  defaultPodSpec(spec.template.spec);
}

/**
 * ValidatePodTemplateSpecForReplicaSet-style checks: selector required and non-empty, template
 * labels match the selector, the pod spec valid with the allowed restart policies.
 */
export function validateSelectorAndTemplate(spec: any, kindLabel: string, restartPolicies: string[] = ['Always'], selectorRequired = true): FieldError[] {
  const errs: FieldError[] = [];
  const sel: LabelSelector | undefined = spec?.selector;
  if (!sel) {
    if (selectorRequired) errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalidRendered('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kindLabel}`));
    }
  }
  const tpl = spec?.template;
  if (!tpl || typeof tpl !== 'object') {
    errs.push(required('spec.template'));
    return errs;
  }
  const labels = tpl.metadata?.labels;
  errs.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  if (sel && errs.length === 0) {
    let ok = false;
    try {
      ok = matches(labelSelectorAsSelector(sel), labels ?? {});
    } catch {
      ok = false;
    }
    if (!ok) errs.push(invalidRendered('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  const claims: string[] = Array.isArray(spec?.volumeClaimTemplates) ? spec.volumeClaimTemplates.map((c: any) => c?.metadata?.name).filter(Boolean) : [];
  errs.push(...validatePodSpec(tpl.spec, 'spec.template.spec', { restartPolicies, extraVolumes: claims }));
  // Long-running workloads' pods may not have a deadline (ValidatePodTemplateSpecForReplicaSet).
  if (kindLabel !== 'job' && tpl.spec && typeof tpl.spec === 'object' && tpl.spec.activeDeadlineSeconds != null) {
    const owner = ({ deployment: 'ReplicaSet', replicaset: 'ReplicaSet', daemonset: 'DaemonSet', statefulset: 'StatefulSet' } as Record<string, string>)[kindLabel] ?? kindLabel;
    errs.push({ field: 'spec.template.spec.activeDeadlineSeconds', type: 'FieldValueForbidden', detail: `Forbidden: activeDeadlineSeconds in ${owner} is not Supported` });
  }
  return errs;
}

export function validateReplicas(spec: any): FieldError[] {
  return [...validateNonnegative('spec.replicas', spec?.replicas), ...validateNonnegative('spec.minReadySeconds', spec?.minReadySeconds), ...validateNonnegative('spec.revisionHistoryLimit', spec?.revisionHistoryLimit)];
}

/** apps/v1 and batch/v1: spec.selector may not change after create. */
export function selectorImmutable(o: KubeObject, old: KubeObject): FieldError[] {
  const a = o.spec?.selector;
  const b = old.spec?.selector;
  if (JSON.stringify(normalizeSelector(a)) === JSON.stringify(normalizeSelector(b))) return [];
  return [invalidRendered('spec.selector', goLabelSelector(a), FIELD_IMMUTABLE)];
}

function normalizeSelector(s: any): unknown {
  if (!s) return null;
  const ml = s.matchLabels ? Object.fromEntries(Object.keys(s.matchLabels).sort().map((k) => [k, s.matchLabels[k]])) : {};
  return { ml, me: s.matchExpressions ?? [] };
}

/** The workload controllers' status counts (ValidateDeploymentStatus, ValidateReplicaSetStatus): none may be negative. */
export function validateStatusCounts(status: any, keys: readonly string[]): FieldError[] {
  if (!status) return [];
  return keys.flatMap((k) => validateNonnegative(`status.${k}`, status[k]));
}

/** IntOrString percent/int validation (maxUnavailable, maxSurge). */
export function validateIntOrPercent(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return v < 0 ? [invalidValue(field, v, 'must be greater than or equal to 0')] : [];
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return [invalidValue(field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    if (Number(m[1]) > 100) return [invalidValue(field, v, 'must not be greater than 100%')];
    return [];
  }
  return [invalidValue(field, v, 'must be an integer or percentage string')];
}

export const isZeroIntOrPercent = (v: unknown) => v === 0 || v === '0%' || v === '0';

// ---- wide columns ----

export const containersColumns: TableColumn[] = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
];
export const selectorColumn: TableColumn = col('Selector', 'string', 'Label selector for pods.', 1);

/** CONTAINERS and IMAGES cells from a pod template. */
export function containersCells(o: KubeObject): string[] {
  const cs: any[] = o.spec?.template?.spec?.containers ?? [];
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}

export function selectorCell(o: KubeObject): string {
  return labelSelectorToString(o.spec?.selector);
}
