// The inputs `kubesim simulate` reads besides the scenario: --from-snapshot FILE (src/snapshot) and
// --replay trace.jsonl (src/snapshot/trace.ts). Without a scenario, a default one runs for an hour
// (or the trace's length plus a minute) with no node groups of its own.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../api/types.ts';
import { parseSnapshot, parseTrace, type TraceEvent } from '../../snapshot/index.ts';
import type { Scenario } from '../../simulate/index.ts';

export interface InputFlags {
  fromSnapshot?: string;
  replay?: string;
}

export function replayInput(o: InputFlags): TraceEvent[] | undefined {
  return o.replay === undefined ? undefined : parseTrace(readFileSync(o.replay, 'utf8'));
}

/** A trace's length plus a minute for the cluster to react. */
export const traceDuration = (trace: TraceEvent[]) => (trace.at(-1)?.t ?? 0) + 60_000;

export function snapshotInput(o: InputFlags): KubeObject[] | undefined {
  return o.fromSnapshot === undefined ? undefined : parseSnapshot(readFileSync(o.fromSnapshot, 'utf8'));
}

/** The scenario when none is given: only the snapshot's (or trace's) nodes and objects. */
export function defaultScenario(name: string, durationMs = 3_600_000): Scenario {
  return { name, duration: durationMs, measure: 60_000, nodeGroups: [], scheduler: { policy: 'spread' }, actions: [], generators: [], faults: [], assertions: [] };
}
