// DaemonSet decisions as pure functions (pkg/controller/daemon): which nodes should run a daemon
// pod (node selector, required node affinity, taints vs. the pod's tolerations plus the daemon
// tolerations), which pods to create or delete (duplicates, misscheduled, rolling update within
// maxUnavailable), and the status counts.
import type { KubeObject } from '../../api/types.ts';
import { isPodActive, isPodAvailable, isPodReady } from '../util/pod.ts';
import {
  doNotScheduleEffects,
  findUntoleratedTaint,
  noExecuteEffect,
  requiredNodeAffinityMatches,
  TaintNodeDiskPressure,
  TaintNodeMemoryPressure,
  TaintNodeNetworkUnavailable,
  TaintNodeNotReady,
  TaintNodePIDPressure,
  TaintNodeUnreachable,
  TaintNodeUnschedulable,
  type Taint,
  type Toleration,
} from '../../api/core/index.ts';
import { scaledValue } from '../util/intstr.ts';
import { newControllerRef } from '../util/owner.ts';
import { deepCopy } from '../../api/core/json.ts';

export const RevisionHashLabel = 'controller-revision-hash';

/** AddOrUpdateDaemonPodTolerations: daemons survive node problems and cordons. */
export function daemonTolerations(spec: any): Toleration[] {
  const add: Toleration[] = [
    { key: TaintNodeNotReady, operator: 'Exists', effect: 'NoExecute' },
    { key: TaintNodeUnreachable, operator: 'Exists', effect: 'NoExecute' },
    { key: TaintNodeDiskPressure, operator: 'Exists', effect: 'NoSchedule' },
    { key: TaintNodeMemoryPressure, operator: 'Exists', effect: 'NoSchedule' },
    { key: TaintNodePIDPressure, operator: 'Exists', effect: 'NoSchedule' },
    { key: TaintNodeUnschedulable, operator: 'Exists', effect: 'NoSchedule' },
    ...(spec?.hostNetwork ? [{ key: TaintNodeNetworkUnavailable, operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const own: Toleration[] = spec?.tolerations ?? [];
  return [...own, ...add.filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect))];
}

/** NodeShouldRunDaemonPod: should a daemon pod start here, and may a running one stay. */
export function nodeShouldRun(ds: KubeObject, node: KubeObject): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinityMatches(spec, node.metadata.name ?? '', node.metadata.labels)) return { shouldRun: false, shouldContinueRunning: false };
  const tols = daemonTolerations(spec);
  const taints: Taint[] = node.spec?.taints ?? [];
  return {
    shouldRun: !findUntoleratedTaint(taints, tols, doNotScheduleEffects),
    shouldContinueRunning: !findUntoleratedTaint(taints, tols, noExecuteEffect),
  };
}

/** The node a daemon pod is for: its binding, or the metadata.name affinity the controller gave it. */
export function daemonPodNode(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** The daemon pod for one node: the template, its tolerations, and node affinity to that node. */
export function daemonPodFor(ds: KubeObject, nodeName: string, hash: string): KubeObject {
  const t = deepCopy(ds.spec?.template ?? {});
  const spec = t.spec ?? {};
  spec.tolerations = daemonTolerations(spec);
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the scheduler places it, on exactly this node.
  const affinity = spec.affinity ?? {};
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
  };
  spec.affinity = affinity;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [RevisionHashLabel]: hash },
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    spec,
  };
}

export interface DaemonSetPlan {
  create: string[];
  delete: KubeObject[];
  status: any;
}

const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/** maxSurge of a RollingUpdate DaemonSet, resolved against the desired count (0: replace in place). */
export function surgeCount(ds: KubeObject, desired: number): number {
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return 0;
  return Math.max(0, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, desired, true));
}

/**
 * The running pods a node keeps (podsShouldBeOnNode): without surge the oldest; with surge the oldest
 * updated and the oldest old one, the old one only while it is ready and the new one is not yet.
 */
