// Faults of a scenario at given virtual times, each optionally healed `for` a duration later:
// - nodeFailure {node} | {group, count}: the nodes stop heartbeating and writing (the node
//   simulation's kubesim.io/partitioned annotation), so the node lifecycle controller marks them
//   Unknown/NotReady, taints them and evicts their pods after the toleration (300 s by default);
//   healed, the node comes back and reports Ready again;
// - zoneOutage {zone}: the same for every node labelled topology.kubernetes.io/zone=<zone>;
// - partition {nodes: [...]} | {group, count}: the same cut (a partitioned kubelet and a dead one look
//   alike to the control plane; its pods' writes wait for the heal);
// - componentKill {component: scheduler | controller-manager}: the component is stopped; with `for`
//   a fresh one starts again (informers re-list, as after a restart).
import type { Client } from '../client/index.ts';
import type { Random } from '../clock/index.ts';
import { parseDuration, ScenarioError } from './scenario.ts';

export const PARTITIONED = 'kubesim.io/partitioned';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const COMPONENTS = ['scheduler', 'controller-manager'] as const;
export type Component = (typeof COMPONENTS)[number];

export type NodeSelection = { nodes: string[] } | { group: string; count: number } | { zone: string };

export type Fault =
  | { at: number; for?: number; type: 'nodeFailure' | 'partition' | 'zoneOutage'; select: NodeSelection }
  | { at: number; for?: number; type: 'componentKill'; component: Component };

export interface FaultRecord {
  t: number;
  fault: string;
  /** The nodes cut off (node faults). */
  nodes?: string[];
  healedAt?: number;
  error?: string;
}

/** What a fault acts on: the cluster's client, the run's Random, and the components it can stop and start. */
export interface FaultTarget {
  client: Client;
  random: Random;
  stopComponent(c: Component): Promise<void>;
  startComponent(c: Component): Promise<void>;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = ['nodeFailure', 'zoneOutage', 'partition', 'componentKill'] as const;

function selection(v: unknown, where: string): NodeSelection {
  if (!isObj(v)) throw new ScenarioError(`${where}: must be an object`);
  if (typeof v.node === 'string') return { nodes: [v.node] };
  if (Array.isArray(v.nodes) && v.nodes.length && v.nodes.every((n: unknown) => typeof n === 'string')) return { nodes: v.nodes };
  if (typeof v.group === 'string') {
    const count = v.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new ScenarioError(`${where}.count: a positive integer`);
    return { group: v.group, count };
  }
  if (typeof v.zone === 'string') return { zone: v.zone };
  throw new ScenarioError(`${where}: node, nodes, group (+ count, a seeded pick) or zone`);
}

export function parseFault(v: unknown, i: number): Fault {
  const where = `faults[${i}]`;
  if (!isObj(v)) throw new ScenarioError(`${where}: must be an object`);
  const types = TYPES.filter((t) => t in v);
  if (types.length !== 1) throw new ScenarioError(`${where}: exactly one of ${TYPES.join(', ')}`);
  const at = parseDuration(v.at ?? '0s', `${where}.at`);
  const dur = v.for === undefined ? undefined : parseDuration(v.for, `${where}.for`);
  const type = types[0];
  if (type === 'componentKill') {
    const c = v.componentKill?.component;
    if (!COMPONENTS.includes(c)) throw new ScenarioError(`${where}.componentKill.component: one of ${COMPONENTS.join(', ')}`);
    return { at, for: dur, type, component: c };
  }
  if (type === 'zoneOutage') {
    if (typeof v.zoneOutage?.zone !== 'string') throw new ScenarioError(`${where}.zoneOutage.zone: required`);
    return { at, for: dur, type, select: { zone: v.zoneOutage.zone } };
  }
  return { at, for: dur, type, select: selection(v[type], `${where}.${type}`) };
}

export function describeFault(f: Fault): string {
  if (f.type === 'componentKill') return `componentKill ${f.component}`;
  const s = f.select;
  return `${f.type} ${'nodes' in s ? s.nodes.join(',') : 'zone' in s ? `zone ${s.zone}` : `${s.count} of ${s.group}`}`;
}

const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;

/** The nodes a selection names; a group pick draws from the run's Random over the sorted names. */
async function pick(t: FaultTarget, s: NodeSelection): Promise<string[]> {
  if ('nodes' in s) return s.nodes;
  const nodes = (await t.client.resource(NODES).list({})).items;
  if ('zone' in s) {
    const names = nodes.filter((n) => n.metadata.labels?.[ZONE_LABEL] === s.zone).map((n) => n.metadata.name!).sort();
    if (!names.length) throw new Error(`no node in zone ${s.zone}`);
    return names;
  }
  const pool = nodes.filter((n) => n.metadata.labels?.['kubesim.io/node-group'] === s.group && n.metadata.annotations?.[PARTITIONED] !== 'true').map((n) => n.metadata.name!).sort();
  if (pool.length < s.count) throw new Error(`group ${s.group} has ${pool.length} healthy nodes, ${s.count} asked`);
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) out.push(...pool.splice(t.random.int(pool.length), 1));
  return out.sort();
}

const cut = (t: FaultTarget, names: string[], on: boolean) =>
  Promise.all(names.map((n) => t.client.resource(NODES).patch(n, { metadata: { annotations: { [PARTITIONED]: on ? 'true' : null } } }, { type: 'merge' })));

/** Starts a fault; returns its record and the heal to run `for` later (if any). */
export async function inject(t: FaultTarget, f: Fault): Promise<{ record: FaultRecord; heal: () => Promise<void> }> {
  const record: FaultRecord = { t: Math.round(f.at / 1000), fault: describeFault(f) };
  if (f.type === 'componentKill') {
    await t.stopComponent(f.component);
    return { record, heal: () => t.startComponent(f.component) };
  }
  const names = await pick(t, f.select);
  record.nodes = names;
  await cut(t, names, true);
  return { record, heal: async () => void (await cut(t, names, false)) };
}
