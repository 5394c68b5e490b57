// A simulated Cluster Autoscaler: every scan interval it reads nodes and pods through the client,
// asks autoscaler-plan.ts what to do, and acts — a scale-up asks the node-group provider for nodes
// that appear after the provisioning delay; a scale-down taints the node
// ToBeDeletedByClusterAutoscaler:NoSchedule, evicts its pods through the eviction API (a
// PodDisruptionBudget's 429 cancels the attempt and untaints the node), and once the pods are gone
// has the provider remove the node. Part of `kubesim simulate` only (docs/simulate.md).
import { podRequests } from '../api/core/requests.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import type { Clock, Random, Timer } from '../clock/index.ts';
import type { Logger } from '../log/index.ts';
import { planScaleDown, planScaleUp, type Expander, type GroupView, type NodeView, type PodView } from './autoscaler-plan.ts';

export const GROUP_LABEL = 'kubesim.io/node-group';
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export interface AutoscalerConfig {
  scanIntervalMs: number;
  provisioningDelayMs: number;
  scaleDownUtilizationThreshold: number;
  scaleDownUnneededTimeMs: number;
  scaleDownDelayAfterAddMs: number;
  expander: Expander;
}

export const DEFAULT_AUTOSCALER: AutoscalerConfig = {
  scanIntervalMs: 10_000,
  provisioningDelayMs: 30_000,
  scaleDownUtilizationThreshold: 0.5,
  scaleDownUnneededTimeMs: 600_000,
  scaleDownDelayAfterAddMs: 600_000,
  expander: 'least-waste',
};

/** The cloud side: makes a node of a group appear, or go. */
export interface NodeGroupProvider {
  add(group: string): Promise<void>;
  remove(group: string, node: string): Promise<void>;
}

