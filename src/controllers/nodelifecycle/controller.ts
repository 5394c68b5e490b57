// The node lifecycle controller with its taint-based eviction (pkg/controller/nodelifecycle,
// pkg/controller/tainteviction): a node whose Lease stops being renewed for the grace period gets
// Ready=Unknown; not-ready/unreachable taints follow the Ready condition; pods on a NoExecute-tainted
// node are marked not ready and deleted once their toleration runs out. Recovery removes the taints.
import type { Timer } from '../../clock/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop, type SyncResult } from '../base.ts';
import { CONTROLLER_DEFAULTS, type Controller, type ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { NODE_LEASES, NODES, PODS } from '../resources.ts';
import { isPodTerminated } from '../util/pod.ts';
import { desiredTaints, effectiveTolerations, evictionTime, notReadyConditions, observeHeartbeat, readyStatus, unknownConditions, type HeartbeatProbe, type Taint } from './plan.ts';

export const BY_NODE = 'byNodeName';
export const nodeIndex = (p: KubeObject): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);
const NODE_KIND = { apiVersion: 'v1', kind: 'Node' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly loop: ControllerLoop;
  private readonly nodes: SharedInformer;
  private readonly leases: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly events: EventSink;
  private readonly evictions: EventSink;
  /** Per node: when its heartbeat last changed, on our clock (probeTimestamp). */
  private readonly probes = new Map<string, HeartbeatProbe>();
  /** Last Ready state seen per node, for transition events. */
  private readonly observedReady = new Map<string, boolean>();
  private timer?: Timer;
  private warnedGrace = false;
  private readonly graceMs: number;
  private readonly periodMs: number;
  private readonly defaultToleration: number;

  constructor(private readonly ctx: ControllerContext) {
    this.graceMs = (ctx.options.nodeMonitorGracePeriodSeconds ?? CONTROLLER_DEFAULTS.nodeMonitorGracePeriodSeconds) * 1000;
    this.periodMs = (ctx.options.nodeMonitorPeriodSeconds ?? CONTROLLER_DEFAULTS.nodeMonitorPeriodSeconds) * 1000;
    this.defaultToleration = ctx.options.defaultTolerationSeconds ?? CONTROLLER_DEFAULTS.defaultTolerationSeconds;
    this.loop = new ControllerLoop({ name: 'nodelifecycle', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('node-controller');
    this.evictions = ctx.recorder('taint-eviction-controller');
    this.nodes = ctx.factory.informerFor(NODES);
    // All namespaces, as Kubernetes' shared lease informer: the garbage collector watches Leases too,
    // so both read one watch (each node heartbeat decoded once, not twice).
    this.leases = ctx.factory.informerFor(NODE_LEASES);
    this.pods = ctx.factory.informerFor(PODS, { indexers: { [BY_NODE]: nodeIndex } });
    this.nodes.addEventHandler({
      onAdd: (n) => this.loop.enqueue(n.metadata.name!),
      onUpdate: (o, n) => {
        if (o.metadata.resourceVersion !== n.metadata.resourceVersion) this.loop.enqueue(n.metadata.name!);
      },
      onDelete: (n) => this.probes.delete(deletedObject(n).metadata.name!),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.enqueuePodNode(p),
      onUpdate: (o, p) => {
        if (o.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(o.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations)) this.enqueuePodNode(p);
      },
    });
  }

  private enqueuePodNode(p: KubeObject): void {
    const node = p.spec?.nodeName && this.nodes.lister.get(undefined, p.spec.nodeName);
    if (node && ((node.spec?.taints ?? []) as Taint[]).some((t) => t.effect === 'NoExecute')) this.loop.enqueue(node.metadata.name!);
  }

  run(workers: number): void {
    this.loop.run(workers);
    const tick = () => {
      this.monitor().catch((e) => this.ctx.logger.warn({ err: String(e) }, 'node monitor failed'));
      this.timer = this.ctx.client.clock.setTimeout(tick, this.periodMs);
    };
    this.timer = this.ctx.client.clock.setTimeout(tick, this.periodMs);
  }

  async stop(): Promise<void> {
    this.ctx.client.clock.clearTimeout(this.timer);
    await this.loop.stop();
  }

  /** monitorNodeHealth: nodes whose heartbeat is older than the grace period become Unknown. */
  async monitor(now = this.ctx.client.clock.now()): Promise<void> {
    // A plain loop: a promise per node only for the few whose heartbeat went stale (not 1,000 every period).
    const writes: Promise<void>[] = [];
    for (const node of this.nodes.indexer.values()) {
      const name = node.metadata.name!;
      const lease = this.leases.lister.get('kube-node-lease', name);
      const probe = observeHeartbeat(this.probes.get(name), node, lease, now);
      this.probes.set(name, probe);
      // Kubelets renew every leaseDurationSeconds/4; a shorter grace period makes healthy nodes flap.
      const renewMs = ((lease?.spec?.leaseDurationSeconds ?? 0) * 1000) / 4;
      if (renewMs >= this.graceMs && !this.warnedGrace) {
        this.warnedGrace = true;
        this.ctx.logger.warn({ node: name, gracePeriodSeconds: this.graceMs / 1000, renewSeconds: renewMs / 1000 }, 'node monitor grace period is not longer than the node Lease renewal interval; healthy nodes will be marked Unknown');
      }
      if (now - probe.at <= this.graceMs) continue;
      const conds = unknownConditions(node, now);
      if (!conds) continue;
      writes.push(
        this.ctx.client
          .resource(NODES)
          .updateStatus({ ...node, status: { ...(node.status ?? {}), conditions: conds } })
          .then(() => this.ctx.logger.info({ node: name }, 'node stopped posting status; marked Unknown')),
      );
    }
    await Promise.all(writes);
  }

  /** One node: taints from its Ready condition, pods marked not ready, NoExecute evictions. */
  async sync(name: string): Promise<SyncResult | void> {
    let node = this.nodes.lister.get(undefined, name);
    if (!node) {
      this.observedReady.delete(name);
      return;
    }
    const now = this.ctx.client.clock.now();
    this.recordReadyTransition(node);
    const taints = desiredTaints(node, now);
    if (taints) {
      // A patch (like PatchNodeTaints): the node agent updates the Node's status all the time. The list
      // is computed from our cache, so pin its resourceVersion (as PatchNodeTaints does): a taint a user
      // added meanwhile gives a 409 and a fresh look instead of being overwritten.
      node = await this.ctx.client.resource(NODES).patch(name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } }, { type: 'merge' });
    }
    const pods = this.pods.indexer.byIndex(BY_NODE, name).filter((p) => !isPodTerminated(p));
    if (readyStatus(node) !== 'True') await this.markPodsNotReady(pods, now);
    return this.evict(node, pods, now);
  }

  /** RegisteredNode on first sight; NodeReady / NodeNotReady when the Ready condition changes. */
  private recordReadyTransition(node: KubeObject): void {
    const name = node.metadata.name!;
    const ready = readyStatus(node) === 'True';
    const before = this.observedReady.get(name);
    this.observedReady.set(name, ready);
    if (before === undefined) {
      this.events.event(node, NODE_KIND, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      if (ready) return;
    }
    if (before !== ready) {
      const reason = ready ? 'NodeReady' : 'NodeNotReady';
      this.events.event(node, NODE_KIND, 'Normal', reason, `Node ${name} status is now: ${reason}`);
    }
  }

  private async markPodsNotReady(pods: KubeObject[], now: number): Promise<void> {
    const client = this.ctx.client.resource(PODS);
    await Promise.all(
      pods.map(async (p) => {
        const conds = notReadyConditions(p, now);
        if (!conds) return;
        await client.updateStatus({ ...p, status: { ...(p.status ?? {}), conditions: conds } }).catch((e) => {
          if (!isStatusError(e, 404) && !isStatusError(e, 409)) throw e;
        });
        this.events.event(p, POD_KIND, 'Warning', 'NodeNotReady', 'Node is not ready');
      }),
    );
  }

  /** Taint-based eviction: delete pods whose tolerations ran out; come back for the next one. */
  private async evict(node: KubeObject, pods: KubeObject[], now: number): Promise<SyncResult | void> {
    const taints: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoExecute');
    if (taints.length === 0) return;
    let next = Infinity;
    const client = this.ctx.client.resource(PODS);
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      const at = evictionTime(effectiveTolerations(p, this.defaultToleration), taints, now);
      if (at === 'never') continue;
      if (at > now) {
        next = Math.min(next, at);
        continue;
      }
      this.evictions.event(p, POD_KIND, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${p.metadata.namespace}/${p.metadata.name}`);
      await client.delete(p.metadata.name!, { namespace: p.metadata.namespace }).catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
    }
    return next === Infinity ? undefined : { requeueAfterMs: next - now + 50 };
  }
}
