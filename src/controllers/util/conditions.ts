// Status conditions: set one while keeping lastTransitionTime when its status did not change.
import type { Condition } from './pod.ts';

export function getCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** Returns a new list with `cond` in place of the one of the same type. */
export function setCondition(conds: Condition[] | undefined, cond: Condition): Condition[] {
  const list = conds ?? [];
  const old = getCondition(list, cond.type);
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return list;
  const next = { ...cond };
  if (old && old.status === cond.status && old.lastTransitionTime) next.lastTransitionTime = old.lastTransitionTime;
  return [...list.filter((c) => c.type !== cond.type), next];
}

export function removeCondition(conds: Condition[] | undefined, type: string): Condition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}

export function nowIso(now: number = Date.now()): string {
  // Kubernetes timestamps have second precision (RFC 3339).
  return new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
