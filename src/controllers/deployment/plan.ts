// Deployment decisions as pure functions (pkg/controller/deployment/util/deployment_util.go,
// rolling.go, sync.go, progress.go): which ReplicaSet is new, how far to scale each one, revisions,
// annotations, the status and its conditions.
import type { KubeObject } from '../../api/types.ts';
import { scaledValue } from '../util/intstr.ts';
import { nowIso } from '../util/conditions.ts';
import { newControllerRef } from '../util/owner.ts';
import { canonicalJson, deepCopy } from '../../api/core/json.ts';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const HashLabel = 'pod-template-hash';
const MaxRevHistoryLengthInChars = 2000;

/** Annotations of a Deployment that are not copied to its ReplicaSets (skipCopyAnnotation). */
const skipCopy = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

export const replicasOf = (o: KubeObject | undefined): number => (o ? o.spec?.replicas ?? 1 : 0);
const statusOf = (o: KubeObject | undefined, f: string): number => (o ? o.status?.[f] ?? 0 : 0);
const created = (o: KubeObject): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
const byCreation = (a: KubeObject, b: KubeObject): number => created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1);

export function revisionOf(o: KubeObject): number {
  const v = Number.parseInt(o.metadata.annotations?.[RevisionAnnotation] ?? '', 10);
  return Number.isFinite(v) ? v : 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Removes empty values so templates equal up to defaulting noise compare equal. */
function normalize(v: any): any {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: any = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n === null || n === undefined) continue;
      if (typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      if (Array.isArray(n) && n.length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

export function templateWithoutHash(template: any): any {
  const t = deepCopy(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HashLabel];
  return t;
}

/** EqualIgnoreHash: templates equal except for the pod-template-hash label. */
export function equalIgnoreHash(a: any, b: any): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}

/**
 * A template's canonical JSON without the hash label, once per template object: every sync of a
 * Deployment compares its template with each of its ReplicaSets'. Informer objects are replaced,
 * never edited, so the object is the key (templates built here are fresh objects too).
 */
const canonical = new WeakMap<object, string>();
function canonicalTemplate(t: any): string {
  if (!t || typeof t !== 'object') return canonicalJson(normalize(templateWithoutHash(t)));
  let s = canonical.get(t);
  if (s === undefined) canonical.set(t, (s = canonicalJson(normalize(templateWithoutHash(t)))));
  return s;
}

/** The ReplicaSets split into the new one (oldest with the Deployment's template) and the old ones. */
export function splitReplicaSets(d: KubeObject, rss: KubeObject[]): { newRS?: KubeObject; oldRSs: KubeObject[] } {
  const sorted = rss.slice().sort(byCreation);
  const newRS = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  return { newRS, oldRSs: sorted.filter((rs) => rs !== newRS) };
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both zero means unavailable = 1. */
export function resolveFenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

const sumSpec = (rss: (KubeObject | undefined)[]) => rss.reduce((n, rs) => n + replicasOf(rs), 0);
const sumStatus = (rss: (KubeObject | undefined)[], f: string) => rss.reduce((n, rs) => n + statusOf(rs, f), 0);

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = sumSpec(allRSs);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

export interface Scale {
  rs: KubeObject;
  replicas: number;
}

/** reconcileNewReplicaSet: the new size of the new ReplicaSet, or undefined when it is right. */
export function reconcileNewReplicaSet(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number | undefined {
  const desired = replicasOf(d);
  if (replicasOf(newRS) === desired) return undefined;
  if (replicasOf(newRS) > desired) return desired;
  const n = newRSNewReplicas(d, allRSs, newRS);
  return n === replicasOf(newRS) ? undefined : n;
}

/**
 * reconcileOldReplicaSets: scale old ReplicaSets down without going below minAvailable: first the
 * unhealthy replicas (cleanupUnhealthyReplicas), then healthy ones oldest first.
 */
export function reconcileOldReplicaSets(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): Scale[] {
  if (sumSpec(oldRSs) === 0) return [];
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - statusOf(newRS, 'availableReplicas');
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<KubeObject, number>(oldRSs.map((rs) => [rs, replicasOf(rs)]));
  const sorted = oldRSs.slice().sort(byCreation);
  // Unhealthy replicas first: they cost no availability.
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs)!;
    const unhealthy = size - statusOf(rs, 'availableReplicas');
    if (size === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, size - n);
    cleaned += n;
  }
  // Then available ones, as long as availability stays above minAvailable. A ReplicaSet just scaled
  // down still reports the available pods it is about to delete: count at most its new size, or a
  // sync in that window would scale down twice and break maxUnavailable.
  const available = all.reduce((n, rs) => n + Math.min(statusOf(rs, 'availableReplicas'), sizes.get(rs) ?? replicasOf(rs)), 0);
  let budget = available - minAvailable;
  for (const rs of sorted) {
    if (budget <= 0) break;
    const size = sizes.get(rs)!;
    if (size === 0) continue;
    const n = Math.min(size, budget);
    sizes.set(rs, size - n);
    budget -= n;
  }
  return sorted.filter((rs) => sizes.get(rs) !== replicasOf(rs)).map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/** IsSaturated: the new ReplicaSet has all the Deployment's replicas, all available. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = replicasOf(d);
  return replicasOf(rs) === desired && Number(rs.metadata.annotations?.[DesiredReplicasAnnotation]) === desired && statusOf(rs, 'availableReplicas') === desired;
}

/** FindActiveOrLatest: the only ReplicaSet with replicas, or the newest when none has any. */
export function activeOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  const active = all.filter((rs) => replicasOf(rs) > 0);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? oldRSs.slice().sort(byCreation).at(-1);
  return undefined;
}

/** isScalingEvent: some active ReplicaSet was sized for a different replica count. */
export function isScalingEvent(d: KubeObject, rss: KubeObject[]): boolean {
  for (const rs of rss) {
    if (replicasOf(rs) === 0) continue;
    const desired = rs.metadata.annotations?.[DesiredReplicasAnnotation];
    if (desired !== undefined && Number(desired) !== replicasOf(d)) return true;
  }
  return false;
}

/** scale(): on a scaling event, spread the change over ReplicaSets in proportion to their size. */
export function proportionalScale(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): Scale[] {
  const desired = replicasOf(d);
  const single = activeOrLatest(newRS, oldRSs);
  if (single) return replicasOf(single) === desired ? [] : [{ rs: single, replicas: desired }];
  if (isSaturated(d, newRS)) return oldRSs.filter((rs) => replicasOf(rs) > 0).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];
  const all = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(all);
  if (toAdd === 0) return [];
  // Largest first; ties: newer first when scaling up, older first when scaling down.
  all.sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)));
  let added = 0;
  const sizes = all.map((rs) => {
    const p = proportion(d, rs, toAdd, added);
    added += p;
    return replicasOf(rs) + p;
  });
  sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return all.map((rs, i) => ({ rs, replicas: sizes[i] })).filter((s) => s.replicas !== replicasOf(s.rs));
}

