// kubelet's /stats/summary: one aggregation of a node's usage (nodeStats), written two ways. As JSON
// text for the HTTP endpoint, directly (without building the ~10 objects per pod first: a pool-wide
// summary of 1,000 nodes and 2,000 pods is scraped once a metric resolution), and as the objects
// that text parses to, for an in-process reader. `kubesim simulate`'s scraper is told the figures it
// reads instead (visitPoolSummary: no HTTP, JSON or summary objects). A test holds the text equal to
// JSON.stringify of an object-by-object oracle, the objects equal to the text parsed, and the
// scraper's samples of the figures equal to those of the text.
import type { KubeletView } from './kubelet.ts';
import type { PodSim } from './podsim.ts';
import type { ContainerUsage } from './runtime.ts';
import { rfc3339 } from './units.ts';
import { jsonString } from '../api/core/json.ts';
import type { SummarySink } from '../api/summarysink.ts';

export const NODE_BASE_CPU_M = 100;
export const NODE_BASE_MEM = 512 * 2 ** 20;

/** Start times repeat scrape after scrape (one per pod and container): remember their text. */
const startTexts = new Map<number, string>();
export function startTimeText(ms: number): string {
  let t = startTexts.get(ms);
  if (t === undefined) {
    if (startTexts.size >= 50_000) startTexts.clear();
    startTexts.set(ms, (t = rfc3339(ms)));
  }
  return t;
}

/** The text of the summaries' `time` (one per scrape, shared by every node of a pool summary). */
let lastTime = { ms: NaN, text: '' };
function timeText(ms: number): string {
  if (lastTime.ms !== ms) lastTime = { ms, text: rfc3339(ms) };
  return lastTime.text;
}

/** One pod's figures: its running containers' usage and their sums. */
interface PodStats {
  sim: PodSim;
  usage: ContainerUsage[];
  milliCpu: number;
  memory: number;
  cpuNanos: number;
}

/** One node's figures, as every rendering writes them; P: what a rendering keeps of each pod. */
interface NodeStats<P = PodStats> {
  node: string;
  time: string;
  startedAt: number;
  nanoCores: number;
  coreNanos: number;
  memory: number;
  capacity: string | undefined;
  pods: P[];
}

const podStats = (sim: PodSim, usage: ContainerUsage[], milliCpu: number, memory: number, cpuNanos: number): PodStats => ({ sim, usage, milliCpu, memory, cpuNanos });

/** The node's usage: its base plus its pods' running containers (pods without one are left out). */
function nodeStats<P>(s: KubeletView, node: string, now: number, pod: (sim: PodSim, usage: ContainerUsage[], milliCpu: number, memory: number, cpuNanos: number) => P): NodeStats<P> {
  const startedAt = s.startedAt;
  let cpuM = NODE_BASE_CPU_M;
  let mem = NODE_BASE_MEM;
  let cpuNs = ((now - startedAt) / 1000) * NODE_BASE_CPU_M * 1e6;
  const pods: P[] = [];
  for (const sim of s.pods(node)) {
    const usage = s.usage(sim, now);
    if (!usage.length) continue;
    let pc = 0;
    let pm = 0;
    let pn = 0;
    for (const u of usage) {
      pc += u.milliCpu;
      pm += u.memory;
      pn += u.cpuNanos;
    }
    cpuM += pc;
    mem += pm;
    cpuNs += pn;
    pods.push(pod(sim, usage, pc, pm, pn));
  }
  return { node, time: timeText(now), startedAt, nanoCores: Math.round(cpuM * 1e6), coreNanos: Math.round(cpuNs), memory: mem, capacity: s.nodeCapacity(node)?.memory, pods };
}

const rss = (bytes: number) => Math.round(bytes * 0.8);
const nano = (milliCpu: number) => Math.round(milliCpu * 1e6);

// ---- as JSON text -------------------------------------------------------------------------------


