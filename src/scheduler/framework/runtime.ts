// One profile's framework: the plugins it enables, run at each extension point in order, and the
// scheduling algorithm of one cycle (filter a share of the nodes starting at a rotating index,
// score the feasible ones, pick the best). Pure: no I/O, reads the cache only.
import type { NodeInfo } from '../cache.ts';
import type { PodInfo } from '../podinfo.ts';
import {
  CycleState,
  type AnyPlugin,
  type BindPlugin,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
  type Status,
} from './interface.ts';
import { fitErrorMessage } from './fiterror.ts';

export interface ProfileConfig {
  schedulerName: string;
  /** Plugins enabled, in the order they run at every extension point they implement. */
  plugins: string[];
  /** Score plugins and their weights; a plugin absent here does not score. */
  scoreWeights: Record<string, number>;
  /** kube-scheduler's percentageOfNodesToScore: 0 = adaptive (50% - nodes/125, at least 5%). */
  percentageOfNodesToScore?: number;
}

export type PluginFactory = (handle: Handle) => AnyPlugin;

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** How many feasible nodes are enough before scoring (kube-scheduler's numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - numAllNodes / 125;
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface ScheduleResult {
  /** The chosen node, or undefined when nothing fits. */
  nodeName?: string;
  numAllNodes: number;
  evaluated: number;
  feasible: string[];
  /** Nodes rejected, with the rejecting plugin in status.plugin. */
  filtered: Map<string, Status>;
  /** Per node, per plugin, weighted normalized scores (only when explaining, or when more than one node fits). */
  scores: Map<string, Record<string, number>>;
  totals: Map<string, number>;
  /** Set when nothing fits: the "0/N nodes are available: ..." message. */
  message?: string;
  /** Plugins whose rejection made the pod unschedulable (to decide which events may help it). */
  unschedulablePlugins: Set<string>;
  nominatedNodeName?: string;
  state: CycleState;
}

export class Framework {
  readonly preFilters: PreFilterPlugin[] = [];
  readonly filters: FilterPlugin[] = [];
  readonly postFilters: PostFilterPlugin[] = [];
  readonly preScores: PreScorePlugin[] = [];
  readonly scorers: { plugin: ScorePlugin; weight: number }[] = [];
  readonly reservers: ReservePlugin[] = [];
  readonly binders: BindPlugin[] = [];
  private nextStartNodeIndex = 0;

  constructor(
    readonly profile: ProfileConfig,
    registry: Record<string, PluginFactory>,
    handle: Handle,
    private readonly random: () => number = Math.random,
  ) {
    for (const name of profile.plugins) {
      const make = registry[name];
      if (!make) throw new Error(`profile ${profile.schedulerName}: unknown plugin ${name}`);
      const p = make(handle);
      if (p.preFilter) this.preFilters.push(p as PreFilterPlugin);
      if (p.filter) this.filters.push(p as FilterPlugin);
      if (p.postFilter) this.postFilters.push(p as PostFilterPlugin);
      if (p.reserve) this.reservers.push(p as ReservePlugin);
      if (p.bind) this.binders.push(p as BindPlugin);
      const weight = profile.scoreWeights[name];
      if (weight && p.score) {
        this.scorers.push({ plugin: p as ScorePlugin, weight });
        if (p.preScore) this.preScores.push(p as PreScorePlugin);
      }
    }
  }

  /** Runs the filters on one node, stopping at the first rejection (as kube-scheduler does). */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, skipped: Set<string>): Status | null {
    for (const f of this.filters) {
      if (skipped.has(f.name)) continue;
      const st = f.filter(state, pod, node);
      if (st && st.code !== 'Success') {
        st.plugin = f.name;
        return st;
      }
    }
    return null;
  }

  /** One scheduling cycle's decision: filter → (postFilter) → score → select. */
  schedule(pod: PodInfo, nodes: NodeInfo[], opts: { explain?: boolean } = {}): ScheduleResult {
    const state = new CycleState();
    state.write('allNodes', nodes);
    const res: ScheduleResult = {
      numAllNodes: nodes.length,
      evaluated: 0,
      feasible: [],
      filtered: new Map(),
      scores: new Map(),
      totals: new Map(),
      unschedulablePlugins: new Set(),
      state,
    };
    if (nodes.length === 0) {
      res.message = 'no nodes available to schedule pods';
      return res;
    }

    // PreFilter: a rejection here applies to every node.
    const skipped = new Set<string>();
    for (const p of this.preFilters) {
      const st = p.preFilter(state, pod, nodes);
      if (!st) continue;
      if (st.code === 'Skip') skipped.add(p.name);
      else {
        st.plugin = p.name;
        for (const n of nodes) res.filtered.set(n.name, st);
        res.unschedulablePlugins.add(p.name);
        res.message = fitErrorMessage(nodes.length, res.filtered, st.reasons.join(', '));
        return res;
      }
    }

    // Filter: from a rotating start, until enough feasible nodes were found.
    const want = opts.explain ? nodes.length : numFeasibleNodesToFind(nodes.length, this.profile.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % nodes.length;
    let processed = 0;
    for (; processed < nodes.length && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % nodes.length];
      const st = this.runFilters(state, pod, node, skipped);
      if (st) {
        res.filtered.set(node.name, st);
        res.unschedulablePlugins.add(st.plugin!);
      } else feasible.push(node);
    }
    this.nextStartNodeIndex = (start + processed) % nodes.length;
    res.evaluated = processed;
    res.feasible = feasible.map((n) => n.name);

    if (feasible.length === 0) {
      let postMsg = '';
      for (const p of this.postFilters) {
        const r = p.postFilter(state, pod, res.filtered, nodes.length);
        if (r.nominatedNodeName) res.nominatedNodeName = r.nominatedNodeName;
        if (r.status.reasons.length) postMsg = r.status.reasons.join(', ');
        if (r.status.code === 'Success') break;
      }
      res.message = fitErrorMessage(nodes.length, res.filtered, '', postMsg);
      return res;
    }

    if (feasible.length === 1 && !opts.explain) {
      res.nodeName = feasible[0].name;
      return res;
    }
    this.score(state, pod, feasible, res);
    res.nodeName = this.selectHost(feasible, res.totals);
    return res;
  }

  private score(state: CycleState, pod: PodInfo, feasible: NodeInfo[], res: ScheduleResult): void {
    const skipped = new Set<string>();
    for (const p of this.preScores) {
      const st = p.preScore(state, pod, feasible);
      if (st?.code === 'Skip') skipped.add(p.name);
    }
    for (const n of feasible) {
      res.totals.set(n.name, 0);
      res.scores.set(n.name, {});
    }
    for (const { plugin, weight } of this.scorers) {
      if (skipped.has(plugin.name)) continue;
      const scores: NodeScore[] = feasible.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      for (const s of scores) {
        const w = s.score * weight;
        res.scores.get(s.name)![plugin.name] = w;
        res.totals.set(s.name, res.totals.get(s.name)! + w);
      }
    }
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as kube-scheduler). */
  private selectHost(feasible: NodeInfo[], totals: Map<string, number>): string {
    let best = feasible[0].name;
    let bestScore = totals.get(best)!;
    let ties = 1;
    for (let i = 1; i < feasible.length; i++) {
      const name = feasible[i].name;
      const s = totals.get(name)!;
      if (s > bestScore) {
        best = name;
        bestScore = s;
        ties = 1;
      } else if (s === bestScore) {
        ties++;
        if (this.random() * ties < 1) best = name;
      }
    }
    return best;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (let i = 0; i < this.reservers.length; i++) {
      const st = this.reservers[i].reserve(state, pod, nodeName);
      if (st && st.code !== 'Success') {
        for (let j = i; j >= 0; j--) this.reservers[j].unreserve(state, pod, nodeName);
        st.plugin = this.reservers[i].name;
        return st;
      }
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.reservers.length - 1; j >= 0; j--) this.reservers[j].unreserve(state, pod, nodeName);
  }

  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const b of this.binders) {
      const st = await b.bind(state, pod, nodeName);
      if (st?.code === 'Skip') continue;
      return st;
    }
    return { code: 'Error', reasons: ['no bind plugin'] };
  }
}
