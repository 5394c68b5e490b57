// Pure parts of the resource metrics pipeline: kubelet summaries (/stats/summary) → samples, and
// samples → metrics.k8s.io/v1beta1 objects, with metrics-server's shapes (cpu in nanocores,
// memory as working set in Ki, `timestamp` the sample's time, `window` the scrape resolution).
import { formatTimeMs as rfc3339 } from '../../api/time.ts';
import { jsonString } from '../../api/core/json.ts';
import type { SummarySink } from '../../api/summarysink.ts';

export interface ContainerSample {
  name: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface NodeSample {
  name: string;
  timestampMs: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodSample {
  namespace: string;
  name: string;
  timestampMs: number;
  windowMs: number;
  containers: ContainerSample[];
  /** podUsageJson's answer, made on first use: a sample never changes after its scrape. */
  usageJson?: string;
  /** The same in protobuf (protobuf.ts), made on first use. */
  usageProtobuf?: Buffer;
  /** The same as a frozen value (podMetricsItemValueOf), made on first use. */
  usageValue?: PodUsageValue;
}

/** A PodMetrics' usage members as values, in the order of their text. */
interface PodUsageValue {
  readonly timestamp: string;
  readonly window: string;
  readonly containers: readonly { readonly name: string; readonly usage: { readonly cpu: string; readonly memory: string } }[];
}

/** A PodSample with its memo members present from the start: every sample has one shape. */
function podSample(namespace: string, name: string, timestampMs: number, windowMs: number, containers: ContainerSample[]): PodSample {
  return { namespace, name, timestampMs, windowMs, containers, usageJson: undefined, usageProtobuf: undefined, usageValue: undefined };
}

const PAGE = 4096;

/** Working sets are whole pages, so they print in Ki as metrics-server's do. */
function pages(bytes: number): number {
  return Math.max(0, Math.round(bytes / PAGE) * PAGE);
}

/** The last time text parsed: a summary's stats share one `time`. */
let parsed = { text: '', ms: NaN };

function timeOf(stat: any, fallback: number): number {
  return timeOfText(stat?.time, fallback);
}

function timeOfText(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  if (text !== parsed.text) parsed = { text, ms: Date.parse(text) };
  return Number.isFinite(parsed.ms) ? parsed.ms : fallback;
}

/**
 * One kubelet summary's samples. A container without cpu or memory stats makes its pod missing,
 * as metrics-server drops a pod with an incomplete container set.
 */
export function samplesFromSummary(summary: any, scrapedAt: number, windowMs: number): { node?: NodeSample; pods: PodSample[] } {
  const pods: PodSample[] = [];
  const n = summary?.node;
  let node: NodeSample | undefined;
  if (n?.nodeName && n.cpu?.usageNanoCores !== undefined && n.memory?.workingSetBytes !== undefined) {
    node = { name: n.nodeName, timestampMs: timeOf(n.cpu, scrapedAt), windowMs, cpuNanoCores: Math.round(n.cpu.usageNanoCores), memoryBytes: pages(n.memory.workingSetBytes) };
  }
  for (const p of (summary?.pods as any[]) ?? []) {
    const ref = p?.podRef;
    if (!ref?.name || !ref.namespace) continue;
    const containers: ContainerSample[] = [];
    let complete = true;
    let ts = scrapedAt;
    for (const c of (p.containers as any[]) ?? []) {
      if (c?.cpu?.usageNanoCores === undefined || c?.memory?.workingSetBytes === undefined) {
        complete = false;
        break;
      }
      ts = timeOf(c.cpu, ts);
      containers.push({ name: c.name, cpuNanoCores: Math.round(c.cpu.usageNanoCores), memoryBytes: pages(c.memory.workingSetBytes) });
    }
    if (complete && containers.length > 0) pods.push(podSample(ref.namespace, ref.name, ts, windowMs, containers));
  }
  return { node, pods };
}

/** A node's sample without its name and window, kept until NodeMetrics are read (nodeSampleOf). */
export interface NodeUsage {
  timestampMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

export function nodeSampleOf(name: string, u: NodeUsage, windowMs: number): NodeSample {
  return { name, timestampMs: u.timestampMs, windowMs, cpuNanoCores: u.cpuNanoCores, memoryBytes: u.memoryBytes };
}

/**
 * A SummarySink making samplesFromSummary's samples (nodeSampleOf of its node usage): the same
 * samples as of the summaries these figures are of. Nodes `known` rejects are left out, their pods
 * too. Consecutive nodes of the same usage (a pool's nodes without pods: their base) share one
 * NodeUsage.
 */
export class SampleSink implements SummarySink<ContainerSample> {
  private last: NodeUsage | undefined;

  constructor(
    private readonly scrapedAt: number,
    private readonly windowMs: number,
    private readonly known: (nodeName: string) => boolean,
    private readonly pods: (p: PodSample) => void,
    private readonly nodes: (nodeName: string, u: NodeUsage) => void,
  ) {}

  container(name: string, usageNanoCores: number, workingSetBytes: number): ContainerSample {
    return { name, cpuNanoCores: Math.round(usageNanoCores), memoryBytes: pages(workingSetBytes) };
  }

  pod(nodeName: string, time: string, namespace: string, name: string, containers: ContainerSample[]): void {
    if (!name || !namespace || containers.length === 0 || !this.known(nodeName)) return;
    this.pods(podSample(namespace, name, timeOfText(time, this.scrapedAt), this.windowMs, containers));
  }

  node(nodeName: string, time: string, usageNanoCores: number, workingSetBytes: number): void {
    if (!this.known(nodeName)) return;
    const timestampMs = timeOfText(time, this.scrapedAt);
    const cpuNanoCores = Math.round(usageNanoCores);
    const memoryBytes = pages(workingSetBytes);
    let u = this.last;
    if (!u || u.timestampMs !== timestampMs || u.cpuNanoCores !== cpuNanoCores || u.memoryBytes !== memoryBytes) this.last = u = { timestampMs, cpuNanoCores, memoryBytes };
    this.nodes(nodeName, u);
  }
}

/** 246112926 → "246112926n"; 200000000 → "200m" (the canonical decimal form). */
const CPU_UNITS = ['n', 'u', 'm', ''];
export function cpuQuantity(nano: number): string {
  if (nano === 0) return '0';
  let v = Math.round(nano);
  const units = CPU_UNITS;
  let i = 0;
  while (i < 3 && v % 1000 === 0) {
    v /= 1000;
    i++;
  }
  return `${v}${units[i]}`;
}

const MEMORY_UNITS = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
/** Bytes in the canonical binary form: "12144Ki", "64Mi", or plain bytes. */
export function memoryQuantity(bytes: number): string {
  if (bytes === 0) return '0';
  const units = MEMORY_UNITS;
  let v = Math.round(bytes);
  let i = 0;
  while (i < 4 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v}${units[i]}`;
}

/** Go's time.Duration String for whole-millisecond windows: "15s", "1.5s", "1m0s". */
export function durationString(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${+s.toFixed(3)}s`;
  const m = Math.floor(s / 60);
  const rest = +(s - m * 60).toFixed(3);
  if (m < 60) return `${m}m${rest}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${rest}s`;
}

/** RFC 3339 to the second, as metav1.Time serializes (src/api/time.ts). */
export { rfc3339 };

/** A NodeMetrics object; labels are the Node's, creationTimestamp the time of the answer (metrics-server's). */
export function nodeMetricsObject(s: NodeSample, labels: Record<string, string> | undefined, now: number): any {
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: s.name, creationTimestamp: rfc3339(now), ...(labels ? { labels } : {}) },
    timestamp: rfc3339(s.timestampMs),
    window: durationString(s.windowMs),
    usage: { cpu: cpuQuantity(s.cpuNanoCores), memory: memoryQuantity(s.memoryBytes) },
  };
}

export function podMetricsObject(s: PodSample, labels: Record<string, string> | undefined, now: number): any {
  return { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...podMetricsItemValueOf(s, { labels }, rfc3339(now)) };
}

/**
 * A PodMetrics' usage members as JSON text (`"timestamp":…,"window":…,"containers":[…]`), made
 * once per sample: a LIST of 150,000 pods joins these instead of building and serializing as many
 * objects on every call.
 */
/** The last timestamp and window written: a scrape's samples share them. */
let lastStamp = { ms: NaN, text: '' };
let lastWindow = { ms: NaN, text: '' };
function stampText(ms: number): string {
  if (lastStamp.ms !== ms) lastStamp = { ms, text: rfc3339(ms) };
  return lastStamp.text;
}
function windowText(ms: number): string {
  if (lastWindow.ms !== ms) lastWindow = { ms, text: durationString(ms) };
  return lastWindow.text;
}


/** str with a one-entry memo: a list's items share their creationTimestamp, neighbouring pods their container names. */
class LastStr {
  private text = '';
  private json = '""';
  of(s: string): string {
    if (s !== this.text) {
      this.json = jsonString(s);
      this.text = s;
    }
    return this.json;
  }
}
const containerNames = new LastStr();
const createdTexts = new LastStr();

export function podUsageJson(s: PodSample): string {
  if (s.usageJson === undefined) {
    let containers = '';
    for (const c of s.containers) {
      if (containers) containers += ',';
      containers += `{"name":${containerNames.of(c.name)},"usage":{"cpu":"${cpuQuantity(c.cpuNanoCores)}","memory":"${memoryQuantity(c.memoryBytes)}"}}`;
    }
    s.usageJson = flat(`"timestamp":"${stampText(s.timestampMs)}","window":"${windowText(s.windowMs)}","containers":[${containers}]`);
  }
  return s.usageJson;
}

/** A pod's labels as JSON, remembered per labels object: the watch cache's objects are frozen, so the same object has the same text. */
const labelTexts = new WeakMap<object, string>();
function labelsJson(labels: Record<string, string>): string {
  let t = labelTexts.get(labels);
  if (t === undefined) {
    t = JSON.stringify(labels);
    if (Object.isFrozen(labels)) labelTexts.set(labels, t);
  }
  return t;
}

/**
 * One item of a PodMetricsList as JSON text: podMetricsObject without kind and apiVersion (list
 * items carry none, as metrics-server's), same members in the same order. created = rfc3339(now).
 */
export function podMetricsItemJson(s: PodSample, labels: Record<string, string> | undefined, created: string): string {
  const [head, tail] = itemFrame(s.name, s.namespace, labels);
  return `${head}${jsonString(created)}${tail}${podUsageJson(s)}}`;
}

/** An item's text around its creationTimestamp, up to its usage members: `{"metadata":{"name":…,"creationTimestamp":` and `,"labels":…},`. */
function itemFrame(name: string, namespace: string, labels: Record<string, string> | undefined): [string, string] {
  return [flat(`{"metadata":{"name":${jsonString(name)},"namespace":${jsonString(namespace)},"creationTimestamp":`), flat(`${labels ? `,"labels":${labelsJson(labels)}` : ''}},`)];
}

/**
 * s, flattened: V8 keeps a concatenation as a tree of its pieces (a "cons string") until something
 * reads its characters, and then replaces it by one flat copy. A text kept to be joined into list
 * after list (an item's frame, a sample's usage) is flattened once when made, so the joins copy
 * one contiguous run each instead of walking a dozen scattered pieces every time.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** itemFrame per pod metadata, remembered for the watch cache's frozen objects (a pod's next version is a new object). */
const frames = new WeakMap<object, [string, string]>();

/**
 * podMetricsItemJson of the pod whose metadata is `meta` (the sample's pod: same name and namespace,
 * its labels): the text around the usage is made once per pod object, not once per list.
 */
export function podMetricsItemJsonOf(s: PodSample, meta: { name?: string; namespace?: string; labels?: Record<string, string> }, created: string): string {
  let f = frames.get(meta);
  if (f === undefined) {
    f = itemFrame(s.name, s.namespace, meta.labels);
    if (Object.isFrozen(meta) && (!meta.labels || Object.isFrozen(meta.labels)) && meta.name === s.name && meta.namespace === s.namespace) frames.set(meta, f);
  }
  return `${f[0]}${createdTexts.of(created)}${f[1]}${podUsageJson(s)}}`;
}

function podUsageValue(s: PodSample): PodUsageValue {
  if (s.usageValue === undefined) {
    const containers = s.containers.map((c) => Object.freeze({ name: c.name, usage: Object.freeze({ cpu: cpuQuantity(c.cpuNanoCores), memory: memoryQuantity(c.memoryBytes) }) }));
    s.usageValue = Object.freeze({ timestamp: stampText(s.timestampMs), window: windowText(s.windowMs), containers: Object.freeze(containers) });
  }
  return s.usageValue;
}

/**
 * podMetricsItemJsonOf's item as a value, member for member in the same order: what an in-process
 * client takes instead of parsing the list's text (the usage is shared and frozen; the client copies).
 */
export function podMetricsItemValueOf(s: PodSample, meta: { labels?: Record<string, string> }, created: string): object {
  const u = podUsageValue(s);
  const metadata = meta.labels ? { name: s.name, namespace: s.namespace, creationTimestamp: created, labels: meta.labels } : { name: s.name, namespace: s.namespace, creationTimestamp: created };
  return { metadata, timestamp: u.timestamp, window: u.window, containers: u.containers };
}
