// Prometheus metrics of a node pool (its own registry, so several pools can live in one process).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

interface PoolView {
  nodes: Map<string, unknown>;
  pods: Map<string, unknown>;
  writer: { pending(): number[]; inFlight: number; concurrency: number; stats: { droppedEvents: number; donePerPriority: number[]; urgent: number } };
}

export class PoolMetrics {
  readonly registry = new Registry();
  readonly leaseRenewals = new Counter({ name: 'kubesim_node_lease_renewals_total', help: 'Lease renewals written', registers: [this.registry] });
  readonly leaseLag = new Histogram({
    name: 'kubesim_node_lease_renewal_lag_seconds',
    help: 'Delay between a renewal being due and its timer firing',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly nodeStatusWrites = new Counter({ name: 'kubesim_node_status_updates_total', help: 'NodeStatus writes', registers: [this.registry] });
  readonly podStatusWrites = new Counter({ name: 'kubesim_pod_status_updates_total', help: 'Pod status writes', registers: [this.registry] });
  readonly podsAdmitted = new Counter({ name: 'kubesim_pods_admitted_total', help: 'Pods taken on by the pool (admitted or rejected)', registers: [this.registry] });
  readonly podsRejected = new Counter({ name: 'kubesim_pods_rejected_total', help: 'Pods rejected by node admission', registers: [this.registry] });
  readonly podsEvicted = new Counter({ name: 'kubesim_pods_evicted_total', help: 'Pods evicted under simulated node pressure', registers: [this.registry] });
  readonly podsRemoved = new Counter({ name: 'kubesim_pods_removed_total', help: 'Pods whose graceful deletion the pool finished', registers: [this.registry] });
  readonly containerStarts = new Counter({ name: 'kubesim_container_starts_total', help: 'Simulated container starts', registers: [this.registry] });
  readonly events = new Counter({ name: 'kubesim_node_events_total', help: 'Events recorded by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly writeErrors = new Counter({ name: 'kubesim_node_write_errors_total', help: 'Failed API writes', registers: [this.registry] });
  readonly podStartup = new Histogram({
    name: 'kubesim_pod_startup_seconds',
    help: 'Pod creation to first Running status written',
    buckets: [0.5, 1, 2, 3, 5, 10, 20, 30, 60],
    registers: [this.registry],
  });

  constructor(view: PoolView) {
    new Gauge({ name: 'kubesim_nodes', help: 'Simulated nodes in this pool', registers: [this.registry], collect() { this.set(view.nodes.size); } });
    new Gauge({ name: 'kubesim_pods', help: 'Pods tracked by this pool', registers: [this.registry], collect() { this.set(view.pods.size); } });
    new Gauge({
      name: 'kubesim_node_write_queue_depth',
      help: 'Queued writes by priority',
      labelNames: ['priority'],
      registers: [this.registry],
      collect() {
        const p = view.writer.pending();
        ['lease', 'node', 'pod', 'event'].forEach((n, i) => this.set({ priority: n }, p[i]));
      },
    });
    new Gauge({
      name: 'kubesim_node_writes_done',
      help: 'Writes completed by priority since the pool started',
      labelNames: ['priority'],
      registers: [this.registry],
      collect() {
        const d = view.writer.stats.donePerPriority;
        ['lease', 'node', 'pod', 'event'].forEach((n, i) => this.set({ priority: n }, d[i]));
      },
    });
    new Gauge({ name: 'kubesim_node_urgent_writes', help: 'Writes sent before all others (Lease renewals of nodes half their lease duration without one)', registers: [this.registry], collect() { this.set(view.writer.stats.urgent); } });
    new Gauge({ name: 'kubesim_node_write_concurrency', help: 'Writes the pool may have in flight', registers: [this.registry], collect() { this.set(view.writer.concurrency); } });
    new Gauge({ name: 'kubesim_node_writes_in_flight', help: 'Writes in flight', registers: [this.registry], collect() { this.set(view.writer.inFlight); } });
    new Gauge({
      name: 'kubesim_node_events_dropped',
      help: 'Events dropped because the queue was full',
      registers: [this.registry],
      collect() {
        this.set(view.writer.stats.droppedEvents);
      },
    });
  }
}
