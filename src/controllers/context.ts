// What every controller is built from: the client, the shared informers, events, logs, options.
import type { Registry } from 'prom-client';
import type { Client, SharedInformerFactory } from '../client/index.ts';
import type { EventSink } from './events.ts';
import type { Logger } from '../log/index.ts';

/**
 * Kubernetes' defaults of the options below (kube-controller-manager's flags), in one place: the
 * controllers fall back to them and `kubesim simulate`'s controllerManager block starts from them.
 */
export const CONTROLLER_DEFAULTS = {
  nodeMonitorGracePeriodSeconds: 40,
  nodeMonitorPeriodSeconds: 5,
  defaultTolerationSeconds: 300,
  terminatedPodGCThreshold: 12500,
  hpaSyncPeriodSeconds: 15,
  resourceQuotaSyncPeriodSeconds: 300,
  hpaTolerance: 0.1,
  hpaDownscaleStabilizationSeconds: 300,
  hpaCpuInitializationPeriodSeconds: 300,
  hpaInitialReadinessDelaySeconds: 30,
} as const;

export interface ControllerOptions {
  /** Node lifecycle: a node whose Lease/heartbeat is older than this is Unknown (default 40). */
  nodeMonitorGracePeriodSeconds?: number;
  /** Node lifecycle: how often nodes are checked (default 5). */
  nodeMonitorPeriodSeconds?: number;
  /**
   * Taint eviction: the tolerationSeconds applied to the not-ready/unreachable tolerations the
   * DefaultTolerationSeconds admission adds (300 s); set lower for simulations (default 300).
   */
  defaultTolerationSeconds?: number;
  /** Pod GC: terminated pods kept before the oldest are deleted (default 12500). */
  terminatedPodGCThreshold?: number;
  /** Pod GC: period (default 20 s). */
  podGCPeriodSeconds?: number;
  /** HPA: how often each autoscaler is evaluated (default 15 s). */
  hpaSyncPeriodSeconds?: number;
  /** Resource quota: how often every quota is recounted (--resource-quota-sync-period, default 300 s). */
  resourceQuotaSyncPeriodSeconds?: number;
  /** EndpointSlice: endpoints per slice (--max-endpoints-per-slice, default 100). */
  maxEndpointsPerSlice?: number;
  /** HPA: --horizontal-pod-autoscaler-tolerance, the ratio change ignored (default 0.1). */
  hpaTolerance?: number;
  /** HPA without spec.behavior (and a scaleDown without a window): --horizontal-pod-autoscaler-downscale-stabilization (default 300 s). */
  hpaDownscaleStabilizationSeconds?: number;
  /** HPA: --horizontal-pod-autoscaler-cpu-initialization-period (default 300 s). */
  hpaCpuInitializationPeriodSeconds?: number;
  /** HPA: --horizontal-pod-autoscaler-initial-readiness-delay (default 30 s). */
  hpaInitialReadinessDelaySeconds?: number;
  /** The clock the time-driven controllers read (CronJob, TTL after finished); default: the client's clock. */
  now?: () => number;
  /** Whether controllers write Events (default true). */
  events?: boolean;
  /** PEM private key the legacy ServiceAccount token Secrets are signed with (--service-account-private-key-file); none = the token controller idles. */
  serviceAccountPrivateKey?: string | Buffer;
  /** PEM of the cluster CA (--root-ca-file): kube-root-ca.crt in every namespace and ca.crt of token Secrets; none = the publisher idles. */
  rootCA?: string | Buffer;
  /** PEM certificate and key of the CA that signs approved CSRs (--cluster-signing-cert-file, --cluster-signing-key-file); none = csrsigning idles. */
  clusterSigningCert?: string | Buffer;
  clusterSigningKey?: string | Buffer;
  /** The longest certificate csrsigning issues (--cluster-signing-duration, default 8760h = 1 year). */
  clusterSigningDurationSeconds?: number;
}

export interface ControllerContext {
  client: Client;
  factory: SharedInformerFactory;
  /** An event sink for a component name (e.g. "replicaset-controller"). */
  recorder(component: string): EventSink;
  logger: Logger;
  metricsRegistry?: Registry;
  options: ControllerOptions;
}

/** A controller as the manager runs it. */
export interface Controller {
  readonly name: string;
  /** Starts `workers` sync loops (informers are started by the manager). */
  run(workers: number): void;
  stop(): Promise<void>;
}
