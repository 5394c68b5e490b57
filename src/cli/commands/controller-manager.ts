// `kubesim controller-manager --kubeconfig K`: the controllers as a process of their own,
// leader-elected on kube-system/kube-controller-manager.
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { processLogger, startControllerManager } from '../../cluster/index.ts';

interface Opts {
  kubeconfig?: string;
  controllers: string;
  port?: string;
  host: string;
  leaderElect: string | boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  identity?: string;
  qps: string;
  resync: string;
  nodeMonitorGracePeriod: string;
  nodeMonitorPeriod: string;
  horizontalPodAutoscalerSyncPeriod: string;
  defaultTolerationSeconds: string;
  terminatedPodGcThreshold: string;
  concurrentDeploymentSyncs: string;
  concurrentReplicasetSyncs: string;
  concurrentGcSyncs: string;
}

export function register(program: Command): void {
  program
    .command('controller-manager')
    .description('run the controllers (replicaset, deployment, garbagecollector, nodelifecycle, namespace, podgc, endpoints, job, daemonset, horizontalpodautoscaling), leader-elected')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--controllers <list>', 'controllers to run: "*" for all, "-name" to disable one (comma-separated)', '*')
    .option('--port <port>', 'serve /healthz and /metrics on this port (0 = ephemeral)')
    .option('--host <host>', 'address of the HTTP server', '127.0.0.1')
    .option('--leader-elect [bool]', 'compete for the kube-system/kube-controller-manager Lease', 'true')
    .option('--lease-duration <seconds>', 'leader election lease duration', '15')
    .option('--renew-deadline <seconds>', 'leader election renew deadline', '10')
    .option('--retry-period <seconds>', 'leader election retry period', '2')
    .option('--identity <id>', 'leader election identity (default <hostname>_<uuid>)')
    .option('--qps <n>', 'client rate limit to the API server (0 = unlimited)', '0')
    .option('--resync <seconds>', 'informer resync period (0 = none)', '0')
    .option('--node-monitor-grace-period <seconds>', 'a node whose Lease is older than this is marked Unknown', '40')
    .option('--node-monitor-period <seconds>', 'how often node heartbeats are checked', '5')
    .option('--horizontal-pod-autoscaler-sync-period <seconds>', 'how often each HPA is evaluated', '15')
    .option('--default-toleration-seconds <seconds>', 'eviction delay applied to the default not-ready/unreachable tolerations (300 s from admission)', '300')
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the oldest are deleted', '12500')
    .option('--concurrent-deployment-syncs <n>', 'deployment workers', '5')
    .option('--concurrent-replicaset-syncs <n>', 'replicaset workers', '5')
    .option('--concurrent-gc-syncs <n>', 'garbage collector workers', '20')
    .action(async (o: Opts) => {
      const num = (name: string, v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) {
          console.error(`error: --${name} must be a non-negative number (got "${v}")`);
          process.exit(2);
        }
        return n;
      };
      let client: Client;
      try {
        client = Client.fromKubeconfig(o.kubeconfig, { qps: Number(o.qps) || Infinity, userAgent: 'kubesim-controller-manager' });
      } catch (e) {
        console.error(`error: cannot load kubeconfig: ${(e as Error).message}`);
        process.exit(2);
      }
      let running;
      try {
        running = await startControllerManager({
          client,
          controllers: o.controllers.split(',').map((s) => s.trim()).filter(Boolean),
          workers: {
            deployment: num('concurrent-deployment-syncs', o.concurrentDeploymentSyncs),
            replicaset: num('concurrent-replicaset-syncs', o.concurrentReplicasetSyncs),
            garbagecollector: num('concurrent-gc-syncs', o.concurrentGcSyncs),
          },
          port: o.port !== undefined ? num('port', o.port) : undefined,
          host: o.host,
          leaderElect: o.leaderElect === true || o.leaderElect === 'true',
          leaseDurationSeconds: num('lease-duration', o.leaseDuration),
          renewDeadlineSeconds: num('renew-deadline', o.renewDeadline),
          retryPeriodSeconds: num('retry-period', o.retryPeriod),
          identity: o.identity,
          resyncSeconds: num('resync', o.resync),
          nodeMonitorGracePeriodSeconds: num('node-monitor-grace-period', o.nodeMonitorGracePeriod),
          nodeMonitorPeriodSeconds: num('node-monitor-period', o.nodeMonitorPeriod),
          hpaSyncPeriodSeconds: num('horizontal-pod-autoscaler-sync-period', o.horizontalPodAutoscalerSyncPeriod),
          defaultTolerationSeconds: num('default-toleration-seconds', o.defaultTolerationSeconds),
          terminatedPodGCThreshold: num('terminated-pod-gc-threshold', o.terminatedPodGcThreshold),
          logger: processLogger('controller-manager'),
        });
      } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        process.exit(2);
      }
      if (running.port !== undefined) console.log(`controller-manager serving /healthz and /metrics on http://${o.host}:${running.port}`);
      const shutdown = async () => {
        await running.stop();
        client.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
