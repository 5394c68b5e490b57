// The node pool: any number of simulated nodes in one process, the way KWOK runs them — ONE pod
// informer for all of them (filtered to the pool's nodes by spec.nodeName, indexed by node), ONE
// timer queue for every pod stage, lease renewal and node status refresh, and ONE writer that
// shares its requests among heartbeats, node status, pod status and events (writer.ts). Restarting the pool re-adopts its Nodes, Leases
// and pods from the API (nothing is recreated; running containers keep their startedAt).
//
// PoolState holds what the parts share (context.ts) and wires them: the node agents (nodeagent.ts,
// lease.ts), the pod runtime (podruntime.ts, podwrites.ts) driving a ContainerRuntime
// (runtime.ts; simulated by default), the eviction manager (eviction.ts) and the event sink
// (eventsink.ts). The kubelet server reads it only through a KubeletView.
import { newLogger, type Logger } from '../log/index.ts';
import { metaNamespaceKey } from '../api/core/index.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client, SharedInformer } from '../client/index.ts';
import type { NodePoolOptions, PodEntry, PoolContext, PoolTimer, SimNode } from './context.ts';
import { EventSink } from './eventsink.ts';
import { EvictionManager } from './eviction.ts';
import type { KubeletView } from './kubelet.ts';
import { LeaseAgent } from './lease.ts';
import { PoolMetrics } from './metrics.ts';
import { NodeAgents } from './nodeagent.ts';
import type { NodeShape } from './nodeobj.ts';
import { PodRuntime } from './podruntime.ts';
import { defaultProfile, makeProfile, type Profile } from './profile.ts';
import type { ContainerRuntime } from './runtime.ts';
import { SimulatedRuntime } from './simruntime.ts';
import { PortAnswerer, answeredPorts } from './answer.ts';
import { loopbackAlias } from '../api/core/podnetwork.ts';
import { containerSpec, type PodSim } from './podsim.ts';
import type { ForwardTarget } from './portforward/server.ts';
import { DispatchingRuntime, ProcessRuntime, clientSource } from './process/index.ts';
import { WorkloadLoad } from './load.ts';
import { TimerQueue } from './timers.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { Writer, defaultWriteConcurrency, type WriteKey } from './writer.ts';

export { EVENTS, LEASES, NODES, PARTITION_ANNOTATION, PODS, SimNode, type NodePoolOptions, type PodEntry } from './context.ts';

export interface NodePool {
  nodes: string[];
  kubeletUrl: string;
  kubeletPort: number;
  stop(): Promise<void>;
  /** Internals for tests and benchmarks. */
  readonly state: PoolState;
}

export class PoolState implements PoolContext {
  readonly nodes = new Map<string, SimNode>();
  readonly pods = new Map<string, PodEntry>();
  readonly writer: Writer;
  readonly timers: TimerQueue<PoolTimer>;
  readonly metrics: PoolMetrics;
  readonly profile: Profile;
  readonly clock: Clock;
  readonly log: Logger;
  readonly startedAt: number;
  readonly containers: ContainerRuntime;
  readonly events: EventSink;
  readonly leases: LeaseAgent;
  readonly agents: NodeAgents;
  readonly podRuntime: PodRuntime;
  readonly eviction: EvictionManager;
  /** Workloads' load annotations, spread over their ready pods (load.ts); informers attached by startNodePool. */
  readonly load = new WorkloadLoad();
  private isStopped = false;
  podInformer?: SharedInformer<KubeObject>;
  /** Set with the pool's claim informer (startNodePool): pods wait for their claims to be Bound. */
  claim?: (namespace: string, name: string) => KubeObject | undefined;