function proportion(d: KubeObject, rs: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const annotated = Number(rs.metadata.annotations?.[MaxReplicasAnnotation] ?? d.status?.replicas ?? 0) || 1;
    fraction = Math.round((replicasOf(rs) * (replicasOf(d) + maxSurge(d))) / annotated) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The desired-replicas / max-replicas annotations a scaled ReplicaSet carries. */
export function replicasAnnotations(d: KubeObject): Record<string, string> {
  return { [DesiredReplicasAnnotation]: String(replicasOf(d)), [MaxReplicasAnnotation]: String(replicasOf(d) + maxSurge(d)) };
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision (recording the
 * previous one in revision-history on a rollback), and size annotations for a new ReplicaSet.
 * Returns the new annotations, or undefined when nothing changes.
 */
export function newReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): Record<string, string> | undefined {
  const ann: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopy.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const oldRevision = ann[RevisionAnnotation];
  const oldInt = oldRevision === undefined ? 0 : Number.parseInt(oldRevision, 10);
  if (oldRevision !== undefined && !Number.isFinite(oldInt)) return changed ? ann : undefined;
  if (oldInt < newRevision) {
    ann[RevisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = ann[RevisionHistoryAnnotation] ? ann[RevisionHistoryAnnotation].split(',') : [];
      history.push(oldRevision);
      while (history.join(',').length > MaxRevHistoryLengthInChars) history.shift();
      ann[RevisionHistoryAnnotation] = history.join(',');
    }
  }
  if (!exists) {
    for (const [k, v] of Object.entries(replicasAnnotations(d))) {
      if (ann[k] !== v) {
        ann[k] = v;
        changed = true;
      }
    }
  }
  return changed ? ann : undefined;
}

/** The ReplicaSet for the Deployment's current template (getNewReplicaSet's create branch). */
export function newReplicaSetFor(d: KubeObject, hash: string, replicas: number, revision: number): KubeObject {
  const template = deepCopy(d.spec?.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HashLabel]: hash } };
  const selector = deepCopy(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HashLabel]: hash };
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: template.metadata.labels,
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  rs.metadata.annotations = newReplicaSetAnnotations(d, rs, revision, false) ?? {};
  return rs;
}

