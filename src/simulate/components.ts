// A scenario's `kubelet:`, `controllerManager:` and `metricsServer:` blocks: component settings under
// Kubernetes' own configuration names (KubeletConfiguration; KubeControllerManagerConfiguration's
// nodeLifecycleController, kubeCloudShared, hpaController, podGCController and resourceQuotaController
// fields, flattened; metrics-server's --metric-resolution), with Kubernetes' (and kubesim's) defaults. They let a long run heartbeat less often — at the price of noticing a failed
// node later — and turn into the node pools' and the controller-manager's options.
import { CONTROLLER_DEFAULTS, KUBELET_DEFAULTS, type ControllerManagerOptions, type NodePoolOptions } from '../cluster/index.ts';

/** KubeletConfiguration fields the simulated kubelets honour (seconds). */
export interface KubeletSettings {
  /** nodeLeaseDurationSeconds: the node Lease's duration; the kubelet renews it every quarter of it (default 40). */
  nodeLeaseDurationSeconds: number;
  /** nodeStatusReportFrequency: how often an unchanged NodeStatus is posted anyway (default 5m). */
  nodeStatusReportFrequencySeconds: number;
}

/** KubeControllerManagerConfiguration fields the controller-manager honours (seconds where durations). */
export interface ControllerManagerSettings {
  nodeMonitorGracePeriodSeconds: number;
  nodeMonitorPeriodSeconds: number;
  horizontalPodAutoscalerSyncPeriodSeconds: number;
  horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: number;
  horizontalPodAutoscalerTolerance: number;
  horizontalPodAutoscalerCPUInitializationPeriodSeconds: number;
  horizontalPodAutoscalerInitialReadinessDelaySeconds: number;
  terminatedPodGCThreshold: number;
  resourceQuotaSyncPeriodSeconds: number;
}

/** The API server's built-in metrics-server. */
export interface MetricsServerSettings {
  /** metricResolution (--metric-resolution): how often the kubelets are scraped, = the metrics' window (kubesim's default 15s). */
  metricResolutionSeconds: number;
}

export const DEFAULT_METRICS_SERVER: MetricsServerSettings = { metricResolutionSeconds: 15 };

/** The node pool's (the kubelet's) defaults. */
export const DEFAULT_KUBELET: KubeletSettings = { nodeLeaseDurationSeconds: KUBELET_DEFAULTS.leaseDurationSeconds, nodeStatusReportFrequencySeconds: KUBELET_DEFAULTS.statusUpdateSeconds };

/** The controller-manager's defaults (src/controllers CONTROLLER_DEFAULTS) under these names. */
export const DEFAULT_CONTROLLER_MANAGER: ControllerManagerSettings = {
  nodeMonitorGracePeriodSeconds: CONTROLLER_DEFAULTS.nodeMonitorGracePeriodSeconds,
  nodeMonitorPeriodSeconds: CONTROLLER_DEFAULTS.nodeMonitorPeriodSeconds,
  horizontalPodAutoscalerSyncPeriodSeconds: CONTROLLER_DEFAULTS.hpaSyncPeriodSeconds,
  horizontalPodAutoscalerDownscaleStabilizationWindowSeconds: CONTROLLER_DEFAULTS.hpaDownscaleStabilizationSeconds,
  horizontalPodAutoscalerTolerance: CONTROLLER_DEFAULTS.hpaTolerance,
  horizontalPodAutoscalerCPUInitializationPeriodSeconds: CONTROLLER_DEFAULTS.hpaCpuInitializationPeriodSeconds,
  horizontalPodAutoscalerInitialReadinessDelaySeconds: CONTROLLER_DEFAULTS.hpaInitialReadinessDelaySeconds,
  terminatedPodGCThreshold: CONTROLLER_DEFAULTS.terminatedPodGCThreshold,
  resourceQuotaSyncPeriodSeconds: CONTROLLER_DEFAULTS.resourceQuotaSyncPeriodSeconds,
};

