// The scenario's autoscaling fields: `nodeGroups[].autoscaling: {min, max}` and the top-level
// `autoscaler:` settings (Cluster Autoscaler's flags, same defaults).
import { DEFAULT_AUTOSCALER, type AutoscalerConfig } from './autoscaler.ts';

export class AutoscalingError extends Error {}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** nodeGroups[i].autoscaling: min ≤ count ≤ max. */
export function parseGroupAutoscaling(v: unknown, count: number, where: string): { min: number; max: number } | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v) || !Number.isInteger(v.min) || !Number.isInteger(v.max) || v.min < 0 || v.max < v.min) throw new AutoscalingError(`${where}.autoscaling: {min, max} with 0 <= min <= max`);
  if (count < v.min || count > v.max) throw new AutoscalingError(`${where}.count: must be within autoscaling min..max (${v.min}..${v.max})`);
  return { min: v.min, max: v.max };
}

/** The top-level `autoscaler:` block (every field optional). */
export function parseAutoscalerConfig(v: unknown, duration: (v: unknown, what: string) => number): AutoscalerConfig {
  if (v === undefined) return { ...DEFAULT_AUTOSCALER };
  if (!isObj(v)) throw new AutoscalingError('autoscaler: must be a mapping');
  const ms = (k: string, d: number) => (v[k] === undefined ? d : duration(v[k], `autoscaler.${k}`));
  const threshold = v.scaleDownUtilizationThreshold ?? DEFAULT_AUTOSCALER.scaleDownUtilizationThreshold;
  if (typeof threshold !== 'number' || threshold < 0 || threshold > 1) throw new AutoscalingError('autoscaler.scaleDownUtilizationThreshold: a number in [0, 1]');
  const expander = v.expander ?? DEFAULT_AUTOSCALER.expander;
  if (expander !== 'least-waste' && expander !== 'random') throw new AutoscalingError('autoscaler.expander: least-waste or random');
  const cfg: AutoscalerConfig = {
    scanIntervalMs: ms('scanInterval', DEFAULT_AUTOSCALER.scanIntervalMs),
    provisioningDelayMs: ms('provisioningDelay', DEFAULT_AUTOSCALER.provisioningDelayMs),
    scaleDownUtilizationThreshold: threshold,
    scaleDownUnneededTimeMs: ms('scaleDownUnneededTime', DEFAULT_AUTOSCALER.scaleDownUnneededTimeMs),
    scaleDownDelayAfterAddMs: ms('scaleDownDelayAfterAdd', DEFAULT_AUTOSCALER.scaleDownDelayAfterAddMs),
    expander,
  };
  if (cfg.scanIntervalMs <= 0) throw new AutoscalingError('autoscaler.scanInterval: must be positive');
  return cfg;
}
