// The API server's in-process metrics-server: every resolution (15 s by default) it reads the Nodes
// from the watch cache, groups them by the kubelet server that serves them (the
// `kubesim.io/kubelet-url` annotation: a node pool serves all its nodes from one server), fetches
// each server's /stats/summary once, and keeps the latest samples in memory. NodeMetrics and
// PodMetrics requests are answered from those maps, so a `kubectl top` or an HPA sync never waits
// for a kubelet, and 5,000 nodes of one pool cost one request per resolution. A `source` may hand
// over a kubelet server's summaries in-process (`kubesim simulate` composes the node pools' in: no
// HTTP, no JSON); the servers it does not answer for are fetched.
import { realClock, type Clock, type Timer } from '../../clock/index.ts';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix, type WatchCache } from '../../storage/interface.ts';
import { KUBELET_URL_ANNOTATION } from '../kinds/pods.ts';
import { nodeSampleOf, SampleSink, samplesFromSummary, type NodeSample, type NodeUsage, type PodSample } from './samples.ts';
import type { SummarySink } from '../../api/summarysink.ts';

export interface ScraperOptions {
  /** Scrape period = the metrics' window (metrics-server's --metric-resolution, default 15 s). */
  resolutionMs?: number;
  /** Per-kubelet request timeout (default: the resolution, at most 10 s). */
  timeoutMs?: number;
  /** Kubelet servers scraped at once (default 16). */
  concurrency?: number;
  /**
   * The scrape period and the samples' timestamps run on it; a scrape holds it (under virtual time
   * the clock waits for the kubelets' answers). Kubelet request timeouts stay on the wall clock.
   */
  clock?: Clock;
  /**
   * In-process summaries: a kubelet server's `/stats/summary` by its URL, told to the sink or as
   * the parsed JSON's nodes (the objects, not text); undefined = fetch that server over HTTP.
   */
  source?: SummarySource;
}

/**
 * The kubelet server at url in-process: it tells the sink its summaries' figures (synchronously,
 * during the call) and returns the summaries it did not tell (each a one-node `/stats/summary`
 * object); or undefined: not served in-process.
 */
export type SummarySource = (url: string, sink: SummarySink) => unknown[] | Promise<unknown[]> | undefined;

export class ResourceMetricsScraper {
  /** Latest samples: the nodes as told (`nodes` maps them), pods by namespace then name. Replaced whole after each scrape. */
  private told: ToldNodes = { names: [], samples: [] };
  /** `nodes`, made from `told` on first use after a scrape. */
  private nodeMap: Map<string, NodeSample> | undefined;
  private podsByNamespace: PodSamples = new Map();
  /** `pods`, made from podsByNamespace on first use after a scrape. */
  private flat: Map<string, PodSample> | undefined;
  readonly resolutionMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly source: SummarySource | undefined;
  private timer: Timer | undefined;
  /** The pending publication of the last periodic scrape. */
  private publishing: Timer | undefined;
  private readonly clock: Clock;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Aborts in-flight kubelet requests on stop. */
  private readonly abort = new AbortController();
  /** The last scrape's grouping of the Nodes by kubelet server, and the Nodes it was made of. */
  private grouping: { nodes: KubeObject[]; byUrl: Map<string, Set<string>> } | undefined;

  constructor(
    private readonly store: WatchCache,
    private readonly logger: Logger,
    opts: ScraperOptions = {},
  ) {
    this.resolutionMs = opts.resolutionMs ?? 15_000;
    this.timeoutMs = opts.timeoutMs ?? Math.min(10_000, this.resolutionMs);
    this.concurrency = opts.concurrency ?? 16;
    this.clock = opts.clock ?? realClock;
    this.source = opts.source;
  }