type Kind = 'duration' | 'integer' | 'number';
type Field<S> = { key: keyof S; kind: Kind; min: number };

/** Scenario field name → setting, how it is written, and its smallest value. */
const KUBELET_FIELDS: Record<string, Field<KubeletSettings>> = {
  nodeLeaseDurationSeconds: { key: 'nodeLeaseDurationSeconds', kind: 'integer', min: 1 },
  nodeStatusReportFrequency: { key: 'nodeStatusReportFrequencySeconds', kind: 'duration', min: 1 },
};

const METRICS_SERVER_FIELDS: Record<string, Field<MetricsServerSettings>> = {
  metricResolution: { key: 'metricResolutionSeconds', kind: 'duration', min: 1 },
};

const CONTROLLER_MANAGER_FIELDS: Record<string, Field<ControllerManagerSettings>> = {
  nodeMonitorGracePeriod: { key: 'nodeMonitorGracePeriodSeconds', kind: 'duration', min: 1 },
  nodeMonitorPeriod: { key: 'nodeMonitorPeriodSeconds', kind: 'duration', min: 1 },
  horizontalPodAutoscalerSyncPeriod: { key: 'horizontalPodAutoscalerSyncPeriodSeconds', kind: 'duration', min: 1 },
  horizontalPodAutoscalerDownscaleStabilizationWindow: { key: 'horizontalPodAutoscalerDownscaleStabilizationWindowSeconds', kind: 'duration', min: 0 },
  horizontalPodAutoscalerTolerance: { key: 'horizontalPodAutoscalerTolerance', kind: 'number', min: 0 },
  horizontalPodAutoscalerCPUInitializationPeriod: { key: 'horizontalPodAutoscalerCPUInitializationPeriodSeconds', kind: 'duration', min: 0 },
  horizontalPodAutoscalerInitialReadinessDelay: { key: 'horizontalPodAutoscalerInitialReadinessDelaySeconds', kind: 'duration', min: 0 },
  terminatedPodGCThreshold: { key: 'terminatedPodGCThreshold', kind: 'integer', min: 0 },
  resourceQuotaSyncPeriod: { key: 'resourceQuotaSyncPeriodSeconds', kind: 'duration', min: 1 },
};

