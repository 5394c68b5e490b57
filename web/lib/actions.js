// What the dashboard can change, each as the request kubectl would send, behind a confirmation:
// scale a workload (its /scale subresource), delete a pod, cordon/uncordon/drain a node, partition
// or heal a simulated node (the node pool's chaos annotation).
import { mergePatch, pathOf, remove, request } from './api.js';

const SCALABLE = { Deployment: 'deployments', ReplicaSet: 'replicasets', StatefulSet: 'statefulsets' };

export function scaleAction(obj) {
  const { namespace, name } = obj.metadata;
  const path = `${pathOf({ apiVersion: obj.apiVersion ?? 'apps/v1', plural: SCALABLE[obj.kind] ?? 'deployments', namespace, name })}/scale`;
  return {
    title: `Scale ${obj.kind ?? 'Deployment'} ${namespace}/${name}`,
    detail: `PATCH ${path} {"spec":{"replicas":N}}`,
    input: { label: 'Replicas', value: obj.spec?.replicas ?? 1, min: 0 },
    okLabel: 'Scale',
    run: (n) => {
      if (!Number.isInteger(n) || n < 0) return Promise.reject(new Error('replicas must be a whole number ≥ 0'));
      return mergePatch(path, { spec: { replicas: n } });
    },
    done: (n) => `${namespace}/${name} scaled to ${n}`,
  };
}

export function deletePodAction(pod) {
  const { namespace, name } = pod.metadata;
  const path = pathOf({ apiVersion: 'v1', plural: 'pods', namespace, name });
  return {
    title: `Delete pod ${namespace}/${name}`,
    detail: `DELETE ${path} — its controller (if any) creates a replacement.`,
    okLabel: 'Delete',
    run: () => remove(path),
    done: () => `pod ${namespace}/${name} deleted`,
  };
}

export function cordonAction(node, unschedulable) {
  const name = node.metadata.name;
  const path = pathOf({ apiVersion: 'v1', plural: 'nodes', name });
  const verb = unschedulable ? 'Cordon' : 'Uncordon';
  return {
    title: `${verb} node ${name}`,
    detail: `PATCH ${path} {"spec":{"unschedulable":${unschedulable}}} — ${unschedulable ? 'no new pods are scheduled there; running pods stay' : 'the scheduler may place pods there again'}.`,
    okLabel: verb,
    run: () => mergePatch(path, { spec: { unschedulable: unschedulable || null } }),
    done: () => `node ${name} ${unschedulable ? 'cordoned' : 'uncordoned'}`,
  };
}

/** The reference a timeline opens for an object shown in a view. */
export function refOf(obj, plural) {
  return { apiVersion: obj.apiVersion, kind: obj.kind, plural, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

const PARTITION = 'kubesim.io/partitioned';
export const isPartitioned = (node) => node.metadata.annotations?.[PARTITION] === 'true';

/** Partition (or heal) a simulated node: the node pool's chaos annotation cuts its agent off the API. */
export function partitionAction(node, on) {
  const name = node.metadata.name;
  const path = pathOf({ apiVersion: 'v1', plural: 'nodes', name });
  return {
    title: `${on ? 'Partition' : 'Heal'} node ${name}`,
    detail: `PATCH ${path} {"metadata":{"annotations":{"${PARTITION}":${on ? '"true"' : 'null'}}}} — ${on ? 'its agent stops heartbeating and writing; after the grace period the node lifecycle controller marks it NotReady and taints it' : 'its agent reaches the API server again'}.`,
    okLabel: on ? 'Partition' : 'Heal',
    run: () => mergePatch(path, { metadata: { annotations: { [PARTITION]: on ? 'true' : null } } }),
    done: () => `node ${name} ${on ? 'partitioned' : 'healed'}`,
  };
}

/** The pods `kubectl drain` evicts: not DaemonSet-managed, not mirror pods, not finished. Pure. */
export function podsToDrain(pods) {
  return pods.filter(
    (p) =>
      !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet' && r.controller) &&
      !p.metadata.annotations?.['kubernetes.io/config.mirror'] &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  );
}

/** Drain: cordon, then evict its pods through the eviction subresource (PodDisruptionBudgets apply). */
export function drainAction(node, pods) {
  const name = node.metadata.name;
  const victims = podsToDrain(pods);
  return {
    title: `Drain node ${name}`,
    detail: `PATCH spec.unschedulable=true, then POST …/pods/<name>/eviction for ${victims.length} pod(s) (DaemonSet pods stay), as kubectl drain does.`,
    okLabel: 'Drain',
    run: async () => {
      await mergePatch(pathOf({ apiVersion: 'v1', plural: 'nodes', name }), { spec: { unschedulable: true } });
      const failed = [];
      for (const p of victims) {
        const { namespace, name: pod } = p.metadata;
        const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } };
        await request('POST', `${pathOf({ apiVersion: 'v1', plural: 'pods', namespace, name: pod })}/eviction`, eviction).catch((err) => failed.push(`${pod}: ${err.message}`));
      }
      if (failed.length) throw new Error(`cordoned; ${failed.length} eviction(s) refused: ${failed.join('; ')}`);
    },
    done: () => `node ${name} drained (${victims.length} pod(s) evicted)`,
  };
}
