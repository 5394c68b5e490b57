// Pod startup as observed by a watch (clusterloader2's pod_startup_latency): per pod the times it
// was created, scheduled, running with every container started, and Ready; then the latencies and
// the scheduling throughput. Pure: the caller passes each pod version and the time it saw it.

export interface PodTimes {
  /** metadata.creationTimestamp, ms (second resolution on the wire). */
  createdMs: number;
  /** When the watch first saw the pod. */
  firstSeenMs: number;
  /** When the watch first saw it bound (spec.nodeName or PodScheduled=True). */
  scheduledMs?: number;
  /** PodScheduled condition's lastTransitionTime, ms. */
  scheduledConditionMs?: number;
  /** When the watch first saw phase Running with every container running (Kubernetes' SLI end). */
  runningMs?: number;
  /** When the watch first saw the Ready condition True. */
  readyMs?: number;
}

interface PodLike {
  metadata?: { creationTimestamp?: string };
  spec?: { nodeName?: string; containers?: unknown[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { state?: { running?: unknown }; started?: boolean }[];
  };
}

const cond = (p: PodLike, type: string) => p.status?.conditions?.find((c) => c.type === type);

function allRunning(p: PodLike): boolean {
  const want = p.spec?.containers?.length ?? 0;
  const cs = p.status?.containerStatuses ?? [];
  return p.status?.phase === 'Running' && cs.length >= want && cs.every((c) => c.state?.running !== undefined && c.started !== false);
}

/** Folds one observed version of a pod into its times (first observations win). */
export function observePod(prev: PodTimes | undefined, pod: PodLike, nowMs: number): PodTimes {
  const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
  const t: PodTimes = prev ? { ...prev } : { createdMs: Number.isFinite(created) ? created : nowMs, firstSeenMs: nowMs };
  const scheduled = cond(pod, 'PodScheduled');
  if (t.scheduledMs === undefined && (pod.spec?.nodeName || scheduled?.status === 'True')) t.scheduledMs = nowMs;
  if (t.scheduledConditionMs === undefined && scheduled?.status === 'True' && scheduled.lastTransitionTime) {
    const ms = Date.parse(scheduled.lastTransitionTime);
    if (Number.isFinite(ms)) t.scheduledConditionMs = ms;
  }
  if (t.runningMs === undefined && allRunning(pod)) t.runningMs = nowMs;
  if (t.readyMs === undefined && cond(pod, 'Ready')?.status === 'True') t.readyMs = nowMs;
  return t;
}

/**
 * The creation instant: creationTimestamp is truncated to the second, so when the watch saw the
 * pod within that second its first sighting is the closer bound; otherwise the timestamp.
 */
export function creationTime(t: Pick<PodTimes, 'createdMs' | 'firstSeenMs'>): number {
  return t.firstSeenMs >= t.createdMs && t.firstSeenMs < t.createdMs + 1000 ? t.firstSeenMs : t.createdMs;
}

export interface StartupSamples {
  createdToScheduled: number[];
  scheduledToRunning: number[];
  createdToRunning: number[];
  createdToReady: number[];
}

/** Latency samples (ms) of the pods that got that far. */
export function startupSamples(pods: Iterable<PodTimes>): StartupSamples {
  const s: StartupSamples = { createdToScheduled: [], scheduledToRunning: [], createdToRunning: [], createdToReady: [] };
  for (const t of pods) {
    const c = creationTime(t);
    if (t.scheduledMs !== undefined) s.createdToScheduled.push(Math.max(0, t.scheduledMs - c));
    if (t.scheduledMs !== undefined && t.runningMs !== undefined) s.scheduledToRunning.push(Math.max(0, t.runningMs - t.scheduledMs));
    if (t.runningMs !== undefined) s.createdToRunning.push(Math.max(0, t.runningMs - c));
    if (t.readyMs !== undefined) s.createdToReady.push(Math.max(0, t.readyMs - c));
  }
  return s;
}

export interface Throughput {
  pods: number;
  /** Seconds from the first to the last scheduling second, inclusive. */
  seconds: number;
  podsPerSecond: number;
  /** The busiest second. */
  maxPerSecond: number;
}

/** Scheduling throughput from PodScheduled condition times (whole seconds on the wire). */
export function schedulingThroughput(conditionMs: readonly number[]): Throughput {
  if (conditionMs.length === 0) return { pods: 0, seconds: 0, podsPerSecond: 0, maxPerSecond: 0 };
  const perSecond = new Map<number, number>();
  for (const ms of conditionMs) {
    const s = Math.floor(ms / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  const secs = [...perSecond.keys()];
  const seconds = Math.max(...secs) - Math.min(...secs) + 1;
  return { pods: conditionMs.length, seconds, podsPerSecond: Math.round((conditionMs.length / seconds) * 10) / 10, maxPerSecond: Math.max(...perSecond.values()) };
}
