// The scheduling queue, after kube-scheduler's PriorityQueue: activeQ (heap by priority, then
// arrival), backoffQ (pods waiting out a per-pod exponential backoff, 1 s doubling to 10 s) and
// the unschedulable set (pods that did not fit, parked until a cluster event may help them or a
// periodic flush gives them another try).
import type { Pod } from './podinfo.ts';
import { podPriority } from './podinfo.ts';
import { metaNamespaceKey as podKey } from '../api/core/keys.ts';
import { KeyedHeap } from './util/heap.ts';
import { jsonEqual } from '../api/core/json.ts';

export interface QueuedPodInfo {
  key: string;
  pod: Pod;
  /** When the pod last entered the queue (ms). */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected it in its last attempt: only events relevant to them move it. */
  unschedulablePlugins: Set<string>;
  seq: number;
  /** The scheduling cycle of its current attempt. */
  cycle: number;
  /** Sort keys, computed when the pod object is set (comparisons run often). */
  priority: number;
  created: number;
}

/** A cluster change that may make unschedulable pods schedulable, and the plugins it may help. */
export interface ClusterEvent {
  label: string;
  /** undefined = may help any plugin. */
  plugins?: string[];
}

export const Events = {
  NodeAdd: { label: 'NodeAdd' },
  NodeUpdate: { label: 'NodeUpdate' },
  AssignedPodDelete: { label: 'AssignedPodDelete', plugins: ['NodeResourcesFit', 'InterPodAffinity', 'PodTopologySpread'] },
  AssignedPodAdd: { label: 'AssignedPodAdd', plugins: ['InterPodAffinity', 'PodTopologySpread'] },
  ForceActivate: { label: 'ForceActivate' },
  PvcChange: { label: 'PvcChange', plugins: ['VolumeBinding'] },
  PvChange: { label: 'PvChange', plugins: ['VolumeBinding'] },
  StorageClassChange: { label: 'StorageClassChange', plugins: ['VolumeBinding'] },
} satisfies Record<string, ClusterEvent>;

export interface QueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may sit in the unschedulable set before the periodic flush retries it. */
  maxUnschedulableMs?: number;
  /** A pod entered backoffQ or the unschedulable set (the scheduler arms that set's flush). */
  onParked?: (where: 'backoff' | 'unschedulable') => void;
}

const creation = (p: Pod) => {
  const t = p.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
};

function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.created !== b.created) return a.created < b.created;
  return a.seq < b.seq;
}

function setPod(q: QueuedPodInfo, pod: Pod): void {
  q.pod = pod;
  q.priority = podPriority(pod);
  q.created = creation(pod);
}

export class SchedulingQueue {
  private readonly now: () => number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxUnschedulableMs: number;

  private readonly activeQ = new KeyedHeap<QueuedPodInfo>(activeLess);
  private readonly backoffQ = new KeyedHeap<QueuedPodInfo>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and being scheduled; the latest object seen for them meanwhile (null = deleted). */
  private readonly inFlight = new Map<string, Pod | null>();
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private seq = 0;
  private schedulingCycle = 0;
  /** The last scheduling cycle at which a move request happened: for any plugin, and per plugin. */
  private moveRequestCycle = -1;
  private readonly pluginMoveCycle = new Map<string, number>();
  private closed = false;
  private readonly onParked?: (where: 'backoff' | 'unschedulable') => void;

  constructor(opts: QueueOptions = {}) {
    this.onParked = opts.onParked;
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 60_000;
  }

