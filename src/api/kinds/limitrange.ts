// LimitRange (core/v1): per-namespace min, max, default, defaultRequest and maxLimitRequestRatio
// for Containers, Pods and PersistentVolumeClaims, enforced by the LimitRanger admission plugin;
// defaults (SetDefaults_LimitRangeItem) and validation (ValidateLimitRange) as Kubernetes has them.
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, invalidValue } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { col, defineKind } from '../meta.ts';
import { list, map, obj, quantity, str } from '../schema.ts';
import { formatQuantity, type Quantity } from '../quantity.ts';
import { isQualifiedName } from '../validation.ts';
import { validateContainerResourceName, validateResourceMap, validateResourceName } from './resourcenames.ts';

export const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

/** SetDefaults_LimitRangeItem: for Containers, default ← max, defaultRequest ← default, then ← min. */
export function defaultLimitRangeItem(item: any): void {
  if (item?.type !== 'Container') return;
  const def: Record<string, unknown> = { ...(item.default ?? {}) };
  const defReq: Record<string, unknown> = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(defReq).length) item.defaultRequest = defReq;
}

function validateTypeName(t: unknown, f: string): FieldError[] {
  const v = typeof t === 'string' ? t : '';
  const msgs = isQualifiedName(v);
  if (msgs.length) return msgs.map((m) => invalidValue(f, v, m));
  if (!v.includes('/') && !LIMIT_TYPES.includes(v)) return [invalidValue(f, v, 'must be a standard limit type or fully qualified')];
  return [];
}

/** IsOvercommitAllowed: native resources other than hugepages. */
const overcommitAllowed = (k: string) => (!k.includes('/') || k.includes('kubernetes.io/')) && !k.startsWith('hugepages-');
const s = formatQuantity;
const cmp = (a: Quantity, b: Quantity) => (a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0);

function validateItem(item: any, f: string): FieldError[] {
  const errs = validateTypeName(item?.type, `${f}.type`);
  const nameCheck = item?.type === 'Pod' || item?.type === 'Container' ? validateContainerResourceName : validateResourceName;
  const part = (name: string) => {
    const r = validateResourceMap(item?.[name], `${f}.${name}`, nameCheck);
    errs.push(...r.errs);
    return r.values;
  };
  const max = part('max');
  const min = part('min');
  let def: Record<string, Quantity> = {};
  let defReq: Record<string, Quantity> = {};
  if (item?.type === 'Pod') {
    if (Object.keys(item.default ?? {}).length) errs.push(forbidden(`${f}.default`, "may not be specified when `type` is 'Pod'"));
    if (Object.keys(item.defaultRequest ?? {}).length) errs.push(forbidden(`${f}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  } else {
    def = part('default');
    defReq = part('defaultRequest');
  }
  if (item?.type === 'PersistentVolumeClaim' && !('storage' in min) && !('storage' in max)) {
    errs.push({ field: `${f}.limits`, type: 'FieldValueRequired', detail: 'Required value: either minimum or maximum storage value is required, but neither was provided' });
  }
  const ratio = part('maxLimitRequestRatio');
  const keys = [...new Set([...Object.keys(max), ...Object.keys(min), ...Object.keys(def), ...Object.keys(defReq), ...Object.keys(ratio)])].sort();
  for (const k of keys) {
    const [mn, mx, d, dr, r] = [min[k], max[k], def[k], defReq[k], ratio[k]];
    if (mn && mx && cmp(mn, mx) > 0) errs.push(invalidValue(`${f}.min[${k}]`, s(mn), `min value ${s(mn)} is greater than max value ${s(mx)}`));
    if (dr && mn && cmp(mn, dr) > 0) errs.push(invalidValue(`${f}.defaultRequest[${k}]`, s(dr), `min value ${s(mn)} is greater than default request value ${s(dr)}`));
    if (dr && mx && cmp(dr, mx) > 0) errs.push(invalidValue(`${f}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than max value ${s(mx)}`));
    if (dr && d && cmp(dr, d) > 0) errs.push(invalidValue(`${f}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than default limit value ${s(d)}`));
    if (d && mn && cmp(mn, d) > 0) errs.push(invalidValue(`${f}.default[${k}]`, s(mn), `min value ${s(mn)} is greater than default value ${s(d)}`));
    if (d && mx && cmp(d, mx) > 0) errs.push(invalidValue(`${f}.default[${k}]`, s(mx), `default value ${s(d)} is greater than max value ${s(mx)}`));
    if (r && r.nano < 1_000_000_000n) errs.push(invalidValue(`${f}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is less than 1`));
    if (r && mn && mx && mn.nano > 0n) {
      const limit = Number(mx.nano) / Number(mn.nano);
      if (Number(r.nano) / 1e9 > limit) errs.push(invalidValue(`${f}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is greater than max/min = ${limit.toFixed(6)}`));
    }
    if (!overcommitAllowed(k) && d && dr && cmp(d, dr) !== 0)
      errs.push(invalidValue(`${f}.defaultRequest[${k}]`, s(dr), `default value ${s(d)} must equal to defaultRequest value ${s(dr)} in ${k}`));
  }
  return errs;
}

export function validateLimitRange(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  ((o.spec?.limits as any[]) ?? []).forEach((item, i) => {
    const f = `spec.limits[${i}]`;
    errs.push(...validateItem(item, f));
    if (seen.has(item?.type)) errs.push(duplicate(`${f}.type`, item?.type));
    seen.add(item?.type);
  });
  return errs;
}

const resourceList = (description: string) => map(description, quantity());

export const limitRange = defineKind({
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  description: 'LimitRange sets resource usage limits for each kind of resource in a Namespace.',
  fields: {
    spec: obj('Spec defines the limits enforced.', {
      limits: list(
        'Limits is the list of LimitRangeItem objects that are enforced.',
        obj('LimitRangeItem defines a min/max usage limit for any resource that matches on kind.', {
          type: str('Type of resource that this limit applies to.'),
          max: resourceList('Max usage constraints on this kind by resource name.'),
          min: resourceList('Min usage constraints on this kind by resource name.'),
          default: resourceList('Default resource requirement limit value by resource name if resource limit is omitted.'),
          defaultRequest: resourceList('DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.'),
          maxLimitRequestRatio: resourceList('MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value.'),
        }),
      ),
    }),
  },
  defaults: (o) => {
    for (const item of (o.spec?.limits as any[]) ?? []) if (item && typeof item === 'object') defaultLimitRangeItem(item);
  },
  validate: validateLimitRange,
  columns: [col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells: (o) => [o.metadata.creationTimestamp ?? ''],
});
