// Check (b): per-object linearizability of a compare-and-set register (Knossos/Porcupine style).
// The model: the object's value (undefined = absent). create(v) needs it absent; update(v) sets it;
// cas(expected → v) sets it if it equals expected, else fails; delete removes it; read returns it.
// Search (Wing & Gong with memoization, as Porcupine): linearize, one at a time, an operation no
// pending operation must precede (it was invoked before every pending operation's response);
// operations of unknown outcome never respond (end = ∞) and may be left out. Bounded: past
// `budget` explored states the answer is 'unknown'.
import type { Operation } from './history.ts';

export type Verdict = 'linearizable' | 'violation' | 'unknown';

export interface ObjectVerdict {
  key: string;
  verdict: Verdict;
  operations: number;
  explored: number;
}

export interface LinearizabilityReport {
  objects: number;
  linearizable: number;
  violations: number;
  unknown: number;
  details: ObjectVerdict[];
}

type State = string | undefined;

/** The register's step: the next state if `op` with its observed outcome is legal in `state`, else null. */
export function step(state: State, op: Operation): { next: State } | null {
  const ok = op.outcome !== 'fail';
  switch (op.kind) {
    case 'read':
      return state === op.read ? { next: state } : null;
    case 'create':
      if (ok) return state === undefined ? { next: op.value } : null;
      return state !== undefined ? { next: state } : null;
    case 'update':
      if (ok) return state !== undefined ? { next: op.value } : null;
      return state === undefined ? { next: state } : null;
    case 'cas':
      if (ok) return state !== undefined && state === op.expected ? { next: op.value } : null;
      return state !== op.expected ? { next: state } : null;
    case 'delete':
      if (ok) return state !== undefined ? { next: undefined } : null;
      return state === undefined ? { next: state } : null;
  }
}

/**
 * Whether an operation says something about the register: unanswered or failed reads do not, nor
 * refusals other than 404/409 (a 422 or 403 is about the request, not the object's state).
 */
export function informative(op: Operation): boolean {
  if (op.kind === 'read') return op.outcome === 'ok';
  if (op.outcome === 'fail') return op.status === undefined || op.status === 404 || op.status === 409;
  return true;
}

/** Whether one object's history is linearizable, starting from `initial` (default: absent). */
export function checkObject(ops: readonly Operation[], opts: { budget?: number; initial?: State } = {}): { verdict: Verdict; explored: number } {
  const budget = opts.budget ?? 100_000;
  const hist = ops.filter(informative);
  const n = hist.length;
  const end = hist.map((o) => (o.outcome === 'unknown' || o.end === undefined ? Infinity : o.end));
  const required = hist.map((o) => o.outcome !== 'unknown');
  const seen = new Set<string>();
  let explored = 0;
  let exhausted = false;

  const search = (done: bigint, state: State, left: number): boolean => {
    if (left === 0) return true;
    const memo = `${done.toString(36)}|${state === undefined ? '\u0000' : state}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    if (++explored > budget) {
      exhausted = true;
      return false;
    }
    let minEnd = Infinity;
    for (let i = 0; i < n; i++) if (!(done & (1n << BigInt(i))) && end[i] < minEnd) minEnd = end[i];
    for (let i = 0; i < n; i++) {
      const bit = 1n << BigInt(i);
      if (done & bit || hist[i].start > minEnd) continue;
      const r = step(state, hist[i]);
      if (!r) continue;
      if (search(done | bit, r.next, left - (required[i] ? 1 : 0))) return true;
      if (exhausted) return false;
    }
    return false;
  };
  const ok = search(0n, opts.initial, required.filter(Boolean).length);
  return { verdict: ok ? 'linearizable' : exhausted ? 'unknown' : 'violation', explored };
}

/** Checks every object of the history on its own (a register per key). */
export function checkLinearizability(operations: readonly Operation[], opts: { budget?: number } = {}): LinearizabilityReport {
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  const report: LinearizabilityReport = { objects: byKey.size, linearizable: 0, violations: 0, unknown: 0, details: [] };
  for (const [key, ops] of byKey) {
    const r = checkObject(ops, opts);
    report.details.push({ key, verdict: r.verdict, operations: ops.length, explored: r.explored });
    if (r.verdict === 'linearizable') report.linearizable++;
    else if (r.verdict === 'violation') report.violations++;
    else report.unknown++;
  }
  return report;
}
