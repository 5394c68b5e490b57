// Shared helpers of the real-container tests: a cluster with a one-node pool whose Node.js
// containers are real processes, fast lifecycle timings, and reads of pods and kubelet logs.
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { cluster, quiet, PODS } from '../node/helpers.ts';

export { PODS, quiet } from '../node/helpers.ts';
export { eventually } from '../helpers/eventually.ts';

export const fast = { pullMs: 20, createMs: 10, startMs: 10, backoffBaseMs: 300 };

export async function runtimeCluster(timings: Record<string, number> = fast) {
  const c = await cluster();
  const pool: NodePool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings });
  return {
    ...c,
    pool,
    async close() {
      await pool.stop();
      await c.close();
    },
  };
}

/** A pod on node-0 running `node -e script` in image node:20. */
export function nodePod(name: string, script: string, spec: any = {}, container: any = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', script], ...container }], ...spec },
  };
}

export async function getPod(client: any, name: string): Promise<KubeObject> {
  return client.resource(PODS).get(name, { namespace: 'default' });
}

/** The kubelet's log endpoint, as `kubectl logs` reaches it through the API server. */
export async function kubeletLog(pool: NodePool, name: string, query = ''): Promise<string> {
  const r = await fetch(`${pool.kubeletUrl}/containerLogs/default/${name}/app${query ? `?${query}` : ''}`);
  return r.text();
}

export { alive } from '../helpers/process.ts';
