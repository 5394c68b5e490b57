// Timed faults: each starts at `at` seconds and ends `for` seconds later; stop() ends whatever is
// still on. Every fault is recorded with when it started and ended, and its error if any.
import type { ResourceClient } from '../client/index.ts';
import type { Fault } from './scenario.ts';
import type { ChaosTargets } from './targets.ts';

export const PARTITION_ANNOTATION = 'kubesim.io/partitioned';

export interface FaultRecord {
  fault: string;
  /** ms after the start. */
  at: number;
  healedAt?: number;
  error?: string;
}

/** The fault's name in the report. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'partition':
      return `partition ${f.nodes.join(',')}`;
    case 'kill':
      return `${f.signal === 'SIGKILL' ? 'kill -9' : 'kill'} ${f.component}`;
    case 'proxy':
      return `proxy ${f.component} ${f.mode}${f.mode === 'latency' ? ` ${f.latencyMs}ms` : ''}`;
    case 'storage':
      return `storage ${Object.entries(f.faults).map(([k, v]) => `${k}=${v}`).join(',')}`;
    case 'skew':
      return `skew ${f.component}${f.offsetMs ? ` ${f.offsetMs > 0 ? '+' : ''}${f.offsetMs / 1000}s` : ''}${f.rate !== 1 ? ` rate ${f.rate}` : ''}`;
  }
}

/** What starting and ending the fault do. */
function actions(f: Fault, nodes: ResourceClient, t: ChaosTargets): { begin: () => Promise<unknown>; end: () => Promise<unknown> } {
  switch (f.kind) {
    case 'partition': {
      const annotate = (value: string | null) => Promise.all(f.nodes.map((n) => nodes.patch(n, { metadata: { annotations: { [PARTITION_ANNOTATION]: value } } }, { type: 'merge' })));
      return { begin: () => annotate('true'), end: () => annotate(null) };
    }
    case 'kill':
      return { begin: () => t.kill!(f.component, f.signal), end: () => t.start!(f.component) };
    case 'proxy': {
      const p = t.proxy!(f.component)!;
      const begin = async () => (f.mode === 'blackhole' ? p.blackhole() : f.mode === 'reset' ? p.reset() : p.latency(f.latencyMs));
      return { begin, end: async () => p.heal() };
    }
    case 'storage':
      return { begin: async () => t.store!.set(f.faults), end: async () => t.store!.clear() };
    case 'skew':
      return { begin: () => t.skew!(f.component, { offsetMs: f.offsetMs, rate: f.rate }), end: () => t.skew!(f.component, undefined) };
  }
}

export function scheduleFaults(nodes: ResourceClient, faults: readonly Fault[], targets: ChaosTargets, clock: () => number) {
  const records: FaultRecord[] = [];
  const timers: NodeJS.Timeout[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };
  const healers = new Map<FaultRecord, () => Promise<void>>();
  for (const f of faults) {
    const record: FaultRecord = { fault: describeFault(f), at: f.atSeconds * 1000 };
    const { begin, end } = actions(f, nodes, targets);
    let begun: Promise<unknown> = Promise.resolve();
    const heal = async () => {
      if (!healers.delete(record)) return;
      await begun;
      await end().catch((e) => (record.error ??= `heal: ${(e as Error).message}`));
      record.healedAt = Math.round(clock());
    };
    timers.push(
      setTimeout(() => {
        records.push(record);
        record.at = Math.round(clock());
        healers.set(record, heal);
        begun = track(begin().catch((e) => (record.error = (e as Error).message)));
        timers.push(setTimeout(() => void track(heal()), f.forSeconds * 1000));
      }, f.atSeconds * 1000),
    );
  }
  return {
    records,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await Promise.all([...pending]);
      await Promise.all([...healers.values()].map((h) => h()));
    },
  };
}