  start(): void {
    const tick = () => {
      if (this.stopped || this.running) return;
      const release = this.clock.hold();
      this.running = this.collect()
        .then((samples) => {
          if (this.stopped) return;
          // Published once the other work of this instant has run (on virtual time a 0 ms timer fires
          // after the clock settled): what reads the metrics at the scrape's own time (an HPA syncing
          // on the same minute) reads the previous scrape, as it does while a real scrape is still in
          // flight. By construction, not by how long the kubelets took to answer.
          this.publishing = this.clock.setTimeout(() => this.publish(samples), 0);
          this.publishing.unref?.();
        })
        .catch((err) => {
          if (!this.stopped) this.logger.warn({ err }, 'resource metrics scrape failed');
        })
        .finally(() => {
          this.running = undefined;
          release();
        });
    };
    tick();
    this.timer = this.clock.setInterval(tick, this.resolutionMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearInterval(this.timer);
    this.clock.clearTimeout(this.publishing);
    this.abort.abort();
    await this.running;
  }

  /** One scrape of every kubelet server; nodes that did not answer lose their samples (as metrics-server drops them). */
  async scrapeOnce(): Promise<void> {
    this.publish(await this.collect());
  }

  /** The latest sample of a pod. */
  podSample(namespace: string, name: string): PodSample | undefined {
    return this.podsByNamespace.get(namespace)?.get(name);
  }

  /**
   * The latest samples of the nodes, by name. A scrape keeps the nodes in the order told, with the
   * in-process usage of each, and makes the map and the samples on first use: most scrapes nobody
   * reads NodeMetrics (the HPAs read PodMetrics), and 1,000 nodes are 1,000 entries and samples a
   * scrape otherwise. A node told twice keeps its first place and its last sample, as in a map.
   */
  get nodes(): Map<string, NodeSample> {
    if (!this.nodeMap) {
      const { names, samples } = this.told;
      const m = new Map<string, NodeSample>();
      for (let i = 0; i < names.length; i++) {
        const s = samples[i];
        m.set(names[i], isNodeSample(s) ? s : nodeSampleOf(names[i], s, this.resolutionMs));
      }
      this.nodeMap = m;
    }
    return this.nodeMap;
  }

  /** The latest samples of a namespace's pods, by name (a namespaced list looks its pods up here). */
  podSamplesIn(namespace: string): ReadonlyMap<string, PodSample> | undefined {
    return this.podsByNamespace.get(namespace);
  }

  /** The latest samples of every pod, by `namespace/name`. */
  get pods(): Map<string, PodSample> {
    if (!this.flat) {
      const flat = new Map<string, PodSample>();
      for (const [ns, byName] of this.podsByNamespace) for (const [name, p] of byName) flat.set(`${ns}/${name}`, p);
      this.flat = flat;
    }
    return this.flat;
  }

  private publish(samples: { nodes: ToldNodes; pods: PodSamples }): void {
    this.told = samples.nodes;
    this.nodeMap = undefined;
    this.podsByNamespace = samples.pods;
    this.flat = undefined;
  }

  /** Every kubelet server's samples. */
  private async collect(): Promise<{ nodes: ToldNodes; pods: PodSamples }> {
    const { items } = await this.store.listPage(resourcePrefix('', 'nodes'), {});
    const byUrl = this.groupsOf(items);
    const nodes: ToldNodes = { names: [], samples: [] };
    const addNode = (name: string, s: NodeSample | NodeUsage) => {
      nodes.names.push(name);
      nodes.samples.push(s);
    };
    // by namespace, then name: the names' own strings are the keys (no `namespace/name` text made per pod per scrape, nor per lookup)
    const pods: PodSamples = new Map();
    const urls = [...byUrl.keys()];
    const addPod = (p: PodSample) => {
      let byName = pods.get(p.namespace);
      if (!byName) pods.set(p.namespace, (byName = new Map()));
      byName.set(p.name, p);
    };
    let next = 0;
    const worker = async () => {
      while (next < urls.length && !this.stopped) {
        const url = urls[next++];
        const names = byUrl.get(url)!;
        // a node this server serves but the API does not know (yet) is left out
        const sink = new SampleSink(this.clock.now(), this.resolutionMs, (n) => names.has(n), addPod, addNode);
        try {
          for (const summary of await this.fetchSummaries(url, sink)) {
            const name = summary?.node?.nodeName;
            if (!names.has(name)) continue; // a node this server serves but the API does not know (yet)
            const s = samplesFromSummary(summary, this.clock.now(), this.resolutionMs);
            if (s.node) addNode(s.node.name, s.node);
            for (const p of s.pods) addPod(p);
          }
        } catch (err) {
          this.logger.debug({ err, url }, 'kubelet scrape failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, urls.length) }, worker));
    return { nodes, pods };
  }

  /**
   * groupByKubelet of the Nodes, or the last scrape's when they are the same Nodes, in the same
   * order, with the same names and kubelet URLs (Nodes are written now and then, added or removed
   * rarely): a scrape of 1,000 nodes does not re-read every Node's annotations. The grouping is
   * only read.
   */
  private groupsOf(nodes: KubeObject[]): Map<string, Set<string>> {
    const g = this.grouping;
    if (g && sameKubelets(g.nodes, nodes)) {
      g.nodes = nodes;
      return g.byUrl;
    }
    const byUrl = groupByKubelet(nodes);
    this.grouping = { nodes, byUrl };
    return byUrl;
  }

  /**
   * A pool's server answers for all its nodes (`{nodes: [...]}`); a one-node kubelet answers its own
   * summary. An in-process server tells the sink before this returns.
   */
  private async fetchSummaries(url: string, sink: SummarySink): Promise<any[]> {
    const local = this.source?.(url, sink);
    if (local) return local;
    const get = async (u: string) => {
      const res = await fetch(u, { signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.abort.signal]) });
      if (!res.ok) throw new Error(`${u}: ${res.status}`);
      return res.json();
    };
    const base = url.replace(/\/$/, '');
    const body: any = await get(`${base}/stats/summary`);
    if (Array.isArray(body?.nodes)) return body.nodes;
    if (body?.node) return [body];
    return [];
  }
}

/** Pod samples by namespace, then name. */
type PodSamples = Map<string, Map<string, PodSample>>;
/** The nodes a scrape was told, in order: each one's sample, or the usage its sample is made of on first use. */
interface ToldNodes {
  names: string[];
  samples: (NodeSample | NodeUsage)[];
}
const isNodeSample = (s: NodeSample | NodeUsage): s is NodeSample => 'name' in s;

const kubeletUrl = (n: KubeObject): string | undefined => n.metadata.annotations?.[KUBELET_URL_ANNOTATION];

/** Whether groupByKubelet(b) is groupByKubelet(a): node for node the same object, or the same name and kubelet URL. */
export function sameKubelets(a: KubeObject[], b: KubeObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && (x.metadata.name !== y.metadata.name || kubeletUrl(x) !== kubeletUrl(y))) return false;
  }
  return true;
}

/** kubelet URL → names of the nodes it serves. */
export function groupByKubelet(nodes: KubeObject[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const n of nodes) {
    const url = kubeletUrl(n);
    if (!url || !n.metadata.name) continue;
    let set = out.get(url);
    if (!set) out.set(url, (set = new Set()));
    set.add(n.metadata.name);
  }
  return out;
}
