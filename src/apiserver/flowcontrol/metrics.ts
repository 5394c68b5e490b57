// apiserver_flowcontrol_* metrics (Kubernetes' names and labels), in the API server's registry.
import client from 'prom-client';

export interface FlowMetrics {
  inqueue: client.Gauge<'priority_level' | 'flow_schema'>;
  executing: client.Gauge<'priority_level' | 'flow_schema'>;
  executingSeats: client.Gauge<'priority_level' | 'flow_schema'>;
  rejected: client.Counter<'flow_schema' | 'priority_level' | 'reason'>;
  dispatched: client.Counter<'priority_level' | 'flow_schema'>;
  waitDuration: LocalHistogram<'priority_level' | 'flow_schema' | 'execute'>;
  nominalLimit: client.Gauge<'priority_level'>;
  /** Hands counts kept as plain numbers (executing, dispatched) to the metrics above; run when they are read. */
  flush: Set<() => void>;
}

export function createFlowMetrics(registry: client.Registry): FlowMetrics {
  const registers = [registry];
  const pf = ['priority_level', 'flow_schema'] as const;
  const flush = new Set<() => void>();
  const collect = () => {
    for (const f of flush) f();
  };
  return {
    flush,
    inqueue: new client.Gauge({ name: 'apiserver_flowcontrol_current_inqueue_requests', help: 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', labelNames: pf, registers }),
    executing: new client.Gauge({ name: 'apiserver_flowcontrol_current_executing_requests', help: 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', labelNames: pf, registers, collect }),
    executingSeats: new client.Gauge({ name: 'apiserver_flowcontrol_current_executing_seats', help: 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem', labelNames: pf, registers, collect }),
    rejected: new client.Counter({ name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Number of requests rejected by API Priority and Fairness subsystem', labelNames: ['flow_schema', 'priority_level', 'reason'], registers, collect }),
    dispatched: new client.Counter({ name: 'apiserver_flowcontrol_dispatched_requests_total', help: 'Number of requests executed by API Priority and Fairness subsystem', labelNames: pf, registers, collect }),
    waitDuration: new LocalHistogram(
      registry,
      'apiserver_flowcontrol_request_wait_duration_seconds',
      'Length of time a request spent waiting in its queue',
      ['priority_level', 'flow_schema', 'execute'],
      [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30],
    ),
    nominalLimit: new client.Gauge({ name: 'apiserver_flowcontrol_nominal_limit_seats', help: 'Nominal number of execution seats configured for each priority level', labelNames: ['priority_level'], registers }),
  };
}

interface HistogramValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label set's counts: observe() is a bucket search and three additions. */
export interface HistogramChild {
  observe(v: number): void;
}

class Series implements HistogramChild {
  /** Per bucket (not cumulative); the last one is above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/**
 * A histogram whose per-request observe() is plain arithmetic on a child bound once per label set:
 * prom-client's Histogram validates and hashes the labels on every observe, even through labels().
 * Registered in a prom-client Registry as a metric of its own; its exposition is prom-client's
 * (cumulative _bucket lines with `le` first, +Inf, _sum, _count).
 */
export class LocalHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private series = new Map<string, Series>();

  constructor(
    registry: client.Registry,
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly buckets: readonly number[],
  ) {
    registry.registerMetric(this as unknown as client.Metric);
  }

  /** The child of one label set (keep it: this call builds a key). */
  labels(labels: Record<L, string>): HistogramChild {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new Series({ ...labels }, this.buckets)));
    return s;
  }

  /** What a prom-client Registry reads of a metric; a label set appears once observed (as with prom-client). */
  get(): Promise<{ name: string; help: string; type: 'histogram'; values: HistogramValue[]; aggregator: string }> {
    const values: HistogramValue[] = [];
    for (const s of this.series.values()) {
      if (s.count === 0) continue;
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += s.counts[i];
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
