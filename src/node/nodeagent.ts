// The node agents: for every node of the pool, what its kubelet does about the Node itself —
// register it (or adopt the one a previous run left), keep its NodeStatus saying what the agent
// says (rewritten when someone changes it, and every statusUpdateSeconds), re-register it when it
// is deleted, and notice a partition (kubesim.io/partitioned) and its healing. Leases: lease.ts.
import type { KubeObject } from '../api/types.ts';
import { StatusError } from '../api/errors.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import { KUBELET_DEFAULTS, NODES, PARTITION_ANNOTATION, rvNewer, type PoolContext, type SimNode } from './context.ts';
import type { EventSink } from './eventsink.ts';
import type { LeaseAgent } from './lease.ts';
import { buildNode, desiredConditions, nodeResources, nodeStatus } from './nodeobj.ts';
import { Priority } from './writer.ts';

/** What the rest of the pool does when a node agent's state changes. */
export interface NodeAgentHooks {
  /** A NodeStatus was written (the eviction manager watches for pressure). */
  statusWritten(sn: SimNode): void;
  /** The partition healed: flush the writes that waited for it. */
  healed(sn: SimNode): void;
}

/**
 * The Node answers are read-only (no copy in process, src/client/rest.ts RequestOptions.readonly):
 * sn.node is only read, spread into the next status write, as the informer's frozen Nodes are.
 */
const RO = { readonly: true } as const;

export class NodeAgents {
  constructor(
    private readonly ctx: PoolContext,
    private readonly leases: LeaseAgent,
    private readonly events: EventSink,
    private readonly hooks: NodeAgentHooks,
  ) {}

  get statusMs(): number {
    return (this.ctx.opts.statusUpdateSeconds ?? KUBELET_DEFAULTS.statusUpdateSeconds) * 1000;
  }

  /** Creates the Node (or adopts the existing one) and its Lease. */
  async register(sn: SimNode, existing: KubeObject | undefined, lease: KubeObject | undefined): Promise<void> {
    const { ctx } = this;
    const nodes = ctx.client.resource(NODES);
    const now = ctx.clock.now();
    if (!existing) {
      try {
        sn.node = await nodes.create(buildNode(sn.name, sn.index, ctx.shape, now), RO);
        this.events.nodeEvent(sn, 'Normal', 'Starting', 'Starting kubelet.', now);
        this.events.nodeEvent(sn, 'Normal', 'NodeReady', `Node ${sn.name} status is now: NodeReady`, now);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        sn.node = await nodes.get(sn.name, RO);
      }
    } else {
      sn.node = existing;
      sn.partitioned = existing.metadata.annotations?.[PARTITION_ANNOTATION] === 'true';
      this.events.nodeEvent(sn, 'Normal', 'Starting', 'Starting kubelet.', now);
    }
    // Point the node at this process's kubelet server.
    const ann = sn.node!.metadata.annotations?.['kubesim.io/kubelet-url'];
    if (ann !== ctx.shape.kubeletUrl) {
      sn.node = await nodes.patch(sn.name, { metadata: { annotations: { 'kubesim.io/kubelet-url': ctx.shape.kubeletUrl } } }, { type: 'merge', readonly: true });
    }
    if (!this.statusCurrent(sn)) await this.writeStatus(sn);
    else sn.lastStatusAt = now;
    sn.lease = lease;
    await this.leases.write(sn);
    // Heartbeats start as soon as the node is registered (as each kubelet's would); the first one
    // is offset by the node's position so that renewals spread evenly over the period.
    const phase = this.phase(sn);
    this.leases.start(sn, phase);
    ctx.timers.schedule(sn.statusTimer, ctx.clock.now() + this.statusMs * (1 + phase));
  }

  /** The node's position in the pool as a fraction of a period, in (0, 1]. */
  private phase(sn: SimNode): number {
    return ((sn.index - (this.ctx.opts.firstIndex ?? 0)) + 1) / Math.max(1, this.ctx.nodes.size);
  }

  /** Whether the node's status already says what we would write (so no write is needed). */
  private statusCurrent(sn: SimNode): boolean {
    const st = sn.node?.status;
    if (!st?.capacity || !st.conditions) return false;
    for (const [type, status] of Object.entries(desiredConditions(sn.node))) {
      if (st.conditions.find((c: any) => c.type === type)?.status !== status) return false;
    }
    if (st.daemonEndpoints?.kubeletEndpoint?.Port !== this.ctx.shape.kubeletPort) return false;
    // Only the resources are compared: not a whole nodeStatus (its node info hashes three ids).
    const want = nodeResources(this.ctx.shape);
    return sameResources(st.capacity, want) && sameResources(st.allocatable, want);
  }

