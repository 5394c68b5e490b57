// The chaos scenario file (YAML/JSON): a bounded workload of compare-and-set writes on ConfigMaps,
// watchers, and timed faults. Parsing is pure; errors name the field.
//
//   namespace: default        # where the recorder's ConfigMaps live
//   objects: 3                # ConfigMaps chaos-0 .. chaos-2
//   clients: 2                # concurrent writer loops
//   operations: 200           # total CAS writes (all clients together), at most 10,000
//   durationSeconds: 30       # hard stop of the workload, at most 600
//   watchers: 2               # watchers of the ConfigMaps (each resumes on its own)
//   faults:
//     - partition: [node-0]   # annotate kubesim.io/partitioned=true at `at`, remove after `for`
//       at: 2                 # seconds after the start
//       for: 3
import { parse as parseYaml } from 'yaml';

export interface PartitionFault {
  kind: 'partition';
  nodes: string[];
  atSeconds: number;
  forSeconds: number;
}

export type Fault = PartitionFault;

export interface Scenario {
  namespace: string;
  objects: number;
  clients: number;
  operations: number;
  durationSeconds: number;
  watchers: number;
  faults: Fault[];
}

export const LIMITS = { objects: 100, clients: 20, operations: 10_000, durationSeconds: 600, watchers: 10 } as const;

export class ScenarioError extends Error {}

function int(doc: Record<string, unknown>, field: keyof typeof LIMITS, dflt: number, min = 1): number {
  const v = doc[field] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > LIMITS[field]) {
    throw new ScenarioError(`${field}: must be an integer from ${min} to ${LIMITS[field]} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function seconds(v: unknown, field: string): number {
  if (typeof v !== 'number' || !(v >= 0) || v > LIMITS.durationSeconds) throw new ScenarioError(`${field}: must be a number of seconds from 0 to ${LIMITS.durationSeconds} (got ${JSON.stringify(v)})`);
  return v;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseScenario(text: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`not YAML: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ScenarioError('the scenario must be a mapping');
  const d = doc as Record<string, unknown>;
  const known = new Set(['namespace', 'objects', 'clients', 'operations', 'durationSeconds', 'watchers', 'faults']);
  for (const k of Object.keys(d)) if (!known.has(k)) throw new ScenarioError(`${k}: unknown field`);
  const namespace = d.namespace ?? 'default';
  if (typeof namespace !== 'string' || !DNS1123.test(namespace)) throw new ScenarioError(`namespace: must be a DNS-1123 label (got ${JSON.stringify(namespace)})`);
  const s: Scenario = {
    namespace,
    objects: int(d, 'objects', 3),
    clients: int(d, 'clients', 2),
    operations: int(d, 'operations', 100),
    durationSeconds: int(d, 'durationSeconds', 30),
    watchers: int(d, 'watchers', 2, 0),
    faults: [],
  };
  const faults = d.faults ?? [];
  if (!Array.isArray(faults)) throw new ScenarioError('faults: must be a list');
  faults.forEach((f, i) => {
    const at = `faults[${i}]`;
    if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ScenarioError(`${at}: must be a mapping`);
    const { partition, at: start, for: length, ...rest } = f as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra) throw new ScenarioError(`${at}.${extra}: unknown field (faults: partition)`);
    if (!Array.isArray(partition) || partition.length === 0 || !partition.every((n) => typeof n === 'string' && DNS1123.test(n))) {
      throw new ScenarioError(`${at}.partition: must be a non-empty list of node names`);
    }
    const fault: PartitionFault = { kind: 'partition', nodes: partition as string[], atSeconds: seconds(start ?? 0, `${at}.at`), forSeconds: seconds(length ?? 0, `${at}.for`) };
    if (fault.atSeconds + fault.forSeconds > s.durationSeconds) throw new ScenarioError(`${at}: ends after durationSeconds (${s.durationSeconds})`);
    s.faults.push(fault);
  });
  return s;
}

/** Whether a server URL is on loopback (chaos runs refuse anything else). */
export function isLoopback(server: string): boolean {
  let host: string;
  try {
    host = new URL(server).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
