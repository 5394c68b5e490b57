// NodeRestriction admission (plugin/pkg/admission/noderestriction): a node's identity
// (system:node:NAME in system:nodes) may change only its own Node, its own Lease, and pods bound to
// it (status, deletion); it creates no pods (kubesim has no mirror pods); on its own Node it may not
// set or change restricted labels (src/api/core/kubeletlabels.ts) nor change its taints.
import type { KubeObject } from '../../api/types.ts';
import { forbiddenNodeLabels, jsonEqual, modifiedLabels } from '../../api/core/index.ts';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from './index.ts';
import { admissionForbidden } from './forbidden.ts';

const NODE_USER_PREFIX = 'system:node:';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

function nodeOf(user: UserInfo): string | undefined {
  return user.username.startsWith(NODE_USER_PREFIX) && user.groups.includes('system:nodes') ? user.username.slice(NODE_USER_PREFIX.length) : undefined;
}

const boundTo = (o: KubeObject | undefined) => ((o?.spec as { nodeName?: string } | undefined)?.nodeName ?? '');

type Attrs = Pick<AdmissionAttributes, 'operation' | 'rt' | 'subresource' | 'name' | 'namespace' | 'object' | 'oldObject'>;

/** Why the node may not make this change, or undefined. Pure; `evicted` is the pod an eviction names (undefined: none). */
export function nodeRestrictionProblem(node: string, a: Attrs, evicted?: KubeObject): string | undefined {
  const { group, plural } = a.rt;
  if (group === '' && plural === 'pods' && a.subresource === 'eviction') {
    // an eviction of a pod that does not exist is let through (it answers 404 itself)
    return a.operation === 'CREATE' && evicted && boundTo(evicted) !== node ? `node ${node} can only evict pods with spec.nodeName set to itself` : undefined;
  }
  if (group === '' && plural === 'pods') {
    if (a.operation === 'CREATE' && !a.subresource) {
      if (!a.object?.metadata?.annotations?.[MIRROR_ANNOTATION]) return `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`;
      if (boundTo(a.object) !== node) return `node "${node}" can only create pods with spec.nodeName set to itself`;
      return undefined;
    }
    if (a.operation === 'UPDATE' && a.subresource === 'status' && boundTo(a.oldObject) !== node) return `node "${node}" can only update pod status for pods with spec.nodeName set to itself`;
    if (a.operation === 'DELETE' && boundTo(a.oldObject) !== node) return `node "${node}" can only delete pods with spec.nodeName set to itself`;
    return undefined;
  }
  if (group === '' && plural === 'nodes') {
    const name = a.name || a.object?.metadata?.name || '';
    if ((a.operation === 'CREATE' || a.operation === 'UPDATE' || a.operation === 'DELETE') && name !== node) return `node "${node}" is not allowed to modify node "${name}"`;
    return ownNodeProblem(node, a);
  }
  if (group === 'coordination.k8s.io' && plural === 'leases' && a.operation !== 'CONNECT') {
    const name = a.name || a.object?.metadata?.name || '';
    if (a.namespace !== 'kube-node-lease' || name !== node) return 'can only access node lease with the same name as the requesting node';
  }
  return undefined;
}

/** What a node may not do to its own Node: register with restricted labels; change them or its taints. */
function ownNodeProblem(node: string, a: Attrs): string | undefined {
  if (a.operation === 'CREATE') {
    const bad = forbiddenNodeLabels(Object.keys(a.object?.metadata?.labels ?? {}));
    return bad.length ? `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}` : undefined;
  }
  if (a.operation !== 'UPDATE' || !a.object || !a.oldObject) return undefined;
  // nil and empty taint lists are the same (Kubernetes' semantic equality)
  const taints = (o: KubeObject) => ((o.spec as { taints?: unknown[] } | undefined)?.taints?.length ? (o.spec as { taints: unknown[] }).taints : undefined);
  if (!jsonEqual(taints(a.object), taints(a.oldObject))) return `node "${node}" is not allowed to modify taints`;
  const bad = forbiddenNodeLabels(modifiedLabels(a.object.metadata?.labels, a.oldObject.metadata?.labels));
  return bad.length ? `is not allowed to modify labels: ${bad.join(', ')}` : undefined;
}

const isEviction = (a: Attrs) => a.rt.group === '' && a.rt.plural === 'pods' && a.subresource === 'eviction' && a.operation === 'CREATE';

/** getPod reads a pod (for evictions, as Kubernetes' plugin reads it through its pod lister). */
export function nodeRestriction(getPod: (namespace: string, name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    validate(a) {
      const node = nodeOf(a.user);
      if (!node) return;
      const check = (evicted: KubeObject | undefined) => {
        const why = nodeRestrictionProblem(node, a, evicted);
        if (why) throw admissionForbidden(a, why);
      };
      if (isEviction(a)) return getPod(a.namespace ?? '', a.name ?? '').then(check);
      check(undefined);
    },
  };
}
