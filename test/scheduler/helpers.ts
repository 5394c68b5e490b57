// Integration fixtures: an in-memory API server on an ephemeral port and an unthrottled client.
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import pino from 'pino';

export const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
export const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
export const EVENTS = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };

export async function cluster(): Promise<{ api: RunningApiServer; client: Client; close(): Promise<void> }> {
  const api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  const client = new Client({ server: api.url, qps: Infinity });
  return {
    api,
    client,
    async close() {
      client.close();
      await api.close();
    },
  };
}

/** Creates objects with bounded concurrency. */
export async function createAll(client: Client, rt: typeof PODS | typeof NODES, objs: KubeObject[], concurrency = 32): Promise<void> {
  const rc = client.resource(rt);
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < objs.length) {
        const o = objs[i++];
        await rc.create(o, { namespace: o.metadata.namespace });
      }
    }),
  );
}

/**
 * Priority admission computes spec.priority from a PriorityClass (and refuses a priority set by
 * hand): a pod fixture with a non-zero priority gets a class of that value (and preemptionPolicy),
 * created when absent, in place of the fields.
 */
export async function withPriorityClass(client: Client, pod: KubeObject): Promise<KubeObject> {
  const value = pod.spec?.priority;
  if (typeof value !== 'number' || value === 0) return pod;
  const policy = pod.spec?.preemptionPolicy ?? 'PreemptLowerPriority';
  const name = `priority-${value}${policy === 'Never' ? '-never' : ''}`;
  const pcs = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', namespaced: false, kind: 'PriorityClass' };
  await client
    .resource(pcs)
    .create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: policy } as KubeObject)
    .catch((e: any) => {
      if (e?.code !== 409) throw e;
    });
  const out = structuredClone(pod);
  delete out.spec.priority;
  delete out.spec.preemptionPolicy;
  out.spec.priorityClassName = name;
  return out;
}
