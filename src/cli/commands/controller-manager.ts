// `kubesim controller-manager --kubeconfig K`: the controllers as a process of their own,
// leader-elected on kube-system/kube-controller-manager.
import type { Command } from 'commander';
import { processLogger, startControllerManager } from '../../cluster/index.ts';
import { addConnectionOptions, addLeaderElectionOptions, connect, durationSeconds, fail, leaderElectionSettings, nonNegative as num, stopOnSignal, type ConnectionOpts, type LeaderElectionOpts } from '../component.ts';
import { addControllerKeyOptions, controllerKeyOptions, type ControllerKeyFlags } from '../tokens.ts';

interface Opts extends ConnectionOpts, LeaderElectionOpts, ControllerKeyFlags {
  controllers: string;
  resync: string;
  nodeMonitorGracePeriod: string;
  nodeMonitorPeriod: string;
  horizontalPodAutoscalerSyncPeriod: string;
  horizontalPodAutoscalerTolerance: string;
  horizontalPodAutoscalerDownscaleStabilization: string;
  horizontalPodAutoscalerCpuInitializationPeriod: string;
  horizontalPodAutoscalerInitialReadinessDelay: string;
  defaultTolerationSeconds: string;
  terminatedPodGcThreshold: string;
  concurrentDeploymentSyncs: string;
  concurrentReplicasetSyncs: string;
  concurrentGcSyncs: string;
}

export function register(program: Command): void {
  const cmd = program.command('controller-manager');
  addConnectionOptions(cmd);
  addLeaderElectionOptions(cmd, 'kube-system/kube-controller-manager', 'serve /healthz and /metrics on this port (0 = ephemeral)');
  addControllerKeyOptions(cmd);
  cmd
    .description('run the controllers (replicaset, deployment, garbagecollector, nodelifecycle, namespace, podgc, endpoints, job, daemonset, horizontalpodautoscaling), leader-elected')
    .option('--controllers <list>', 'controllers to run: "*" for all, "-name" to disable one (comma-separated)', '*')
    .option('--resync <seconds>', 'informer resync period (0 = none)', '0')
    .option('--node-monitor-grace-period <seconds>', 'a node whose Lease is older than this is marked Unknown', '40')
    .option('--node-monitor-period <seconds>', 'how often node heartbeats are checked', '5')
    .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HPA is evaluated (15s; bare numbers are seconds)', '15')
    .option('--horizontal-pod-autoscaler-tolerance <ratio>', 'the minimum change (from 1.0) in the desired-to-actual metrics ratio for the HPA to scale', '0.1')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'how far back the HPA looks at recommendations before scaling down (HPAs without spec.behavior)', '5m0s')
    .option('--horizontal-pod-autoscaler-cpu-initialization-period <duration>', 'after a pod starts, the period in which its CPU samples may be skipped', '5m0s')
    .option('--horizontal-pod-autoscaler-initial-readiness-delay <duration>', 'after a pod starts, the period in which readiness changes count as its initial readiness', '30s')
    .option('--default-toleration-seconds <seconds>', 'eviction delay applied to the default not-ready/unreachable tolerations (300 s from admission)', '300')
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the oldest are deleted', '12500')
    .option('--concurrent-deployment-syncs <n>', 'deployment workers', '5')
    .option('--concurrent-replicaset-syncs <n>', 'replicaset workers', '5')
    .option('--concurrent-gc-syncs <n>', 'garbage collector workers', '20')
    .action(async (o: Opts) => {
      const client = connect(o, 'kubesim-controller-manager');
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
          ...leaderElectionSettings(o),
          resyncSeconds: num('resync', o.resync),
          nodeMonitorGracePeriodSeconds: num('node-monitor-grace-period', o.nodeMonitorGracePeriod),
          nodeMonitorPeriodSeconds: num('node-monitor-period', o.nodeMonitorPeriod),
          hpaSyncPeriodSeconds: durationSeconds('horizontal-pod-autoscaler-sync-period', o.horizontalPodAutoscalerSyncPeriod),
          hpaTolerance: num('horizontal-pod-autoscaler-tolerance', o.horizontalPodAutoscalerTolerance),
          hpaDownscaleStabilizationSeconds: durationSeconds('horizontal-pod-autoscaler-downscale-stabilization', o.horizontalPodAutoscalerDownscaleStabilization),
          hpaCpuInitializationPeriodSeconds: durationSeconds('horizontal-pod-autoscaler-cpu-initialization-period', o.horizontalPodAutoscalerCpuInitializationPeriod),
          hpaInitialReadinessDelaySeconds: durationSeconds('horizontal-pod-autoscaler-initial-readiness-delay', o.horizontalPodAutoscalerInitialReadinessDelay),
          defaultTolerationSeconds: num('default-toleration-seconds', o.defaultTolerationSeconds),
          terminatedPodGCThreshold: num('terminated-pod-gc-threshold', o.terminatedPodGcThreshold),
          logger: processLogger('controller-manager'),
          ...controllerKeyOptions(o),
        });
      } catch (e) {
        fail((e as Error).message);
      }
      if (running.port !== undefined) console.log(`controller-manager serving /healthz and /metrics on http://${o.host}:${running.port}`);
      stopOnSignal(running, client);
    });
}