  private async writeStatus(sn: SimNode): Promise<void> {
    const { ctx } = this;
    const nodes = ctx.client.resource(NODES);
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = ctx.clock.now();
      const base = sn.node ?? (await nodes.get(sn.name, RO));
      const ours = nodeStatus(sn.name, sn.index, ctx.shape, now, base.status, desiredConditions(base));
      // Keep conditions other components own (e.g. NetworkUnavailable).
      const mine = new Set(ours.conditions.map((c: any) => c.type));
      ours.conditions.push(...(base.status?.conditions ?? []).filter((c: any) => !mine.has(c.type)));
      const obj = { ...base, status: { ...(base.status ?? {}), ...ours } };
      try {
        sn.node = await nodes.updateStatus(obj, RO);
        sn.lastStatusAt = now;
        this.hooks.statusWritten(sn);
        ctx.metrics.nodeStatusWrites.inc();
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) {
          sn.node = await nodes.get(sn.name, RO);
          continue;
        }
        if (e instanceof StatusError && e.code === 404) {
          // Someone deleted our Node: register it again (the kubelet does the same).
          sn.node = await nodes.create(buildNode(sn.name, sn.index, ctx.shape, now), RO);
          continue;
        }
        throw e;
      }
    }
  }

  /** The periodic NodeStatus refresh is due. */
  refreshStatus(sn: SimNode): void {
    this.enqueueStatus(sn, true);
  }

  private enqueueStatus(sn: SimNode, periodic: boolean): void {
    if (periodic) this.ctx.timers.schedule(sn.statusTimer, this.ctx.clock.now() + this.statusMs);
    if (sn.partitioned) return;
    this.ctx.writer.enqueue(Priority.Node, sn.statusTimer, () => this.writeStatus(sn));
  }

  /** A Node changed in the API: if its status no longer says what we say (e.g. Ready=Unknown set by the node lifecycle controller), rewrite it now. */
  onNodeUpdate(node: KubeObject): void {
    const sn = this.ctx.nodes.get(node.metadata.name ?? '');
    if (!sn) return;
    if (rvNewer(node, sn.node)) sn.node = node;
    const partitioned = node.metadata.annotations?.[PARTITION_ANNOTATION] === 'true';
    if (partitioned !== !!sn.partitioned) {
      sn.partitioned = partitioned;
      this.ctx.log.info({ node: sn.name, partitioned }, partitioned ? 'node partitioned: heartbeats and writes stop' : 'node partition healed');
      if (!partitioned) this.heal(sn);
      return;
    }
    if (!partitioned && !this.statusCurrent(sn)) this.enqueueStatus(sn, false);
  }

  /** The partition is over: heartbeat now, fix the node status, flush the pods' deferred writes. */
  private heal(sn: SimNode): void {
    this.leases.renewNow(sn);
    this.enqueueStatus(sn, false);
    this.hooks.healed(sn);
  }

  /** Our Node was deleted (e.g. `kubectl delete node`): register it again, as the kubelet does. */
  onNodeDelete(node: KubeObject): void {
    const sn = this.ctx.nodes.get(node.metadata.name ?? '');
    if (!sn || this.ctx.stopped) return;
    sn.node = undefined;
    this.ctx.writer.enqueue(Priority.Node, sn, async () => {
      const nodes = this.ctx.client.resource(NODES);
      const now = this.ctx.clock.now();
      try {
        sn.node = await nodes.create(buildNode(sn.name, sn.index, this.ctx.shape, now), RO);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        sn.node = await nodes.get(sn.name, RO);
      }
      if (!this.statusCurrent(sn)) await this.writeStatus(sn);
    });
  }
}

/** Same resource names with equal quantities (the same string is the same quantity: no parse). Pure. */
export function sameResources(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  for (const k in a) if (a[k] === undefined || b[k] === undefined) return false;
  for (const k in b) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return false;
    if (x === y) continue;
    if (k === 'cpu' ? milliValueOrZero(x) !== milliValueOrZero(y) : valueOrZero(x) !== valueOrZero(y)) return false;
  }
  return true;
}
