// The disruption controller's decisions as pure functions (pkg/controller/disruption): which pods a
// PodDisruptionBudget counts, how many of them it expects (for percentages and maxUnavailable, the
// sum of their controllers' scales), which recent evictions still count as disrupted, and the
// status (currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, DisruptionAllowed).
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { labelSelectorAsSelector, matches, type LabelSelector } from '../../api/labels.ts';
import { PDB_CONDITION } from '../../api/kinds/pdb.ts';
import { isPodReady } from '../util/pod.ts';
import { controllerOf } from '../util/owner.ts';
import { scaledValue } from '../util/intstr.ts';

/** How long an eviction counts the pod as disrupted without the pod going away (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** getPodsForPdb (policy/v1): a null selector selects nothing, an empty one every pod of the namespace. */
export function podsForPdb(pdb: KubeObject, pods: KubeObject[]): KubeObject[] {
  const ls = pdb.spec?.selector as LabelSelector | undefined;
  if (!ls) return [];
  let sel;
  try {
    sel = labelSelectorAsSelector(ls);
  } catch {
    return [];
  }
  return pods.filter((p) => p.metadata.namespace === pdb.metadata.namespace && matches(sel, p.metadata.labels ?? {}));
}

/** A controller's uid and desired replicas (controllerAndScale). */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/** The finders: the scale of the controller a pod's controllerRef names, or undefined if it is not one of them. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => ControllerScale | undefined;

export interface Expected {
  expectedCount: number;
  desiredHealthy: number;
  /** Pods without a controller (percentages cannot count them). */
  unmanagedPods: string[];
}

/** getExpectedScale: the sum of the scales of the pods' controllers. Throws when a controller is not found. */
export function expectedScale(pods: KubeObject[], find: ScaleFinder): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(ref, pod.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name ?? '')}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/** getExpectedPodCount: maxUnavailable and percentage minAvailable use the controllers' scale; an integer minAvailable the pod count. */
export function expectedPodCount(pdb: KubeObject, pods: KubeObject[], find: ScaleFinder): Expected {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable != null) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, find);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable != null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = expectedScale(pods, find);
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

export interface DisruptedPods {
  /** pod name → eviction time, for evictions still expected to complete. */
  disruptedPods: Record<string, string>;
  /** When the earliest of them times out (the PDB is synced again then). */
  recheckAt?: number;
  /** Pods an eviction was recorded for that were not deleted in time (a NotDeleted event each). */
  notDeleted: string[];
}

/** buildDisruptedPodMap. */
export function disruptedPodMap(pdb: KubeObject, pods: KubeObject[], now: number): DisruptedPods {
  const recorded: Record<string, string> = pdb.status?.disruptedPods ?? {};
  const out: DisruptedPods = { disruptedPods: {}, notDeleted: [] };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue; // already going
    const name = pod.metadata.name ?? '';
    const at = recorded[name];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < now) out.notDeleted.push(name);
    else {
      if (out.recheckAt === undefined || expectedDeletion < out.recheckAt) out.recheckAt = expectedDeletion;
      out.disruptedPods[name] = at;
    }
  }
  return out;
}

/** countHealthyPods: ready pods that are neither being deleted nor recently evicted. */
export function countHealthyPods(pods: KubeObject[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/** UpdateDisruptionAllowedCondition (apimeta.SetStatusCondition: the transition time moves only with the status). */
export function withDisruptionCondition(conditions: any[] | undefined, allowed: number, observedGeneration: number, nowIso: string, failure?: string): any[] {
  const status = failure === undefined && allowed > 0 ? 'True' : 'False';
  const reason = failure !== undefined ? PDB_CONDITION.syncFailed : allowed > 0 ? PDB_CONDITION.sufficientPods : PDB_CONDITION.insufficientPods;
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c?.type === PDB_CONDITION.type);
  const old = i >= 0 ? list[i] : undefined;
  const next = { type: PDB_CONDITION.type, status, observedGeneration, lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : nowIso, reason, message: failure ?? '' };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** updatePdbStatus: the status to write, or undefined when the stored one already says it. */
export function pdbStatus(pdb: KubeObject, currentHealthy: number, desiredHealthy: number, expectedCount: number, disruptedPods: Record<string, string>, nowIso: string): any | undefined {
  // A PDB matching no pods yet allows nothing, so its first pods are safe before the next sync.
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status ?? {};
  const generation = pdb.metadata.generation ?? 0;
  const conditions = withDisruptionCondition(st.conditions, disruptionsAllowed, generation, nowIso);
  const same =
    st.currentHealthy === currentHealthy &&
    st.desiredHealthy === desiredHealthy &&
    st.expectedPods === expectedCount &&
    st.disruptionsAllowed === disruptionsAllowed &&
    sameMap(st.disruptedPods, disruptedPods) &&
    st.observedGeneration === generation &&
    JSON.stringify(st.conditions ?? []) === JSON.stringify(conditions);
  if (same) return undefined;
  const out: any = { observedGeneration: generation, disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods: expectedCount, conditions };
  if (Object.keys(disruptedPods).length) out.disruptedPods = disruptedPods;
  return out;
}

/** failSafe: a PDB whose status cannot be computed allows no disruption (SyncFailed). */
export function failSafeStatus(pdb: KubeObject, message: string, nowIso: string): any {
  const st = { ...(pdb.status ?? {}) };
  st.disruptionsAllowed = 0;
  st.conditions = withDisruptionCondition(st.conditions, 0, st.observedGeneration ?? 0, nowIso, message);
  return st;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}