function keepOnNode(live: KubeObject[], hash: string, surge: boolean): { keep: KubeObject[]; extra: KubeObject[] } {
  if (live.length <= 1) return { keep: live, extra: [] };
  if (!surge) return { keep: [live[0]], extra: live.slice(1) };
  const newPod = live.find((p) => p.metadata.labels?.[RevisionHashLabel] === hash);
  const oldPod = live.find((p) => p.metadata.labels?.[RevisionHashLabel] !== hash);
  const keep = [newPod, oldPod].filter((p): p is KubeObject => !!p);
  if (newPod && oldPod && (!isPodReady(oldPod) || isPodReady(newPod))) keep.pop();
  return { keep, extra: live.filter((p) => !keep.includes(p)) };
}

export function planDaemonSet(ds: KubeObject, nodes: KubeObject[], pods: KubeObject[], hash: string, now: number): DaemonSetPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = new Map<string, KubeObject[]>();
  const create: string[] = [];
  const del: KubeObject[] = [];
  for (const p of pods) {
    const n = daemonPodNode(p);
    if (!n) continue;
    if (!byNode.has(n)) byNode.set(n, []);
    byNode.get(n)!.push(p);
  }
  const desired = nodes.filter((n) => nodeShouldRun(ds, n).shouldRun).length;
  const maxSurge = surgeCount(ds, desired);
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const oldPods: { pod: KubeObject; available: boolean }[] = [];
  /** Surge: nodes with an old pod and no new one (candidates), nodes whose new pod is not yet available. */
  const surgeNodes: { node: string; oldAvailable: boolean }[] = [];
  let surging = 0;
  let unavailableNodes = 0;
  for (const node of nodes) {
    const name = node.metadata.name!;
    const all = byNode.get(name) ?? [];
    const failed = all.filter((p) => p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp);
    const live = all.filter(isPodActive).sort((a, b) => created(a) - created(b));
    const { shouldRun, shouldContinueRunning } = nodeShouldRun(ds, node);
    del.push(...failed);
    if (!shouldContinueRunning) {
      if (live.length) misscheduled++;
      del.push(...live);
      continue;
    }
    if (!shouldRun && live.length) misscheduled++;
    if (shouldRun && live.length === 0) {
      if (!all.some((p) => p.metadata.deletionTimestamp)) create.push(name); // wait for a terminating one to go
      unavailableNodes++;
      continue;
    }
    const { keep, extra } = keepOnNode(live, hash, maxSurge > 0);
    del.push(...extra); // duplicates
    if (!keep.length || !shouldRun) continue;
    current++;
    const newPod = keep.find((p) => p.metadata.labels?.[RevisionHashLabel] === hash);
    const oldPod = keep.find((p) => p.metadata.labels?.[RevisionHashLabel] !== hash);
    if (keep.some(isPodReady)) ready++;
    const isAvail = keep.some((p) => isPodAvailable(p, minReady, now));
    if (isAvail) available++;
    else unavailableNodes++;
    if (newPod) updated++;
    if (!oldPod) continue;
    if (maxSurge === 0) {
      oldPods.push({ pod: oldPod, available: isAvail });
    } else if (!newPod) {
      surgeNodes.push({ node: name, oldAvailable: isPodAvailable(oldPod, minReady, now) });
    } else if (!isPodAvailable(newPod, minReady, now)) {
      surging++;
    } else {
      del.push(oldPod); // the new pod is available: the old one goes
    }
  }
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && maxSurge > 0) {
    // Surge: a new pod beside the old one on up to maxSurge nodes (any node whose old pod is unavailable).
    let budget = Math.max(0, maxSurge - surging);
    for (const s of surgeNodes) {
      if (!s.oldAvailable) create.push(s.node);
      else if (budget > 0) {
        create.push(s.node);
        budget--;
      }
    }
  } else if (rolling && oldPods.length) {
    // RollingUpdate: replace old pods, at most maxUnavailable nodes without an available daemon at once.
    const maxUnavailable = Math.max(0, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true));
    for (const o of oldPods) if (!o.available) del.push(o.pod); // already unavailable: free to replace
    let budget = maxUnavailable - unavailableNodes;
    for (const o of oldPods) {
      if (!o.available || budget <= 0) continue;
      del.push(o.pod);
      budget--;
    }
  }
  const status = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: Math.max(0, desired - available),
  };
  return { create, delete: [...new Set(del)], status };
}
