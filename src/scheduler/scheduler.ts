// The scheduler: informers feed the cache and the queue; one loop pops a pod, runs its profile's
// framework (a synchronous decision over the cache), assumes the pod on the chosen node and binds
// it in the background; failures write PodScheduled=False and a FailedScheduling event.
import type { Clock } from '../clock/index.ts';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { deletedObject, stripManagedFields, type Client, type SharedInformer, SharedInformerFactory } from '../client/index.ts';
import { SchedulerCache } from './cache.ts';
import type { Status } from './framework/interface.ts';
import { Framework, type PluginFactory, type ProfileConfig, type ScheduleResult } from './framework/runtime.ts';
import { EventRecorder } from './events.ts';
import { schedulerMetrics, type SchedulerMetrics } from './metrics.ts';
import { newPodInfo, schedulerNameOf, type Pod, type PodInfo } from './podinfo.ts';
import { ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, metaNamespaceKey as podKey, NODES, PODS, PVCS, PVS, STORAGECLASSES } from '../api/core/index.ts';
import type { VolumeLister, VolumeWriter } from './plugins/volumebinding.ts';
import { pluginRegistry, profileFor, type Policy } from './profiles.ts';
import { Events, SchedulingQueue, type QueuedPodInfo, type QueueOptions } from './queue.ts';
import { OnDemandTicker } from './ticker.ts';
import type { Registry } from 'prom-client';

export const EXPLAIN_ANNOTATION = 'kubesim.io/explain-scheduling';
export const RESULT_ANNOTATION = 'kubesim.io/scheduling-result';


export interface SchedulerOptions {
  client: Client;
  /** Queue backoff, periodic flushes, condition and event times (default: the client's clock). */
  clock?: Clock;
  /**
   * Give the event loop a turn every this many scheduling cycles instead of after 10 ms of wall time
   * (a wall-time rule makes the interleaving depend on the machine; `kubesim simulate` sets it).
   */
  yieldEveryCycles?: number;
  policy?: Policy;
  /** Profiles instead of the policy's default one (each with its own schedulerName). */
  profiles?: ProfileConfig[];
  /** Out-of-tree plugins profiles may enable by name. */
  plugins?: Record<string, PluginFactory>;
  logger?: Logger;
  metricsRegistry?: Registry;
  /** Identity for events (reportingInstance). */
  identity?: string;
  queue?: QueueOptions;
  /** How often unschedulable pods are checked for the leftover flush (default 30 s). */
  unschedulableFlushIntervalMs?: number;
  /** Bindings in flight at most (default 256): the loop waits for a slot. */
  bindConcurrency?: number;
  /** Decisions kept for /debug/explain (default 1000). */
  decisionHistory?: number;
  random?: () => number;
}

/** One decision as shown by the explain annotation and /debug/explain (kube-scheduler-simulator style). */
export interface Decision {
  pod: string;
  profile: string;
  time: string;
  attempt: number;
  numAllNodes: number;
  evaluatedNodes: number;
  feasibleNodes: number;
  /** Per node: "passed" or "<Plugin>: <reason>" (without the explain annotation: at most 100 rejections, no passes). */
  filter: Record<string, string>;
  /** Per feasible node: weighted normalized score per plugin. */
  score: Record<string, Record<string, number>>;
  finalScore: Record<string, number>;
  selected?: string;
  message?: string;
}

const gated = (p: Pod) => (p.spec?.schedulingGates ?? []).length > 0;
const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const assigned = (p: Pod) => !!p.spec?.nodeName;