/** The fields each block accepts (docs/simulate.schema.json lists the same; a test compares). */
export const COMPONENT_FIELDS = {
  kubelet: Object.keys(KUBELET_FIELDS),
  controllerManager: Object.keys(CONTROLLER_MANAGER_FIELDS),
  metricsServer: Object.keys(METRICS_SERVER_FIELDS),
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one block against its field table; errors are `block.field: ...` strings (thrown by fail). */
function readBlock<S>(v: unknown, block: string, fields: Record<string, Field<S>>, defaults: S, parseDuration: (v: unknown, what: string) => number, fail: (msg: string) => never): S {
  const out = { ...defaults };
  if (v === undefined || v === null) return out;
  if (!isObj(v)) fail(`${block}: must be a mapping`);
  for (const [name, raw] of Object.entries(v as Record<string, unknown>)) {
    const f = fields[name];
    if (!f) fail(`${block}.${name}: unknown field (supported: ${Object.keys(fields).join(', ')})`);
    const where = `${block}.${name}`;
    let value: number;
    if (f.kind === 'duration') {
      if (typeof raw === 'number') fail(`${where}: a duration with a unit, e.g. "40s", "5m" (got ${raw})`);
      value = parseDuration(raw, where) / 1000;
    } else {
      if (typeof raw !== 'number' || !Number.isFinite(raw) || (f.kind === 'integer' && !Number.isInteger(raw))) fail(`${where}: must be ${f.kind === 'integer' ? 'an integer' : 'a number'} (got ${JSON.stringify(raw)})`);
      value = raw as number;
    }
    if (value < f.min) fail(`${where}: must be ${f.min === 0 ? 'non-negative' : f.kind === 'duration' ? `at least ${f.min}s` : `at least ${f.min}`}`);
    (out as Record<keyof S, number>)[f.key] = value;
  }
  return out;
}

export interface ComponentSettings {
  kubelet: KubeletSettings;
  controllerManager: ControllerManagerSettings;
  metricsServer: MetricsServerSettings;
}

export const DEFAULT_COMPONENTS: ComponentSettings = { kubelet: DEFAULT_KUBELET, controllerManager: DEFAULT_CONTROLLER_MANAGER, metricsServer: DEFAULT_METRICS_SERVER };

/** The kubelet Lease renew interval (the kubelet's NodeLeaseRenewIntervalFraction, 0.25), seconds. */
export const renewIntervalSeconds = (k: KubeletSettings) => k.nodeLeaseDurationSeconds / 4;

/** Parses the blocks (of the scenario document d) and checks they fit together: the grace period must outlast a renewal. */
export function parseComponents(d: { kubelet?: unknown; controllerManager?: unknown; metricsServer?: unknown }, parseDuration: (v: unknown, what: string) => number, fail: (msg: string) => never): ComponentSettings {
  const k = readBlock(d.kubelet, 'kubelet', KUBELET_FIELDS, DEFAULT_KUBELET, parseDuration, fail);
  const c = readBlock(d.controllerManager, 'controllerManager', CONTROLLER_MANAGER_FIELDS, DEFAULT_CONTROLLER_MANAGER, parseDuration, fail);
  const m = readBlock(d.metricsServer, 'metricsServer', METRICS_SERVER_FIELDS, DEFAULT_METRICS_SERVER, parseDuration, fail);
  const renew = renewIntervalSeconds(k);
  if (c.nodeMonitorGracePeriodSeconds <= renew)
    fail(
      `controllerManager.nodeMonitorGracePeriod: ${c.nodeMonitorGracePeriodSeconds}s must be longer than the kubelet's Lease renew interval ` +
        `(kubelet.nodeLeaseDurationSeconds / 4 = ${renew}s), or healthy nodes are marked Unknown between two renewals`,
    );
  return { kubelet: k, controllerManager: c, metricsServer: m };
}

/** The node pool options (src/node NodePoolOptions) for the kubelet settings. */
export function nodePoolTimings(k: KubeletSettings): Pick<NodePoolOptions, 'heartbeatSeconds' | 'leaseDurationSeconds' | 'statusUpdateSeconds'> {
  return { heartbeatSeconds: renewIntervalSeconds(k), leaseDurationSeconds: k.nodeLeaseDurationSeconds, statusUpdateSeconds: k.nodeStatusReportFrequencySeconds };
}

/** The controller-manager options (src/controllers ControllerOptions) for the settings. */
export function controllerOptions(c: ControllerManagerSettings): Partial<ControllerManagerOptions> {
  return {
    nodeMonitorGracePeriodSeconds: c.nodeMonitorGracePeriodSeconds,
    nodeMonitorPeriodSeconds: c.nodeMonitorPeriodSeconds,
    hpaSyncPeriodSeconds: c.horizontalPodAutoscalerSyncPeriodSeconds,
    hpaDownscaleStabilizationSeconds: c.horizontalPodAutoscalerDownscaleStabilizationWindowSeconds,
    hpaTolerance: c.horizontalPodAutoscalerTolerance,
    hpaCpuInitializationPeriodSeconds: c.horizontalPodAutoscalerCPUInitializationPeriodSeconds,
    hpaInitialReadinessDelaySeconds: c.horizontalPodAutoscalerInitialReadinessDelaySeconds,
    terminatedPodGCThreshold: c.terminatedPodGCThreshold,
    resourceQuotaSyncPeriodSeconds: c.resourceQuotaSyncPeriodSeconds,
  };
}
