// From the metrics' proposal to the replica count the HPA sets (horizontal.go): without
// spec.behavior, the downscale stabilization window (--horizontal-pod-autoscaler-downscale-
// stabilization, 5 min) and a scale-up limit of max(2 × current, 4); with it, both stabilization
// windows, the scaling policies (Pods/Percent per periodSeconds, selectPolicy Max/Min/Disabled)
// measured from the replicas at the start of each period, then min/max replicas. Pure: the
// caller keeps the recommendations and scale events.

export interface Recommendation {
  at: number;
  replicas: number;
}
export interface ScaleEvent {
  at: number;
  /** replicas added (positive) or removed (negative). */
  change: number;
}

export interface ConditionValue {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalization {
  replicas: number;
  /** AbleToScale (when no rescale happens): ReadyForNewScale, ScaleUpStabilized, ScaleDownStabilized. */
  ableToScale: ConditionValue;
  scalingLimited: ConditionValue;
}

export interface Rules {
  stabilizationWindowSeconds: number;
  selectPolicy: string;
  policies: { type: string; value: number; periodSeconds: number }[];
}

/** GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: the defaults for missing fields. */
export function scaleUpRules(r: any = {}): Rules {
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 0,
    selectPolicy: r.selectPolicy ?? 'Max',
    policies: r.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}
export function scaleDownRules(r: any = {}, defaultWindowSeconds = 300): Rules {
  return { stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? defaultWindowSeconds, selectPolicy: r.selectPolicy ?? 'Max', policies: r.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

const READY: ConditionValue = { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN: ConditionValue = { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const limited = (reason: string, message: string): ConditionValue => ({ status: 'True', reason, message });
const TOO_MANY = limited('TooManyReplicas', 'the desired replica count is more than the maximum replica count');
const TOO_FEW = limited('TooFewReplicas', 'the desired replica count is less than the minimum replica count');
const UP_LIMIT = limited('ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate');
const DOWN_LIMIT = limited('ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate');

/** normalizeDesiredReplicas (no behavior): the highest recommendation of the window, then max(2×, 4) and the bounds. */
export function normalizeWithoutBehavior(current: number, proposed: number, min: number, max: number, recs: Recommendation[], now: number, downscaleWindowMs: number): Normalization {
  let stabilized = proposed;
  for (const r of recs) if (r.at >= now - downscaleWindowMs && r.replicas > stabilized) stabilized = r.replicas;
  const ableToScale = stabilized !== proposed ? { status: 'True' as const, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' } : READY;
  const upLimit = Math.max(2 * current, 4);
  const [maxAllowed, aboveMax] = max > upLimit ? [upLimit, UP_LIMIT] : [max, TOO_MANY];
  if (stabilized < min) return { replicas: min, ableToScale, scalingLimited: TOO_FEW };
  if (stabilized > maxAllowed) return { replicas: maxAllowed, ableToScale, scalingLimited: aboveMax };
  return { replicas: stabilized, ableToScale, scalingLimited: WITHIN };
}

/** Replicas added and removed within the last `periodSeconds`. */
function changes(events: ScaleEvent[], periodSeconds: number, now: number): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const e of events) {
    if (e.at <= now - periodSeconds * 1000) continue;
    if (e.change > 0) added += e.change;
    else removed -= e.change;
  }
  return { added, removed };
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
export function scaleLimit(current: number, events: ScaleEvent[], rules: Rules, up: boolean, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = up === pickMin ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const { added, removed } = changes(events, p.periodSeconds, now);
    const start = current - added + removed;
    let proposed: number;
    if (up) proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    else proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    // scaling up: Max takes the largest proposal, Min the smallest; scaling down the other way round
    result = up !== pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** normalizeDesiredReplicasWithBehaviors: stabilization windows, then the policies' rate, then the bounds. */
export function normalizeWithBehavior(current: number, proposed: number, min: number, max: number, up: Rules, down: Rules, recs: Recommendation[], events: ScaleEvent[], now: number): Normalization {
  let upRec = proposed;
  let downRec = proposed;
  for (const r of recs) {
    if (r.at > now - up.stabilizationWindowSeconds * 1000) upRec = Math.min(upRec, r.replicas);
    if (r.at > now - down.stabilizationWindowSeconds * 1000) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;
  const ableToScale =
    stabilized === proposed
      ? READY
      : proposed >= current
        ? { status: 'True' as const, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
        : { status: 'True' as const, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  if (stabilized > current) {
    const limit = Math.max(current, scaleLimit(current, events, up, true, now));
    const [maxAllowed, why] = max > limit ? [limit, UP_LIMIT] : [max, TOO_MANY];
    if (stabilized > maxAllowed) return { replicas: maxAllowed, ableToScale, scalingLimited: why };
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleLimit(current, events, down, false, now));
    const [minAllowed, why] = min < limit ? [limit, DOWN_LIMIT] : [min, TOO_FEW];
    if (stabilized < minAllowed) return { replicas: minAllowed, ableToScale, scalingLimited: why };
  }
  return { replicas: stabilized, ableToScale, scalingLimited: WITHIN };
}

/** How long recommendations and scale events must be kept for this HPA. */
export function historyMs(up: Rules, down: Rules, downscaleWindowMs: number): number {
  const periods = [...up.policies, ...down.policies].map((p) => p.periodSeconds);
  return Math.max(downscaleWindowMs, up.stabilizationWindowSeconds * 1000, down.stabilizationWindowSeconds * 1000, ...periods.map((p) => p * 1000));
}
