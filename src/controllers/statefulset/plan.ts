// StatefulSet reconcile decisions as pure functions (pkg/controller/statefulset/stateful_set_control.go
// updateStatefulSet): the replicas [start, start+replicas) by ordinal, what to create, replace,
// delete (scale down from the highest ordinal) and update (reverse ordinal order down to the
// partition, maxUnavailable at once; nothing for OnDelete), one step at a time for OrderedReady and
// all at once for Parallel; identity labels and missing claims repaired; and the status.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isPodAvailable, isPodReady } from '../util/pod.ts';
import { scaledValue } from '../util/intstr.ts';
import { claimNamesFor, claimOwners, claimsFor, isMemberOf, newStatefulPod, parentAndOrdinal, PodIndexLabel, PodNameLabel, podRevision, startOrdinal } from './pods.ts';

export type SetAction =
  /** Create the missing claims, then the pod. */
  | { action: 'create'; pod: KubeObject; claims: KubeObject[] }
  | { action: 'delete'; pod: KubeObject; why: 'failed' | 'condemned' | 'update' }
  | { action: 'ownClaim'; claim: KubeObject; ownerReferences: OwnerReference[] }
  /** updateStatefulPod: restore the identity labels of a pod that lost them. */
  | { action: 'label'; pod: KubeObject; labels: Record<string, string> }
  /** A pod whose claims went missing (still pending on them): make them again. */
  | { action: 'createClaims'; pod: KubeObject; claims: KubeObject[] };

export interface SetPlanInput {
  set: KubeObject;
  /** Pods the set controls. */
  pods: KubeObject[];
  /** Claims in the set's namespace by name. */
  claims: Map<string, KubeObject>;
  currentRevision: KubeObject;
  updateRevision: KubeObject;
  collisionCount: number;
  now: number;
}

export interface SetPlan {
  actions: SetAction[];
  status: any;
}

const isTerminating = (p: KubeObject) => !!p.metadata.deletionTimestamp;
/** Failed, or Succeeded (a StatefulSet pod that exits is replaced too). */
const isFinished = (p: KubeObject) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
export const isRunningAndReady = (p: KubeObject) => p.status?.phase === 'Running' && isPodReady(p);
const isRunningAndAvailable = (p: KubeObject, minReady: number, now: number) => isRunningAndReady(p) && isPodAvailable(p, minReady, now);
const isHealthy = (p: KubeObject) => isRunningAndReady(p) && !isTerminating(p);

/** The pods the plan expects to exist (created this sync) carry no uid. */
const isCreated = (p: KubeObject) => !!p.metadata.uid;

