// The node pool: any number of simulated nodes in one process, the way KWOK runs them — ONE pod
// informer for all of them (filtered to the pool's nodes by spec.nodeName, indexed by node), ONE
// timer queue for every pod stage, lease renewal and node status refresh, and ONE writer that
// prioritises heartbeats over status and events. Restarting the pool re-adopts its Nodes, Leases
// and pods from the API (nothing is recreated; running containers keep their startedAt).
import type { Logger } from 'pino';
import pino from 'pino';
import type { KubeObject } from '../api/types.ts';
import { StatusError } from '../api/errors.ts';
import { Client, SharedInformerFactory, deletedObject, type SharedInformer } from '../client/index.ts';
import { admitPod, type Taint } from './admission.ts';
import { aggregationKey, buildEvent, EventCache, type EventInput } from './events.ts';
import {
  adoptPodSim,
  buildPodStatus,
  markDeleting,
  newPodSim,
  podPhase,
  readyToRemove,
  rejectedPodSim,
  step,
  failPod,
  qosClass,
  type StepResult,
  type PodSim,
  type SimEvent,
} from './lifecycle.ts';
import { LogStore } from './logs.ts';
import { buildLease, buildNode, desiredConditions, LEASE_NAMESPACE, microTime, nodeIP, nodeStatus, podCIDR, podIPIn, type NodeShape } from './nodeobj.ts';
import { defaultProfile, makeProfile, type Profile, type TimingName } from './profile.ts';
import { realClock, TimerQueue, type Clock } from './timers.ts';
import { bytesOf, milliCpu, rfc3339 } from './units.ts';
import { cpuIntegralNanos, usageAt, usageModel, type UsageModel } from './usage.ts';
import { Priority, Writer } from './writer.ts';
import { statusDrifted, withForeignConditions } from './drift.ts';
import { PoolMetrics } from './metrics.ts';

/** Annotate a Node with kubesim.io/partitioned=true to cut its agent off the API server. */
export const PARTITION_ANNOTATION = 'kubesim.io/partitioned';

export const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
export const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
export const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };
export const EVENTS = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };

export interface NodePoolOptions {
  client: Client;
  count: number;
  prefix?: string;
  /** Index of the first node (node names and addresses derive from it): lets several pools share a cluster. */
  firstIndex?: number;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  zones?: string[];
  region?: string;
  instanceType?: string;
  heartbeatSeconds?: number;
  leaseDurationSeconds?: number;
  /** NodeStatus is rewritten when it changes, or at least this often. */
  statusUpdateSeconds?: number;
  /** Eviction manager period under simulated node pressure (one pod evicted per period). */
  evictionIntervalSeconds?: number;
  /** Lifecycle profile (stages and timings); or just timings over the default stages. */
  profile?: Profile;
  timings?: Partial<Record<TimingName, number | string>>;
  /** Port of the kubelet HTTP server (0 = ephemeral); host defaults to 127.0.0.1. */
  kubeletPort?: number;
  kubeletHost?: string;
  /** Request budget of the whole pool (on top of the client's own limiter). */
  qps?: number;
  writeConcurrency?: number;
  /** Emit Events (default true). */
  events?: boolean;
  logLines?: number;
  logIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SimNode {
  name: string;
  index: number;
  ip: string;
  cidr: string;
  images: Set<string>;
  usedIPs: Set<number>;
  pods: Set<string>;
  node?: KubeObject;
  lease?: KubeObject;
  lastStatusAt: number;
  leaseDueAt: number;
  /** Renewals completed, and the largest gap between two consecutive renewTimes (ms). */
  renewals: number;
  maxRenewGapMs: number;
  lastRenewAt?: number;
  /** Annotation kubesim.io/partitioned=true: the node can't reach the API server (no heartbeats, no writes). */
  partitioned?: boolean;
  /** Pods whose writes wait for the partition to heal. */
  deferred?: Set<string>;
}

export interface PodEntry {
  key: string;
  node: SimNode;
  sim: PodSim;
  lastWritten?: string;
  /** resourceVersion of our last status write. */
  rv?: string;
  ipIndex?: number;
  removing?: boolean;
  /** Someone else changed the pod: compare its stored status with ours at the next step. */
  recheck?: boolean;
  usage: Map<string, UsageModel>;
  cpuCum: Map<string, { t: number; nanos: number }>;
}

export interface NodePool {
  nodes: string[];
  kubeletUrl: string;
  kubeletPort: number;
  stop(): Promise<void>;
  /** Internals for the kubelet server, tests and benchmarks. */
  readonly state: PoolState;
}

export class PoolState {
  readonly nodes = new Map<string, SimNode>();
  readonly pods = new Map<string, PodEntry>();
  readonly logs: LogStore;
  readonly writer: Writer;
  readonly timers: TimerQueue<string>;
  readonly events = new EventCache();
  readonly metrics: PoolMetrics;
  readonly profile: Profile;
  readonly clock: Clock;
  readonly log: Logger;
  readonly startedAt: number;
  private eventSeq = 0;
  private stopped = false;
  podInformer?: SharedInformer<KubeObject>;