  lengths(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  where(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  get cycle(): number {
    return this.schedulingCycle;
  }

  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  private pushActive(q: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w) {
      this.markInFlight(q);
      w(q);
    } else this.activeQ.push(q.key, q);
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.where(key)) return this.update(pod);
    this.pushActive({ key, pod, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), seq: this.seq++, cycle: 0, priority: podPriority(pod), created: creation(pod) });
  }

  /** The pod changed. In active/backoff: keep its place with the new object; unschedulable: retry it if its spec changed. */
  update(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    const a = this.activeQ.get(key);
    if (a) {
      setPod(a, pod);
      this.activeQ.push(key, a);
      return;
    }
    const b = this.backoffQ.get(key);
    if (b) {
      setPod(b, pod);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = schedulingRelevantChange(u.pod, pod);
      setPod(u, pod);
      if (!changed) return;
      this.unschedulable.delete(key);
      if (this.isBackingOff(u)) this.toBackoff(key, u);
      else this.pushActive(u);
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) this.inFlight.set(key, null);
    this.activeQ.remove(key);
    this.backoffQ.remove(key);
    this.unschedulable.delete(key);
  }

  private markInFlight(q: QueuedPodInfo): void {
    this.schedulingCycle++;
    q.cycle = this.schedulingCycle;
    q.attempts++;
    if (q.initialAttemptTimestamp === undefined) q.initialAttemptTimestamp = this.now();
    this.inFlight.set(q.key, q.pod);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed or aborted. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    const q = this.tryPop();
    if (q || this.closed || signal?.aborted) return Promise.resolve(q);
    return new Promise((resolve) => {
      const waiter = (x: QueuedPodInfo | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(x);
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  tryPop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (q) this.markInFlight(q);
    return q;
  }

  /** Scheduling finished (bound or handed back): forget the in-flight mark. Returns the latest pod object, null if deleted. */
  done(key: string): Pod | null | undefined {
    const latest = this.inFlight.get(key);
    this.inFlight.delete(key);
    return latest;
  }

  /**
   * The attempt failed. If a move request arrived while it was in flight, or it failed on an error,
   * it goes to backoff; otherwise it is parked as unschedulable.
   */
  requeue(q: QueuedPodInfo, opts: { error?: boolean; unschedulablePlugins?: Set<string> } = {}): void {
    const latest = this.done(q.key);
    if (latest === null) return; // deleted meanwhile
    if (latest) setPod(q, latest);
    if (latest && latest.spec?.nodeName) return; // bound by someone else meanwhile
    q.timestamp = this.now();
    q.unschedulablePlugins = opts.unschedulablePlugins ?? new Set();
    if (opts.error || this.movedSince(q)) this.toBackoff(q.key, q);
    else {
      this.unschedulable.set(q.key, q);
      this.onParked?.('unschedulable');
    }
  }

  private toBackoff(key: string, q: QueuedPodInfo): void {
    this.backoffQ.push(key, q);
    this.onParked?.('backoff');
  }

  /** Did an event that may help this pod happen while it was being scheduled? */
  private movedSince(q: QueuedPodInfo): boolean {
    if (this.moveRequestCycle >= q.cycle) return true;
    if (q.unschedulablePlugins.size === 0) {
      for (const c of this.pluginMoveCycle.values()) if (c >= q.cycle) return true;
      return false;
    }
    for (const p of q.unschedulablePlugins) if ((this.pluginMoveCycle.get(p) ?? -1) >= q.cycle) return true;
    return false;
  }

  /** Moves unschedulable pods that the event may help to backoffQ (still backing off) or activeQ. */
  moveAllToActiveOrBackoff(event: ClusterEvent): number {
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (event.plugins && q.unschedulablePlugins.size > 0 && !event.plugins.some((p) => q.unschedulablePlugins.has(p))) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.toBackoff(key, q);
      else this.pushActive(q);
      moved++;
    }
    if (event.plugins) for (const p of event.plugins) this.pluginMoveCycle.set(p, this.schedulingCycle);
    else this.moveRequestCycle = this.schedulingCycle;
    return moved;
  }

  /** Backoff-completed pods move to activeQ (run every second). */
  flushBackoffCompleted(): number {
    let n = 0;
    const now = this.now();
    for (let q = this.backoffQ.peek(); q && this.backoffExpiry(q) <= now; q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.pushActive(q);
      n++;
    }
    return n;
  }

  /** Pods unschedulable for longer than maxUnschedulableMs get another try (run periodically). */
  flushUnschedulableLeftover(): number {
    const now = this.now();
    const due: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (now - q.timestamp >= this.maxUnschedulableMs) due.push(q);
    for (const q of due) {
      this.unschedulable.delete(q.key);
      if (this.isBackingOff(q)) this.toBackoff(q.key, q);
      else this.pushActive(q);
    }
    return due.length;
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** Whether an update may change the scheduling outcome (not just status or bookkeeping metadata). */
function schedulingRelevantChange(a: Pod, b: Pod): boolean {
  return (
    !jsonEqual(a.spec, b.spec) ||
    !jsonEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {})
  );
}
