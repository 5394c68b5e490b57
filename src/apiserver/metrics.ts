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
  const totals = new Map<string, client.Counter.Internal>();
  const durations = new Map<string, client.Histogram.Internal<string>>();
  return {
    registry,
    watchers,
    revision,
    observe(verb, resource, code, seconds, scope = '') {
      const k = `${verb}\u0000${resource}`;
      const ks = `${k}\u0000${scope}`;
      // a watch lasts as long as the client wants: its duration says nothing about latency
      if (verb !== 'WATCH') {
        let d = durations.get(ks);
        if (!d) durations.set(ks, (d = duration.labels(verb, resource, scope)));
        d.observe(seconds);
      }
      const kc = `${k}\u0000${code}`;
      let t = totals.get(kc);
      if (!t) totals.set(kc, (t = total.labels(verb, resource, String(code))));
      t.inc();
    },
  };
}
