// StatefulSet pod identity and storage (pkg/controller/statefulset/stateful_set_utils.go): pod
// `<set>-<ordinal>` with hostname/subdomain and the identity labels, its claims
// `<template>-<set>-<ordinal>`, and which owners a claim should carry under the set's
// persistentVolumeClaimRetentionPolicy.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { ControllerRevisionHashLabel, templateOfRevision } from '../util/history.ts';
import { newControllerRef } from '../util/owner.ts';
import { deepCopy } from '../../api/core/json.ts';

export const PodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const PodIndexLabel = 'apps.kubernetes.io/pod-index';
export const SET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

/** getParentNameAndOrdinal: `<parent>-<n>`, or ordinal -1. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  return m ? { parent: m[1], ordinal: Number(m[2]) } : { parent: '', ordinal: -1 };
}

export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export function startOrdinal(set: KubeObject): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The revision a pod was made from (its controller-revision-hash label: the revision's name). */
export function podRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[ControllerRevisionHashLabel] ?? '';
}

export function claimName(set: KubeObject, template: KubeObject, ordinal: number): string {
  return `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

/** The names of one ordinal's claims (cheap: the plan asks for them for every pod on every sync). */
export function claimNamesFor(set: KubeObject, ordinal: number): string[] {
  return ((set.spec?.volumeClaimTemplates ?? []) as KubeObject[]).map((t) => claimName(set, t, ordinal));
}

/** getPersistentVolumeClaims: the claims of one ordinal from volumeClaimTemplates (only `names`, if given). */
export function claimsFor(set: KubeObject, ordinal: number, names?: Set<string>): KubeObject[] {
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  const templates = ((set.spec?.volumeClaimTemplates ?? []) as KubeObject[]).filter((t) => !names || names.has(claimName(set, t, ordinal)));
  return templates.map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(set, t, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...selectorLabels },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    },
    spec: deepCopy((t as any).spec ?? {}),
  }));
}

/** newVersionedStatefulSetPod: pod `<set>-<ordinal>` from a revision's template, with identity and storage. */
export function newStatefulPod(set: KubeObject, revision: KubeObject, ordinal: number): KubeObject {
  const t = deepCopy(templateOfRevision(revision));
  const meta = t.metadata ?? {};
  const name = `${set.metadata.name}-${ordinal}`;
  const spec = t.spec ?? {};
  // updateStorage: each claim template becomes the volume of the same name.
  const templates: KubeObject[] = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length) {
    const claimed = new Set(templates.map((c) => c.metadata?.name));
    spec.volumes = [
      ...((spec.volumes ?? []) as any[]).filter((v) => !claimed.has(v.name)),
      ...templates.map((c) => ({ name: c.metadata?.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } })),
    ];
  }
  // updateIdentity: hostname and the headless Service's subdomain.
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  else delete spec.subdomain;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), [PodNameLabel]: name, [PodIndexLabel]: String(ordinal), [ControllerRevisionHashLabel]: revision.metadata.name! },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(set, SET_KIND.apiVersion, SET_KIND.kind)],
    },
    spec,
  };
}

const ownerRef = (o: KubeObject, apiVersion: string, kind: string): OwnerReference => ({ apiVersion, kind, name: o.metadata.name!, uid: o.metadata.uid! });

/**
 * updateClaimOwnerRefForSetAndPod: a claim is owned by the set when whenDeleted is Delete (and the
 * ordinal is still in range or whenScaled is Retain), by its pod when whenScaled is Delete and the
 * ordinal was scaled away; returns the ownerReferences to write, or undefined when they are right.
 */
export function claimOwners(set: KubeObject, claim: KubeObject, pod: KubeObject | undefined, inRange: boolean): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleted = policy.whenDeleted === 'Delete';
  const scaled = policy.whenScaled === 'Delete';
  const wantSet = deleted && (inRange || !scaled);
  const wantPod = scaled && !inRange && !!pod;
  const refs = claim.metadata.ownerReferences ?? [];
  const hasSet = refs.some((r) => r.uid === set.metadata.uid);
  const hasPod = !!pod && refs.some((r) => r.uid === pod.metadata.uid);
  if (hasSet === wantSet && hasPod === wantPod) return undefined;
  const others = refs.filter((r) => r.uid !== set.metadata.uid && (!pod || r.uid !== pod.metadata.uid));
  return [...others, ...(wantSet ? [ownerRef(set, SET_KIND.apiVersion, SET_KIND.kind)] : []), ...(wantPod ? [ownerRef(pod!, 'v1', 'Pod')] : [])];
}
