// `kubesim apiserver --port P --data-dir D`: the API server as a process of its own.
import { Option, type Command } from 'commander';
import { parseAuthorizationModes } from '../../cluster/apiserver.ts';
import { runApiServer } from '../../cluster/index.ts';
import { durationSeconds } from '../component.ts';
import { addFlowControlFlags, flowControlOptions, type FlowControlFlags } from '../flowcontrol-flags.ts';
import { addAuditOptions, auditSettings, type AuditFlags } from '../audit-flags.ts';
import { addApiServerTokenOptions, apiServerTokenOptions, type ApiServerTokenFlags } from '../tokens.ts';
import { addSecurityOptions, bindAddress, securityFlags, startOrFail, type SecurityCliOpts } from '../security.ts';

type ApiServerFlags = SecurityCliOpts & FlowControlFlags & ApiServerTokenFlags & AuditFlags & {
  authorizationMode: string; port: string; dataDir: string; watchCacheSize?: string; metricResolution: string; storage?: string; events?: string; endpointLeaseDuration: string; eventTtl: string; advertiseAddress?: string; storageFaultsFile?: string;
};

export function register(program: Command): void {
  const cmd = program.command('apiserver');
  addApiServerTokenOptions(cmd);
  cmd
    .description('run the API server (HTTPS with client certificates; --insecure: plain HTTP) on the embedded store in the data dir')
    .option('--port <port>', 'port to listen on', '6443')
    .option('--data-dir <dir>', 'data directory (SQLite store, kubeconfig)', './.kubesim')
    .option('--watch-cache-size <n>', 'events kept per resource in the watch cache')
    .option('--metric-resolution <duration>', 'how often the metrics API (metrics.k8s.io) scrapes the kubelets', '15s')
    .option('--storage <url>', 'storage backend: sqlite:PATH (default: <data-dir>/kubesim.db), memory, postgres://user@host:port/db[?pool_size=N&schema=S], etcd://host:port[,host:port...][/prefix]')
    .option('--advertise-address <ip>', 'the IP listed for this server in the default/kubernetes endpoints (default: --bind-address, or 127.0.0.1 for 0.0.0.0); also listed in the serving certificate')
    .option('--endpoint-lease-duration <duration>', "lifetime of this server's Lease in the default/kubernetes endpoints (renewed every third of it)", '15s')
    .option('--event-ttl <duration>', 'amount of time to retain events (after their last write)', '1h0m0s')
    .option('--events <url>', 'event transport for --storage postgres://: redis://host:port (Redis Stream; default: LISTEN/NOTIFY)')
    // Not a kube-apiserver flag: `kubesim chaos run --processes` drives storage faults through this file (docs/chaos.md).
    .addOption(new Option('--storage-faults-file <file>', 'chaos runs: storage faults (JSON: commitLatencyMs, readLatencyMs, failCommits, failRate, prefix) re-read when the file changes').hideHelp());
  cmd.option('--authorization-mode <modes>', 'ordered comma list of authorization plugins: AlwaysAllow, Node, RBAC', 'Node,RBAC');
  addFlowControlFlags(cmd);
  addAuditOptions(cmd);
  addSecurityOptions(cmd).action(async (o: ApiServerFlags) => {
    await startOrFail(() =>
      runApiServer({
        ...auditSettings(o),
        authorizationModes: parseAuthorizationModes(o.authorizationMode),
        port: Number(o.port),
        host: bindAddress(o),
        security: securityFlags(o, o.advertiseAddress),
        dataDir: o.dataDir,
        watchCacheSize: o.watchCacheSize ? Number(o.watchCacheSize) : undefined,
        metricResolutionMs: Math.round(durationSeconds('metric-resolution', o.metricResolution) * 1000),
        storage: o.storage,
        events: o.events,
        storageFaultsFile: o.storageFaultsFile,
        advertiseAddress: o.advertiseAddress,
        endpointLeaseSeconds: durationSeconds('endpoint-lease-duration', o.endpointLeaseDuration),
        eventTtlMs: Math.round(durationSeconds('event-ttl', o.eventTtl) * 1000),
        ...flowControlOptions(o),
        ...apiServerTokenOptions(o),
      }),
    );
  });
}
