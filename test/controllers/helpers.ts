// Integration fixtures: an in-memory API server, an unthrottled client, the controller-manager, and a
// stand-in kubelet that marks pods Running and Ready (the node pool does this in the e2e suite).
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client, inProcessTransport } from '../../src/client/index.ts';
import { VirtualClock } from '../../src/clock/index.ts';
import { whileVirtual } from '../helpers/eventually.ts';
import { startControllerManager, type ControllerManager, type ControllerManagerOptions } from '../../src/controllers/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { PODS } from '../../src/controllers/resources.ts';

export { PODS, NODES, NAMESPACES, EVENTS, REPLICASETS, DEPLOYMENTS, NODE_LEASES, SERVICES, ENDPOINTS, JOBS, DAEMONSETS } from '../../src/controllers/resources.ts';

export interface TestCluster {
  api: RunningApiServer;
  client: Client;
  cm: ControllerManager;
  close(): Promise<void>;
}

export async function cluster(opts: Partial<ControllerManagerOptions> = {}): Promise<TestCluster> {
  const api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  const client = new Client({ server: api.url, qps: Infinity });
  const cm = await startControllerManager({ client, leaderElect: false, ...opts });
  return {
    api,
    client,
    cm,
    async close() {
      await cm.stop();
      client.close();
      await api.close();
    },
  };
}

/**
 * The same on virtual time: the server, the in-process client and the controllers share one
 * VirtualClock that the test moves (clock.advanceTo, eventuallyVirtual from test/helpers).
 */
export async function virtualCluster(opts: Partial<ControllerManagerOptions> = {}): Promise<TestCluster & { clock: VirtualClock }> {
  const clock = new VirtualClock();
  const api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }), clock });
  const client = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server, { clock }), qps: Infinity, clock });
  const cm = await startControllerManager({ client, leaderElect: false, ...opts });
  return {
    api,
    client,
    cm,
    clock,
    async close() {
      await whileVirtual(clock, cm.stop());
      client.close();
      await whileVirtual(clock, api.close());
    },
  };
}

/**
 * A stand-in kubelet: every `everyMs`, pods in `namespace` that are not yet Ready become Running
 * and Ready (optionally only those matching `filter`). Returns a stop function.
 */
export function fakeKubelet(client: Client, namespace: string, filter: (p: KubeObject) => boolean = () => true, everyMs = 50): () => void {
  let stopped = false;
  const pods = client.resource(PODS);
  const loop = async () => {
    while (!stopped) {
      try {
        const list = await pods.list({ namespace });
        await Promise.all(
          list.items
            .filter((p) => !p.metadata.deletionTimestamp && filter(p) && !(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
            .map((p) => {
              const t = new Date(client.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
              return pods
                .updateStatus({ ...p, status: { ...(p.status ?? {}), phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } })
                .catch(() => {});
            }),
        );
      } catch {
        /* the server may be closing */
      }
      await client.clock.sleep(everyMs);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

export function deployment(name: string, replicas: number, image = 'nginx:1', extra: any = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(extra.metadata ?? {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...(extra.spec ?? {}),
    },
  };
}
