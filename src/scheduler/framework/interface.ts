// The scheduling framework's extension points, after kube-scheduler's framework package: small
// interfaces a plugin implements one or more of. Decisions are pure and synchronous (they read
// the cache); only Bind does I/O.
import type { NodeInfo, SchedulerCache } from '../cache.ts';
import type { PodInfo } from '../podinfo.ts';

export const MAX_NODE_SCORE = 100;

export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  code: Code;
  reasons: string[];
  /** The plugin that returned it (filled in by the framework). */
  plugin?: string;
}

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const errorStatus = (msg: string): Status => ({ code: 'Error', reasons: [msg] });
export const skip: Status = { code: 'Skip', reasons: [] };

/** Per-cycle scratch space plugins share between their own extension points. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, v: unknown): void {
    this.data.set(key, v);
  }
}

/** What plugins may reach: the cache (read only by convention) and the cluster-wide node list. */
export interface Handle {
  cache: SchedulerCache;
}

export interface Plugin {
  readonly name: string;
}

/** Returns null (success), skip (Filter not needed for this pod) or a rejection for every node. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status | null;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}

export interface PostFilterResult {
  nominatedNodeName?: string;
  status: Status;
}

/** Runs when no node fits (preemption in kube-scheduler). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filtered: Map<string, Status>, nodeCount: number): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, feasible: NodeInfo[]): Status | null;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales the plugin's raw scores into [0, MAX_NODE_SCORE] in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Runs before Bind, in the binding cycle (volumes are bound or provisioned here); may wait. */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null>;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null>;
}

export type AnyPlugin = Partial<
  PreFilterPlugin & FilterPlugin & PostFilterPlugin & PreScorePlugin & ScorePlugin & ReservePlugin & PreBindPlugin & BindPlugin
> &
  Plugin;

/** kube-scheduler's DefaultNormalizeScore: scale to [0, max] by the highest score; reverse flips it. */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;
  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((maxPriority * s.score) / maxCount);
    if (reverse) v = maxPriority - v;
    s.score = v;
  }
}
