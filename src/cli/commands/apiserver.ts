// `kubesim apiserver --port P --data-dir D`: the API server as a process of its own.
import { parseAuthorizationModes } from '../../cluster/apiserver.ts';
import type { Command } from 'commander';
import { runApiServer } from '../../cluster/index.ts';
import { durationSeconds } from '../component.ts';

export function register(program: Command): void {
  program
    .command('apiserver')
    .description('run the API server (plain HTTP) on the embedded store in the data dir')
    .option('--port <port>', 'port to listen on', '6443')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'data directory (SQLite store, kubeconfig)', './.kubesim')
    .option('--watch-cache-size <n>', 'events kept per resource in the watch cache')
    .option('--metric-resolution <duration>', 'how often the metrics API (metrics.k8s.io) scrapes the kubelets', '15s')
    .option('--storage <url>', 'storage backend: sqlite:PATH (default: <data-dir>/kubesim.db), memory, postgres://user@host:port/db[?pool_size=N&schema=S], etcd://host:port[,host:port...][/prefix]')
    .option('--advertise-address <ip>', 'the IP listed for this server in the default/kubernetes endpoints (default: --host, or 127.0.0.1 for 0.0.0.0)')
    .option('--endpoint-lease-duration <duration>', "lifetime of this server's Lease in the default/kubernetes endpoints (renewed every third of it)", '15s')
    .option('--events <url>', 'event transport for --storage postgres://: redis://host:port (Redis Stream; default: LISTEN/NOTIFY)')
    .option('--authorization-mode <modes>', 'ordered comma list of authorization plugins: AlwaysAllow, Node, RBAC', 'Node,RBAC')
    .action(async (o: { port: string; host: string; dataDir: string; watchCacheSize?: string; metricResolution: string; storage?: string; events?: string; authorizationMode: string; endpointLeaseDuration: string; advertiseAddress?: string }) => {
      await runApiServer({
        port: Number(o.port),
        host: o.host,
        dataDir: o.dataDir,
        watchCacheSize: o.watchCacheSize ? Number(o.watchCacheSize) : undefined,
        metricResolutionMs: Math.round(durationSeconds('metric-resolution', o.metricResolution) * 1000),
        storage: o.storage,
        events: o.events,
        authorizationModes: parseAuthorizationModes(o.authorizationMode),
        advertiseAddress: o.advertiseAddress,
        endpointLeaseSeconds: durationSeconds('endpoint-lease-duration', o.endpointLeaseDuration),
      });
    });
}
