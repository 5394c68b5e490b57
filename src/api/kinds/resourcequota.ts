// ResourceQuota (core/v1): hard limits per namespace, scopes and scopeSelector, status.hard/used
// written by the resource quota controller (and charged by the ResourceQuota admission plugin);
// validation as ValidateResourceQuota; the REQUEST / LIMIT columns as kubectl prints them.
import type { FieldError } from '../errors.ts';
import { invalidValue } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { age, ageColumn, col, defineKind, keepOldStatus } from '../meta.ts';
import { list, map, obj, quantity, str } from '../schema.ts';
import { FIELD_IMMUTABLE } from '../validation.ts';
import { formatQuantity } from '../quantity.ts';
import { parseResourceList, quantityOf } from '../core/resourcelist.ts';
import { isStandardQuotaResourceName, validateQuotaResourceName, validateResourceMap } from './resourcenames.ts';

export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const POD_COUNT = ['pods'];
const POD_COMPUTE = ['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'];
const CONFLICTING = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];

/** IsResourceQuotaScopeValidForResource. */
function scopeValidFor(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return POD_COUNT.includes(resource) || POD_COMPUTE.includes(resource);
    case 'BestEffort':
      return POD_COUNT.includes(resource);
    default:
      return true;
  }
}

function validateScopes(spec: any): FieldError[] {
  const scopes: string[] = spec.scopes ?? [];
  if (scopes.length === 0) return [];
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  for (const s of scopes) {
    if (!QUOTA_SCOPES.includes(s)) errs.push(invalidValue('spec.scopes', scopes, 'unsupported scope'));
    for (const k of hard) if (isStandardQuotaResourceName(k) && !scopeValidFor(s, k)) errs.push(invalidValue('spec.scopes', scopes, 'unsupported scope applied to resource'));
  }
  for (const pair of CONFLICTING) if (pair.every((p) => scopes.includes(p))) errs.push(invalidValue('spec.scopes', scopes, 'conflicting scopes'));
  return errs;
}

function validateScopeSelector(spec: any): FieldError[] {
  const sel = spec.scopeSelector;
  if (!sel) return [];
  const f = 'spec.scopeSelector.matchExpressions';
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  const names: string[] = [];
  for (const r of (sel.matchExpressions as any[]) ?? []) {
    if (!QUOTA_SCOPES.includes(r?.scopeName)) errs.push(invalidValue(`${f}.scopeName`, r?.scopeName ?? '', 'unsupported scope'));
    for (const k of hard) if (isStandardQuotaResourceName(k) && !scopeValidFor(r?.scopeName, k)) errs.push(invalidValue(f, sel, 'unsupported scope applied to resource'));
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating'].includes(r?.scopeName) && r?.operator !== 'Exists')
      errs.push(
        invalidValue(
          `${f}.operator`,
          r?.operator ?? '',
          "must be 'Exist' only operator when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and ResourceQuotaScopeNotBestEffort",
        ),
      );
    const values: string[] = r?.values ?? [];
    switch (r?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push({ field: `${f}.values`, type: 'FieldValueRequired', detail: "Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector" });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) errs.push(invalidValue(`${f}.values`, values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        break;
      default:
        errs.push(invalidValue(`${f}.operator`, r?.operator ?? '', 'not a valid selector operator'));
    }
    names.push(r?.scopeName);
  }
  for (const pair of CONFLICTING) if (pair.every((p) => names.includes(p))) errs.push(invalidValue(f, spec.scopes ?? null, 'conflicting scopes'));
  return errs;
}

export function validateResourceQuotaSpec(spec: any): FieldError[] {
  if (!spec) return [];
  return [...validateResourceMap(spec.hard, 'spec.hard', validateQuotaResourceName).errs, ...validateScopes(spec), ...validateScopeSelector(spec)];
}

function validateStatus(status: any): FieldError[] {
  if (!status) return [];
  return [...validateResourceMap(status.hard, 'status.hard', validateQuotaResourceName).errs, ...validateResourceMap(status.used, 'status.used', validateQuotaResourceName).errs];
}

/** printResourceQuota: `name: used/hard` for each status.hard resource, limits.* in LIMIT, the rest in REQUEST. */
export function quotaColumns(o: KubeObject): [string, string] {
  const hard = parseResourceList(o.status?.hard);
  const used = parseResourceList(o.status?.used);
  const req: string[] = [];
  const lim: string[] = [];
  for (const k of Object.keys(hard).sort()) {
    const cell = `${k}: ${formatQuantity(quantityOf(used, k))}/${formatQuantity(hard[k])}`;
    const pieces = k.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(cell);
  }
  return [req.join(', '), lim.join(', ')];
}

const resourceList = (description: string) => map(description, quantity());

const scopeSelectorSchema = obj('scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values.', {
  matchExpressions: list(
    'A list of scope selector requirements by scope of the resources.',
    obj('A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.', {
      scopeName: str('The name of the scope that the selector applies to.'),
      operator: str("Represents a scope's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist."),
      values: list('An array of string values.', str()),
    }),
  ),
});

export const resourceQuota = defineKind({
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  subresources: { status: true },
  description: 'ResourceQuota sets aggregate quota restrictions enforced per namespace',
  fields: {
    spec: obj('Spec defines the desired quota.', {
      hard: resourceList('hard is the set of desired hard limits for each named resource.'),
      scopes: list('A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.', str()),
      scopeSelector: scopeSelectorSchema,
    }),
    status: obj('Status defines the actual enforced quota and its current usage.', {
      hard: resourceList('Hard is the set of enforced hard limits for each named resource.'),
      used: resourceList('Used is the current observed total usage of the resource in the namespace.'),
    }),
  },
  validate: (o) => [...validateResourceQuotaSpec(o.spec), ...validateStatus(o.status)],
  strategy: {
    prepareForCreate: (o) => {
      o.status = {};
    },
    prepareForUpdate: keepOldStatus,
    validateUpdate: (o, old) => {
      const a = [...new Set<string>(o.spec?.scopes ?? [])].sort();
      const b = [...new Set<string>(old.spec?.scopes ?? [])].sort();
      return JSON.stringify(a) === JSON.stringify(b) ? [] : [invalidValue('spec.scopes', o.spec?.scopes ?? null, FIELD_IMMUTABLE)];
    },
  },
  columns: [
    ageColumn,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells: (o, now) => [age(o, now), ...quotaColumns(o)],
});