/** cleanupDeployment: the old ReplicaSets beyond revisionHistoryLimit that are fully scaled down. */
export function replicaSetsToCleanUp(d: KubeObject, oldRSs: KubeObject[]): KubeObject[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return alive
    .slice(0, diff)
    .filter((rs) => statusOf(rs, 'replicas') === 0 && replicasOf(rs) === 0 && (rs.metadata.generation ?? 1) <= (rs.status?.observedGeneration ?? 0));
}

// ---- status and conditions ----

export interface DeploymentCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export function getDeploymentCondition(status: any, type: string): DeploymentCondition | undefined {
  return (status?.conditions as DeploymentCondition[] | undefined)?.find((c) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = nowIso(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** SetDeploymentCondition: no change when status and reason are the same; keep transition time when status is. */
export function setDeploymentCondition(status: any, cond: DeploymentCondition): void {
  const cur = getDeploymentCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const c = { ...cond };
  if (cur && cur.status === cond.status) c.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x: DeploymentCondition) => x.type !== cond.type), c];
}

export function removeDeploymentCondition(status: any, type: string): void {
  if (status.conditions) status.conditions = status.conditions.filter((c: DeploymentCondition) => c.type !== type);
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== 2147483647;
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): any {
  const available = sumStatus(allRSs, 'availableReplicas');
  const status: any = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sumStatus(allRSs, 'replicas'),
    updatedReplicas: statusOf(newRS, 'replicas'),
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(allRSs) - available),
    conditions: deepCopy(d.status?.conditions ?? []),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  } else {
    setDeploymentCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  }
  return status;
}

export function deploymentComplete(d: KubeObject, status: any): boolean {
  const desired = replicasOf(d);
  return status.updatedReplicas === desired && status.replicas === desired && status.availableReplicas === desired && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
}

export function deploymentProgressing(d: KubeObject, status: any): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = status.replicas - status.updatedReplicas;
  return status.updatedReplicas > (old.updatedReplicas ?? 0) || newOld < oldOld || status.readyReplicas > (old.readyReplicas ?? 0) || status.availableReplicas > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: KubeObject, status: any, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getDeploymentCondition(status, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** syncRolloutStatus: the status with the Progressing condition estimated, and ReplicaFailure carried over. */
export function rolloutStatus(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject | undefined, now: number): any {
  const status = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, 'Progressing');
  const cur = getDeploymentCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even with the same reason (it restarts the deadline).
      const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${subject} is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeDeploymentCondition(status, 'Progressing');
      setDeploymentCondition(status, c);
    } else if (deploymentTimedOut(d, status, now)) {
      setDeploymentCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `${subject} has timed out progressing.`, now));
    }
  }
  const failure = [newRS, ...allRSs].flatMap((rs) => (rs?.status?.conditions ?? []).filter((c: any) => c.type === 'ReplicaFailure' && c.status === 'True'))[0];
  if (failure) setDeploymentCondition(status, { type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime ?? nowIso(now), lastTransitionTime: failure.lastTransitionTime ?? nowIso(now) });
  else removeDeploymentCondition(status, 'ReplicaFailure');
  return status;
}

/** requeueStuckDeployment: ms until the progress deadline may pass, or undefined when not waiting. */
export function progressRequeueMs(d: KubeObject, status: any, now: number): number | undefined {
  const c = getDeploymentCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !c || deploymentComplete(d, status) || c.reason === 'ProgressDeadlineExceeded') return undefined;
  if (c.reason === 'NewReplicaSetAvailable') return undefined;
  return Math.max(0, Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - now) + 1000;
}

/** checkPausedConditions: the Progressing condition to record on pause/resume, or undefined. */
export function pausedCondition(d: KubeObject, now: number): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getDeploymentCondition(d.status, 'Progressing');
  if (c?.reason === 'ProgressDeadlineExceeded') return undefined;
  const pausedExists = c?.reason === 'DeploymentPaused';
  if (d.spec?.paused && !pausedExists) return newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now);
  if (!d.spec?.paused && pausedExists) return newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now);
  return undefined;
}

/** Whether two statuses differ in anything but condition timestamps we would rewrite anyway. */
export function deploymentStatusEqual(a: any, b: any): boolean {
  return canonicalJson(normalize(a ?? {})) === canonicalJson(normalize(b ?? {}));
}
