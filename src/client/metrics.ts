// prom-client metrics of the client machinery, registered once per process in the default
// registry (each component serves it on /metrics) — or in a registry the caller passes.
import client from 'prom-client';

type Reg = client.Registry;

function once<M>(reg: Reg, name: string, make: () => M): M {
  return ((reg.getSingleMetric(name) as unknown as M) ?? make());
}

export function workqueueMetrics(reg: Reg = client.register) {
  const registers = [reg];
  return {
    depth: once(reg, 'workqueue_depth', () => new client.Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers })),
    adds: once(reg, 'workqueue_adds_total', () => new client.Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers })),
    retries: once(reg, 'workqueue_retries_total', () => new client.Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers })),
    latency: once(reg, 'workqueue_queue_duration_seconds', () =>
      new client.Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested',
        labelNames: ['name'],
        buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100],
        registers,
      })),
    workDuration: once(reg, 'workqueue_work_duration_seconds', () =>
      new client.Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes',
        labelNames: ['name'],
        buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100],
        registers,
      })),
  };
}

export function leaderMetrics(reg: Reg = client.register) {
  const registers = [reg];
  return {
    master: once(reg, 'leader_election_master_status', () =>
      new client.Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'], registers })),
  };
}

export function informerMetrics(reg: Reg = client.register) {
  const registers = [reg];
  return {
    events: once(reg, 'informer_events_total', () =>
      new client.Counter({
        name: 'informer_events_total',
        help: 'Watch events received by informers',
        labelNames: ['resource', 'type'],
        registers,
        collect(this: client.Counter) {
          for (const t of tallies.get(this) ?? []) t.flush();
        },
      })),
    relists: once(reg, 'informer_relists_total', () =>
      new client.Counter({ name: 'informer_relists_total', help: 'Full lists done by informers, by reason: initial, expired (410), stalled (watches without progress)', labelNames: ['resource', 'reason'], registers })),
    watchRestarts: once(reg, 'informer_watch_restarts_total', () =>
      new client.Counter({ name: 'informer_watch_restarts_total', help: 'Watches re-opened from the last seen resourceVersion', labelNames: ['resource'], registers })),
  };
}

/** Tallies not yet added to their counter, by counter (added when the counter is read). */
const tallies = new WeakMap<object, Set<Tally>>();

/**
 * Counts by one label (e.g. a watch event's type) for fixed other labels, kept as numbers and added
 * to `counter` when it is read (the counter's collect; it must call flush), not on every event: a
 * labelled inc() hashes its labels each time, per watch event per informer. close() adds what is
 * left and stops tracking the tally.
 */
export class Tally {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly counter: client.Counter<string>,
    private readonly labels: Record<string, string>,
    private readonly by: string,
  ) {
    let set = tallies.get(counter);
    if (!set) tallies.set(counter, (set = new Set()));
    set.add(this);
  }

  add(value: string): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }

  flush(): void {
    for (const [value, n] of this.counts) if (n > 0) this.counter.inc({ ...this.labels, [this.by]: value }, n);
    this.counts.clear();
  }

  close(): void {
    this.flush();
    tallies.get(this.counter)?.delete(this);
  }
}
