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
  type PreBindPlugin,
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
  /** NodeResourcesFit scoring: LeastAllocated (spread, default) or MostAllocated (bin-pack). */
  scoringStrategy?: 'LeastAllocated' | 'MostAllocated';
}

/** Makes one plugin instance for a profile. */
export type PluginFactory = (handle: Handle, profile: ProfileConfig) => AnyPlugin;

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
  /** Per node, per plugin, weighted normalized scores (when explaining, or when at most 100 nodes were scored). */
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
  readonly preBinders: PreBindPlugin[] = [];
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
      const p = make(handle, profile);
      if (p.preFilter) this.preFilters.push(p as PreFilterPlugin);
      if (p.filter) this.filters.push(p as FilterPlugin);
      if (p.postFilter) this.postFilters.push(p as PostFilterPlugin);
      if (p.reserve) this.reservers.push(p as ReservePlugin);
      if (p.preBind) this.preBinders.push(p as PreBindPlugin);
      if (p.bind) this.binders.push(p as BindPlugin);
      const weight = profile.scoreWeights[name];
      if (weight && p.score) {
        this.scorers.push({ plugin: p as ScorePlugin, weight });
        if (p.preScore) this.preScores.push(p as PreScorePlugin);
      }
    }
  }

  /** Runs the filters on one node, stopping at the first rejection (as kube-scheduler does). */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, filters: FilterPlugin[] = this.filters): Status | null {
    for (let i = 0; i < filters.length; i++) {
      const st = filters[i].filter(state, pod, node);
      if (st && st.code !== 'Success') {
        st.plugin = filters[i].name;
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

    // PreFilter: a rejection here applies to every node; Skip drops the plugin's Filter for this pod.
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
    const filters = skipped.size ? this.filters.filter((f) => !skipped.has(f.name)) : this.filters;

    // Filter: from a rotating start, until enough feasible nodes were found.
    const n = nodes.length;
    const want = opts.explain ? n : numFeasibleNodesToFind(n, this.profile.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (let idx = start; processed < n && feasible.length < want; processed++, idx = idx + 1 === n ? 0 : idx + 1) {
      const node = nodes[idx];
      const st = this.runFilters(state, pod, node, filters);
      if (st) {
        res.filtered.set(node.name, st);
        res.unschedulablePlugins.add(st.plugin!);
      } else feasible.push(node);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    res.evaluated = processed;
    res.feasible = feasible.map((x) => x.name);

    if (feasible.length === 0) {
      let postMsg = '';
      for (const p of this.postFilters) {
        const r = p.postFilter(state, pod, res.filtered, n);
        if (r.nominatedNodeName) res.nominatedNodeName = r.nominatedNodeName;
        if (r.status.reasons.length) postMsg = r.status.reasons.join(', ');
        if (r.status.code === 'Success') break;
      }
      res.message = fitErrorMessage(n, res.filtered, '', postMsg);
      return res;
    }

    if (feasible.length === 1 && !opts.explain) {
      res.nodeName = feasible[0].name;
      return res;
    }
    const totals = this.score(state, pod, feasible, res, !!opts.explain || feasible.length <= 100);
    res.nodeName = feasible[this.selectHost(totals)].name;
    return res;
  }

  /** Weighted sum of normalized scores per feasible node; per-plugin detail recorded when asked. */
  private score(state: CycleState, pod: PodInfo, feasible: NodeInfo[], res: ScheduleResult, detail: boolean): Float64Array {
    const skipped = new Set<string>();
    for (const p of this.preScores) {
      const st = p.preScore(state, pod, feasible);
      if (st?.code === 'Skip') skipped.add(p.name);
    }
    const totals = new Float64Array(feasible.length);
    const perPlugin: { name: string; scores: NodeScore[]; weight: number }[] = [];
    for (const { plugin, weight } of this.scorers) {
      if (skipped.has(plugin.name)) continue;
      const scores: NodeScore[] = new Array(feasible.length);
      for (let i = 0; i < feasible.length; i++) scores[i] = { name: feasible[i].name, score: plugin.score(state, pod, feasible[i]) };
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) totals[i] += scores[i].score * weight;
      if (detail) perPlugin.push({ name: plugin.name, scores, weight });
    }
    if (detail) {
      for (let i = 0; i < feasible.length; i++) {
        const rec: Record<string, number> = {};
        for (const p of perPlugin) rec[p.name] = p.scores[i].score * p.weight;
        res.scores.set(feasible[i].name, rec);
        res.totals.set(feasible[i].name, totals[i]);
      }
    }
    return totals;
  }

  /** The index of the highest total; ties broken uniformly at random (reservoir sampling, as kube-scheduler). */
  private selectHost(totals: Float64Array): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
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

  /** PreBind plugins in order; the first failure stops the binding cycle (its status names the plugin). */
  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const p of this.preBinders) {
      const st = await p.preBind(state, pod, nodeName);
      if (st && st.code !== 'Success' && st.code !== 'Skip') {
        return { ...st, plugin: p.name, reasons: st.reasons.map((r) => `running PreBind plugin "${p.name}": ${r}`) };
      }
    }
    return null;
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
