// runComponent: the frame every long-running component (scheduler, controller-manager) runs in.
// It serves /healthz, /livez, /readyz, /metrics and the component's routes; runs the component's
// work at once or, given a lease, only while it holds that Lease (after client-go
// tools/leaderelection, standbys wait); and stops in reverse: leadership, the work, the server.
// Flags and process signals stay with the command (src/cli/component.ts): in-process users
// (`kubesim up`, tests) run several components in one process and stop them themselves.
import type { Registry } from 'prom-client';
import { LeaderElector, defaultIdentity, type Client } from '../client/index.ts';
import type { Logger } from '../log/index.ts';
import { serveHttp, type Route, type ServedHttp } from './http.ts';

export { statusReply, matchRoute, isHealthPath, type Reply, type Route, type RouteContext } from './http.ts';

/** The Lease a component competes for. Durations in seconds; defaults 15 / 10 / 2. */
export interface ComponentLease {
  namespace: string;
  name: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

/** What a component's start function takes for its frame (the scheduler's and controller-manager's options extend it). */
export interface FrameOptions {
  /** Compete for the component's Lease; only the leader works (each component documents its default). */
  leaderElect?: boolean;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Leader election identity (default `<hostname>_<uuid>`). */
  identity?: string;
  /** Serve /healthz, /metrics and the component's routes on this port (0 = ephemeral; undefined = no server). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  metricsRegistry?: Registry;
}

export interface ComponentOptions {
  /** The component's name, e.g. "scheduler". */
  name: string;
  client: Client;
  logger: Logger;
  /** Served at /metrics; leader election records leader_election_master_status in it. */
  metricsRegistry: Registry;
  /** Leader election identity (default `<hostname>_<uuid>`). */
  identity?: string;
  /** Compete for this Lease and work only while holding it; without one, work at once. */
  lease?: ComponentLease;
  /** Serve HTTP on this port (0 = ephemeral; undefined = no server). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Extra endpoints beside health and metrics. */
  routes?: Route[];
  /** Before any leadership (a standby runs it too), e.g. warming informers. */
  start?(): void | Promise<void>;
  /**
   * The work begins. With a lease: on becoming leader, and `signal` aborts when leadership ends;
   * without one: once, awaited, right after start, with no signal.
   */
  onStartedLeading(signal?: AbortSignal): void | Promise<void>;
  /** Leadership ended (lost, or released by stop()); only with a lease. */
  onStoppedLeading?(): void;
  /** The observed leader changed (including to ourselves); only with a lease. */
  onNewLeader?(identity: string): void;
  /** Last of stop(), after leadership has ended: releases what start and the work hold. */
  stop?(): Promise<void>;
}

export interface RunningComponent {
  name: string;
  identity: string;
  /** The HTTP port when a port was given. */
  port?: number;
  url?: string;
  isLeader(): boolean;
  /** Ends leadership (releasing the Lease), runs the component's stop, closes the server. */
  stop(): Promise<void>;
}

export async function runComponent(opts: ComponentOptions): Promise<RunningComponent> {
  const identity = opts.identity ?? defaultIdentity();
  let leading = !opts.lease;
  // Built first: bad lease durations throw before anything is started. Its own client, as client-go's
  // components have: renewals must not wait for sockets behind the component's own requests.
  const leClient = opts.lease ? opts.client.forLeaderElection() : undefined;
  const elector = opts.lease
    ? new LeaderElector({
        client: leClient!,
        namespace: opts.lease.namespace,
        name: opts.lease.name,
        identity,
        leaseDurationSeconds: opts.lease.leaseDurationSeconds,
        renewDeadlineSeconds: opts.lease.renewDeadlineSeconds,
        retryPeriodSeconds: opts.lease.retryPeriodSeconds,
        metricsRegistry: opts.metricsRegistry,
        logger: opts.logger,
        callbacks: {
          onStartedLeading: (signal) => {
            leading = true;
            return opts.onStartedLeading(signal);
          },
          onStoppedLeading: () => {
            leading = false;
            opts.onStoppedLeading?.();
          },
          onNewLeader: opts.onNewLeader,
        },
      })
    : undefined;

  const http: ServedHttp | undefined = opts.port !== undefined ? await serveHttp({ registry: opts.metricsRegistry, routes: opts.routes ?? [], identity, isLeader: () => leading }, opts.port, opts.host) : undefined;
  try {
    await opts.start?.();
    if (elector) elector.start();
    else await opts.onStartedLeading();
  } catch (e) {
    await elector?.stop();
    leClient?.close();
    await opts.stop?.().catch(() => {});
    await http?.close();
    throw e;
  }

  let stopping: Promise<void> | undefined;
  return {
    name: opts.name,
    identity,
    port: http?.port,
    url: http?.url,
    isLeader: () => leading,
    stop() {
      stopping ??= (async () => {
        await elector?.stop();
        leClient?.close();
        await opts.stop?.();
        await http?.close();
      })();
      return stopping;
    },
  };
}