/** A counting semaphore for in-flight bindings. */
class Slots {
  private free: number;
  private waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(): Promise<void> | undefined {
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise((r) => this.waiters.push(r));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly frameworks = new Map<string, Framework>();
  readonly metrics: SchedulerMetrics;
  readonly decisions = new Map<string, Decision>();
  readonly events: EventRecorder;
  private readonly factory: SharedInformerFactory;
  private podInformer!: SharedInformer<Pod>;
  private nodeInformer!: SharedInformer<KubeObject>;
  /** Claims, volumes and classes, for VolumeBinding (informers started with the others). */
  private volumeInformers?: { claims: SharedInformer; volumes: SharedInformer; classes: SharedInformer };
  private readonly stopping = new AbortController();
  private readonly slots: Slots;
  /** The backoff flush (every second), the unschedulable leftover flush (30 s) and the assumed-pod expiry (5 s), each armed only while it has pods to look at. */
  private flushers?: { backoff: OnDemandTicker; unschedulable: OnDemandTicker; assumed?: OnDemandTicker };
  private readonly clock: Clock;
  private loopAbort?: AbortController;
  private loopDone?: Promise<void>;
  private readonly bindings = new Set<Promise<void>>();
  private readonly log?: Logger;
  /** Pending pods held back by spec.schedulingGates (not queued until the gates are removed). */
  readonly gatedPods = new Set<string>();

  constructor(readonly opts: SchedulerOptions) {
    this.log = opts.logger;
    this.clock = opts.clock ?? opts.client.clock;
    this.queue = new SchedulingQueue({
      now: () => this.clock.now(),
      ...opts.queue,
      onParked: (where) => {
        this.flushers?.[where].arm();
        opts.queue?.onParked?.(where);
      },
    });
    const policy = opts.policy ?? 'spread';
    const profiles = opts.profiles ?? [profileFor(policy)];
    const binder = (pi: PodInfo, nodeName: string) => this.bindPod(pi, nodeName);
    const evictor = (victim: PodInfo, preemptor: PodInfo, nodeName: string) => this.preempt(victim, preemptor, nodeName);
    const registry = pluginRegistry({ binder, evictor, volumes: { lister: this.volumeLister(), writer: this.volumeWriter(), signal: this.stopping.signal }, extra: opts.plugins });
    for (const p of profiles) {
      this.frameworks.set(p.schedulerName, new Framework(p, registry, { cache: this.cache }, opts.random));
    }
    this.metrics = schedulerMetrics(
      opts.metricsRegistry,
      () => {
        const l = this.queue.lengths();
        return { active: l.active, backoff: l.backoff, unschedulable: l.unschedulable, gated: this.gatedPods.size };
      },
      () => ({ nodes: this.cache.nodeCount, pods: this.cache.podCount(), assumed_pods: this.cache.assumedCount() }),
    );
    this.events = new EventRecorder(opts.client, {
      component: 'default-scheduler',
      instance: opts.identity ?? 'default-scheduler',
      onError: (e) => this.log?.debug({ err: (e as Error).message }, 'event write failed'),
    });
    this.slots = new Slots(opts.bindConcurrency ?? 256);
    // Informers keep objects without managedFields (the scheduler never reads them), as kube-controller-manager trims them.
    this.factory = new SharedInformerFactory(opts.client, { pageSize: 1000, transform: stripManagedFields });
  }

  private responsible(p: Pod): boolean {
    return this.frameworks.has(schedulerNameOf(p));
  }

  /** Starts the informers (the cache and queue fill even while not leading) and waits for sync. */
  async startInformers(signal?: AbortSignal): Promise<void> {
    this.podInformer = this.factory.informerFor<Pod>(PODS);
    this.nodeInformer = this.factory.informerFor(NODES);
    this.nodeInformer.addEventHandler({
      onAdd: (n) => {
        this.cache.addNode(n);
        this.queue.moveAllToActiveOrBackoff(Events.NodeAdd);
      },
      onUpdate: (old, n) => {
        this.cache.updateNode(n);
        if (nodeChangeMayHelp(old, n)) this.queue.moveAllToActiveOrBackoff(Events.NodeUpdate);
      },
      onDelete: (o) => this.cache.removeNode(deletedObject(o).metadata.name!),
    });
    this.startVolumeInformers();
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (old, p) => this.onPodUpdate(old, p),
      onDelete: (o) => this.onPodDelete(deletedObject(o)),
    });
    this.factory.start();
    await this.factory.waitForCacheSync(signal);
    this.flushers = {
      backoff: new OnDemandTicker(this.clock, 1000, () => (this.queue.flushBackoffCompleted(), this.queue.lengths().backoff > 0)),
      unschedulable: new OnDemandTicker(this.clock, this.opts.unschedulableFlushIntervalMs ?? 30_000, () => (this.queue.flushUnschedulableLeftover(), this.queue.lengths().unschedulable > 0)),
    };
    const { backoff, unschedulable } = this.queue.lengths();
    if (backoff > 0) this.flushers.backoff.arm();
    if (unschedulable > 0) this.flushers.unschedulable.arm();
    this.flushers.assumed = new OnDemandTicker(this.clock, 5000, () => {
      for (const key of this.cache.cleanupAssumedPods(this.clock.now())) this.log?.warn({ pod: key }, 'assumed pod expired');
      return this.cache.assumedCount() > 0;
    });
    if (this.cache.assumedCount() > 0) this.flushers.assumed.arm();
  }

  /** PVC, PV and StorageClass informers; their changes may help pods VolumeBinding rejected. */
  private startVolumeInformers(): void {
    const claims = this.factory.informerFor(PVCS);
    const volumes = this.factory.informerFor(PVS);
    const classes = this.factory.informerFor(STORAGECLASSES);
    const on = (ev: (typeof Events)['PvcChange']) => ({
      onAdd: () => this.queue.moveAllToActiveOrBackoff(ev),
      onUpdate: () => this.queue.moveAllToActiveOrBackoff(ev),
    });
    claims.addEventHandler(on(Events.PvcChange));
    volumes.addEventHandler(on(Events.PvChange));
    classes.addEventHandler(on(Events.StorageClassChange));
    this.volumeInformers = { claims, volumes, classes };
  }

  private volumeLister(): VolumeLister {
    return {
      claim: (ns, name) => this.volumeInformers?.claims.lister.get(ns, name),
      volume: (name) => this.volumeInformers?.volumes.lister.get(undefined, name),
      storageClass: (name) => this.volumeInformers?.classes.lister.get(undefined, name),
      volumes: () => this.volumeInformers?.volumes.lister.list() ?? [],
    };
  }

  private volumeWriter(): VolumeWriter {
    const client = this.opts.client;
    return {
      bindVolume: async (pv, claim) => {
        const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
        await client.resource(PVS).patch(pv.metadata.name!, { metadata: { annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } }, spec: { claimRef } }, { type: 'merge' });
      },
      selectNode: async (claim, nodeName) => {
        await client.resource(PVCS).patch(claim.metadata.name!, { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } }, { namespace: claim.metadata.namespace, type: 'merge' });
      },
    };
  }

  /** A pending pod's status.nominatedNodeName holds room on that node (cleared once bound or gone). */
  private trackNomination(p: Pod): void {
    const pending = !assigned(p) && !terminal(p) && !p.metadata.deletionTimestamp;
    this.cache.setNominated(p, pending ? p.status?.nominatedNodeName || undefined : undefined);
  }

  private onPodAdd(p: Pod): void {
    this.trackNomination(p);
    if (terminal(p)) return;
    if (assigned(p)) {
      this.cache.addOrUpdatePod(p);
      this.queue.moveAllToActiveOrBackoff(Events.AssignedPodAdd);
    } else if (this.responsible(p) && !p.metadata.deletionTimestamp) {
      if (gated(p)) this.gatedPods.add(podKey(p));
      else this.queue.add(p);
    }
  }

  private onPodUpdate(old: Pod, p: Pod): void {
    if (old.status?.nominatedNodeName || p.status?.nominatedNodeName) this.trackNomination(p);
    if (assigned(p)) {
      if (terminal(p)) {
        this.cache.removePod(p);
        if (!terminal(old)) this.queue.moveAllToActiveOrBackoff(Events.AssignedPodDelete);
        return;
      }
      this.cache.addOrUpdatePod(p);
      if (!assigned(old)) {
        this.queue.delete(p); // bound (by us or someone else): leaves the queue
        this.gatedPods.delete(podKey(p));
      }
      return;
    }
    if (!this.responsible(p) || terminal(p) || p.metadata.deletionTimestamp || gated(p)) {
      this.queue.delete(p);
      if (gated(p) && this.responsible(p)) this.gatedPods.add(podKey(p));
      else this.gatedPods.delete(podKey(p));
      return;
    }
    this.gatedPods.delete(podKey(p));
    this.queue.update(p);
  }

  private onPodDelete(p: Pod): void {
    this.gatedPods.delete(podKey(p));
    this.cache.setNominated(p, undefined);
    if (assigned(p)) {
      this.cache.removePod(p);
      this.queue.moveAllToActiveOrBackoff(Events.AssignedPodDelete);
    } else this.queue.delete(p);
  }

  /** Runs the scheduling loop until stopLoop() (e.g. while leading). */
  startLoop(): void {
    if (this.loopAbort) return;
    const ac = new AbortController();
    this.loopAbort = ac;
    this.loopDone = this.loop(ac.signal).catch((e) => this.log?.error({ err: (e as Error).message }, 'scheduling loop failed'));
  }

  async stopLoop(): Promise<void> {
    const ac = this.loopAbort;
    if (!ac) return;
    ac.abort();
    this.loopAbort = undefined;
    await this.loopDone;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let lastYield = performance.now();
    let cycles = 0;
    const every = this.opts.yieldEveryCycles;
    while (!signal.aborted) {
      let q = this.queue.tryPop();
      if (!q) {
        q = await this.queue.pop(signal);
        if (!q) return; // aborted (leadership lost, stopping) or closed
        lastYield = performance.now();
      }
      const wait = this.slots.acquire();
      if (wait) await wait;
      if (signal.aborted) {
        this.slots.release();
        this.queue.requeue(q, { error: true });
        return;
      }
      try {
        this.scheduleOne(q);
      } catch (e) {
        this.slots.release();
        this.log?.error({ err: (e as Error).stack, pod: q.key }, 'scheduling cycle failed');
        this.queue.requeue(q, { error: true });
      }
      // Informer events and binding responses must get the event loop between cycles.
      if (every ? ++cycles % every === 0 : performance.now() - lastYield > 10) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
  }

  /** One scheduling cycle (synchronous), then the binding cycle in the background. Holds one slot. */
  private scheduleOne(q: QueuedPodInfo): void {
    // Decide on the informer's latest copy; a pod deleted, bound or re-targeted meanwhile is dropped.
    const current = this.podInformer.lister.get(q.pod.metadata.namespace ?? 'default', q.pod.metadata.name!);
    const fw = current && this.frameworks.get(schedulerNameOf(current));
    if (!current || !fw || assigned(current) || current.metadata.deletionTimestamp || gated(current)) {
      this.queue.done(q.key);
      this.slots.release();
      return;
    }
    q.pod = current;
    const profile = fw.profile.schedulerName;
    const pi = newPodInfo(current);
    const explain = current.metadata.annotations?.[EXPLAIN_ANNOTATION] === 'true';
    const t0 = performance.now();
    const result = fw.schedule(pi, this.cache.nodeList(), { explain });
    this.metrics.algorithm.observe((performance.now() - t0) / 1000);
    const decision = this.recordDecision(q, profile, result, explain);

    if (!result.nodeName) {
      this.slots.release();
      this.fail(q, pi, result.message ?? 'no fit', {
        unschedulablePlugins: result.unschedulablePlugins,
        decision: explain ? decision : undefined,
        nominatedNodeName: result.nominatedNodeName,
      });
      this.metrics.attempts.inc({ result: 'unschedulable', profile });
      this.metrics.attemptDuration.observe({ result: 'unschedulable', profile }, (performance.now() - t0) / 1000);
      return;
    }
    const nodeName = result.nodeName;
    this.cache.assumePod(pi, nodeName);
    this.flushers?.assumed?.arm();
    const rst = fw.runReserve(result.state, pi, nodeName);
    if (rst) {
      this.cache.forgetPod(pi.key);
      this.slots.release();
      this.fail(q, pi, rst.reasons.join(', '), { error: true });
      this.metrics.attempts.inc({ result: 'error', profile });
      return;
    }
    this.queue.done(q.key);
    const binding = this.bindingCycle(fw, q, pi, nodeName, result, t0, explain ? decision : undefined).finally(() => {
      this.slots.release();
      this.bindings.delete(binding);
    });
    this.bindings.add(binding);
  }

  private async bindingCycle(
    fw: Framework,
    q: QueuedPodInfo,
    pi: PodInfo,
    nodeName: string,
    result: ScheduleResult,
    t0: number,
    decision?: Decision,
  ): Promise<void> {
    const profile = fw.profile.schedulerName;
    let st: Status | null;
    try {
      st = (await fw.runPreBind(result.state, pi, nodeName)) ?? (await fw.runBind(result.state, pi, nodeName));
    } catch (e) {
      st = { code: 'Error', reasons: [(e as Error).message] };
    }
    if (st) {
      this.cache.forgetPod(pi.key);
      fw.runUnreserve(result.state, pi, nodeName);
      this.metrics.attempts.inc({ result: 'error', profile });
      this.metrics.attemptDuration.observe({ result: 'error', profile }, (performance.now() - t0) / 1000);
      // Still pending and ours? Retry after backoff; freed space may help others.
      const current = this.podInformer.lister.get(pi.namespace, pi.pod.metadata.name!);
      if (current && !assigned(current)) {
        this.fail(q, pi, `Binding rejected: ${st.reasons.join(', ')}`, { error: true, noStatus: true });
      }
      this.queue.moveAllToActiveOrBackoff(Events.AssignedPodDelete);
      return;
    }
    this.cache.finishBinding(pi.key, this.clock.now());
    const seconds = (performance.now() - t0) / 1000;
    this.metrics.attempts.inc({ result: 'scheduled', profile });
    this.metrics.attemptDuration.observe({ result: 'scheduled', profile }, seconds);
    const since = q.initialAttemptTimestamp ?? this.clock.now();
    this.metrics.e2e.observe({ result: 'scheduled', profile }, Math.max(0, this.clock.now() - since) / 1000);
    this.events.event(pi.pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${pi.key} to ${nodeName}`);
    if (decision) await this.writeExplanation(pi.pod, decision);
  }

  /** Evicts a preemption victim: a Preempted event on it, then DELETE (graceful, as kube-scheduler). */
  private async preempt(victim: PodInfo, preemptor: PodInfo, nodeName: string): Promise<void> {
    this.log?.info({ victim: victim.key, preemptor: preemptor.key, node: nodeName }, 'preempting');
    this.events.event(victim.pod, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${preemptor.pod.metadata.uid ?? preemptor.key} on node ${nodeName}`);
    try {
      await this.opts.client.resource(PODS).delete(victim.pod.metadata.name!, { namespace: victim.namespace });
    } catch (e) {
      this.log?.debug({ victim: victim.key, err: (e as Error).message }, 'preemption delete failed');
    }
  }

  /** POST pods/<name>/binding. */
  private async bindPod(pi: PodInfo, nodeName: string): Promise<void> {
    const pod = pi.pod;
    await this.opts.client.resource(PODS).createSubresource(
      pod.metadata.name!,
      'binding',
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pi.namespace, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      },
      { namespace: pi.namespace },
    );
  }

  /** Requeues the pod and tells the user why: PodScheduled=False condition and a FailedScheduling event. */
  private fail(
    q: QueuedPodInfo,
    pi: PodInfo,
    message: string,
    o: { error?: boolean; unschedulablePlugins?: Set<string>; noStatus?: boolean; decision?: Decision; nominatedNodeName?: string },
  ): void {
    this.queue.requeue(q, { error: o.error, unschedulablePlugins: o.unschedulablePlugins });
    this.log?.debug({ pod: pi.key, message }, 'unable to schedule pod');
    this.events.event(pi.pod, 'Warning', 'FailedScheduling', 'Scheduling', message);
    if (!o.noStatus) void this.writeUnschedulable(pi.pod, o.error ? 'SchedulerError' : 'Unschedulable', message, o.nominatedNodeName);
    if (o.decision) void this.writeExplanation(pi.pod, o.decision);
  }

  private async writeUnschedulable(pod: Pod, reason: string, message: string, nominatedNodeName?: string): Promise<void> {
    const conds: any[] = pod.status?.conditions ?? [];
    const prev = conds.find((c) => c.type === 'PodScheduled');
    const nominationChanged = (nominatedNodeName ?? undefined) !== (pod.status?.nominatedNodeName ?? undefined) && nominatedNodeName !== undefined;
    if (prev && prev.status === 'False' && prev.reason === reason && prev.message === message && !nominationChanged) return;
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cond = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: prev && prev.status === 'False' ? prev.lastTransitionTime ?? now : now,
    };
    try {
      await this.opts.client
        .resource(PODS)
        .patchSubresource(
          pod.metadata.name!,
          'status',
          { status: { conditions: [cond], ...(nominatedNodeName ? { nominatedNodeName } : {}) } },
          { namespace: pod.metadata.namespace, type: 'strategic' },
        );
    } catch (e) {
      this.log?.debug({ pod: podKey(pod), err: (e as Error).message }, 'status update failed');
    }
  }

  private async writeExplanation(pod: Pod, d: Decision): Promise<void> {
    try {
      await this.opts.client
        .resource(PODS)
        .patch(pod.metadata.name!, { metadata: { annotations: { [RESULT_ANNOTATION]: JSON.stringify(d) } } }, { namespace: pod.metadata.namespace, type: 'merge' });
    } catch (e) {
      this.log?.debug({ pod: podKey(pod), err: (e as Error).message }, 'explanation write failed');
    }
  }

  private recordDecision(q: QueuedPodInfo, profile: string, r: ScheduleResult, full: boolean): Decision {
    const filter: Record<string, string> = {};
    // Without the annotation, keep at most 100 rejections per record (the message has the counts).
    let kept = 0;
    for (const [n, st] of r.filtered) {
      if (!full && kept++ >= 100) break;
      filter[n] = `${st.plugin}: ${st.reasons.join(', ')}`;
    }
    // Passing nodes are listed only when explaining (a 5,000-node cluster would make every record huge).
    if (full) for (const n of r.feasible) filter[n] = 'passed';
    const d: Decision = {
      pod: q.key,
      profile,
      time: new Date(this.clock.now()).toISOString(),
      attempt: q.attempts,
      numAllNodes: r.numAllNodes,
      evaluatedNodes: r.evaluated,
      feasibleNodes: r.feasible.length,
      filter,
      score: full || r.scores.size <= 100 ? Object.fromEntries(r.scores) : {},
      finalScore: full || r.totals.size <= 100 ? Object.fromEntries(r.totals) : {},
      selected: r.nodeName,
      message: r.message,
    };
    this.decisions.delete(q.key);
    this.decisions.set(q.key, d);
    const max = this.opts.decisionHistory ?? 1000;
    if (this.decisions.size > max) this.decisions.delete(this.decisions.keys().next().value!);
    return d;
  }

  /** Waits for bindings in flight and pending events (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.bindings]);
    await this.events.flush();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.stopLoop();
    await this.loopDone;
    this.queue.close();
    this.flushers?.backoff.stop();
    this.flushers?.unschedulable.stop();
    this.flushers?.assumed?.stop();
    await this.drain();
    await this.factory.shutdown();
  }
}

/** Node updates that may let a pending pod fit (heartbeats and status noise do not). */
function nodeChangeMayHelp(a: KubeObject, b: KubeObject): boolean {
  const s = (x: unknown) => JSON.stringify(x ?? null);
  return (
    s(a.status?.allocatable) !== s(b.status?.allocatable) ||
    s(a.metadata.labels) !== s(b.metadata.labels) ||
    s(a.spec?.taints) !== s(b.spec?.taints) ||
    !!a.spec?.unschedulable !== !!b.spec?.unschedulable
  );
}