function statsJson(n: NodeStats): string {
  const time = jsonString(n.time);
  let pods = '';
  for (const p of n.pods) {
    let containers = '';
    for (const u of p.usage) {
      if (containers) containers += ',';
      containers +=
        `{"name":${jsonString(u.name)},"startTime":${jsonString(startTimeText(u.startedAt))},` +
        `"cpu":{"time":${time},"usageNanoCores":${nano(u.milliCpu)},"usageCoreNanoSeconds":${u.cpuNanos}},` +
        `"memory":{"time":${time},"usageBytes":${u.memory},"workingSetBytes":${u.memory},"rssBytes":${rss(u.memory)},"pageFaults":0,"majorPageFaults":0}}`;
    }
    const { sim, memory: pm } = p;
    if (pods) pods += ',';
    pods +=
      `{"podRef":{"name":${jsonString(sim.name)},"namespace":${jsonString(sim.namespace)},"uid":${jsonString(sim.uid)}},` +
      `"startTime":${jsonString(startTimeText(sim.startTime))},"containers":[${containers}],` +
      `"cpu":{"time":${time},"usageNanoCores":${nano(p.milliCpu)},"usageCoreNanoSeconds":${p.cpuNanos}},` +
      `"memory":{"time":${time},"usageBytes":${pm},"workingSetBytes":${pm},"rssBytes":${rss(pm)}}}`;
  }
  const mem = n.memory;
  return (
    `{"node":{"nodeName":${jsonString(n.node)},"startTime":${jsonString(startTimeText(n.startedAt))},` +
    `"cpu":{"time":${time},"usageNanoCores":${n.nanoCores},"usageCoreNanoSeconds":${n.coreNanos}},` +
    `"memory":{"time":${time},"usageBytes":${mem},"workingSetBytes":${mem},"rssBytes":${rss(mem)}${n.capacity !== undefined ? `,"capacity":${jsonString(n.capacity)}` : ''}}},` +
    `"pods":[${pods}]}`
  );
}

/** One node's summary, as JSON text. */
export function summaryJson(s: KubeletView, node: string): string {
  return statsJson(nodeStats(s, node, s.now(), podStats));
}

/** The pool-wide summary (no ?node=): every node's. */
export function poolSummaryJson(s: KubeletView): string {
  return [...poolSummaryChunks(s, Infinity)].join('');
}

/**
 * The pool-wide summary's text in pieces of about maxBytes characters (whole nodes; their
 * concatenation is poolSummaryJson's text), made as they are taken: at 150,000 pods the summary is
 * ~100 MB, which as one string (joined, then encoded whole) cost more than making it and held the
 * event loop for seconds. Every node is measured at the same `now`, taken on the first piece.
 */
