// Pod admission on the node, as the kubelet's predicateAdmitHandler does it: the OS checks, then
// the scheduler's AdmissionCheck (resources fit → NodeAffinity → NodeName → NodePorts), then
// untolerated NoExecute taints (the kubelet only cares about NoExecute). The first failure wins.
import { findUntoleratedTaint, isBestEffort, noExecuteEffect, podRequests as effectiveRequests, requiredNodeAffinityMatches } from '../api/core/index.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import type { KubeObject } from '../api/types.ts';

export interface AdmitResult {
  reason: string;
  message: string;
}

export interface PodRequests {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
}

/** The pod's effective requests (api/core's podRequests) in the three resources the node admits by. */
export function podRequests(pod: KubeObject): PodRequests {
  const r = effectiveRequests(pod);
  return { milliCpu: r.milliCPU, memory: r.memory, ephemeralStorage: r.scalar?.['ephemeral-storage'] ?? 0 };
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
  if (!critical && pressure('MemoryPressure') && isBestEffort(pod.spec)) return { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' };
  const alloc = node.status?.allocatable ?? {};
  const allowedPods = valueOrZero(alloc.pods ?? '110');
  if (others.length + 1 > allowedPods) return insufficient('pods', 1, others.length, allowedPods);
  const req = podRequests(pod);
  const used: PodRequests = { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
  for (const p of others) add(used, podRequests(p));
  const cap = { milliCpu: milliValueOrZero(alloc.cpu), memory: valueOrZero(alloc.memory), ephemeralStorage: valueOrZero(alloc['ephemeral-storage']) };
  if (req.milliCpu > 0 && req.milliCpu > cap.milliCpu - used.milliCpu) return insufficient('cpu', req.milliCpu, used.milliCpu, cap.milliCpu);
  if (req.memory > 0 && req.memory > cap.memory - used.memory) return insufficient('memory', req.memory, used.memory, cap.memory);
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > cap.ephemeralStorage - used.ephemeralStorage) {
    return insufficient('ephemeral-storage', req.ephemeralStorage, used.ephemeralStorage, cap.ephemeralStorage);
  }
  if (!requiredNodeAffinityMatches(pod.spec, node.metadata.name ?? '', node.metadata.labels)) return predicate('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata.name) return predicate('NodeName', "node(s) didn't match the requested node name");
  if (hostPortConflict(pod, others)) return predicate('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  const taint = findUntoleratedTaint(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], noExecuteEffect);
  if (taint) return predicate('TaintToleration', "node(s) had taints that the pod didn't tolerate");
  return undefined;
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
