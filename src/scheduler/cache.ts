// The scheduler's view of the cluster: one NodeInfo per node with the pods bound or assumed to it,
// built from informer events. Assumed pods count against their node the moment a binding starts, so
// the next pod does not land on the same free space; the informer's update confirms them, a failed
// binding forgets them, and an assumed pod never confirmed expires.
import type { Node, PodInfo } from './podinfo.ts';
import { newPodInfo, type Pod } from './podinfo.ts';
import { metaNamespaceKey as podKey, type Resource, type Taint } from '../api/core/index.ts';
import { milliValueOrZero as milliValue, valueOrZero as intValue } from '../api/quantity.ts';

export interface Allocatable extends Resource {
  pods: number;
}

export class NodeInfo {
  node?: Node;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Allocatable = { milliCPU: 0, memory: 0, pods: 0 };
  requested: Resource = { milliCPU: 0, memory: 0 };
  nonZeroRequested: Resource = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** Pods here with required anti-affinity terms (checked against every incoming pod). */
  readonly podsWithRequiredAntiAffinity = new Map<string, PodInfo>();

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    const a = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = { milliCPU: milliValue(a.cpu), memory: intValue(a.memory), pods: intValue(a.pods) };
    for (const [name, q] of Object.entries(a)) {
      if (name !== 'cpu' && name !== 'memory' && name !== 'pods') (this.allocatable.scalar ??= {})[name] = intValue(q as string);
    }
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    if (pi.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.set(pi.key, pi);
    this.requested.milliCPU += pi.requests.milliCPU;
    this.requested.memory += pi.requests.memory;
    if (pi.requests.scalar) {
      const s = (this.requested.scalar ??= {});
      for (const [k, v] of Object.entries(pi.requests.scalar)) s[k] = (s[k] ?? 0) + v;
    }
    this.nonZeroRequested.milliCPU += pi.nonZero.milliCPU;
    this.nonZeroRequested.memory += pi.nonZero.memory;
  }

  removePod(key: string): boolean {
    const pi = this.pods.get(key);
    if (!pi) return false;
    this.pods.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    this.requested.milliCPU -= pi.requests.milliCPU;
    this.requested.memory -= pi.requests.memory;
    if (pi.requests.scalar) for (const [k, v] of Object.entries(pi.requests.scalar)) this.requested.scalar![k] -= v;
    this.nonZeroRequested.milliCPU -= pi.nonZero.milliCPU;
    this.nonZeroRequested.memory -= pi.nonZero.memory;
    return true;
  }
}

interface PodState {
  pi: PodInfo;
  nodeName: string;
  assumed: boolean;
  /** When an assumed pod whose binding finished expires if the informer never confirms it. */
  deadline?: number;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private sorted: NodeInfo[] | null = null;
  /** How many nodes host pods with required anti-affinity (lets InterPodAffinity skip work). */
  private antiAffinityNodes = 0;

  /** Pending pods nominated to a node by preemption: node → pod key → pod (their room is held for them). */
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNodeOf = new Map<string, string>();

  constructor(private readonly assumeTtlMs = 30_000) {}

  // ---- nominations ----

  /** Records (or clears, with no node) the node a pending pod is nominated to. */
  setNominated(pod: Pod, nodeName: string | undefined): void {
    const key = podKey(pod);
    const prev = this.nominatedNodeOf.get(key);
    if (prev !== undefined) {
      this.nominated.get(prev)?.delete(key);
      if (this.nominated.get(prev)?.size === 0) this.nominated.delete(prev);
      this.nominatedNodeOf.delete(key);
    }
    if (!nodeName) return;
    let m = this.nominated.get(nodeName);
    if (!m) this.nominated.set(nodeName, (m = new Map()));
    m.set(key, newPodInfo(pod));
    this.nominatedNodeOf.set(key, nodeName);
  }

  /** Pods nominated to this node (undefined when none: the common case, kept cheap). */
  nominatedPods(nodeName: string): Map<string, PodInfo> | undefined {
    return this.nominated.get(nodeName);
  }


