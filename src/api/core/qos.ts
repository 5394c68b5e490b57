// Pod quality-of-service class (pkg/apis/core/helper/qos.GetPodQOS): Guaranteed, Burstable or
// BestEffort. The API server stores it in status.qosClass; the node agent ranks OOM victims by it.
import { isQuantity, parseQuantity } from '../quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Pod QoS class (qos.GetPodQOS): Guaranteed, Burstable or BestEffort. */
export function podQOSClass(spec: any): QOSClass {
  const containers: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let isGuaranteed = true;
  const supported = new Set(['cpu', 'memory']);
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    for (const [k, v] of Object.entries(req)) {
      if (!supported.has(k) || !isQuantity(v)) continue;
      const q = parseQuantity(v as string).nano;
      if (q !== 0n) requests.set(k, (requests.get(k) ?? 0n) + q);
    }
    let limitsFound = 0;
    for (const [k, v] of Object.entries(lim)) {
      if (!supported.has(k) || !isQuantity(v)) continue;
      const q = parseQuantity(v as string).nano;
      if (q !== 0n) {
        limitsFound++;
        limits.set(k, (limits.get(k) ?? 0n) + q);
      }
    }
    if (limitsFound < 2) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [k, v] of requests) if (limits.get(k) !== v) isGuaranteed = false;
  }
  return isGuaranteed && limits.size === 2 ? 'Guaranteed' : 'Burstable';
}

export function isBestEffort(spec: any): boolean {
  return podQOSClass(spec) === 'BestEffort';
}