  constructor(
    readonly client: Client,
    readonly opts: NodePoolOptions,
    readonly shape: NodeShape,
  ) {
    this.clock = opts.clock ?? client.clock ?? realClock;
    this.startedAt = this.clock.now();
    this.profile = opts.profile ?? (opts.timings ? makeProfile(opts.timings) : defaultProfile);
    this.log = opts.logger ?? newLogger().child({ component: 'node-pool' });
    this.metrics = new PoolMetrics(this);
    this.writer = new Writer({
      concurrency: opts.writeConcurrency ?? defaultWriteConcurrency(opts.names?.length ?? opts.count),
      qps: opts.qps,
      clock: this.clock,
      onError: (e, key) => {
        this.metrics.writeErrors.inc();
        if (!this.isStopped) this.log.warn({ err: String(e), key: writeLabel(key) }, 'write failed');
      },
    });
    this.timers = new TimerQueue<PoolTimer>((t) => this.fire(t), this.clock);
    this.containers = opts.containerRuntime ?? this.defaultRuntime();
    if (this.containers instanceof SimulatedRuntime) this.containers.load ??= this.load;
    this.events = new EventSink(this);
    this.leases = new LeaseAgent(this);
    this.podRuntime = new PodRuntime(this, this.containers, this.events);
    this.eviction = new EvictionManager(this, this.podRuntime);
    this.agents = new NodeAgents(this, this.leases, this.events, {
      statusWritten: (sn) => this.eviction.watch(sn),
      healed: (sn) => this.podRuntime.flushDeferred(sn),
    });
  }

