// What a chaos run can fault besides the API: the components' processes (kill, start), each
// component's fault proxy to the API server, and the API server's store. A run checks up front
// that the scenario's faults have the targets they need.
import type { FaultProxy } from './proxy.ts';
import type { Component, Fault, StoreFaults } from './scenario.ts';

export interface ChaosTargets {
  /** Signals the component's process and waits until it is gone. */
  kill?(component: Component, signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts the component again (same flags, same data dir) and waits until it is up. */
  start?(component: Component): Promise<void>;
  /** The fault proxy between the component and the API server. */
  proxy?(component: Exclude<Component, 'apiserver'>): FaultProxy | undefined;
  /** The API server's store when it runs in this process: a FaultyStore (src/storage/faulty.ts). */
  store?: { set(faults: StoreFaults): void; clear(): void };
  /** Runs the component on a clock moved by offsetMs and run at rate (undefined: the true clock again). */
  skew?(component: Exclude<Component, 'apiserver'>, skew: { offsetMs: number; rate: number } | undefined): Promise<void>;
  /**
   * From now on, each time the API server is down (killed, before it starts again), read the
   * store's events under `keyPrefix` (a storage key prefix) after the last revision read (first
   * `fromRevision`): the watch check's reference order across a restart. The getter gives what
   * was read so far and the store's revision at the last read (undefined: never down).
   */
  captureHistory?(keyPrefix: string, fromRevision: number): () => CapturedHistory;
}

export interface CapturedHistory {
  events: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; revision: number }[];
  /** The store's revision at the last read: the restarted API server's watch cache starts there. */
  revision?: number;
  /** Why a read failed (the history is then incomplete). */
  error?: string;
}

/** Why a fault cannot run against these targets (undefined = it can). */
export function missingTarget(f: Fault, t: ChaosTargets): string | undefined {
  switch (f.kind) {
    case 'partition':
      return undefined;
    case 'kill':
      return t.kill && t.start ? undefined : `killing ${f.component} needs the components as processes (kubesim chaos run --processes)`;
    case 'proxy':
      return t.proxy?.(f.component) ? undefined : `a proxy fault on ${f.component} needs its fault proxy (kubesim chaos run --processes)`;
    case 'storage':
      return t.store ? undefined : 'a storage fault needs a handle on the API server\'s store (kubesim chaos run --processes, or --storage-faults-file F with kubesim up|apiserver --storage-faults-file F)';
    case 'skew':
      return t.skew ? undefined : `skewing the clock of ${f.component} needs the components as processes (kubesim chaos run --processes)`;
  }
}
