// Resource names and quantities in quotas and limit ranges (pkg/apis/core/helper and
// validation.go): standard names, quota names, container names, integer resources, and the field
// errors for a map of resource name → quantity.
import type { FieldError } from '../errors.ts';
import { invalidValue } from '../errors.ts';
import { formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';
import { isQualifiedName } from '../validation.ts';
import { isExtendedResourceName } from '../core/quota.ts';

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const COUNTS = ['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers'];
const STANDARD = new Set([...COMPUTE, ...COMPUTE.map((r) => `requests.${r}`), ...COMPUTE.map((r) => `limits.${r}`), ...COUNTS, 'storage', 'requests.storage']);
const STANDARD_QUOTA = new Set([...STANDARD].filter((r) => r !== 'storage'));
const INTEGER = new Set(COUNTS);

const isQuotaHugePages = (n: string) => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');

export const isStandardResourceName = (n: string): boolean => STANDARD.has(n) || isQuotaHugePages(n);
export const isStandardQuotaResourceName = (n: string): boolean => STANDARD_QUOTA.has(n) || isQuotaHugePages(n);
export const isIntegerResourceName = (n: string): boolean => INTEGER.has(n) || isExtendedResourceName(n);

/** validateResourceName: a qualified name; unprefixed names must be standard. */
export function validateResourceName(name: string, field: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => invalidValue(field, name, m));
  if (!name.includes('/') && !isStandardResourceName(name)) return [invalidValue(field, name, 'must be a standard resource type or fully qualified')];
  return [];
}

/** ValidateResourceQuotaResourceName. */
export function validateQuotaResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) errs.push(invalidValue(field, name, 'must be a standard resource for quota'));
  return errs;
}

/** validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-*, or an extended resource. */
export function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/')) {
    if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-')) errs.push(invalidValue(field, name, 'must be a standard resource for containers'));
  } else if (!name.includes('kubernetes.io/') && !isExtendedResourceName(name)) {
    errs.push(invalidValue(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/**
 * Each entry of a resource map: a quantity, not negative, whole for integer resources
 * (ValidateResourceQuantityValue), its name checked by nameCheck. Returns the parsed quantities too.
 */
export function validateResourceMap(
  m: unknown,
  field: string,
  nameCheck: (name: string, field: string) => FieldError[],
): { errs: FieldError[]; values: Record<string, Quantity> } {
  const errs: FieldError[] = [];
  const values: Record<string, Quantity> = {};
  if (m === undefined || m === null || typeof m !== 'object') return { errs, values };
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    const f = `${field}[${k}]`;
    errs.push(...nameCheck(k, f));
    let q: Quantity;
    try {
      q = parseQuantity(v as string);
    } catch (e) {
      errs.push(invalidValue(f, v, (e as Error).message));
      continue;
    }
    values[k] = q;
    if (q.nano < 0n) errs.push(invalidValue(f, formatQuantity(q), 'must be greater than or equal to 0'));
    if (isIntegerResourceName(k) && q.nano % 1_000_000_000n !== 0n) errs.push(invalidValue(f, formatQuantity(q), 'must be an integer'));
  }
  return { errs, values };
}
