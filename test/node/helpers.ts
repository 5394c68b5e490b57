// Shared helpers of the node agent's integration tests: an in-memory API server, a client, and
// polling with a deadline (no sleeps-and-hope).
import pino from 'pino';
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';

export const quiet = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

export async function cluster() {
  const api = await startApiServer({ port: 0, logger: quiet });
  const client = new Client({ server: api.url, qps: 0 });
  return { api, client, async close() { client.close(); await api.close(); } };
}

/** Polls fn until it returns a truthy value or the deadline passes (then throws with the last value). */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function pod(name: string, node: string, spec: any = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}