  /** Real processes for Node.js containers running node (src/node/process), simulated containers otherwise. */
  private defaultRuntime(): ContainerRuntime {
    const { opts, shape } = this;
    const simulated = new SimulatedRuntime(opts.logLines ?? 1000, opts.logIntervalMs ?? 10_000);
    simulated.load = this.load;
    if (opts.simulatedHttp !== false) simulated.ports = new PortAnswerer(typeof opts.simulatedHttp === 'number' ? opts.simulatedHttp : undefined, this.log);
    if (opts.processes === false) return simulated;
    const processes = new ProcessRuntime({
      config: clientSource(this.client),
      client: this.client,
      images: opts.runtimeImages,
      dataDir: opts.dataDir,
      allocatable: { cpu: shape.cpu, memory: shape.memory, 'ephemeral-storage': shape.ephemeralStorage, pods: String(shape.pods) },
      logLines: opts.logLines,
      now: () => this.clock.now(),
      logger: this.log,
    });
    return new DispatchingRuntime(processes, simulated);
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  stop(): void {
    this.isStopped = true;
    this.timers.stop();
    this.writer.stop();
  }

  private fire(t: PoolTimer): void {
    if (this.isStopped) return;
    switch (t.timer) {
      case 'pod':
        return this.podRuntime.step(t);
      case 'lease':
        return this.leases.renew(t.node);
      case 'status':
        return this.agents.refreshStatus(t.node);
      case 'evict':
        return this.eviction.evictOne(t.node);
    }
  }

  /** The narrow view the kubelet HTTP server reads. */
  kubeletView(): KubeletView {
    const s = this;
    return {
      startedAt: s.startedAt,
      registry: s.metrics.registry,
      now: () => s.clock.now(),
      nodeNames: () => s.nodes.keys(),
      hasNode: (name) => s.nodes.has(name),
      nodeCapacity: (name) => s.nodes.get(name)?.node?.status?.capacity,
      // An array, not a generator: a scrape of 1,000 nodes asks once per node, and a generator's
      // state and per-pod results were a steady share of the simulation's garbage.
      pods(node) {
        const out: PodSim[] = [];
        if (node === undefined) {
          for (const e of s.pods.values()) out.push(e.sim);
          return out;
        }
        const keys = s.nodes.get(node)?.pods;
        if (!keys) return out;
        for (const k of keys) {
          const e = s.pods.get(k);
          if (e) out.push(e.sim);
        }
        return out;
      },
      forEachPod(fn) {
        for (const e of s.pods.values()) fn(e.sim, e.node.name);
      },
      pod: (namespace, name) => s.pods.get(metaNamespaceKey({ metadata: { namespace, name } }))?.sim,
      log: (namespace, pod, container, previous) => s.containers.log(namespace, pod, container, previous),
      usage: (sim, now) => s.podRuntime.podUsage(sim, now),
      exec: (node, namespace, name, container, command) => {
        const sim = s.pods.get(metaNamespaceKey({ metadata: { namespace, name } }))?.sim;
        if (!sim || (node !== undefined && sim.pod.spec?.nodeName !== node)) return { code: 404, message: `pods "${name}" not found` };
        const c = sim.containers.find((x) => x.name === container && !x.init);
        if (!c) return { code: 400, message: `container ${container} is not valid for pod ${name}` };
        const real = s.containers.isReal?.(sim, c) ?? false;
        if (command === undefined && real) return undefined; // only asked whether it could
        const child = command && s.containers.spawnIn?.(sim, c, command);
        if (child) return child;
        return { code: 400, message: real ? `container ${container} of pod ${name} is not running` : `exec is not supported by kubesim for simulated containers: container ${container} of pod ${name} (image ${c.image}) runs no process` };
      },
      attach: (node, namespace, name, container) => {
        const sim = s.pods.get(metaNamespaceKey({ metadata: { namespace, name } }))?.sim;
        if (!sim || (node !== undefined && sim.pod.spec?.nodeName !== node)) return { code: 404, message: `pods "${name}" not found` };
        const c = sim.containers.find((x) => x.name === container && !x.init);
        if (!c) return { code: 400, message: `container ${container} is not valid for pod ${name}` };
        const io = s.containers.attach?.(sim, c);
        if (io) return io;
        const real = s.containers.isReal?.(sim, c) ?? false;
        return { code: 400, message: real ? `container ${container} of pod ${name} is not running` : `attach is not supported by kubesim for simulated containers: container ${container} of pod ${name} (image ${c.image}) runs no process` };
      },
      portForward: (node, namespace, name) => {
        const sim = s.pods.get(metaNamespaceKey({ metadata: { namespace, name } }))?.sim;
        if (!sim || (node !== undefined && sim.pod.spec?.nodeName !== node)) return { code: 404, message: `pods "${name}" not found` };
        return forwardTarget(sim, sim.containers.some((c) => !c.init && (s.containers.isReal?.(sim, c) ?? false)));
      },
    };
  }
}

/** Where port-forward connects for a pod (its loopback alias), or why it cannot. Pure. */
export function forwardTarget(sim: PodSim, real: boolean): ForwardTarget | { code: number; message: string } {
  if (!sim.podIP) return { code: 400, message: `pod ${sim.name} has no IP address yet` };
  const host = sim.pod.spec?.hostNetwork ? '127.0.0.1' : loopbackAlias(sim.podIP);
  if (real) return { host, name: sim.name, uid: sim.uid };
  const ports = sim.containers.filter((c) => !c.init).flatMap((c) => answeredPorts(sim.pod, containerSpec(sim.pod, c)));
  if (!ports.length) return { code: 400, message: `port-forward is not supported by kubesim for simulated containers: pod ${sim.name} runs no process and declares no containerPort to answer on` };
  return { host, name: sim.name, uid: sim.uid, note: `the containers of pod ${sim.name} are simulated: they answer HTTP only on their declared containerPorts ${ports.join(', ')}` };
}

/** A write's key, for the log. */
function writeLabel(key: WriteKey | undefined): string | undefined {
  if (key === undefined || typeof key === 'string') return key;
  if ('timer' in key) {
    const t = key as PoolTimer;
    return t.timer === 'pod' ? `pod ${t.key}` : `${t.timer} ${t.node.name}`;
  }
  return `register ${(key as SimNode).name}`;
}

export function nodeNames(prefix: string, count: number, firstIndex = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${firstIndex + i}`);
}

export { nodeIP, podCIDR } from './nodeobj.ts';
