// Timed faults: each starts at `at` seconds and ends `for` seconds later; stop() ends whatever is
// still on. Every fault is recorded with when it started and ended, and its error if any.
import type { ResourceClient } from '../client/index.ts';
import type { Operation } from './history.ts';
import type { Fault } from './scenario.ts';
import type { ChaosTargets } from './targets.ts';

export const PARTITION_ANNOTATION = 'kubesim.io/partitioned';

export interface FaultRecord {
  fault: string;
  /** ms after the start. */
  at: number;
  healedAt?: number;
  error?: string;
  /** ms from `at` until a recorder request first failed without an answer (5xx, timeout, cut) — the fault was felt. */
  detectedAfterMs?: number;
  /** ms from `healedAt` until the first acknowledged request after the last such failure (0: recovered before the heal). */
  recoveredAfterMs?: number;
}

/**
 * How the recorder's requests felt a fault: the unknown outcomes noticed (answered 5xx, timed out,
 * cut; or sent, if never answered) from its start until `graceMs` after its heal, each counted
 * for the latest fault started before it was noticed (of
 * `all`), so overlapping faults do not share one failure. A fault the workload never felt (a
 * component's, whose link is not the recorder's) has neither figure.
 */
export function faultImpact(f: FaultRecord, ops: readonly Operation[], all: readonly FaultRecord[] = [f], graceMs = 2000): Pick<FaultRecord, 'detectedAfterMs' | 'recoveredAfterMs'> {
  const until = (f.healedAt ?? Infinity) + graceMs;
  const latestBefore = (t: number) => all.filter((g) => g.at <= t).reduce<FaultRecord | undefined>((a, g) => (a && a.at >= g.at ? a : g), undefined);
  const noticed = (o: Operation) => o.end ?? o.start;
  const failed = ops.filter((o) => o.outcome === 'unknown' && noticed(o) >= f.at && noticed(o) <= until && latestBefore(noticed(o)) === f);
  if (failed.length === 0) return {};
  const detectedAfterMs = Math.round(Math.min(...failed.map(noticed)) - f.at);
  const lastFail = Math.max(...failed.map((o) => o.start));
  const ok = ops.find((o) => o.outcome === 'ok' && o.start >= lastFail && o.end !== undefined);
  if (f.healedAt === undefined || !ok) return { detectedAfterMs };
  return { detectedAfterMs, recoveredAfterMs: Math.round(Math.max(0, ok.end! - f.healedAt)) };
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
    case 'storage': {
      const s = f.faults;
      const parts = [s.failCommits && `${s.failCommits}${s.failRate !== undefined && s.failRate < 1 ? ` ${Math.round(s.failRate * 100)}%` : ''}`, s.commitLatencyMs && `commit +${s.commitLatencyMs}ms`, s.readLatencyMs && `read +${s.readLatencyMs}ms`, s.prefix];
      return `storage ${parts.filter(Boolean).join(' ')}`;
    }
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