export function planStatefulSet(input: SetPlanInput): SetPlan {
  const { set, claims, currentRevision, updateRevision, now } = input;
  const replicaCount = set.spec?.replicas ?? 1;
  const start = startOrdinal(set);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const cur = currentRevision.metadata.name!;
  const upd = updateRevision.metadata.name!;
  const actions: SetAction[] = [];
  const status: any = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: cur,
    updateRevision: upd,
    collisionCount: input.collisionCount,
  };
  /** As Kubernetes counts: replicas change only for created and failed pods, not for deletions. */
  const count = (p: KubeObject, by: number, replicas = true) => {
    if (replicas) status.replicas += by;
    if (podRevision(p) === cur) status.currentReplicas += by;
    if (podRevision(p) === upd) status.updatedReplicas += by;
  };

  const replicas: (KubeObject | undefined)[] = new Array(replicaCount).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const p of input.pods) {
    if (!isMemberOf(set, p)) continue;
    if (!isTerminating(p)) count(p, 1);
    if (isRunningAndReady(p)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(p, minReady, now)) status.availableReplicas++;
    }
    const idx = parentAndOrdinal(p).ordinal - start;
    if (idx >= 0 && idx < replicaCount) replicas[idx] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => parentAndOrdinal(a).ordinal - parentAndOrdinal(b).ordinal);

  // Claims: owners per the retention policy, for every pod we have.
  for (const p of input.pods) {
    if (!isMemberOf(set, p)) continue;
    const ord = parentAndOrdinal(p).ordinal;
    const inRange = ord - start >= 0 && ord - start < replicaCount;
    for (const name of claimNamesFor(set, ord)) {
      const claim = claims.get(name);
      const refs = claim && !claim.metadata.deletionTimestamp ? claimOwners(set, claim, p, inRange) : undefined;
      if (claim && refs) actions.push({ action: 'ownClaim', claim, ownerReferences: refs });
    }
  }

  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  /** newVersionedStatefulSetPod: below the partition (or already current) pods stay at the current revision. */
  const versioned = (idx: number) => {
    const ord = idx + start;
    return newStatefulPod(set, rolling && ord < partition ? currentRevision : updateRevision, ord);
  };
  for (let i = 0; i < replicaCount; i++) if (!replicas[i]) replicas[i] = versioned(i);

  const firstUnhealthy = [...replicas, ...condemned].find((p) => !isHealthy(p!));
  const done = () => ({ actions, status: finishStatus(set, status) });
  if (set.metadata.deletionTimestamp) return done();

  for (let i = 0; i < replicaCount; i++) {
    let pod = replicas[i]!;
    // A failed (or exited) pod is deleted and made again before anything else moves.
    if (isCreated(pod) && isFinished(pod) && !isTerminating(pod)) {
      actions.push({ action: 'delete', pod, why: 'failed' });
      count(pod, -1);
      pod = replicas[i] = versioned(i);
    }
    if (!isCreated(pod)) {
      // createPersistentVolumeClaims: a claim still being deleted holds the pod back.
      const names = claimNamesFor(set, i + start);
      if (names.some((n) => claims.get(n)?.metadata.deletionTimestamp)) {
        if (monotonic) return done();
        continue;
      }
      const missing = claimsFor(set, i + start, new Set(names.filter((n) => !claims.has(n)))).map((c) => withSetOwner(set, c));
      actions.push({ action: 'create', pod, claims: missing });
      count(pod, 1);
      if (monotonic) return done();
      continue;
    }
    if (!isTerminating(pod)) repairs(set, pod, i + start, claims, actions);
    if (!monotonic) continue;
    if (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now)) return done();
  }

  // Scale down: highest ordinal first; OrderedReady waits for the others to be healthy.
  for (let t = condemned.length - 1; t >= 0; t--) {
    const pod = condemned[t];
    if (isTerminating(pod)) {
      if (monotonic) return done();
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReady, now)) return done();
    actions.push({ action: 'delete', pod, why: 'condemned' });
    count(pod, -1, false);
    if (monotonic) return done();
  }

  if (!rolling) return done();
  // RollingUpdate: from the highest ordinal down to the partition, at most maxUnavailable pods
  // unavailable at once; each replaced pod must be healthy again before the next goes.
  const updateMin = Math.max(0, partition - start);
  const maxUnavailable = Math.max(1, scaledValue(set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, replicaCount, false));
  let unavailable = 0;
  for (let i = updateMin; i < replicaCount; i++) if (!isCreated(replicas[i]!) || isTerminating(replicas[i]!) || !isRunningAndAvailable(replicas[i]!, minReady, now)) unavailable++;
  for (let t = replicaCount - 1; t >= updateMin; t--) {
    const pod = replicas[t]!;
    if (!isCreated(pod)) continue;
    if (podRevision(pod) !== upd && !isTerminating(pod)) {
      const podAvailable = isRunningAndAvailable(pod, minReady, now);
      if (podAvailable && unavailable >= maxUnavailable) break;
      actions.push({ action: 'delete', pod, why: 'update' });
      count(pod, -1, false);
      if (podAvailable) unavailable++;
      continue;
    }
    if (maxUnavailable === 1 && !isHealthy(pod)) break;
  }
  return done();
}

/** identityMatches/storageMatches: the labels a pod must carry and the claims it must have. */
function repairs(set: KubeObject, pod: KubeObject, ordinal: number, claims: Map<string, KubeObject>, actions: SetAction[]): void {
  const want = { [PodNameLabel]: pod.metadata.name!, [PodIndexLabel]: String(ordinal) };
  const labels = pod.metadata.labels ?? {};
  if (Object.entries(want).some(([k, v]) => labels[k] !== v)) actions.push({ action: 'label', pod, labels: want });
  const missing = claimNamesFor(set, ordinal).filter((n) => !claims.has(n));
  if (missing.length && pod.status?.phase !== 'Running') actions.push({ action: 'createClaims', pod, claims: claimsFor(set, ordinal, new Set(missing)).map((c) => withSetOwner(set, c)) });
}

function withSetOwner(set: KubeObject, claim: KubeObject): KubeObject {
  const refs = claimOwners(set, claim, undefined, true);
  return refs ? { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } } : claim;
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision becomes current. */
function finishStatus(set: KubeObject, status: any): any {
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas >= status.replicas && status.readyReplicas >= status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** The revisions still in use: current, update and every pod's. */
export function liveRevisions(pods: KubeObject[], status: any): Set<string> {
  const live = new Set<string>([status.currentRevision, status.updateRevision]);
  for (const p of pods) if (podRevision(p)) live.add(podRevision(p));
  return live;
}

const STATUS_FIELDS = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'];

export function statusChanged(old: any, next: any): boolean {
  return STATUS_FIELDS.some((f) => (old?.[f] ?? 0) !== (next[f] ?? 0));
}

/** Seconds until some ready pod becomes available under minReadySeconds (0: nothing to wait for). */
export function availabilityRequeueSeconds(set: KubeObject, status: any): number {
  const minReady = set.spec?.minReadySeconds ?? 0;
  return minReady > 0 && status.availableReplicas < status.readyReplicas ? minReady : 0;
}
