// corev1.ResourceList arithmetic as k8s.io/apiserver/pkg/quota/v1 (resources.go) does it: exact
// quantities (nano-units, BigInt) that keep the format of the quantity they came from, so sums
// print as Kubernetes prints them ("500m" + "500m" = "1", "64Mi" + "64Mi" = "128Mi").
import { formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';

export type ResourceList = Record<string, Quantity>;

const ZERO: Quantity = { nano: 0n, format: 'DecimalSI' };

/** A stored map of resource name → quantity string; entries that are not quantities are skipped. */
export function parseResourceList(m: unknown): ResourceList {
  const out: ResourceList = {};
  if (!m || typeof m !== 'object') return out;
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      out[k] = parseQuantity(v);
    } catch {
      // validation rejects these before they are stored
    }
  }
  return out;
}

/** The list as it is stored and printed (Quantity.String() of each). */
export function formatResourceList(l: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(l).sort()) out[k] = formatQuantity(l[k]);
  return out;
}

/** A count (pods=1) as resource.NewQuantity(n, DecimalSI). */
export function count(n: number): Quantity {
  return { nano: BigInt(n) * 10n ** 9n, format: 'DecimalSI' };
}

/** Quantity.Add: the sum keeps a's format unless a is zero. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano + b.nano, format: a.nano === 0n ? b.format : a.format };
}

export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return b.nano > a.nano ? b : a;
}

/** quota.Add: every key of either list, summed. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? addQuantity(out[k], v) : v;
  return out;
}

/** quota.Max: every key of either list, the larger value. */
export function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? maxQuantity(out[k], v) : v;
  return out;
}

/** quota.SubtractWithNonNegativeResult: a − b per key of a, never below zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = k in b ? v.nano - b[k].nano : v.nano;
    out[k] = { nano: d < 0n ? 0n : d, format: v.format };
  }
  return out;
}

/** quota.Mask: only the named keys. */
export function maskList(l: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in l) out[n] = l[n];
  return out;
}

/** quota.RemoveZeros. */
export function removeZeros(l: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(l)) if (v.nano !== 0n) out[k] = v;
  return out;
}

/** quota.IsNegative: the keys with a negative value. */
export function negativeResources(l: ResourceList): string[] {
  return Object.keys(l).filter((k) => l[k].nano < 0n).sort();
}

/** quota.LessThanOrEqual: whether a ≤ b for every key of a that b has; the keys where not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { ok: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, v] of Object.entries(a)) if (k in b && v.nano > b[k].nano) exceeded.push(k);
  return { ok: exceeded.length === 0, exceeded: exceeded.sort() };
}

/** quota.Equals: same keys, same values. */
export function listsEqual(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && a[k].nano === b[k].nano);
}

/** The quantity of a key, zero when absent (a Go map read). */
export function quantityOf(l: ResourceList, k: string): Quantity {
  return l[k] ?? ZERO;
}

/** The admission plugin's prettyPrint: `pods=1,requests.cpu=500m`, keys sorted. */
export function prettyPrintList(l: ResourceList): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${formatQuantity(l[k])}`)
    .join(',');
}
