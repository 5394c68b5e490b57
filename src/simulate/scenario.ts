// The scenario format of `kubesim simulate` (docs/simulate.md, docs/simulate.schema.json): node
// groups, workloads applied at given times, actions (apply, scale, delete, drain) and the measure
// interval. parseScenario checks the shape and turns every duration into milliseconds.
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../api/types.ts';
import type { AutoscalerConfig } from './autoscaler.ts';
import { AutoscalingError, parseAutoscalerConfig, parseGroupAutoscaling } from './autoscaler-config.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import { parsePattern } from '../api/core/patterns.ts';
import { parseAssertion, type Assertion } from './assertions.ts';
import { parseFault, type Fault } from './faults.ts';
import { parseGenerator, type Generator } from './generators.ts';
import { parseComponents, type ComponentSettings } from './components.ts';

export class ScenarioError extends Error {}

export interface NodeGroup {
  name: string;
  count: number;
  capacity: { cpu: string; memory: string; pods: number };
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  /** topology.kubernetes.io/zone values, dealt round-robin over the group's nodes. */
  zones?: string[];
  /** Cluster Autoscaler node group sizes (autoscaler.ts); absent: a fixed group. */
  autoscaling?: { min: number; max: number };
}

export const SCHEDULER_POLICIES = ['spread', 'binpack', 'round-robin'] as const;

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type Action =
  | { at: number; apply: KubeObject[] }
  | { at: number; scale: ObjectRef & { replicas: number } }
  | { at: number; delete: ObjectRef }
  | { at: number; drain: { node?: string; group?: string } }
  /** A load shape: the workload's kubesim.io/load-cpu / load-memory annotations (the pattern language). */
  | { at: number; load: ObjectRef & { cpu?: string; memory?: string } };

export interface Scenario {
  name: string;
  /** Virtual run length, ms (`--until` overrides). */
  duration: number;
  /** Report interval, ms. */
  measure: number;
  nodeGroups: NodeGroup[];
  /** The scheduler's scoring policy (default spread). */
  scheduler: { policy: (typeof SCHEDULER_POLICIES)[number] };
  /** Workloads, load shapes and actions, sorted by time (stable). */
  actions: Action[];
  /** The simulated Cluster Autoscaler's settings (used when a group has autoscaling). */
  autoscaler?: AutoscalerConfig;
  /** Generated workloads, expanded into actions with the run's seed. */
  generators: Generator[];
  faults: Fault[];
  assertions: Assertion[];
  /** The `kubelet:` and `controllerManager:` blocks (components.ts), Kubernetes' defaults filled in; absent = the defaults. */
  components?: ComponentSettings;
}

/** A Go-style duration: 90s, 10m, 1h30m, 250ms, 1.5h. */
export function parseDuration(v: unknown, what = 'duration'): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(v.trim())) throw new ScenarioError(`${what}: invalid duration ${JSON.stringify(v)} (e.g. 90s, 10m, 1h30m)`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]];
  return Math.round(ms);
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function need<T>(cond: boolean, msg: string, v: T): T {
  if (!cond) throw new ScenarioError(msg);
  return v;
}

function objectRef(v: unknown, where: string): ObjectRef {
  need(isObj(v), `${where}: must be an object`, v);
  const r = v as Record<string, any>;
  for (const k of ['kind', 'name']) need(typeof r[k] === 'string' && r[k] !== '', `${where}.${k}: required`, r);
  return { apiVersion: r.apiVersion ?? (r.kind === 'Deployment' || r.kind === 'ReplicaSet' || r.kind === 'StatefulSet' || r.kind === 'DaemonSet' ? 'apps/v1' : 'v1'), kind: r.kind, namespace: r.namespace ?? (r.kind === 'Node' ? undefined : 'default'), name: r.name };
}

function manifests(v: unknown, where: string): KubeObject[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((m, i) => {
    need(isObj(m) && typeof m.kind === 'string' && typeof m.apiVersion === 'string' && isObj(m.metadata), `${where}[${i}]: a manifest needs apiVersion, kind and metadata`, m);
    return m as KubeObject;
  });
}

function action(v: unknown, where: string): Action {
  need(isObj(v), `${where}: must be an object`, v);
  const a = v as Record<string, any>;
  const at = parseDuration(a.at ?? '0s', `${where}.at`);
  const kinds = ['apply', 'scale', 'delete', 'drain'].filter((k) => k in a);
  need(kinds.length === 1, `${where}: exactly one of apply, scale, delete, drain`, a);
  switch (kinds[0]) {
    case 'apply':
      return { at, apply: manifests(a.apply, `${where}.apply`) };
    case 'scale': {
      const replicas = a.scale?.replicas;
      need(Number.isInteger(replicas) && replicas >= 0, `${where}.scale.replicas: a non-negative integer`, replicas);
      return { at, scale: { ...objectRef(a.scale, `${where}.scale`), replicas } };
    }
    case 'delete':
      return { at, delete: objectRef(a.delete, `${where}.delete`) };
    default: {
      const d = a.drain;
      need(isObj(d) && (typeof d.node === 'string' || typeof d.group === 'string'), `${where}.drain: node (a name) or group (a random node of it, from the seed)`, d);
      return { at, drain: { node: d.node, group: d.group } };
    }
  }
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof AutoscalingError ? new ScenarioError(e.message) : e;
  }
}