export function* poolSummaryChunks(s: KubeletView, maxBytes = 256 * 1024): Generator<string> {
  const now = s.now();
  let chunk = '{"nodes":[';
  let first = true;
  for (const n of s.nodeNames()) {
    chunk += (first ? '' : ',') + statsJson(nodeStats(s, n, now, podStats));
    first = false;
    if (chunk.length >= maxBytes) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk + ']}';
}

// ---- as objects ---------------------------------------------------------------------------------

function statsObject(n: NodeStats): any {
  const { time } = n;
  const pods = n.pods.map((p) => {
    const { sim, memory: pm } = p;
    return {
      podRef: { name: sim.name, namespace: sim.namespace, uid: sim.uid },
      startTime: startTimeText(sim.startTime),
      containers: p.usage.map((u) => ({
        name: u.name,
        startTime: startTimeText(u.startedAt),
        cpu: { time, usageNanoCores: nano(u.milliCpu), usageCoreNanoSeconds: u.cpuNanos },
        memory: { time, usageBytes: u.memory, workingSetBytes: u.memory, rssBytes: rss(u.memory), pageFaults: 0, majorPageFaults: 0 },
      })),
      cpu: { time, usageNanoCores: nano(p.milliCpu), usageCoreNanoSeconds: p.cpuNanos },
      memory: { time, usageBytes: pm, workingSetBytes: pm, rssBytes: rss(pm) },
    };
  });
  const mem = n.memory;
  return {
    node: {
      nodeName: n.node,
      startTime: startTimeText(n.startedAt),
      cpu: { time, usageNanoCores: n.nanoCores, usageCoreNanoSeconds: n.coreNanos },
      memory: { time, usageBytes: mem, workingSetBytes: mem, rssBytes: rss(mem), ...(n.capacity !== undefined ? { capacity: n.capacity } : {}) },
    },
    pods,
  };
}

/** One node's summary as objects: JSON.parse(summaryJson(s, node)). */
export function summaryObject(s: KubeletView, node: string): any {
  return statsObject(nodeStats(s, node, s.now(), podStats));
}

/** Every node's summary as objects (the `nodes` of poolSummaryJson, parsed), for in-process readers. */
export function poolSummaries(s: KubeletView): any[] {
  const now = s.now();
  const out: any[] = [];
  for (const n of s.nodeNames()) out.push(statsObject(nodeStats(s, n, now, podStats)));
  return out;
}

// ---- told to an in-process scraper -------------------------------------------------------------

/**
 * Every node's summary figures told to v (`kubesim simulate`'s scraper): the stats' time,
 * usageNanoCores and workingSetBytes of each node, its pods and their containers, as the summary
 * states them, without the rest (capacity, cumulative CPU, start times) nor an object per node or
 * pod between the usage and what v makes of it. nodeStats' sums in its order (the same
 * floating-point results), of the same usage reads: a scrape of 1,000 nodes and 2,000 pods walks
 * the pool's pods once (podsByNode), then the nodes.
 */
export function visitPoolSummary<C>(s: KubeletView, v: SummarySink<C>): void {
  const now = s.now();
  const time = timeText(now);
  const nodes = arrayOf(s.nodeNames());
  const { head, next, sims, usage } = podsByNode(s, nodeSlots(nodes), now);
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    let cpuM = NODE_BASE_CPU_M;
    let mem = NODE_BASE_MEM;
    for (let j = head[k]; j >= 0; j = next[j]) {
      const u = usage[j];
      const n = u.length;
      let pc = 0;
      let pm = 0;
      const containers: C[] = new Array(n);
      for (let i = 0; i < n; i++) {
        pc += u[i].milliCpu;
        pm += u[i].memory;
        containers[i] = v.container(u[i].name, nano(u[i].milliCpu), u[i].memory);
      }
      cpuM += pc;
      mem += pm;
      const sim = sims[j];
      v.pod(node, time, sim.namespace, sim.name, containers);
    }
    v.node(node, time, Math.round(cpuM * 1e6), mem);
  }
}

/** The pods with running containers of each node (slot k of nodeSlots): a chain from head[k] through next, in the node's order, with their usage. */
export interface PodsByNode {
  head: Int32Array;
  next: number[];
  sims: PodSim[];
  usage: ContainerUsage[][];
}

/**
 * The usage of every pod on a node of `slots`, read once each in the pool's order of its pods
 * (forEachPod: as they were admitted, so a workload's pods, their containers' meters and models lie
 * together in memory, rather than node by node, which hops across the heap), and chained node by
 * node. A node lists its pods in the pool's order (both are the order of admission), so each chain
 * is the node's pods(node) order. Pods without a running container are read but left out; a pod
 * on a node not in slots is not read.
 */
export function podsByNode(s: KubeletView, slots: ReadonlyMap<string, number>, now: number): PodsByNode {
  const head = new Int32Array(slots.size).fill(-1);
  const tail = new Int32Array(slots.size);
  const out: PodsByNode = { head, next: [], sims: [], usage: [] };
  const { next, sims, usage } = out;
  s.forEachPod((sim, node) => {
    const k = slots.get(node);
    if (k === undefined) return;
    const u = s.usage(sim, now);
    if (!u.length) return;
    const j = sims.length;
    sims.push(sim);
    usage.push(u);
    next.push(-1);
    if (head[k] < 0) head[k] = j;
    else next[tail[k]] = j;
    tail[k] = j;
  });
  return out;
}

/** The last nodeSlots answer: a pool's node names are the same strings, scrape after scrape. */
let lastSlots: { names: string[]; slots: Map<string, number> } = { names: [], slots: new Map() };

/** Each node name's index in names (the first, for a name listed twice); the last answer again while the names are the same. */
export function nodeSlots(names: readonly string[]): ReadonlyMap<string, number> {
  const last = lastSlots;
  if (sameNames(last.names, names)) return last.slots;
  const slots = new Map<string, number>();
  for (let k = 0; k < names.length; k++) if (!slots.has(names[k])) slots.set(names[k], k);
  lastSlots = { names: [...names], slots };
  return slots;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const arrayOf = <T>(xs: Iterable<T>): T[] => (Array.isArray(xs) ? xs : [...xs]);
