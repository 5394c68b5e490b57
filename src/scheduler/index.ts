// startScheduler: the composition entry point (kubesim up, kubesim scheduler, tests).
import { Registry, collectDefaultMetrics } from 'prom-client';
import { defaultIdentity, type Client } from '../client/index.ts';
import { runComponent, type FrameOptions } from '../component/index.ts';
import { newLogger } from '../log/index.ts';
import type { PluginFactory, ProfileConfig } from './framework/runtime.ts';
import { debugRoutes } from './http.ts';
import { profilesFromConfig, type KubeSchedulerConfiguration } from './config.ts';
import { pluginRegistry } from './profiles.ts';
import type { Policy } from './profiles.ts';
import type { QueueOptions } from './queue.ts';
import { Scheduler } from './scheduler.ts';

export { Scheduler, EXPLAIN_ANNOTATION, RESULT_ANNOTATION, type Decision, type SchedulerOptions } from './scheduler.ts';
export { POLICIES, profileFor, pluginRegistry, type Policy } from './profiles.ts';
export { ConfigError, profilesFromConfig, type KubeSchedulerConfiguration } from './config.ts';
export type { PluginFactory, ProfileConfig } from './framework/runtime.ts';
export type * from './framework/interface.ts';

/** leaderElect (default false) competes for kube-system/kube-scheduler; `port` also serves /debug/explain. */
export interface StartSchedulerOptions extends FrameOptions {
  client: Client;
  /** spread (LeastAllocated, default), binpack (MostAllocated) or round-robin. */
  policy?: Policy;
  profiles?: ProfileConfig[];
  /** A KubeSchedulerConfiguration (parsed YAML/JSON) to build the profiles from (ignored with `profiles`). */
  config?: KubeSchedulerConfiguration;
  /** Out-of-tree plugins the profiles may enable by name. */
  plugins?: Record<string, PluginFactory>;
  queue?: QueueOptions;
  unschedulableFlushIntervalMs?: number;
  bindConcurrency?: number;
  decisionHistory?: number;
  /** Tie-breaks between equal scores (default Math.random; seeded under `kubesim simulate`). */
  random?: () => number;
  /** See SchedulerOptions.yieldEveryCycles. */
  yieldEveryCycles?: number;
}

export interface RunningScheduler {
  scheduler: Scheduler;
  identity: string;
  /** The HTTP port when a port was given. */
  port?: number;
  url?: string;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startScheduler(opts: StartSchedulerOptions): Promise<RunningScheduler> {
  const logger = opts.logger ?? newLogger().child({ component: 'scheduler' });
  const registry = opts.metricsRegistry ?? new Registry();
  // Process metrics (cpu, heap, event loop lag) on a registry of our own; a shared one is the caller's to fill.
  if (!opts.metricsRegistry) collectDefaultMetrics({ register: registry });
  const identity = opts.identity ?? defaultIdentity();
  // A bad configuration throws ConfigError (naming the field) before anything starts.
  const profiles =
    opts.profiles ?? (opts.config ? profilesFromConfig(opts.config, opts.policy, new Set(Object.keys(pluginRegistry({ extra: opts.plugins })))) : undefined);
  const scheduler = new Scheduler({
    client: opts.client,
    policy: opts.policy,
    profiles,
    plugins: opts.plugins,
    logger,
    metricsRegistry: registry,
    identity,
    queue: opts.queue,
    unschedulableFlushIntervalMs: opts.unschedulableFlushIntervalMs,
    bindConcurrency: opts.bindConcurrency,
    decisionHistory: opts.decisionHistory,
    random: opts.random,
    yieldEveryCycles: opts.yieldEveryCycles,
  });
  const component = await runComponent({
    name: 'scheduler',
    client: opts.client,
    logger,
    metricsRegistry: registry,
    identity,
    lease: opts.leaderElect
      ? {
          namespace: 'kube-system',
          name: 'kube-scheduler',
          leaseDurationSeconds: opts.leaseDurationSeconds,
          renewDeadlineSeconds: opts.renewDeadlineSeconds,
          retryPeriodSeconds: opts.retryPeriodSeconds,
        }
      : undefined,
    port: opts.port,
    host: opts.host,
    routes: debugRoutes({
      decisions: scheduler.decisions,
      status: (leading) => ({ identity, leading, policy: opts.policy ?? 'spread', queue: scheduler.queue.lengths(), nodes: scheduler.cache.nodeCount }),
    }),
    start: () => scheduler.startInformers(),
    onStartedLeading: (signal) => {
      if (signal) logger.info({ identity }, 'became leader: scheduling');
      scheduler.startLoop();
    },
    onStoppedLeading: () => {
      logger.warn({ identity }, 'lost leadership: scheduling paused');
      void scheduler.stopLoop();
    },
    onNewLeader: (id) => logger.info({ leader: id }, 'new leader observed'),
    stop: () => scheduler.stop(),
  });
  logger.info({ identity, policy: opts.policy ?? 'spread', port: component.port, leaderElect: !!opts.leaderElect }, 'scheduler started');

  return {
    scheduler,
    identity,
    port: component.port,
    url: component.url,
    isLeader: component.isLeader,
    stop: component.stop,
  };
}
