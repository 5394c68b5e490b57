// What the parts of a node pool share: its options, the records of its nodes and pods, the one timer
// queue (typed timers: a pod's next stage, a node's lease renewal, status refresh or eviction
// round), the one writer, the clock, metrics and logger. The parts (node agents, pod runtime,
// eviction manager, event sink) each take a PoolContext; pool.ts builds it and wires them together.
import type { Logger } from 'pino';
import type { Taint } from '../api/core/index.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import type { PoolMetrics } from './metrics.ts';
import { nodeIP, podCIDR, type NodeShape } from './nodeobj.ts';
import type { PodSim } from './podsim.ts';
import type { Profile, TimingName } from './profile.ts';
import type { ContainerRuntime } from './runtime.ts';
import type { TimerQueue } from './timers.ts';
import type { Clock } from '../clock/index.ts';
import type { Writer } from './writer.ts';

/** Annotate a Node with kubesim.io/partitioned=true to cut its agent off the API server. */
export const PARTITION_ANNOTATION = 'kubesim.io/partitioned';

export { EVENTS, LEASES, NODES, PODS } from '../api/core/index.ts';

/**
 * The kubelet's defaults of the heartbeat options below (KubeletConfiguration: a 40 s node Lease
 * renewed every 10 s, nodeStatusReportFrequency 5 min), in one place: the node pool falls back to
 * them and `kubesim simulate`'s kubelet block starts from them.
 */
export const KUBELET_DEFAULTS = { heartbeatSeconds: 10, leaseDurationSeconds: 40, statusUpdateSeconds: 300 } as const;

export interface NodePoolOptions {
  client: Client;
  count: number;
  prefix?: string;
  /** Index of the first node (node names and addresses derive from it): lets several pools share a cluster. */
  firstIndex?: number;
  /** Explicit node names (count of them) instead of `<prefix>-<index>`, e.g. nodes restored from a snapshot. */
  names?: string[];
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
  /** What runs the containers (default: real processes for Node.js images running node, simulated otherwise; see runtime.ts). */
  containerRuntime?: ContainerRuntime;
  /** Run Node.js containers as real processes (default true); false: everything simulated. */
  processes?: boolean;
  /**
   * Simulated containers answer HTTP on their declared containerPorts at the pod's IP alias
   * (answer.ts): true (default) up to 4,096 listeners, a number for another limit, false for none.
   */
  simulatedHttp?: boolean | number;
  /** Images besides node[:tag] that are Node.js images (--runtime-images). */
  runtimeImages?: string[];
  /** Where real containers' pod directories (volumes, working directories) go; default a temporary directory. */
  dataDir?: string;
  clock?: Clock;
  logger?: Logger;
}

/** A node's periodic jobs on the pool's timer queue (the same object keys its write in the writer). */
export interface NodeTimer {
  readonly timer: 'lease' | 'status' | 'evict';
  readonly node: SimNode;
}

/** The pool's record of one of its nodes (node `index` of the pool's range). */
export class SimNode {
  readonly ip: string;
  readonly cidr: string;
  /** Images this node has pulled. */
  readonly images = new Set<string>();
  /** Pod addresses in use (n → .n+2 of the pod CIDR). */
  readonly usedIPs = new Set<number>();
  /** Keys of the pods bound to this node that the pool runs. */
  readonly pods = new Set<string>();
  node?: KubeObject;
  lease?: KubeObject;
  lastStatusAt = 0;
  leaseDueAt = 0;
  /** Renewals completed, and the largest gap between two consecutive renewTimes (ms). */
  renewals = 0;
  maxRenewGapMs = 0;
  lastRenewAt?: number;
  /** Annotation kubesim.io/partitioned=true: the node can't reach the API server (no heartbeats, no writes). */
  partitioned?: boolean;
  /** Pods whose writes wait for the partition to heal. */
  deferred?: Set<string>;
  readonly leaseTimer: NodeTimer = { timer: 'lease', node: this };
  readonly statusTimer: NodeTimer = { timer: 'status', node: this };
  readonly evictTimer: NodeTimer = { timer: 'evict', node: this };

  constructor(
    readonly name: string,
    readonly index: number,
  ) {
    this.ip = nodeIP(index);
    this.cidr = podCIDR(index);
  }
}

/** A pod the pool runs; it is its own key on the timer queue (its next stage) and in the writer (its status). */
export interface PodEntry {
  readonly timer: 'pod';
  key: string;
  node: SimNode;
  sim: PodSim;
  /** statusDigest of the status last written (or adopted). */
  lastWritten?: string;
  /** resourceVersion of our last status write. */
  rv?: string;
  ipIndex?: number;
  removing?: boolean;
  /** Someone else changed the pod: compare its stored status with ours at the next step. */
  recheck?: boolean;
  /** Containers wait until the pod's claims are Bound (volumes.ts); set once they are, or for pods without claims. */
  volumesReady?: boolean;
  /** The last FailedMount told while waiting, and when. */
  mountTold?: { message: string; at: number };
}

export type PoolTimer = PodEntry | NodeTimer;

export interface PoolContext {
  readonly client: Client;
  readonly opts: NodePoolOptions;
  readonly shape: NodeShape;
  readonly profile: Profile;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: PoolMetrics;
  readonly writer: Writer;
  readonly timers: TimerQueue<PoolTimer>;
  readonly nodes: Map<string, SimNode>;
  readonly pods: Map<string, PodEntry>;
  readonly stopped: boolean;
  /** The cached PersistentVolumeClaim (the pool's claim informer); absent = claims are not checked. */
  claim?(namespace: string, name: string): KubeObject | undefined;
}

/** a is at least as new as b (resourceVersions are numeric in kubesim; otherwise assume newer). */
export function rvNewer(a: KubeObject, b: KubeObject | undefined): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b?.metadata.resourceVersion);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return true;
  return x >= y;
}