function nodeGroup(v: unknown, i: number): NodeGroup {
  const where = `nodeGroups[${i}]`;
  need(isObj(v), `${where}: must be an object`, v);
  const g = v as Record<string, any>;
  need(typeof g.name === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(g.name), `${where}.name: a DNS label`, g);
  need(Number.isInteger(g.count) && g.count >= 0, `${where}.count: a non-negative integer`, g);
  const c = g.capacity ?? {};
  return {
    name: g.name,
    count: g.count,
    capacity: { cpu: String(c.cpu ?? '4'), memory: String(c.memory ?? '16Gi'), pods: Number(c.pods ?? 110) },
    labels: isObj(g.labels) ? g.labels : {},
    taints: Array.isArray(g.taints) ? g.taints.map((t: any, j: number) => need(isObj(t) && typeof t.key === 'string' && typeof t.effect === 'string', `${where}.taints[${j}]: key and effect`, t)) : [],
    autoscaling: wrap(() => parseGroupAutoscaling(g.autoscaling, g.count, where)),
    zones: g.zones === undefined ? undefined : need(Array.isArray(g.zones) && g.zones.length > 0 && g.zones.every((z: unknown) => typeof z === 'string'), `${where}.zones: a non-empty list of zone names`, g.zones),
  };
}

function load(v: unknown, where: string): Action {
  need(isObj(v), `${where}: must be an object`, v);
  const l = v as Record<string, any>;
  const ref = objectRef(l.target, `${where}.target`);
  need(l.cpu !== undefined || l.memory !== undefined, `${where}: cpu and/or memory (a pattern, e.g. diurnal(2,20,14h), sine(1,4,1h), step(1,8,30m))`, l);
  for (const [k, unit] of [['cpu', milliValueOrZero], ['memory', valueOrZero]] as const)
    if (l[k] !== undefined) need(typeof l[k] === 'string' && parsePattern(l[k], unit) !== undefined, `${where}.${k}: not a pattern: ${JSON.stringify(l[k])}`, l[k]);
  return { at: parseDuration(l.at ?? '0s', `${where}.at`), load: { ...ref, cpu: l.cpu, memory: l.memory } };
}

/** A copy of a manifest with every `{i}` in its strings replaced by the copy's index (workloads[].copies). */
export function withIndex<T>(v: T, i: number): T {
  if (typeof v === 'string') return v.replaceAll('{i}', String(i)) as T;
  if (Array.isArray(v)) return v.map((x) => withIndex(x, i)) as T;
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withIndex(x, i)])) as T;
  return v;
}

const list = (v: unknown, what: string): unknown[] => {
  need(v === undefined || Array.isArray(v), `${what}: must be a list`, v);
  return (v as unknown[] | undefined) ?? [];
};

/** Parses a scenario (YAML or JSON text). */
export function parseScenario(text: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`not YAML: ${(e as Error).message}`);
  }
  need(isObj(doc), 'a scenario is a mapping', doc);
  const d = doc as Record<string, any>;
  need(Array.isArray(d.nodeGroups) && d.nodeGroups.length > 0, 'nodeGroups: at least one', d);
  const workloads: Action[] = (Array.isArray(d.workloads) ? d.workloads : []).map((w: any, i: number) => {
    need(isObj(w) && ('manifest' in w || 'manifests' in w), `workloads[${i}]: manifest (or manifests) required`, w);
    const ms = manifests(w.manifest ?? w.manifests, `workloads[${i}].manifest`);
    const copies = w.copies ?? 1;
    need(Number.isInteger(copies) && copies >= 1 && copies <= 10_000, `workloads[${i}].copies: an integer in [1, 10000]`, copies);
    return { at: parseDuration(w.at ?? '0s', `workloads[${i}].at`), apply: w.copies === undefined ? ms : Array.from({ length: copies }, (_, k) => ms.map((m) => withIndex(m, k))).flat() };
  });
  const loads = list(d.loads, 'loads').map((l, i) => load(l, `loads[${i}]`));
  const actions = (Array.isArray(d.actions) ? d.actions : []).map((a: unknown, i: number) => action(a, `actions[${i}]`));
  const policy = d.scheduler?.policy ?? 'spread';
  need(SCHEDULER_POLICIES.includes(policy), `scheduler.policy: one of ${SCHEDULER_POLICIES.join(', ')}`, policy);
  const generators = list(d.generators, 'generators').map(parseGenerator);
  generators.forEach((g, i) => need(generators.findIndex((h) => h.name === g.name) === i, `generators[${i}].name: Duplicate value: "${g.name}"`, g));
  const measure = parseDuration(d.measure ?? '10m', 'measure');
  need(measure > 0, 'measure: must be positive', measure);
  return {
    name: typeof d.name === 'string' ? d.name : 'scenario',
    duration: parseDuration(d.duration ?? '1h', 'duration'),
    measure,
    nodeGroups: d.nodeGroups.map(nodeGroup),
    scheduler: { policy },
    autoscaler: wrap(() => parseAutoscalerConfig(d.autoscaler, parseDuration)),
    generators,
    faults: list(d.faults, 'faults').map(parseFault),
    assertions: list(d.assertions, 'assertions').map(parseAssertion),
    components: parseComponents(d, parseDuration, (msg) => {
      throw new ScenarioError(msg);
    }),
    actions: [...workloads, ...loads, ...actions].map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a),
  };
}
