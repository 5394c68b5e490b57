// The scheduler's Prometheus metrics (names as kube-scheduler's), on a registry per scheduler so
// several in one process do not collide.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function schedulerMetrics(registry = new Registry(), lengths?: () => Record<string, number>, cacheSizes?: () => Record<string, number>) {
  const attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result (scheduled, unschedulable, error) and profile.',
    labelNames: ['result', 'profile'],
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
    labelNames: ['result', 'profile'],
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const e2e = new Histogram({
    name: 'scheduler_e2e_scheduling_duration_seconds',
    help: 'E2e scheduling latency in seconds: from the first attempt to the pod bound (or found unschedulable).',
    labelNames: ['result', 'profile'],
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const algorithm = new Histogram({
    name: 'scheduler_scheduling_algorithm_duration_seconds',
    help: 'Scheduling algorithm (filter + score) latency in seconds.',
    buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type: active, backoff, unschedulable.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      if (!lengths) return;
      for (const [q, n] of Object.entries(lengths())) this.set({ queue: q }, n);
    },
  });
  const cacheSize = new Gauge({
    name: 'scheduler_cache_size',
    help: 'Number of nodes, pods, and assumed pods in the scheduler cache.',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      if (!cacheSizes) return;
      for (const [t, n] of Object.entries(cacheSizes())) this.set({ type: t }, n);
    },
  });
  return { registry, attempts, attemptDuration, e2e, algorithm, pending, cacheSize };
}

export type SchedulerMetrics = ReturnType<typeof schedulerMetrics>;