  constructor(
    readonly client: Client,
    readonly opts: NodePoolOptions,
    readonly shape: NodeShape,
  ) {
    this.clock = opts.clock ?? realClock;
    this.startedAt = this.clock.now();
    this.profile = opts.profile ?? (opts.timings ? makeProfile(opts.timings) : defaultProfile);
    this.log = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }).child({ component: 'node-pool' });
    this.logs = new LogStore(opts.logLines ?? 1000, opts.logIntervalMs ?? 10_000);
    this.metrics = new PoolMetrics(this);
    this.writer = new Writer({
      concurrency: opts.writeConcurrency ?? 32,
      qps: opts.qps,
      onError: (e, key) => {
        this.metrics.writeErrors.inc();
        if (!this.stopped) this.log.warn({ err: String(e), key }, 'write failed');
      },
    });
    this.timers = new TimerQueue<string>((k) => this.fire(k), this.clock);
  }

  get heartbeatMs(): number {
    return (this.opts.heartbeatSeconds ?? 10) * 1000;
  }

  get statusMs(): number {
    return (this.opts.statusUpdateSeconds ?? 300) * 1000;
  }

  stop(): void {
    this.stopped = true;
    this.timers.stop();
    this.writer.stop();
  }

  private fire(key: string): void {
    if (this.stopped) return;
    const kind = key[0];
    const rest = key.slice(2);
    if (kind === 'p') this.stepPod(rest);
    else if (kind === 'l') this.renewLease(rest);
    else if (kind === 's') this.enqueueNodeStatus(rest, true);
    else if (kind === 'e') this.evictOne(rest);
  }

  // ---- nodes and leases --------------------------------------------------------------------

  /** Creates the Node (or adopts the existing one) and its Lease. */
  async register(sn: SimNode, existing: KubeObject | undefined, lease: KubeObject | undefined): Promise<void> {
    const nodes = this.client.resource(NODES);
    const now = this.clock.now();
    if (!existing) {
      try {
        sn.node = await nodes.create(buildNode(sn.name, sn.index, this.shape, now));
        this.nodeEvent(sn, 'Normal', 'Starting', 'Starting kubelet.', now);
        this.nodeEvent(sn, 'Normal', 'NodeReady', `Node ${sn.name} status is now: NodeReady`, now);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        sn.node = await nodes.get(sn.name);
      }
    } else {
      sn.node = existing;
      sn.partitioned = existing.metadata.annotations?.[PARTITION_ANNOTATION] === 'true';
      this.nodeEvent(sn, 'Normal', 'Starting', 'Starting kubelet.', now);
    }
    // Point the node at this process's kubelet server.
    const ann = sn.node!.metadata.annotations?.['kubesim.io/kubelet-url'];
    if (ann !== this.shape.kubeletUrl) {
      sn.node = await nodes.patch(sn.name, { metadata: { annotations: { 'kubesim.io/kubelet-url': this.shape.kubeletUrl } } }, { type: 'merge' });
    }
    if (!this.nodeStatusCurrent(sn)) await this.writeNodeStatus(sn);
    else sn.lastStatusAt = now;
    sn.lease = lease;
    await this.writeLease(sn);
    // Heartbeats start as soon as the node is registered (as each kubelet's would); the first one
    // is offset by the node's position so that renewals spread evenly over the period.
    sn.leaseDueAt = this.clock.now() + Math.max(1, Math.floor(this.phase(sn) * this.heartbeatMs));
    this.timers.schedule(`l:${sn.name}`, sn.leaseDueAt);
    this.timers.schedule(`s:${sn.name}`, this.clock.now() + this.statusMs * (1 + this.phase(sn)));
  }

  /** The node's position in the pool as a fraction of a period, in (0, 1]. */
  private phase(sn: SimNode): number {
    return ((sn.index - (this.opts.firstIndex ?? 0)) + 1) / Math.max(1, this.nodes.size);
  }

  /** Whether the node's status already says what we would write (so no write is needed). */
  private nodeStatusCurrent(sn: SimNode): boolean {
    const st = sn.node?.status;
    if (!st?.capacity || !st.conditions) return false;
    for (const [type, status] of Object.entries(desiredConditions(sn.node))) {
      if (st.conditions.find((c: any) => c.type === type)?.status !== status) return false;
    }
    if (st.daemonEndpoints?.kubeletEndpoint?.Port !== this.shape.kubeletPort) return false;
    const want = nodeStatus(sn.name, sn.index, this.shape, 0);
    return sameResources(st.capacity, want.capacity) && sameResources(st.allocatable, want.allocatable);
  }

  private async writeNodeStatus(sn: SimNode): Promise<void> {
    const nodes = this.client.resource(NODES);
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock.now();
      const base = sn.node ?? (await nodes.get(sn.name));
      const ours = nodeStatus(sn.name, sn.index, this.shape, now, base.status, desiredConditions(base));
      // Keep conditions other components own (e.g. NetworkUnavailable).
      const mine = new Set(ours.conditions.map((c: any) => c.type));
      ours.conditions.push(...(base.status?.conditions ?? []).filter((c: any) => !mine.has(c.type)));
      const obj = { ...base, status: { ...(base.status ?? {}), ...ours } };
      try {
        sn.node = await nodes.updateStatus(obj);
        sn.lastStatusAt = now;
        this.watchPressure(sn);
        this.metrics.nodeStatusWrites.inc();
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) {
          sn.node = await nodes.get(sn.name);
          continue;
        }
        if (e instanceof StatusError && e.code === 404) {
          // Someone deleted our Node: register it again (the kubelet does the same).
          sn.node = await nodes.create(buildNode(sn.name, sn.index, this.shape, now));
          continue;
        }
        throw e;
      }
    }
  }

  enqueueNodeStatus(name: string, periodic: boolean): void {
    const sn = this.nodes.get(name);
    if (!sn) return;
    if (periodic) this.timers.schedule(`s:${name}`, this.clock.now() + this.statusMs);
    if (sn.partitioned) return;
    this.writer.enqueue(Priority.Node, `s:${name}`, () => this.writeNodeStatus(sn));
  }

  /** A Node changed in the API: if its status no longer says what we say (e.g. Ready=Unknown set by the node lifecycle controller), rewrite it now. */
  onNodeUpdate(node: KubeObject): void {
    const sn = this.nodes.get(node.metadata.name ?? '');
    if (!sn) return;
    if (rvNewer(node, sn.node)) sn.node = node;
    const partitioned = node.metadata.annotations?.[PARTITION_ANNOTATION] === 'true';
    if (partitioned !== !!sn.partitioned) {
      sn.partitioned = partitioned;
      this.log.info({ node: sn.name, partitioned }, partitioned ? 'node partitioned: heartbeats and writes stop' : 'node partition healed');
      if (!partitioned) this.heal(sn);
      return;
    }
    if (!partitioned && !this.nodeStatusCurrent(sn)) this.enqueueNodeStatus(sn.name, false);
  }

  /** The partition is over: heartbeat now, fix the node status, flush the pods' deferred writes. */
  private heal(sn: SimNode): void {
    this.writer.enqueue(Priority.Lease, `l:${sn.name}`, () => this.writeLease(sn));
    this.enqueueNodeStatus(sn.name, false);
    for (const key of sn.deferred ?? []) {
      const e = this.pods.get(key);
      if (e) this.enqueuePodWrite(e);
    }
    sn.deferred = undefined;
  }

  /** Our Node was deleted (e.g. `kubectl delete node`): register it again, as the kubelet does. */
  onNodeDelete(node: KubeObject): void {
    const sn = this.nodes.get(node.metadata.name ?? '');
    if (!sn || this.stopped) return;
    sn.node = undefined;
    this.writer.enqueue(Priority.Node, `r:${sn.name}`, async () => {
      const nodes = this.client.resource(NODES);
      const now = this.clock.now();
      try {
        sn.node = await nodes.create(buildNode(sn.name, sn.index, this.shape, now));
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        sn.node = await nodes.get(sn.name);
      }
      if (!this.nodeStatusCurrent(sn)) await this.writeNodeStatus(sn);
    });
  }

  private async writeLease(sn: SimNode): Promise<void> {
    const leases = this.client.resource(LEASES);
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock.now();
      try {
        if (!sn.lease) {
          sn.lease = await leases.create(buildLease(sn.name, sn.node?.metadata.uid, this.opts.leaseDurationSeconds ?? 40, now));
        } else {
          const next = {
            ...sn.lease,
            spec: { ...sn.lease.spec, holderIdentity: sn.name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: microTime(now) },
          };
          sn.lease = await leases.update(next);
        }
        if (sn.lastRenewAt !== undefined) sn.maxRenewGapMs = Math.max(sn.maxRenewGapMs, now - sn.lastRenewAt);
        sn.lastRenewAt = now;
        sn.renewals++;
        this.metrics.leaseRenewals.inc();
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) {
          sn.lease = await leases.get(sn.name, { namespace: LEASE_NAMESPACE });
          continue;
        }
        if (e instanceof StatusError && e.code === 404) {
          sn.lease = undefined;
          continue;
        }
        throw e;
      }
    }
  }

  private renewLease(name: string): void {
    const sn = this.nodes.get(name);
    if (!sn) return;
    const due = sn.leaseDueAt;
    this.metrics.leaseLag.observe(Math.max(0, this.clock.now() - due) / 1000);
    if (!sn.partitioned) this.writer.enqueue(Priority.Lease, `l:${name}`, () => this.writeLease(sn));
    // Next renewal one period after the previous due time (no drift), never in the past.
    sn.leaseDueAt = Math.max(due + this.heartbeatMs, this.clock.now() + this.heartbeatMs / 2);
    this.timers.schedule(`l:${name}`, sn.leaseDueAt);
  }

  // ---- pods --------------------------------------------------------------------------------

  onPod(pod: KubeObject): void {
    const nodeName = pod.spec?.nodeName;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    let entry = this.pods.get(key);
    if (entry && entry.sim.uid !== pod.metadata.uid) {
      this.forget(key); // same name, new pod
      entry = undefined;
    }
    const sn = nodeName ? this.nodes.get(nodeName) : undefined;
    if (!sn) return;
    const now = this.clock.now();
    if (!entry) {
      entry = this.admit(pod, sn, now);
      this.pods.set(key, entry);
      sn.pods.add(key);
      this.metrics.podsAdmitted.inc();
    } else if (rvNewer(pod, entry.sim.pod)) {
      entry.sim.pod = pod;
      if (this.storedIsForeign(entry)) entry.recheck = true;
    }
    if (pod.metadata.deletionTimestamp && entry.sim.deletingAt === undefined) {
      markDeleting(entry.sim, now, pod.metadata.deletionGracePeriodSeconds);
    }
    this.timers.schedule(`p:${key}`, now);
  }

  private admit(pod: KubeObject, sn: SimNode, now: number): PodEntry {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const base = { key, node: sn, usage: new Map(), cpuCum: new Map() };
    const st = pod.status ?? {};
    const started = !!(st.startTime || st.containerStatuses?.length || st.phase === 'Succeeded' || st.phase === 'Failed');
    if (started) {
      // Written by a previous run of the pool (or terminal): adopt, don't replay.
      const sim = adoptPodSim(pod, now, sn.ip, this.profile);
      const entry: PodEntry = { ...base, sim, lastWritten: JSON.stringify(st) };
      if (sim.podIP && sim.podIP !== sn.ip) {
        const n = Number(sim.podIP.split('.')[3]) - 2;
        if (n >= 0) {
          sn.usedIPs.add(n);
          entry.ipIndex = n;
        }
      }
      for (const c of sim.containers) {
        if (c.state === 'Running' && c.startedAt !== undefined) this.logs.started(pod, c.name, c.image, c.restartCount, c.startedAt);
        if (c.containerID) sn.images.add(c.image); // the node still has the images it ran
      }
      return entry;
    }
    const others = [...sn.pods].map((k) => this.pods.get(k)).filter((e): e is PodEntry => !!e && isActive(e.sim)).map((e) => e.sim.pod);
    const nodeObj = sn.node ?? buildNode(sn.name, sn.index, this.shape, now);
    const verdict = admitPod(pod, nodeObj, others);
    if (verdict) {
      const sim = rejectedPodSim(pod, now, sn.ip, verdict.reason, verdict.message);
      this.podEvent(sim, sn, { type: 'Warning', reason: verdict.reason, message: verdict.message, at: now });
      this.metrics.podsRejected.inc();
      return { ...base, sim };
    }
    let ipIndex: number | undefined;
    let podIP = sn.ip;
    if (!pod.spec?.hostNetwork) {
      ipIndex = 0;
      while (sn.usedIPs.has(ipIndex) && ipIndex < 252) ipIndex++;
      sn.usedIPs.add(ipIndex);
      podIP = podIPIn(sn.cidr, ipIndex);
    }
    return { ...base, sim: newPodSim(pod, now, sn.ip, podIP, this.profile), ipIndex };
  }

  onPodDelete(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const e = this.pods.get(key);
    if (e && e.sim.uid === pod.metadata.uid) this.forget(key);
  }

  private forget(key: string): void {
    const e = this.pods.get(key);
    if (!e) return;
    this.pods.delete(key);
    e.node.pods.delete(key);
    if (e.ipIndex !== undefined) e.node.usedIPs.delete(e.ipIndex);
    this.timers.cancel(`p:${key}`);
    this.firstRunning.delete(key);
    this.logs.forgetPod(e.sim.namespace, e.sim.name);
  }

  private stepPod(key: string): void {
    const e = this.pods.get(key);
    if (!e) return;
    const now = this.clock.now();
    const first = e.lastWritten === undefined;
    const recheck = e.recheck && !first;
    e.recheck = false;
    const r = step(e.sim, now, this.profile, e.node.images);
    // Re-assert our status when someone else's write left the stored one saying otherwise.
    this.applyResult(e, r, first || (recheck && !r.changed && this.drifted(e)));
  }

  /** Logs, events, the status write (always when `force`) and the next wake-up for a step's result. */
  private applyResult(e: PodEntry, r: StepResult, force = false): void {
    for (const t of r.transitions) {
      const c = t.container;
      if (t.to === 'Running') this.logs.started(e.sim.pod, c.name, c.image, c.restartCount, t.at);
      else if (t.to === 'Stopping') this.logs.note(e.sim.namespace, e.sim.name, c.name, t.at, 'kubesim: received SIGTERM, shutting down');
      else if (t.to === 'Terminated' && (t.from === 'Running' || t.from === 'Stopping')) {
        this.logs.ended(e.sim.namespace, e.sim.name, c.name, t.at, `kubesim: container ${c.name} exited with code ${c.exitCode ?? 0}`);
      }
      if (t.to === 'Running') this.metrics.containerStarts.inc();
    }
    for (const ev of r.events) this.podEvent(e.sim, e.node, ev);
    if (r.changed || force || (e.sim.deletingAt !== undefined && readyToRemove(e.sim))) this.enqueuePodWrite(e);
    if (r.nextAt !== undefined) this.timers.schedule(`p:${e.key}`, r.nextAt);
  }

  // ---- eviction under node pressure (the kubelet's eviction manager) --------------------------

  private get evictionMs(): number {
    return (this.opts.evictionIntervalSeconds ?? 10) * 1000;
  }

  /** Under simulated memory/disk pressure, evict one pod per monitoring interval. */
  private watchPressure(sn: SimNode): void {
    const want = desiredConditions(sn.node);
    if (want.MemoryPressure !== 'True' && want.DiskPressure !== 'True') return;
    if (this.timers.dueAt(`e:${sn.name}`) === undefined) this.timers.schedule(`e:${sn.name}`, this.clock.now() + this.evictionMs);
  }

  private evictOne(name: string): void {
    const sn = this.nodes.get(name);
    if (!sn || sn.partitioned) return;
    const want = desiredConditions(sn.node);
    const resource = want.MemoryPressure === 'True' ? 'memory' : want.DiskPressure === 'True' ? 'ephemeral-storage' : undefined;
    if (!resource) return;
    const now = this.clock.now();
    const rank = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;
    const candidates = [...sn.pods]
      .map((k) => this.pods.get(k))
      .filter((e): e is PodEntry => !!e && isActive(e.sim) && e.sim.deletingAt === undefined && !isCritical(e.sim.pod))
      .map((e) => {
        const usage = this.podUsage(e, now);
        const top = usage.reduce((a, b) => (b.memory > a.memory ? b : a), usage[0]);
        return { e, qos: rank[qosClass(e.sim.pod)], memory: usage.reduce((n, u) => n + u.memory, 0), top };
      })
      .sort((a, b) => a.qos - b.qos || b.memory - a.memory);
    const victim = candidates[0];
    if (victim) {
      const spec = victim.top ? victim.e.sim.pod.spec?.containers?.find((c: any) => c.name === victim.top.name) : undefined;
      const request = spec?.resources?.requests?.[resource] ?? '0';
      const using = resource === 'memory' ? `${Math.round((victim.top?.memory ?? 0) / 1024)}Ki` : '0';
      const message =
        `The node was low on resource: ${resource}. Threshold quantity: ${resource === 'memory' ? '100Mi' : '10%'}, available: ${resource === 'memory' ? '51200Ki' : '0'}. ` +
        (victim.top ? `Container ${victim.top.name} was using ${using}, request is ${request}, has larger consumption of ${resource}. ` : '');
      const r: StepResult = { events: [], changed: false, transitions: [] };
      failPod(victim.e.sim, now, 'Evicted', message, r, { type: 'DisruptionTarget', reason: 'TerminationByKubelet' });
      this.metrics.podsEvicted.inc();
      this.applyResult(victim.e, r);
    }
    this.timers.schedule(`e:${name}`, now + this.evictionMs);
  }

  private enqueuePodWrite(e: PodEntry): void {
    if (e.node.partitioned) {
      (e.node.deferred ??= new Set()).add(e.key);
      return;
    }
    this.writer.enqueue(Priority.Pod, `p:${e.key}`, () => this.writePod(e.key));
  }

  private async writePod(key: string): Promise<void> {
    const pods = this.client.resource(PODS);
    for (let attempt = 0; attempt < 5; attempt++) {
      const e = this.pods.get(key);
      if (!e || e.removing) return;
      const desired = buildPodStatus(e.sim);
      const json = JSON.stringify(desired);
      try {
        if (json !== e.lastWritten || this.drifted(e, desired)) {
          const status = withForeignConditions(desired, e.sim.pod.status);
          // Our last write may be newer than the informer's copy: send its resourceVersion (and keep
          // only that, not a second copy of the pod).
          const rv = e.rv && !rvNewer(e.sim.pod, { metadata: { resourceVersion: e.rv } }) ? e.rv : e.sim.pod.metadata.resourceVersion;
          const written = await pods.updateStatus({ ...e.sim.pod, metadata: { ...e.sim.pod.metadata, resourceVersion: rv }, status });
          e.rv = written.metadata.resourceVersion;
          e.lastWritten = json;
          this.metrics.podStatusWrites.inc();
          if (status.phase === 'Running' && !this.firstRunning.has(key)) {
            this.firstRunning.add(key);
            const created = Date.parse(e.sim.pod.metadata.creationTimestamp ?? '');
            if (Number.isFinite(created)) this.metrics.podStartup.observe(Math.max(0, this.clock.now() - created) / 1000);
          }
        }
        if (e.sim.deletingAt !== undefined && readyToRemove(e.sim)) {
          e.removing = true;
          await pods.delete(e.sim.name, { namespace: e.sim.namespace, gracePeriodSeconds: 0, preconditions: { uid: e.sim.uid } } as any);
          this.metrics.podsRemoved.inc();
        }
        return;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) {
          if (e.removing) return; // uid precondition failed: a different pod now; nothing to remove
          try {
            e.sim.pod = await pods.get(e.sim.name, { namespace: e.sim.namespace });
            e.rv = undefined;
          } catch (g) {
            if (g instanceof StatusError && g.code === 404) return;
            throw g;
          }
          if (e.sim.pod.metadata.uid !== e.sim.uid) return;
          continue;
        }
        if (err instanceof StatusError && err.code === 404) return; // already gone
        throw err;
      }
    }
  }

  private readonly firstRunning = new Set<string>();

  /** The informer's copy is newer than our last write (or we never wrote): someone else wrote it. */
  private storedIsForeign(e: PodEntry): boolean {
    return e.rv === undefined || Number(e.sim.pod.metadata.resourceVersion) > Number(e.rv) || !Number.isFinite(Number(e.rv));
  }

  /** Someone else's write left the stored status saying otherwise than ours in the fields we own. */
  private drifted(e: PodEntry, desired: any = buildPodStatus(e.sim)): boolean {
    return this.storedIsForeign(e) && statusDrifted(desired, e.sim.pod.status);
  }

  // ---- events ------------------------------------------------------------------------------

  podEvent(sim: PodSim, sn: SimNode, ev: Omit<SimEvent, 'fieldPath'> & { fieldPath?: string }): void {
    if (sn.partitioned) return; // a cut-off kubelet's events never arrive
    this.record({
      involved: { kind: 'Pod', namespace: sim.namespace, name: sim.name, uid: sim.uid, apiVersion: 'v1', ...(ev.fieldPath ? { fieldPath: ev.fieldPath } : {}) },
      type: ev.type,
      reason: ev.reason,
      message: ev.message,
      host: sn.name,
      at: ev.at,
    });
  }

  nodeEvent(sn: SimNode, type: 'Normal' | 'Warning', reason: string, message: string, at: number): void {
    // The kubelet refers to its Node with the node name as uid.
    this.record({ involved: { kind: 'Node', name: sn.name, uid: sn.name, apiVersion: 'v1' }, type, reason, message, host: sn.name, at });
  }

  private record(input: EventInput): void {
    if (this.opts.events === false || this.stopped) return;
    this.metrics.events.inc({ reason: input.reason });
    const key = aggregationKey(input);
    const hit = this.events.get(key);
    if (hit) {
      hit.count++;
      hit.lastUsed = input.at;
      this.writer.enqueue(Priority.Event, `e:${key}`, () => this.writeEventUpdate(key));
      return;
    }
    const obj = buildEvent(input, ++this.eventSeq);
    this.events.set(key, { name: obj.metadata.name!, namespace: obj.metadata.namespace!, count: 1, lastUsed: input.at });
    this.writer.enqueue(Priority.Event, undefined, async () => {
      const created = await this.client.resource(EVENTS).create(obj);
      const entry = this.events.get(key);
      if (entry && entry.name === obj.metadata.name) {
        entry.written = created;
        if (entry.count > 1) this.writer.enqueue(Priority.Event, `e:${key}`, () => this.writeEventUpdate(key));
      }
    });
  }

  private async writeEventUpdate(key: string): Promise<void> {
    const entry = this.events.get(key);
    if (!entry?.written) return; // the create is still pending; it re-enqueues us
    const patch = { count: entry.count, lastTimestamp: rfc3339(entry.lastUsed) };
    try {
      entry.written = await this.client.resource(EVENTS).patch(entry.name, patch, { namespace: entry.namespace, type: 'merge' });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  // ---- usage -------------------------------------------------------------------------------

  /** Current usage of each running container of a pod (millicores, bytes, cumulative cpu ns). */
  podUsage(e: PodEntry, now: number): { name: string; milliCpu: number; memory: number; cpuNanos: number; startedAt: number }[] {
    const out = [];
    for (const c of e.sim.containers) {
      if (c.state !== 'Running' && c.state !== 'Stopping') continue;
      if (c.startedAt === undefined) continue;
      let m = e.usage.get(c.name);
      if (!m) {
        const spec = (c.init ? e.sim.pod.spec?.initContainers : e.sim.pod.spec?.containers)?.find((x: any) => x.name === c.name) ?? { name: c.name };
        m = usageModel(e.sim.pod, spec, `${e.sim.uid}/${c.name}`);
        e.usage.set(c.name, m);
      }
      const cum = e.cpuCum.get(c.name) ?? { t: c.startedAt, nanos: 0 };
      if (cum.t < c.startedAt) {
        cum.t = c.startedAt; // a new instance: cumulative counters restart
        cum.nanos = 0;
      }
      cum.nanos += cpuIntegralNanos(m, c.startedAt, cum.t, now);
      cum.t = Math.max(cum.t, now);
      e.cpuCum.set(c.name, cum);
      const u = usageAt(m, c.startedAt, now);
      out.push({ name: c.name, milliCpu: u.milliCpu, memory: u.memory, cpuNanos: cum.nanos, startedAt: c.startedAt });
    }
    return out;
  }
}


function sameResources(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (a[k] === undefined || b[k] === undefined) return false;
    if (k === 'cpu' ? milliCpu(a[k]) !== milliCpu(b[k]) : bytesOf(a[k]) !== bytesOf(b[k])) return false;
  }
  return true;
}

function isCritical(pod: KubeObject): boolean {
  const pc = pod.spec?.priorityClassName;
  return pc === 'system-node-critical' || pc === 'system-cluster-critical';
}

function isActive(sim: PodSim): boolean {
  if (sim.rejected) return false;
  const p = podPhase(sim);
  return p !== 'Succeeded' && p !== 'Failed';
}

/** a is at least as new as b (resourceVersions are numeric in kubesim; otherwise assume newer). */
function rvNewer(a: KubeObject, b: KubeObject | undefined): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b?.metadata.resourceVersion);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return true;
  return x >= y;
}

export function nodeNames(prefix: string, count: number, firstIndex = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${firstIndex + i}`);
}

export { nodeIP, podCIDR };
