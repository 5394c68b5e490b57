// Shared helpers of the node agent's integration tests: an in-memory API server, a client, and
// polling with a deadline (no sleeps-and-hope).
import pino from 'pino';
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client, inProcessTransport } from '../../src/client/index.ts';
import { VirtualClock } from '../../src/clock/index.ts';
import { whileVirtual } from '../helpers/eventually.ts';

export { whileVirtual };
import type { KubeObject } from '../../src/api/types.ts';

export const quiet = pino({ level: 'silent' });

export async function cluster() {
  const api = await startApiServer({ port: 0, logger: quiet });
  const client = new Client({ server: api.url, qps: 0 });
  return { api, client, async close() { client.close(); await api.close(); } };
}

/** The same on virtual time: the server, the client (in-process) and what the test starts share one VirtualClock, moved by the test (clock.advanceTo, eventuallyVirtual). */
export async function virtualCluster() {
  const clock = new VirtualClock();
  const api = await startApiServer({ port: 0, logger: quiet, clock });
  const client = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server, { clock }), qps: 0, clock });
  return {
    api,
    client,
    clock,
    async close() {
      client.close();
      await whileVirtual(clock, api.close());
    },
  };
}

export function pod(name: string, node: string, spec: any = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

export const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
export const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
export const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };
export const EVENTS = { group: '', version: 'v1', plural: 'events', namespaced: true };

/** A compact view of a pod status: phase/containerState[:reason]/ready/restarts. */
export function summarize(p: KubeObject): string {
  const st = p.status ?? {};
  const cs = st.containerStatuses?.[0];
  let c = '-';
  if (cs) {
    const k = Object.keys(cs.state ?? {})[0] ?? '?';
    const reason = cs.state?.[k]?.reason;
    c = `${k}${reason ? ':' + reason : ''}/ready=${cs.ready}/restarts=${cs.restartCount}`;
  }
  return `${st.phase ?? 'none'}/${c}${p.metadata.deletionTimestamp ? '/deleting' : ''}`;
}

/** Records every distinct summary of a pod's watch events until stop() (DELETED recorded as "DELETED"). */
export async function recordPod(client: Client, name: string, ns = 'default') {
  const w = await client.resource(PODS).watch({ namespace: ns, fieldSelector: `metadata.name=${name}` });
  const seq: string[] = [];
  const objects: KubeObject[] = [];
  const done = (async () => {
    for await (const ev of w) {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
      const s = ev.type === 'DELETED' ? 'DELETED' : summarize(ev.object as KubeObject);
      objects.push(ev.object as KubeObject);
      if (seq[seq.length - 1] !== s) seq.push(s);
    }
  })().catch(() => {});
  return {
    seq,
    objects,
    async stop() {
      w.close();
      await done;
    },
  };
}

/** Asserts `want` occurs in `seq` in this order (other entries may sit in between). */
export function inOrder(seq: string[], want: (string | RegExp)[]): boolean {
  let i = 0;
  for (const s of seq) if (i < want.length && (typeof want[i] === 'string' ? s === want[i] : (want[i] as RegExp).test(s))) i++;
  return i === want.length;
}

export async function podEvents(client: Client, name: string, ns = 'default'): Promise<KubeObject[]> {
  const list = await client.resource(EVENTS).list({ namespace: ns, fieldSelector: `involvedObject.name=${name}` });
  return list.items.sort((a: any, b: any) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
}
