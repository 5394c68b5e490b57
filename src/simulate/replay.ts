// `kubesim simulate --replay trace.jsonl`: a recorded trace (src/snapshot/trace.ts) played back on
// the virtual clock. Its t-0 ADDED objects are the starting state, restored like a snapshot (their
// Nodes become simulated nodes); every later change is applied at its time after the start, in file
// order: ADDED creates the object (a pod unbound, for the scheduler to place), MODIFIED
// server-side-applies it (field manager kubesim-replay, forced), DELETED deletes it. Objects a
// controller owns are left to the cluster's controllers, as are Nodes that join later (not replayed).
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import type { Clock } from '../clock/index.ts';
import { cleanForCreate, kindMap, recordable, withoutControllerAnnotations, type ServedResource, type TraceEvent } from '../snapshot/index.ts';

export const REPLAY_MANAGER = 'kubesim-replay';

export interface SplitTrace {
  /** The state when the recording started (t 0, ADDED). */
  initial: KubeObject[];
  /** Every later change that is replayed. */
  changes: TraceEvent[];
}

/** Splits a trace into its starting state and the changes replayed after it (pure). */
export function splitTrace(events: TraceEvent[]): SplitTrace {
  const initial: KubeObject[] = [];
  const changes: TraceEvent[] = [];
  for (const e of events) {
    if (e.t === 0 && e.type === 'ADDED') initial.push(e.object);
    else if (recordable(e.object) && e.object.kind !== 'Node') changes.push(e);
  }
  return { initial, changes };
}

const refOf = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** The request one change makes. */
export async function applyChange(client: Client, r: ServedResource, e: TraceEvent, uids: Map<string, string>): Promise<void> {
  const ns = r.namespaced ? (e.object.metadata.namespace ?? 'default') : undefined;
  const api = client.resource(r);
  if (e.type === 'DELETED') {
    await api.delete(e.object.metadata.name!, { namespace: ns, propagationPolicy: 'Background' }).catch((err) => {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    });
    return;
  }
  const body = cleanForCreate(withoutControllerAnnotations(e.object));
  if (!r.namespaced) delete body.metadata.namespace;
  const owners = (e.object.metadata.ownerReferences ?? []).filter((o) => uids.has(o.uid)).map((o) => ({ ...o, uid: uids.get(o.uid)! }));
  if (owners.length) body.metadata.ownerReferences = owners;
  else delete body.metadata.ownerReferences;
  if (e.type === 'ADDED') {
    if (body.kind === 'Pod') delete body.spec?.nodeName;
    try {
      const created = await api.create(body, { namespace: ns });
      if (e.object.metadata.uid) uids.set(e.object.metadata.uid, created.metadata.uid!);
      return;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }
  if (body.kind === 'Pod') delete body.spec?.nodeName;
  await api.patch(body.metadata.name!, body, { type: 'apply', fieldManager: REPLAY_MANAGER, force: true, namespace: ns });
}

/** Schedules every change at start + t (up to until); failures go to `errors`. */
export async function scheduleReplay(client: Client, changes: TraceEvent[], clock: Clock, start: number, until: number, uids: Map<string, string>, track: (p: Promise<void>) => void, errors: { t: number; action: string; error: string }[]): Promise<void> {
  let kinds = await kindMap(client);
  const byTime = new Map<number, TraceEvent[]>();
  for (const e of changes) if (e.t <= until) byTime.set(e.t, [...(byTime.get(e.t) ?? []), e]);
  // One chain: changes at different times still apply in file order if an earlier one is slow.
  let chain = Promise.resolve();
  for (const [t, list] of byTime) {
    clock.setTimeout(() => {
      chain = chain.then(async () => {
        for (const e of list) {
          const what = `replay ${e.type} ${refOf(e.object)}`;
          let r = kinds.get(`${e.object.apiVersion}/${e.object.kind}`);
          if (!r) r = (kinds = await kindMap(client)).get(`${e.object.apiVersion}/${e.object.kind}`);
          if (!r) {
            errors.push({ t: Math.round(t / 1000), action: what, error: `the server does not serve ${e.object.kind} in ${e.object.apiVersion}` });
            continue;
          }
          await applyChange(client, r, e, uids).catch((err) => errors.push({ t: Math.round(t / 1000), action: what, error: (err as Error).message }));
        }
      });
      track(chain);
    }, start + t - clock.now());
  }
}
