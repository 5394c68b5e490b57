// The "load" profile's call mix (after clusterloader2's load test: Deployments, Services,
// ConfigMaps and Secrets created, scaled and deleted, plus GETs and LISTs), as pure decisions:
// the weighted schedule of operations, and turning one operation into a concrete call given what
// the run has created so far.

import { mulberry32 } from '../clock/index.ts';

export type LoadKind = 'deployments' | 'services' | 'configmaps' | 'secrets';
export const LOAD_KINDS: readonly LoadKind[] = ['deployments', 'services', 'configmaps', 'secrets'];

export type MixOp = 'create' | 'scale' | 'delete' | 'get' | 'list';

export interface MixEntry {
  op: MixOp;
  kind: LoadKind;
  /** For list: a namespace's collection or the cluster's. */
  scope?: 'namespace' | 'cluster';
  weight: number;
}

/** Writes about 45% of the calls (creates ahead of deletes until the caps hold), reads the rest. */
export const LOAD_MIX: readonly MixEntry[] = [
  { op: 'create', kind: 'deployments', weight: 2 },
  { op: 'scale', kind: 'deployments', weight: 2 },
  { op: 'delete', kind: 'deployments', weight: 1 },
  { op: 'create', kind: 'services', weight: 1 },
  { op: 'delete', kind: 'services', weight: 1 },
  { op: 'create', kind: 'configmaps', weight: 2 },
  { op: 'delete', kind: 'configmaps', weight: 1 },
  { op: 'create', kind: 'secrets', weight: 2 },
  { op: 'delete', kind: 'secrets', weight: 1 },
  ...LOAD_KINDS.map((kind) => ({ op: 'get' as const, kind, weight: 2 })),
  ...LOAD_KINDS.map((kind) => ({ op: 'list' as const, kind, scope: 'namespace' as const, weight: 1 })),
  { op: 'list', kind: 'configmaps', scope: 'cluster', weight: 1 },
  { op: 'list', kind: 'deployments', scope: 'cluster', weight: 1 },
];

/**
 * Smooth weighted round robin (nginx's): the first n picks as indices into entries. Each entry
 * appears in proportion to its weight and the heavy ones are spread out, not bunched.
 */
export function schedule(entries: readonly { weight: number }[], n: number): number[] {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  const current = entries.map(() => 0);
  const out: number[] = [];
  for (let k = 0; k < n && total > 0; k++) {
    let best = 0;
    for (let i = 0; i < entries.length; i++) {
      current[i] += entries[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push(best);
  }
  return out;
}

export interface LiveObject {
  namespace: string;
  name: string;
}

export interface MixState {
  namespaces: readonly string[];
  /** Objects created (answered 201) and not yet deleted, oldest first. */
  live: Record<LoadKind, LiveObject[]>;
  /** At most this many live objects per kind: a create beyond it deletes the oldest instead. */
  capPerKind: number;
  /** Replicas of created and scaled Deployments: 0 (scale only) .. maxReplicas. */
  maxReplicas: number;
}

export type Action =
  | { verb: 'POST'; kind: LoadKind; scope: 'resource'; namespace: string; name: string; replicas?: number }
  | { verb: 'PATCH'; kind: LoadKind; scope: 'resource'; namespace: string; name: string; replicas: number }
  | { verb: 'DELETE' | 'GET'; kind: LoadKind; scope: 'resource'; namespace: string; name: string }
  | { verb: 'LIST'; kind: LoadKind; scope: 'namespace'; namespace: string }
  | { verb: 'LIST'; kind: LoadKind; scope: 'cluster' };

/** The shorthand of a kind in object names. */
const SHORT: Record<LoadKind, string> = { deployments: 'deploy', services: 'svc', configmaps: 'cm', secrets: 'secret' };

/**
 * The call for operation `e` as the `seq`-th of the run: a scale, delete or get of a kind with no
 * live object creates one instead; a create at the cap deletes the oldest instead. rnd() in [0, 1).
 */
export function resolveAction(e: MixEntry, state: MixState, seq: number, rnd: () => number): Action {
  const live = state.live[e.kind];
  const pick = () => live[Math.floor(rnd() * live.length)];
  const ns = state.namespaces[seq % state.namespaces.length];
  const create = (): Action => ({ verb: 'POST', kind: e.kind, scope: 'resource', namespace: ns, name: `${SHORT[e.kind]}-${seq}`, ...(e.kind === 'deployments' ? { replicas: 1 + Math.floor(rnd() * state.maxReplicas) } : {}) });
  switch (e.op) {
    case 'create':
      if (live.length >= state.capPerKind) return { verb: 'DELETE', kind: e.kind, scope: 'resource', ...live[0] };
      return create();
    case 'scale': {
      if (live.length === 0) return create();
      return { verb: 'PATCH', kind: e.kind, scope: 'resource', ...pick(), replicas: Math.floor(rnd() * (state.maxReplicas + 1)) };
    }
    case 'delete':
    case 'get':
      if (live.length === 0) return create();
      return { verb: e.op === 'get' ? 'GET' : 'DELETE', kind: e.kind, scope: 'resource', ...pick() };
    case 'list':
      return e.scope === 'cluster' ? { verb: 'LIST', kind: e.kind, scope: 'cluster' } : { verb: 'LIST', kind: e.kind, scope: 'namespace', namespace: ns };
  }
}

/** What an issued action does to the state: a delete forgets its object at once (no later call picks it); a create is added when answered. */
export function forget(state: MixState, a: Action): void {
  if (a.verb !== 'DELETE') return;
  const live = state.live[a.kind];
  const i = live.findIndex((o) => o.namespace === a.namespace && o.name === a.name);
  if (i >= 0) live.splice(i, 1);
}

/** A small seeded PRNG (mulberry32) so a run's mix is reproducible. */
export function seededRandom(seed: number): () => number {
  const u32 = mulberry32(seed);
  return () => u32() / 4294967296;
}

/** Churn: keep up to `window` pods; below it create, at it delete the oldest. */
export function churnStep(live: number, window: number): 'create' | 'delete' {
  return live < window ? 'create' : 'delete';
}

export interface DensityDeployment {
  namespace: number;
  name: string;
  replicas: number;
}

/**
 * Density: `total` pods as Deployments of `perDeployment` replicas (the last one takes the
 * remainder), at most `perNamespace` Deployments per namespace.
 */
export function densityPlan(total: number, perDeployment: number, perNamespace = 100): DensityDeployment[] {
  const out: DensityDeployment[] = [];
  for (let left = total, i = 0; left > 0; i++) {
    const replicas = Math.min(perDeployment, left);
    out.push({ namespace: Math.floor(i / perNamespace), name: `density-${i}`, replicas });
    left -= replicas;
  }
  return out;
}
