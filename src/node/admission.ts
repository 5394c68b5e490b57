// Pod admission on the node, as the kubelet's predicateAdmitHandler does it: the OS checks, then
// the scheduler's AdmissionCheck (resources fit → NodeAffinity → NodeName → NodePorts), then
// untolerated NoExecute taints (the kubelet only cares about NoExecute). The first failure wins.
import type { KubeObject } from '../api/types.ts';
import { bytesOf, milliCpu } from './units.ts';

export interface AdmitResult {
  reason: string;
  message: string;
}

export interface PodRequests {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
}

/** Effective requests: max(sum of containers, largest init container) + overhead, as the scheduler counts. */
export function podRequests(pod: KubeObject): PodRequests {
  const sum: PodRequests = { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
  const of = (c: any): PodRequests => {
    const r = c?.resources?.requests ?? {};
    const l = c?.resources?.limits ?? {};
    // Requests default to limits when only limits are set.
    return {
      milliCpu: milliCpu(r.cpu ?? l.cpu),
      memory: bytesOf(r.memory ?? l.memory),
      ephemeralStorage: bytesOf(r['ephemeral-storage'] ?? l['ephemeral-storage']),
    };
  };
  for (const c of pod.spec?.containers ?? []) add(sum, of(c));
  // Sidecars (restartPolicy Always init containers) run alongside the app containers.
  const sidecars: PodRequests = { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = of(c);
    if (c.restartPolicy === 'Always') {
      add(sum, r);
      add(sidecars, r);
    } else {
      sum.milliCpu = Math.max(sum.milliCpu, r.milliCpu + sidecars.milliCpu);
      sum.memory = Math.max(sum.memory, r.memory + sidecars.memory);
      sum.ephemeralStorage = Math.max(sum.ephemeralStorage, r.ephemeralStorage + sidecars.ephemeralStorage);
    }
  }
  const o = pod.spec?.overhead ?? {};
  add(sum, { milliCpu: milliCpu(o.cpu), memory: bytesOf(o.memory), ephemeralStorage: bytesOf(o['ephemeral-storage']) });
  return sum;
}

function add(a: PodRequests, b: PodRequests): void {
  a.milliCpu += b.milliCpu;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
}

function predicate(name: string, desc: string): AdmitResult {
  return { reason: name, message: `Predicate ${name} failed: ${desc}` };
}

function insufficient(resource: string, requested: number, used: number, capacity: number): AdmitResult {
  return {
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/**
 * Decides whether `pod` may run on `node` next to `others` (the pods already admitted there and
 * not terminal). undefined = admitted.
 */
export function admitPod(pod: KubeObject, node: KubeObject, others: KubeObject[]): AdmitResult | undefined {
  const nodeLabels = node.metadata.labels ?? {};
  const podOS = pod.metadata.labels?.['kubernetes.io/os'];
  if (podOS !== undefined && podOS !== (nodeLabels['kubernetes.io/os'] ?? 'linux')) {
    return { reason: 'PodOSSelectorNodeLabelDoesNotMatch', message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label" };
  }
  if (pod.spec?.os?.name && pod.spec.os.name !== 'linux') {
    return { reason: 'PodOSNotSupported', message: "Failed to admit pod as the OS field doesn't match node OS" };
  }
  // The eviction manager's admission: under memory pressure no BestEffort pods, under disk
  // pressure no pods at all (critical pods aside).
  const pressure = (type: string) => (node.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
  const critical = pod.spec?.priorityClassName === 'system-node-critical' || pod.spec?.priorityClassName === 'system-cluster-critical';
  if (!critical && pressure('DiskPressure')) return { reason: 'Evicted', message: 'The node had condition: [DiskPressure]. ' };
  if (!critical && pressure('MemoryPressure') && isBestEffort(pod)) return { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' };
  const alloc = node.status?.allocatable ?? {};
  const allowedPods = bytesOf(alloc.pods ?? '110');
  if (others.length + 1 > allowedPods) return insufficient('pods', 1, others.length, allowedPods);
  const req = podRequests(pod);
  const used: PodRequests = { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
  for (const p of others) add(used, podRequests(p));
  const cap = { milliCpu: milliCpu(alloc.cpu), memory: bytesOf(alloc.memory), ephemeralStorage: bytesOf(alloc['ephemeral-storage']) };
  if (req.milliCpu > 0 && req.milliCpu > cap.milliCpu - used.milliCpu) return insufficient('cpu', req.milliCpu, used.milliCpu, cap.milliCpu);
  if (req.memory > 0 && req.memory > cap.memory - used.memory) return insufficient('memory', req.memory, used.memory, cap.memory);
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > cap.ephemeralStorage - used.ephemeralStorage) {
    return insufficient('ephemeral-storage', req.ephemeralStorage, used.ephemeralStorage, cap.ephemeralStorage);
  }
  if (!nodeAffinityMatches(pod, node)) return predicate('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata.name) return predicate('NodeName', "node(s) didn't match the requested node name");
  if (hostPortConflict(pod, others)) return predicate('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  const taint = untoleratedTaint(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], (t) => t.effect === 'NoExecute');
  if (taint) return predicate('TaintToleration', "node(s) had taints that the pod didn't tolerate");
  return undefined;
}

export function nodeAffinityMatches(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  // Terms are ORed; an empty term matches nothing.
  return terms.some((term: any) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (!exprs.length && !fields.length) return false;
    return exprs.every((e: any) => requirement(e, labels)) && fields.every((e: any) => requirement(e, { 'metadata.name': node.metadata.name ?? '' }));
  });
}

function requirement(e: { key: string; operator: string; values?: string[] }, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const v = labels[e.key];
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(v) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      return e.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    default:
      return false;
  }
}

function hostPorts(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`);
  }
  return out;
}

function hostPortConflict(pod: KubeObject, others: KubeObject[]): boolean {
  const want = hostPorts(pod);
  if (!want.length) return false;
  const used = new Set(others.flatMap(hostPorts));
  return want.some((w) => {
    const [proto, ip, port] = w.split('/');
    for (const u of used) {
      const [p2, ip2, port2] = u.split('/');
      if (p2 === proto && port2 === port && (ip === ip2 || ip === '0.0.0.0' || ip2 === '0.0.0.0')) return true;
    }
    return false;
  });
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key === undefined || tol.key === '') return tol.operator === 'Exists';
  if (tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.filter(filter).find((t) => !tolerations.some((tol) => tolerates(tol, t)));
}

function isBestEffort(pod: KubeObject): boolean {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].every(
    (c: any) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length,
  );
}
