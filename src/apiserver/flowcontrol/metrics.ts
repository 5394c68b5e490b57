// apiserver_flowcontrol_* metrics (Kubernetes' names and labels), in the API server's registry.
import client from 'prom-client';

export interface FlowMetrics {
  inqueue: client.Gauge<'priority_level' | 'flow_schema'>;
  executing: client.Gauge<'priority_level' | 'flow_schema'>;
  executingSeats: client.Gauge<'priority_level' | 'flow_schema'>;
  rejected: client.Counter<'flow_schema' | 'priority_level' | 'reason'>;
  dispatched: client.Counter<'priority_level' | 'flow_schema'>;
  waitDuration: client.Histogram<'priority_level' | 'flow_schema' | 'execute'>;
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
    waitDuration: new client.Histogram({
      name: 'apiserver_flowcontrol_request_wait_duration_seconds',
      help: 'Length of time a request spent waiting in its queue',
      labelNames: ['priority_level', 'flow_schema', 'execute'],
      buckets: [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30],
      registers,
    }),
    nominalLimit: new client.Gauge({ name: 'apiserver_flowcontrol_nominal_limit_seats', help: 'Nominal number of execution seats configured for each priority level', labelNames: ['priority_level'], registers }),
  };
}
