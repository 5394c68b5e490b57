// The chaos scenario file (YAML/JSON): a bounded workload of compare-and-set writes on ConfigMaps,
// watchers, optionally Deployments that roll out, and timed faults. Parsing is pure; errors name
// the field. See docs/chaos.md for every field.
//
//   namespace: default        # where the recorder's ConfigMaps and Deployments live
//   objects: 3                # ConfigMaps chaos-0 .. chaos-2
//   clients: 2                # concurrent writer loops
//   operations: 200           # total CAS writes (all clients together), at most 10,000
//   operationsPerSecond: 20   # their pace (default 0: as fast as the cluster answers)
//   durationSeconds: 30       # hard stop of the workload, at most 600
//   watchers: 2               # watchers of the ConfigMaps (each resumes on its own)
//   deployments: 1            # Deployments chaos-<run>-d0 ..; checked for convergence at the end
//   replicas: 2               # per Deployment
//   rolloutAt: 3              # seconds: change the pod template of every Deployment (a rolling update)
//   convergenceSeconds: 60    # deadline, after the last fault heals, for every Deployment to be ready
//   faults:
//     - partition: [node-0]   # annotate kubesim.io/partitioned=true at `at`, remove after `for`
//       at: 2                 # seconds after the start
//       for: 3
//     - kill: scheduler       # SIGKILL (or signal: SIGTERM) the component at `at`, restart it after `for`
//     - proxy: nodes          # the component's connection to the API server: blackhole | reset | latency
//       mode: blackhole
//     - storage: { commitLatencyMs: 50, failCommits: EIO, failRate: 0.3 }
//     - skew: nodes           # the component's clock: offsetMs (default 0), rate (default 1)
//       offsetMs: -120000
import { parse as parseYaml } from 'yaml';

/** Store faults as src/storage/faulty.ts takes them (FaultyStore.set); kept structural so chaos needs no storage import. */
export interface StoreFaults {
  commitLatencyMs?: number;
  readLatencyMs?: number;
  failCommits?: 'EIO' | 'ENOSPC';
  failRate?: number;
  prefix?: string;
}

