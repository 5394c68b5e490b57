// A whole kubesim cluster in-process (API server, controller-manager, scheduler, simulated nodes)
// for the official clients to drive, and what they need to reach it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type RunningCluster, type UpOptions } from '../../src/cluster/index.ts';

export const PYTHON = '/usr/bin/python3';

/** Whether Debian's python3-kubernetes is importable by /usr/bin/python3. */
export function hasPythonKubernetes(): boolean {
  return spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
}

export interface ClientCluster {
  kubeconfigPath: string;
  url: string;
  cluster: RunningCluster;
  stop(): Promise<void>;
}

export async function startClientCluster(nodes = 2, extra: Partial<UpOptions> = {}): Promise<ClientCluster> {
  process.env.KUBESIM_LOG_LEVEL ??= 'warn';
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-clients-'));
  const cluster = await startCluster({ port: 0, dataDir: join(dir, 'data'), nodes, policy: 'spread', ...extra });
  return {
    kubeconfigPath: cluster.kubeconfigPath,
    url: cluster.apiServer.url,
    cluster,
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Deployment whose pods log `lines` and stay Running. */
export function webDeployment(name: string, replicas: number, lines = 'hello from web') {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations: { 'kubesim.io/log-lines': lines } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

/** A Job whose one pod exits 0 after a second. */
export function piJob(name: string) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { annotations: { 'kubesim.io/exit-after': '1s', 'kubesim.io/exit-code': '0' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 3.14'] }] },
      },
    },
  };
}