export interface AutoscaledGroup {
  name: string;
  min: number;
  max: number;
  capacity: { cpu: string; memory: string; pods: number };
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

export interface ScaleEvent {
  /** Virtual seconds since the start. */
  t: number;
  group: string;
  action: 'scale-up' | 'scale-down' | 'scale-down-cancelled';
  nodes: number;
  detail: string;
}

const RESOURCE = { PODS: { group: '', version: 'v1', plural: 'pods', namespaced: true }, NODES: { group: '', version: 'v1', plural: 'nodes', namespaced: false } } as const;

const terminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const unschedulable = (p: KubeObject) => !p.spec?.nodeName && !terminal(p) && !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');

export function podView(p: KubeObject): PodView {
  const r = podRequests(p);
  const owners = p.metadata.ownerReferences ?? [];
  return { key: `${p.metadata.namespace}/${p.metadata.name}`, requests: { milliCPU: r.milliCPU, memory: r.memory, pods: 1 }, spec: p.spec, nodeName: p.spec?.nodeName, daemonSet: owners.some((o) => o.kind === 'DaemonSet'), bare: !owners.some((o) => o.controller) };
}

export function nodeView(n: KubeObject, removing: { has(name: string): boolean }): NodeView {
  const a = n.status?.allocatable ?? n.status?.capacity ?? {};
  const ready = (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const taints = (n.spec?.taints ?? []) as NodeView['taints'];
  return {
    name: n.metadata.name!,
    group: n.metadata.labels?.[GROUP_LABEL],
    allocatable: { milliCPU: milliValueOrZero(a.cpu), memory: valueOrZero(a.memory), pods: Number(a.pods ?? 110) },
    labels: n.metadata.labels ?? {},
    taints,
    schedulable: ready && !n.spec?.unschedulable && !removing.has(n.metadata.name!) && !taints.some((t) => t.key === TO_BE_DELETED_TAINT),
  };
}

export class ClusterAutoscaler {
  readonly events: ScaleEvent[] = [];
  private readonly upcoming = new Map<string, number>();
  private unneededSince = new Map<string, number>();
  /** Nodes being drained, with their group. */
  private readonly draining = new Map<string, string>();
  private lastScaleUp = -Infinity;
  private timer?: Timer;
  private busy = false;
  private stopped = false;
  private readonly start: number;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly groups: AutoscaledGroup[],
    private readonly provider: NodeGroupProvider,
    private readonly random: Random,
    private readonly cfg: AutoscalerConfig,
    private readonly log: Logger,
  ) {
    this.start = clock.now();
  }

  run(): void {
    this.timer = this.clock.setInterval(() => void this.scan(), this.cfg.scanIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearInterval(this.timer);
  }

  private record(group: string, action: ScaleEvent['action'], nodes: number, detail: string): void {
    this.events.push({ t: Math.round((this.clock.now() - this.start) / 1000), group, action, nodes, detail });
    this.log.info({ group, action, nodes, detail }, 'cluster autoscaler');
  }

  private async scan(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.once();
    } catch (e) {
      this.log.warn({ err: String(e) }, 'cluster autoscaler scan failed');
    } finally {
      this.busy = false;
    }
  }

  private groupViews(nodes: KubeObject[]): GroupView[] {
    return this.groups.map((g) => ({
      name: g.name,
      min: g.min,
      max: g.max,
      size: nodes.filter((n) => n.metadata.labels?.[GROUP_LABEL] === g.name).length,
      upcoming: this.upcoming.get(g.name) ?? 0,
      capacity: { milliCPU: milliValueOrZero(g.capacity.cpu), memory: valueOrZero(g.capacity.memory), pods: g.capacity.pods },
      labels: { ...g.labels, [GROUP_LABEL]: g.name },
      taints: g.taints as GroupView['taints'],
    }));
  }

  /** One scan: finish drains, scale up for unschedulable pods, else consider a scale-down. */
  async once(): Promise<void> {
    const [nodeList, podList] = await Promise.all([this.client.resource(RESOURCE.NODES).list({}), this.client.resource(RESOURCE.PODS).list({})]);
    const live = podList.items.filter((p) => !terminal(p));
    const now = this.clock.now();
    const removed = new Set<string>();
    for (const [node, group] of this.draining) {
      if (live.some((p) => p.spec?.nodeName === node && !podView(p).daemonSet)) continue;
      this.draining.delete(node);
      removed.add(node);
      await this.provider.remove(group, node);
      this.record(group, 'scale-down', 1, `removed ${node}`);
    }
    // A node being drained no longer counts towards its group's size (nor does one just removed).
    const nodes = nodeList.items.filter((n) => !this.draining.has(n.metadata.name!) && !removed.has(n.metadata.name!));
    const views = nodes.map((n) => nodeView(n, this.draining));
    const pods = live.filter((p) => p.spec?.nodeName).map(podView);
    const groups = this.groupViews(nodes);
    const pending = live.filter(unschedulable).map(podView);
    const up = pending.length ? planScaleUp(pending, views, pods, groups, this.cfg.expander, this.random) : undefined;
    if (up) {
      this.lastScaleUp = now;
      this.unneededSince.clear();
      this.upcoming.set(up.group, (this.upcoming.get(up.group) ?? 0) + up.nodes);
      this.record(up.group, 'scale-up', up.nodes, `${up.pods} unschedulable pods`);
      for (let i = 0; i < up.nodes; i++) {
        this.clock.setTimeout(() => {
          if (this.stopped) return;
          void this.provider
            .add(up.group)
            .catch((e) => this.log.warn({ err: String(e), group: up.group }, 'node provisioning failed'))
            .finally(() => this.upcoming.set(up.group, (this.upcoming.get(up.group) ?? 1) - 1));
        }, this.cfg.provisioningDelayMs);
      }
      return;
    }
    if (pending.length || [...this.upcoming.values()].some((n) => n > 0) || now - this.lastScaleUp < this.cfg.scaleDownDelayAfterAddMs) return;
    const down = planScaleDown({ nodes: views, pods, groups, unneededSince: this.unneededSince, now, threshold: this.cfg.scaleDownUtilizationThreshold, unneededTimeMs: this.cfg.scaleDownUnneededTimeMs });
    this.unneededSince = down.unneededSince;
    if (down.remove) await this.drain(down.remove.node, down.remove.group, nodes.find((n) => n.metadata.name === down.remove!.node)!, live);
  }

  /** Taint, then evict every pod but DaemonSets'; a refused eviction (PDB) cancels and untaints. */
  private async drain(name: string, group: string, node: KubeObject, live: KubeObject[]): Promise<void> {
    const nodes = this.client.resource(RESOURCE.NODES);
    const taints = (node.spec?.taints ?? []) as any[];
    await nodes.patch(name, { spec: { taints: [...taints, { key: TO_BE_DELETED_TAINT, value: String(Math.floor(this.clock.now() / 1000)), effect: 'NoSchedule' }] } }, { type: 'merge' });
    this.draining.set(name, group);
    const podsApi = this.client.resource(RESOURCE.PODS);
    for (const p of live.filter((x) => x.spec?.nodeName === name && !podView(x).daemonSet)) {
      try {
        await podsApi.createSubresource(p.metadata.name!, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: p.metadata.namespace } }, { namespace: p.metadata.namespace });
      } catch (e) {
        if ((e as { code?: number }).code === 404) continue;
        this.draining.delete(name);
        this.unneededSince.delete(name);
        await nodes.patch(name, { spec: { taints } }, { type: 'merge' }).catch(() => {});
        this.record(group, 'scale-down-cancelled', 0, `${name}: eviction of ${p.metadata.namespace}/${p.metadata.name} refused: ${(e as Error).message}`);
        return;
      }
    }
  }
}
