// The three profiles' call loops: density (Deployments until N×pods-per-node pods are Ready),
// load (the mix of mix.ts at a steady rate) and churn (pods created and deleted at a steady rate).
import type { Client } from '../client/index.ts';
import { sleep } from '../client/index.ts';
import { churnStep, densityPlan, forget, LOAD_KINDS, LOAD_MIX, resolveAction, schedule, seededRandom, type Action, type LoadKind, type MixState } from './mix.ts';
import { deployment, mixObject, pod, REFS, RUN_LABEL } from './objects.ts';
import type { Pacer, PaceResult } from './pacer.ts';
import type { Recorder } from './requests.ts';
import type { PodTimes } from './startup.ts';

export interface ProfileContext {
  client: Client;
  run: string;
  namespaces: string[];
  recorder: Recorder;
  pacer: Pacer;
  /** Pod times by uid, kept current by the run's pod watch. */
  pods: Map<string, PodTimes>;
  nodes: number;
  podsPerNode: number;
  qps: number;
  durationMs: number;
  signal?: AbortSignal;
  seed: number;
  /** Adds a profile-specific tail to the progress line. */
  setStatus(f: () => string): void;
}

const readyCount = (pods: Map<string, PodTimes>) => {
  let n = 0;
  for (const t of pods.values()) if (t.readyMs !== undefined) n++;
  return n;
};

export async function runDensity(c: ProfileContext): Promise<{ issued: number; targetPods: number; readyPods: number; timedOut: boolean }> {
  const target = c.nodes * c.podsPerNode;
  const plan = densityPlan(target, c.podsPerNode);
  const deadline = performance.now() + c.durationMs;
  const deployments = c.client.resource(REFS.deployments);
  let next = 0;
  c.setStatus(() => `  deployments ${next}/${plan.length}  pods ready ${readyCount(c.pods)}/${target}`);
  const r = await c.pacer.run({ qps: c.qps, durationMs: c.durationMs, signal: c.signal, done: () => next >= plan.length }, async () => {
    const d = plan[next++];
    const ns = c.namespaces[d.namespace % c.namespaces.length];
    await c.recorder.time('POST', 'deployments', 'resource', () => deployments.create(deployment(c.run, ns, d.name, d.replicas)));
  });
  while (readyCount(c.pods) < target && performance.now() < deadline && !c.signal?.aborted) await sleep(200);
  return { issued: r.issued, targetPods: target, readyPods: readyCount(c.pods), timedOut: readyCount(c.pods) < target && !c.signal?.aborted };
}

/** Executes one mix action through the client, timing it. */
function execute(c: ProfileContext, state: MixState, a: Action): Promise<unknown> {
  const rc = c.client.resource(REFS[a.kind]);
  const t = <T>(fn: () => Promise<T>) => c.recorder.time(a.verb, a.kind, a.scope, fn);
  switch (a.verb) {
    case 'POST':
      return t(() => rc.create(mixObject(a.kind, c.run, a.namespace, a.name, a.replicas))).then(() => state.live[a.kind].push({ namespace: a.namespace, name: a.name }));
    case 'PATCH':
      return t(() => rc.patch(a.name, { spec: { replicas: a.replicas } }, { namespace: a.namespace, type: 'merge' }));
    case 'DELETE':
      return t(() => rc.delete(a.name, { namespace: a.namespace, propagationPolicy: 'Background' }));
    case 'GET':
      return t(() => rc.get(a.name, { namespace: a.namespace }));
    case 'LIST':
      return t(() => (a.scope === 'namespace' ? rc.list({ namespace: a.namespace }) : rc.list({ labelSelector: `${RUN_LABEL}=${c.run}` })));
  }
}

export async function runMix(c: ProfileContext): Promise<PaceResult> {
  const cycle = schedule(LOAD_MIX, LOAD_MIX.reduce((s, e) => s + e.weight, 0));
  const rnd = seededRandom(c.seed);
  const state: MixState = {
    namespaces: c.namespaces,
    live: Object.fromEntries(LOAD_KINDS.map((k) => [k, []])) as unknown as Record<LoadKind, { namespace: string; name: string }[]>,
    capPerKind: Math.max(10, 10 * c.namespaces.length),
    maxReplicas: 3,
  };
  c.setStatus(() => `  live ${LOAD_KINDS.map((k) => `${k} ${state.live[k].length}`).join(', ')}`);
  return c.pacer.run({ qps: c.qps, durationMs: c.durationMs, signal: c.signal }, async (seq) => {
    const a = resolveAction(LOAD_MIX[cycle[seq % cycle.length]], state, seq, rnd);
    forget(state, a);
    await execute(c, state, a);
  });
}

export async function runChurn(c: ProfileContext): Promise<PaceResult> {
  const pods = c.client.resource(REFS.pods);
  const ns = c.namespaces[0];
  const live: string[] = [];
  let pending = 0;
  const window = Math.max(1, Math.ceil(c.qps));
  c.setStatus(() => `  pods live ${live.length}  ready ${readyCount(c.pods)}`);
  return c.pacer.run({ qps: c.qps, durationMs: c.durationMs, signal: c.signal }, async (seq) => {
    if (churnStep(live.length + pending, window) === 'create' || live.length === 0) {
      pending++;
      const name = `churn-${seq}`;
      try {
        await c.recorder.time('POST', 'pods', 'resource', () => pods.create(pod(c.run, ns, name)));
        live.push(name);
      } finally {
        pending--;
      }
    } else {
      const name = live.shift()!;
      await c.recorder.time('DELETE', 'pods', 'resource', () => pods.delete(name, { namespace: ns }));
    }
  });
}