  // ---- nodes ----

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name!;
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodes.set(name, ni);
    }
    if (!ni.node) this.sorted = null;
    ni.setNode(node);
    return ni;
  }

  updateNode(node: Node): NodeInfo {
    return this.addNode(node);
  }

  removeNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.sorted = null;
    // Keep the entry while pods still point at it (they are removed by their own events).
    if (ni.pods.size === 0) this.nodes.delete(name);
    else ni.node = undefined;
  }

  getNode(name: string): NodeInfo | undefined {
    const ni = this.nodes.get(name);
    return ni?.node ? ni : undefined;
  }

  /** Nodes that exist (have a Node object), sorted by name; cached until the node set changes. */
  nodeList(): NodeInfo[] {
    if (!this.sorted) {
      this.sorted = [...this.nodes.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return this.sorted;
  }

  get nodeCount(): number {
    return this.nodeList().length;
  }

  hasPodsWithRequiredAntiAffinity(): boolean {
    return this.antiAffinityNodes > 0;
  }

  // ---- pods ----

  private place(pi: PodInfo, nodeName: string): void {
    let ni = this.nodes.get(nodeName);
    if (!ni) {
      ni = new NodeInfo(nodeName);
      this.nodes.set(nodeName, ni);
    }
    const before = ni.podsWithRequiredAntiAffinity.size > 0;
    ni.addPod(pi);
    if (!before && ni.podsWithRequiredAntiAffinity.size > 0) this.antiAffinityNodes++;
  }

  private unplace(key: string, nodeName: string): void {
    const ni = this.nodes.get(nodeName);
    if (!ni) return;
    const before = ni.podsWithRequiredAntiAffinity.size > 0;
    ni.removePod(key);
    if (before && ni.podsWithRequiredAntiAffinity.size === 0) this.antiAffinityNodes--;
    if (!ni.node && ni.pods.size === 0) this.nodes.delete(nodeName);
  }

  /** Counts the pod against its node now, before the binding is confirmed. */
  assumePod(pi: PodInfo, nodeName: string): void {
    if (this.podStates.has(pi.key)) throw new Error(`pod ${pi.key} is already in the cache`);
    this.place(pi, nodeName);
    this.podStates.set(pi.key, { pi, nodeName, assumed: true });
  }

  /** The binding call returned: the assumed pod expires if the informer has not confirmed it in time. */
  finishBinding(key: string, now = Date.now()): void {
    const st = this.podStates.get(key);
    if (st?.assumed) st.deadline = now + this.assumeTtlMs;
  }

  /** The binding failed: the assumed pod no longer counts. */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (!st?.assumed) return;
    this.unplace(key, st.nodeName);
    this.podStates.delete(key);
  }

  isAssumed(key: string): boolean {
    return !!this.podStates.get(key)?.assumed;
  }

  /** A bound pod seen by the informer (add or update); confirms an assumed one. */
  addOrUpdatePod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName as string;
    const st = this.podStates.get(key);
    if (st) this.unplace(key, st.nodeName);
    const pi = newPodInfo(pod);
    this.place(pi, nodeName);
    this.podStates.set(key, { pi, nodeName, assumed: false });
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.unplace(key, st.nodeName);
    this.podStates.delete(key);
  }

  /** Drops assumed pods whose binding finished long ago but were never confirmed; returns their keys. */
  cleanupAssumedPods(now = Date.now()): string[] {
    const expired: string[] = [];
    for (const [key, st] of this.podStates) {
      if (st.assumed && st.deadline !== undefined && st.deadline < now) expired.push(key);
    }
    for (const key of expired) this.forgetPod(key);
    return expired;
  }

  podCount(): number {
    return this.podStates.size;
  }

  assumedCount(): number {
    let n = 0;
    for (const st of this.podStates.values()) if (st.assumed) n++;
    return n;
  }
}
