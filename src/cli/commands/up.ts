// `kubesim up`: the whole cluster in one process, or with --placement processes the components as
// child processes of the API server's (also `npm start`).
import { Option, type Command } from 'commander';
import { parseAuthorizationModes } from '../../cluster/apiserver.ts';
import { runUp, type UpOptions } from '../../cluster/index.ts';
import { durationSeconds, nonNegative } from '../component.ts';
import { addFlowControlFlags, flowControlOptions, type FlowControlFlags } from '../flowcontrol-flags.ts';
import { addAuditOptions, auditSettings, type AuditFlags } from '../audit-flags.ts';
import { addApiServerTokenOptions, apiServerTokenOptions, type ApiServerTokenFlags } from '../tokens.ts';
import { addSecurityOptions, bindAddress, securityFlags, startOrFail, type SecurityCliOpts } from '../security.ts';

type UpFlags = SecurityCliOpts & FlowControlFlags & ApiServerTokenFlags & AuditFlags & {
  storageFaultsFile?: string;
  eventTtl: string;
  authorizationMode: string; advertiseAddress?: string; port: string; dataDir: string; nodes: string; policy: string; watchCacheSize?: string; storage?: string; events?: string;
  nodeMonitorGracePeriod: string; defaultTolerationSeconds: string; horizontalPodAutoscalerSyncPeriod: string;
  horizontalPodAutoscalerDownscaleStabilization: string; horizontalPodAutoscalerTolerance: string; metricResolution: string; fromSnapshot?: string; placement: string;
};

export function register(program: Command): void {
  const cmd = program.command('up');
  addApiServerTokenOptions(cmd);
  cmd
    .description('start a whole cluster on the embedded store and print how to point kubectl at it')
    .option('--port <port>', 'API server port', '6443')
    .option('--data-dir <dir>', 'data directory', './.kubesim')
    .option('--nodes <n>', 'simulated nodes', '3')
    .option('--policy <policy>', 'scheduler policy: spread | binpack | roundrobin', 'spread')
    .option('--watch-cache-size <n>', 'events kept per resource in the watch cache')
    .option('--storage <url>', 'storage backend: sqlite:PATH (default: <data-dir>/kubesim.db), memory, postgres://user@host:port/db[?pool_size=N&schema=S], etcd://host:port[,host:port...][/prefix]')
    .option('--event-ttl <duration>', 'amount of time to retain events (after their last write)', '1h0m0s')
    .option('--events <url>', 'event transport for --storage postgres://: redis://host:port (Redis Stream; default: LISTEN/NOTIFY)')
    .option('--authorization-mode <modes>', 'ordered comma list of authorization plugins: AlwaysAllow, Node, RBAC', 'Node,RBAC')
    .option('--node-monitor-grace-period <seconds>', 'seconds without a node Lease renewal before the node is Unknown', '40')
    .option('--default-toleration-seconds <seconds>', 'eviction delay for pods on not-ready/unreachable nodes', '300')
    .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HPA is evaluated', '15s')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'recommendations an HPA without spec.behavior considers before scaling down', '5m0s')
    .option('--horizontal-pod-autoscaler-tolerance <ratio>', 'metrics ratio change the HPA ignores', '0.1')
    .option('--metric-resolution <duration>', 'how often the metrics API scrapes the kubelets (its window)', '15s')
    .option('--advertise-address <ip>', 'an address the serving certificate also lists')
    .option('--placement <placement>', 'single: every component in this process; processes: the API server in this process, the scheduler, controller-manager and node pool as child processes (each its own core share)', 'single')
    .option('--from-snapshot <file>', 'restore a snapshot (kubesim snapshot save, or kubectl get -A -o yaml) before the components start')
    // Not a Kubernetes flag: `kubesim chaos run --storage-faults-file` drives storage faults through this file (docs/chaos.md).
    .addOption(new Option('--storage-faults-file <file>', 'chaos runs: storage faults (JSON) re-read when the file changes').hideHelp());
  addFlowControlFlags(cmd);
  addAuditOptions(cmd);
  addSecurityOptions(cmd).action(async (o: UpFlags) => {
    await startOrFail(() =>
      runUp({
        apiServer: { ...auditSettings(o), authorizationModes: parseAuthorizationModes(o.authorizationMode), storageFaultsFile: o.storageFaultsFile, eventTtlMs: Math.round(durationSeconds('event-ttl', o.eventTtl) * 1000) },
        port: Number(o.port),
        host: bindAddress(o),
        security: securityFlags(o, o.advertiseAddress),
        dataDir: o.dataDir,
        nodes: Number(o.nodes),
        policy: o.policy,
        watchCacheSize: o.watchCacheSize ? Number(o.watchCacheSize) : undefined,
        storage: o.storage,
        events: o.events,
        nodeMonitorGracePeriodSeconds: Number(o.nodeMonitorGracePeriod),
        defaultTolerationSeconds: Number(o.defaultTolerationSeconds),
        hpaSyncPeriodSeconds: durationSeconds('horizontal-pod-autoscaler-sync-period', o.horizontalPodAutoscalerSyncPeriod),
        hpaDownscaleStabilizationSeconds: durationSeconds('horizontal-pod-autoscaler-downscale-stabilization', o.horizontalPodAutoscalerDownscaleStabilization),
        hpaTolerance: nonNegative('horizontal-pod-autoscaler-tolerance', o.horizontalPodAutoscalerTolerance),
        metricResolutionMs: Math.round(durationSeconds('metric-resolution', o.metricResolution) * 1000),
        ...flowControlOptions(o),
        tokens: apiServerTokenOptions(o),
        fromSnapshot: o.fromSnapshot,
        placement: o.placement as UpOptions['placement'],
        serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile,
      }),
    );
  });
}