export const COMPONENTS = ['apiserver', 'scheduler', 'controller-manager', 'nodes'] as const;
export type Component = (typeof COMPONENTS)[number];
export const PROXY_MODES = ['blackhole', 'reset', 'latency'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

interface Timed {
  atSeconds: number;
  forSeconds: number;
}

export interface PartitionFault extends Timed {
  kind: 'partition';
  nodes: string[];
}

/** Kill a component's process (SIGKILL unless told) at `at`, start it again `for` seconds later. */
export interface KillFault extends Timed {
  kind: 'kill';
  component: Component;
  signal: 'SIGKILL' | 'SIGTERM';
}

/** Fault the component's connection to the API server (through its fault proxy) for a while. */
export interface ProxyFault extends Timed {
  kind: 'proxy';
  component: Exclude<Component, 'apiserver'>;
  mode: ProxyMode;
  /** latency: added to every chunk each way (ms). */
  latencyMs: number;
}

/** Storage faults of the API server's store (a FaultyStore) for a while. */
export interface StorageFault extends Timed {
  kind: 'storage';
  faults: StoreFaults;
}

/** A component's clock moved by offsetMs and run at rate for a while (it is restarted with the skewed clock, then with the true one). */
export interface SkewFault extends Timed {
  kind: 'skew';
  component: Exclude<Component, 'apiserver'>;
  offsetMs: number;
  rate: number;
}

export type Fault = PartitionFault | KillFault | ProxyFault | StorageFault | SkewFault;

export interface Scenario {
  namespace: string;
  objects: number;
  clients: number;
  operations: number;
  /** Pace of the rounds, all clients together (0 = as fast as the cluster answers). */
  operationsPerSecond: number;
  durationSeconds: number;
  watchers: number;
  deployments: number;
  replicas: number;
  /** Seconds after the start; undefined = no rollout. */
  rolloutAtSeconds?: number;
  convergenceSeconds: number;
  faults: Fault[];
}

export const LIMITS = { objects: 100, clients: 20, operations: 10_000, operationsPerSecond: 1000, durationSeconds: 600, watchers: 10, deployments: 20, replicas: 50, convergenceSeconds: 600 } as const;

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
const FAULT_KINDS = ['partition', 'kill', 'proxy', 'storage', 'skew'] as const;
const FIELDS: Record<(typeof FAULT_KINDS)[number], string[]> = {
  partition: [],
  kill: ['signal'],
  proxy: ['mode', 'latencyMs'],
  storage: [],
  skew: ['offsetMs', 'rate'],
};
/** At most a day either way; a rate within 0.5x .. 2x. */
const SKEW_LIMITS = { offsetMs: 86_400_000, rateMin: 0.5, rateMax: 2 };
const STORE_FAULT_FIELDS = ['commitLatencyMs', 'readLatencyMs', 'failCommits', 'failRate', 'prefix'];

function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw new ScenarioError(`${field}: must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
  return v as T;
}

function ms(v: unknown, field: string): number {
  if (typeof v !== 'number' || !(v >= 0) || v > 60_000) throw new ScenarioError(`${field}: must be a number of milliseconds from 0 to 60000 (got ${JSON.stringify(v)})`);
  return v;
}

function storeFaults(v: unknown, at: string): StoreFaults {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ScenarioError(`${at}: must be a mapping of ${STORE_FAULT_FIELDS.join(', ')}`);
  const d = v as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!STORE_FAULT_FIELDS.includes(k)) throw new ScenarioError(`${at}.${k}: unknown field (${STORE_FAULT_FIELDS.join(', ')})`);
  const f: StoreFaults = {};
  if (d.commitLatencyMs !== undefined) f.commitLatencyMs = ms(d.commitLatencyMs, `${at}.commitLatencyMs`);
  if (d.readLatencyMs !== undefined) f.readLatencyMs = ms(d.readLatencyMs, `${at}.readLatencyMs`);
  if (d.failCommits !== undefined) f.failCommits = oneOf(d.failCommits, ['EIO', 'ENOSPC'] as const, `${at}.failCommits`);
  if (d.failRate !== undefined) {
    if (typeof d.failRate !== 'number' || !(d.failRate >= 0 && d.failRate <= 1)) throw new ScenarioError(`${at}.failRate: must be a number from 0 to 1 (got ${JSON.stringify(d.failRate)})`);
    f.failRate = d.failRate;
  }
  if (d.prefix !== undefined) {
    if (typeof d.prefix !== 'string' || !d.prefix.startsWith('/')) throw new ScenarioError(`${at}.prefix: must be a storage key prefix such as /registry/core/configmaps/ (got ${JSON.stringify(d.prefix)})`);
    f.prefix = d.prefix;
  }
  if (Object.keys(f).length === 0) throw new ScenarioError(`${at}: names no fault (${STORE_FAULT_FIELDS.join(', ')})`);
  return f;
}

/** One entry of `faults`, validated; `at` is its path for errors. */
export function parseFault(f: unknown, at: string): Fault {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ScenarioError(`${at}: must be a mapping`);
  const d = f as Record<string, unknown>;
  const kinds = FAULT_KINDS.filter((k) => k in d);
  if (kinds.length !== 1) {
    const extra = Object.keys(d).find((k) => !['at', 'for', ...Object.values(FIELDS).flat()].includes(k));
    if (kinds.length === 0 && extra) throw new ScenarioError(`${at}.${extra}: unknown field (faults: ${FAULT_KINDS.join(', ')})`);
    throw new ScenarioError(`${at}: must name exactly one fault of ${FAULT_KINDS.join(', ')}`);
  }
  const kind = kinds[0];
  for (const k of Object.keys(d)) if (k !== kind && k !== 'at' && k !== 'for' && !FIELDS[kind].includes(k)) throw new ScenarioError(`${at}.${k}: unknown field (a ${kind} fault has ${['at', 'for', ...FIELDS[kind]].join(', ')})`);
  const timed: Timed = { atSeconds: seconds(d.at ?? 0, `${at}.at`), forSeconds: seconds(d.for ?? 0, `${at}.for`) };
  const v = d[kind];
  switch (kind) {
    case 'partition':
      if (!Array.isArray(v) || v.length === 0 || !v.every((n) => typeof n === 'string' && DNS1123.test(n))) throw new ScenarioError(`${at}.partition: must be a non-empty list of node names`);
      return { kind, nodes: v as string[], ...timed };
    case 'kill':
      return { kind, component: oneOf(v, COMPONENTS, `${at}.kill`), signal: oneOf(d.signal ?? 'SIGKILL', ['SIGKILL', 'SIGTERM'] as const, `${at}.signal`), ...timed };
    case 'proxy': {
      const mode = oneOf(d.mode ?? 'blackhole', PROXY_MODES, `${at}.mode`);
      if (d.latencyMs !== undefined && mode !== 'latency') throw new ScenarioError(`${at}.latencyMs: only with mode: latency`);
      return { kind, component: oneOf(v, COMPONENTS.filter((c) => c !== 'apiserver'), `${at}.proxy`) as ProxyFault['component'], mode, latencyMs: mode === 'latency' ? ms(d.latencyMs ?? 100, `${at}.latencyMs`) : 0, ...timed };
    }
    case 'storage':
      return { kind, faults: storeFaults(v, `${at}.storage`), ...timed };
    case 'skew': {
      const offsetMs = d.offsetMs ?? 0;
      if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs) || Math.abs(offsetMs) > SKEW_LIMITS.offsetMs) throw new ScenarioError(`${at}.offsetMs: must be a number of milliseconds from -${SKEW_LIMITS.offsetMs} to ${SKEW_LIMITS.offsetMs} (got ${JSON.stringify(offsetMs)})`);
      const rate = d.rate ?? 1;
      if (typeof rate !== 'number' || !(rate >= SKEW_LIMITS.rateMin && rate <= SKEW_LIMITS.rateMax)) throw new ScenarioError(`${at}.rate: must be a number from ${SKEW_LIMITS.rateMin} to ${SKEW_LIMITS.rateMax} (got ${JSON.stringify(rate)})`);
      if (offsetMs === 0 && rate === 1) throw new ScenarioError(`${at}: a skew fault needs offsetMs or rate`);
      return { kind, component: oneOf(v, COMPONENTS.filter((c) => c !== 'apiserver'), `${at}.skew`) as SkewFault['component'], offsetMs, rate, ...timed };
    }
  }
}

export function parseScenario(text: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`not YAML: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ScenarioError('the scenario must be a mapping');
  const d = doc as Record<string, unknown>;
  const known = new Set(['namespace', 'objects', 'clients', 'operations', 'operationsPerSecond', 'durationSeconds', 'watchers', 'deployments', 'replicas', 'rolloutAt', 'convergenceSeconds', 'faults']);
  for (const k of Object.keys(d)) if (!known.has(k)) throw new ScenarioError(`${k}: unknown field`);
  const namespace = d.namespace ?? 'default';
  if (typeof namespace !== 'string' || !DNS1123.test(namespace)) throw new ScenarioError(`namespace: must be a DNS-1123 label (got ${JSON.stringify(namespace)})`);
  const s: Scenario = {
    namespace,
    objects: int(d, 'objects', 3),
    clients: int(d, 'clients', 2),
    operations: int(d, 'operations', 100),
    operationsPerSecond: int(d, 'operationsPerSecond', 0, 0),
    durationSeconds: int(d, 'durationSeconds', 30),
    watchers: int(d, 'watchers', 2, 0),
    deployments: int(d, 'deployments', 0, 0),
    replicas: int(d, 'replicas', 2),
    convergenceSeconds: int(d, 'convergenceSeconds', 60),
    faults: [],
  };
  if (d.rolloutAt !== undefined) {
    if (s.deployments === 0) throw new ScenarioError('rolloutAt: needs deployments');
    s.rolloutAtSeconds = seconds(d.rolloutAt, 'rolloutAt');
    if (s.rolloutAtSeconds > s.durationSeconds) throw new ScenarioError(`rolloutAt: after durationSeconds (${s.durationSeconds})`);
  }
  const faults = d.faults ?? [];
  if (!Array.isArray(faults)) throw new ScenarioError('faults: must be a list');
  faults.forEach((f, i) => {
    const fault = parseFault(f, `faults[${i}]`);
    if (fault.atSeconds + fault.forSeconds > s.durationSeconds) throw new ScenarioError(`faults[${i}]: ends after durationSeconds (${s.durationSeconds})`);
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
