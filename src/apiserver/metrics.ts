// Prometheus metrics of the API server (prom-client), in a registry of its own so several servers
// can run in one process (tests) without clashing.
import client from 'prom-client';

export interface ApiMetrics {
  registry: client.Registry;
  /** Records one finished request; scope is Kubernetes' resource | namespace | cluster ('' outside the resource API). */
  observe(verb: string, resource: string, code: number, seconds: number, scope?: string): void;
  watchers: client.Gauge<string>;
  revision: client.Gauge<string>;
}

export function createMetrics(currentRevision: () => number): ApiMetrics {
  const registry = new client.Registry();
  const total = new client.Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, resource and scope (watches excluded).',
    labelNames: ['verb', 'resource', 'scope'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const watchers = new client.Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently open watch streams, by resource.',
    labelNames: ['resource'],
    registers: [registry],
  });
  const revision = new client.Gauge({
    name: 'apiserver_storage_revision',
    help: 'The storage revision (resourceVersion) the watch cache has reached.',
    registers: [registry],
    collect() {
      this.set(currentRevision());
    },
  });
  // Children are cached per label set: labels() with a fresh object per request is the costly part.
  // One map per verb and resource, then by scope or code: no key text is built per request.
  const cells = new Map<string, Map<string, VerbResourceCells>>();
  return {
    registry,
    watchers,
    revision,
    observe(verb, resource, code, seconds, scope = '') {
      let byResource = cells.get(verb);
      if (!byResource) cells.set(verb, (byResource = new Map()));
      let c = byResource.get(resource);
      if (!c) byResource.set(resource, (c = { durations: new Map(), totals: new Map() }));
      // a watch lasts as long as the client wants: its duration says nothing about latency
      if (verb !== 'WATCH') {
        let d = c.durations.get(scope);
        if (!d) c.durations.set(scope, (d = new DurationCell(duration, { verb, resource, scope })));
        d.observe(seconds);
      }
      let t = c.totals.get(code);
      if (!t) c.totals.set(code, (t = new CounterCell(total, { verb, resource, code: String(code) })));
      t.inc();
    },
  };
}

/** The cells of one verb and resource: durations by scope, totals by code. */
interface VerbResourceCells {
  durations: Map<string, DurationCell>;
  totals: Map<number, CounterCell>;
}

/** What prom-client keeps per label set of a counter (lib/counter.js setValue), v15. */
interface CounterValue {
  value: number;
  labels: Record<string, string>;
}

/** The key of prom-client's hashMap entry whose labels are these (same names, same values). */
function entryKey(map: Record<string, { labels?: Record<string, string> }>, labels: Record<string, string>): string | undefined {
  const names = Object.keys(labels);
  for (const k in map) {
    const l = map[k].labels;
    if (l && names.every((n) => l[n] === labels[n])) return k;
  }
  return undefined;
}

/**
 * One label set of the request counter, counted as prom-client's own inc does (value + 1 in the
 * entry of its hashMap) without hashing and validating the labels on every call. The first inc,
 * and any after a reset, is prom-client's, which makes the entry; /metrics renders it as before.
 */
class CounterCell {
  private entry: CounterValue | undefined;
  private key = '';
  private readonly child: client.Counter.Internal;

  constructor(
    private readonly counter: client.Counter<string>,
    private readonly labels: Record<string, string>,
  ) {
    this.child = counter.labels(labels);
  }

  inc(): void {
    const map = (this.counter as unknown as { hashMap?: Record<string, CounterValue> }).hashMap;
    const e = this.entry;
    if (map && e && map[this.key] === e) {
      e.value += 1;
      return;
    }
    this.child.inc();
    const k = map && entryKey(map, this.labels);
    this.entry = k !== undefined && map && typeof map[k].value === 'number' ? map[k] : undefined;
    this.key = k ?? '';
  }
}

/** What prom-client keeps per label set of a histogram (lib/histogram.js createBaseValues), v15. */
interface HistogramValues {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * One label set of the request duration histogram, observed as prom-client's own observe does
 * (sum, count, the first bucket bound the value fits under) without its per-call label
 * conversion, validation and hashing (about 1.5% of a simulated cluster's CPU). It writes into
 * the values prom-client made for the label set (zero()), so /metrics renders them as before; if
 * the histogram was reset meanwhile, or a value is not finite, prom-client's observe does it.
 */
class DurationCell {
  private values: HistogramValues | undefined;
  private key = '';
  private readonly child: client.Histogram.Internal<string>;

  constructor(
    private readonly histogram: client.Histogram<string>,
    private readonly labels: Record<string, string>,
  ) {
    this.child = histogram.labels(labels);
  }

  observe(seconds: number): void {
    const map = (this.histogram as unknown as { hashMap?: Record<string, HistogramValues> }).hashMap;
    let v = this.values;
    if (!map || !Number.isFinite(seconds)) return this.child.observe(seconds);
    if (!v || map[this.key] !== v) {
      v = this.values = this.attach(map);
      if (!v) return this.child.observe(seconds);
    }
    const bounds = (this.histogram as unknown as { upperBounds: number[] }).upperBounds;
    v.sum += seconds;
    v.count += 1;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]) {
        v.bucketValues[bounds[i]] += 1;
        break;
      }
    }
  }

  /** The values prom-client holds for this label set (made by zero() if absent). */
  private attach(map: Record<string, HistogramValues>): HistogramValues | undefined {
    const find = () => {
      for (const k in map) {
        const l = map[k].labels;
        if (l && l.verb === this.labels.verb && l.resource === this.labels.resource && l.scope === this.labels.scope) return k;
      }
      return undefined;
    };
    let k = find();
    if (k === undefined) {
      this.histogram.zero(this.labels);
      k = find();
    }
    if (k === undefined || typeof map[k].bucketValues !== 'object') return undefined;
    this.key = k;
    return map[k];
  }
}
