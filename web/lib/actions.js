// What the dashboard can change, each as the request kubectl would send, behind a confirmation:
// scale a workload (its /scale subresource), delete a pod, cordon/uncordon a node.
import { mergePatch, pathOf, remove } from './api.js';

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
