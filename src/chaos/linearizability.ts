// Check (b): per-object linearizability of a compare-and-set register (Knossos/Porcupine style).
// The model: the object's value (undefined = absent). create(v) needs it absent; update(v) sets it;
// cas(expected → v) sets it if it equals expected, else fails; delete removes it; read returns it.
// Search (Wing & Gong / Lowe with memoization, as Porcupine): linearize, one at a time, an
// operation no pending operation must precede (it was invoked before every pending operation's
// response); operations of unknown outcome never respond (end = ∞) and may be left out. Bounded:
// past `budget` explored states the answer is 'unknown'.
import type { Operation } from './history.ts';
import { mulberry32 } from '../clock/index.ts';

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

interface Entry {
  call: boolean;
  time: number;
  op: number;
  /** The call's return entry. */
  match?: Entry;
  prev?: Entry;
  next?: Entry;
}

/** Deterministic 32-bit draws, for the Zobrist hashes of the linearized sets. */
const draws = mulberry32;

/**
 * Whether one object's history is linearizable, starting from `initial` (default: absent).
 * Iterative (Lowe's just-in-time search, as Porcupine): walk the call/return entries in time
 * order; linearize a call whose step is legal and whose (linearized set, state) is new, lifting it
 * out of the list; meeting the return of an operation not yet linearized, backtrack. Returns of
 * unknown outcome sit at ∞: reaching one means every answered operation is linearized.
 */
export function checkObject(ops: readonly Operation[], opts: { budget?: number; initial?: State } = {}): { verdict: Verdict; explored: number } {
  const budget = opts.budget ?? 100_000;
  const hist = ops.filter(informative);
  const entries: Entry[] = [];
  hist.forEach((o, i) => {
    const ret: Entry = { call: false, time: o.outcome === 'unknown' || o.end === undefined ? Infinity : o.end, op: i };
    entries.push({ call: true, time: o.start, op: i, match: ret }, ret);
  });
  // Time order; on a tie calls first (touching operations may be concurrent).
  entries.sort((a, b) => a.time - b.time || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Entry = { call: false, time: -Infinity, op: -1 };
  let prev = head;
  for (const e of entries) {
    e.prev = prev;
    prev.next = e;
    prev = e;
  }
  const rnd = draws(0x9e3779b9);
  const zobrist = hist.map(() => [rnd(), rnd()] as const);
  const lift = (e: Entry) => {
    for (const x of [e, e.match!]) {
      x.prev!.next = x.next;
      if (x.next) x.next.prev = x.prev;
    }
  };
  const unlift = (e: Entry) => {
    for (const x of [e.match!, e]) {
      x.prev!.next = x;
      if (x.next) x.next.prev = x;
    }
  };
  const seen = new Set<string>();
  const stack: { entry: Entry; state: State }[] = [];
  let h1 = 0;
  let h2 = 0;
  let state = opts.initial;
  let explored = 0;
  let entry = head.next;
  while (entry) {
    if (entry.call) {
      const r = step(state, hist[entry.op]);
      if (r) {
        const [z1, z2] = zobrist[entry.op];
        const memo = `${(h1 ^ z1) >>> 0}:${(h2 ^ z2) >>> 0}|${r.next === undefined ? '\u0000' : r.next}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          if (++explored > budget) return { verdict: 'unknown', explored };
          stack.push({ entry, state });
          state = r.next;
          h1 = (h1 ^ z1) >>> 0;
          h2 = (h2 ^ z2) >>> 0;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      if (entry.time === Infinity) break;
      const top = stack.pop();
      if (!top) return { verdict: 'violation', explored };
      state = top.state;
      const [z1, z2] = zobrist[top.entry.op];
      h1 = (h1 ^ z1) >>> 0;
      h2 = (h2 ^ z2) >>> 0;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { verdict: 'linearizable', explored };
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
