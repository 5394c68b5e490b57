// Records every version of the Leases in kube-system (the scheduler's and the controller-manager's
// leader election) during a run: a list, then a watch resumed from the last version seen, relisted
// after 410 or an API server restart. Versions missed while relisting only drop renewals, which
// can hide an overlap but never invent one.
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import type { LeaseRecord } from './leader.ts';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function recordOf(o: KubeObject): LeaseRecord {
  const spec = (o.spec ?? {}) as { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number };
  return {
    lease: `${o.metadata?.namespace}/${o.metadata?.name}`,
    resourceVersion: o.metadata?.resourceVersion ?? '',
    holder: spec.holderIdentity ?? '',
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    leaseDurationSeconds: spec.leaseDurationSeconds,
  };
}

export function recordLeases(client: Client, namespace = 'kube-system') {
  const leases = client.resource(LEASES).inNamespace(namespace);
  const records: LeaseRecord[] = [];
  let stopping = false;
  let stream: { close(): void } | undefined;
  const done = (async () => {
    let from: string | undefined;
    while (!stopping) {
      try {
        if (from === undefined) {
          const l = await leases.list();
          for (const o of l.items) records.push(recordOf({ ...o, metadata: { ...o.metadata, namespace } }));
          from = l.metadata?.resourceVersion ?? '0';
        }
        const st = await leases.watch({ resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds: 30 });
        stream = st;
        if (stopping) st.close();
        for await (const ev of st) {
          if (ev.type === 'ERROR') {
            from = undefined;
            break;
          }
          const o = ev.object as KubeObject;
          if (ev.type !== 'BOOKMARK' && ev.type !== 'DELETED') records.push(recordOf(o));
          from = o.metadata?.resourceVersion ?? from;
        }
      } catch {
        if (!stopping) await sleep(300);
      }
    }
  })();
  return {
    records,
    stop: async () => {
      stopping = true;
      stream?.close();
      await done;
    },
  };
}

/** The leader-election Leases of the control plane (kube-system). */
export const LEADER_LEASES = ['kube-scheduler', 'kube-controller-manager'];

/**
 * After the faults: waits until each leader Lease that exists has a holder renewing since `sinceMs`
 * (wall clock), i.e. a live leader again. Returns the Leases still without one at the deadline.
 */
export async function waitForLeaders(client: Client, sinceMs: number, deadlineMs: number, namespace = 'kube-system'): Promise<{ missing: string[]; afterMs?: number }> {
  const leases = client.resource(LEASES).inNamespace(namespace);
  const stopAt = performance.now() + deadlineMs;
  let missing: string[] = [];
  for (;;) {
    try {
      const items = (await leases.list()).items.filter((o) => LEADER_LEASES.includes(o.metadata?.name ?? ''));
      missing = items.filter((o) => !(o.spec?.holderIdentity && Date.parse((o.spec?.renewTime as string | undefined) ?? '') >= sinceMs)).map((o) => `${namespace}/${o.metadata?.name}`);
      if (missing.length === 0) return { missing, afterMs: Math.max(0, Math.round(Date.now() - sinceMs)) };
    } catch (e) {
      missing = [`listing Leases: ${(e as Error).message}`];
    }
    if (performance.now() >= stopAt) return { missing };
    await sleep(250);
  }
}
