// The Node authorizer (plugin/pkg/auth/authorizer/node): a kubelet's identity system:node:NAME in
// group system:nodes may read the Secrets, ConfigMaps and PersistentVolumeClaims of pods bound to
// it, only its own Lease in kube-node-lease, and otherwise what system:node's rules allow. Pods are
// mirrored from the store (bound node → what they reference), the "graph" Kubernetes keeps.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix, type Store, type Unsubscribe } from '../../storage/interface.ts';
import type { Authorizer, AuthorizationDecision, RequestAttributes, UserInfo } from '../pipeline/index.ts';
import { CLUSTER_ROLES } from './policy.ts';
import { authzAttributes } from './authorizer.ts';
import { ruleAllows } from './rules.ts';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** NodeIdentity: the node name of a kubelet's user, undefined for anyone else. */
export function nodeName(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}

interface PodRefs {
  node: string;
  namespace: string;
  /** "secrets/NAME", "configmaps/NAME", "persistentvolumeclaims/NAME", "serviceaccounts/NAME" */
  refs: Set<string>;
}

/** What a pod spec references, as the node graph records it. */
export function podRefs(pod: KubeObject): PodRefs {
  const spec = (pod.spec ?? {}) as any;
  const refs = new Set<string>();
  const add = (kind: string, name: unknown) => typeof name === 'string' && name && refs.add(`${kind}/${name}`);
  add('serviceaccounts', spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add('secrets', s?.name);
  for (const v of spec.volumes ?? []) {
    add('secrets', v?.secret?.secretName);
    add('configmaps', v?.configMap?.name);
    add('persistentvolumeclaims', v?.persistentVolumeClaim?.claimName);
    for (const src of v?.projected?.sources ?? []) {
      add('secrets', src?.secret?.name);
      add('configmaps', src?.configMap?.name);
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      add('secrets', e?.valueFrom?.secretKeyRef?.name);
      add('configmaps', e?.valueFrom?.configMapKeyRef?.name);
    }
    for (const f of c?.envFrom ?? []) {
      add('secrets', f?.secretRef?.name);
      add('configmaps', f?.configMapRef?.name);
    }
  }
  return { node: spec.nodeName ?? '', namespace: pod.metadata?.namespace ?? '', refs };
}

/** Pods by store key, indexed by bound node. */
export class NodeGraph {
  private readonly pods = new Map<string, PodRefs>();
  private readonly byNode = new Map<string, Set<string>>();
  private unwatch: Unsubscribe | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const prefix = resourcePrefix('', 'pods');
    const { items, revision } = await this.store.list(prefix);
    for (const e of items) this.put(e.key, e.object);
    this.unwatch = this.store.watch(
      prefix,
      revision,
      (ev) => (ev.type === 'DELETED' ? this.remove(ev.key) : this.put(ev.key, ev.object)),
      (err) => this.logger?.warn({ err }, 'node authorizer: pod watch stopped'),
    );
  }

  stop(): void {
    this.unwatch?.();
  }

  /** Whether a pod bound to node in namespace references `resource/name`. */
  related(node: string, namespace: string, resource: string, name: string): boolean {
    const ref = `${resource}/${name}`;
    for (const k of this.byNode.get(node) ?? []) {
      const p = this.pods.get(k);
      if (p && p.namespace === namespace && p.refs.has(ref)) return true;
    }
    return false;
  }

  private put(key: string, obj: KubeObject): void {
    this.remove(key);
    const p = podRefs(obj);
    this.pods.set(key, p);
    if (!p.node) return;
    let s = this.byNode.get(p.node);
    if (!s) this.byNode.set(p.node, (s = new Set()));
    s.add(key);
  }

  private remove(key: string): void {
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    this.byNode.get(p.node)?.delete(key);
  }
}

const NODE_RULES = CLUSTER_ROLES.find((r) => r.name === 'system:node')!.rules;

type Answer = [AuthorizationDecision, string];
const NO = (why = ''): Answer => ['noOpinion', why];
const YES: Answer = ['allow', ''];

/** The Node authorizer's decision and reason for a node's request (pure over the graph). */
export function decideNode(graph: Pick<NodeGraph, 'related'>, node: string, a: RequestAttributes): Answer {
  const at = authzAttributes(a.user, a.info);
  const related = (resource: string): Answer => {
    if (!at.name) return NO('No Object name found');
    return graph.related(node, at.namespace, resource, at.name) ? YES : NO(`no relationship found between node '${node}' and this object`);
  };
  if (at.resourceRequest && at.apiGroup === '') {
    if (at.resource === 'secrets' || at.resource === 'configmaps') {
      if (!['get', 'list', 'watch'].includes(at.verb)) return NO('can only read resources of this type');
      if (at.subresource) return NO('cannot read subresource');
      if (!at.namespace) return NO('can only read namespaced object of this type');
      return related(at.resource);
    }
    if (at.resource === 'persistentvolumeclaims') {
      if (at.subresource === 'status') return ['update', 'patch'].includes(at.verb) ? related(at.resource) : NO('can only get/update/patch this type');
      if (at.verb !== 'get') return NO('can only get individual resources of this type');
      return at.subresource ? NO('cannot get subresource') : related(at.resource);
    }
    if (at.resource === 'serviceaccounts') {
      if (at.verb !== 'create' || !at.name) return NO('can only create tokens for individual service accounts');
      if (at.subresource !== 'token') return NO('can only create token subresource of serviceaccount');
      return related('serviceaccounts');
    }
  }
  if (at.resourceRequest && at.apiGroup === 'coordination.k8s.io' && at.resource === 'leases') {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(at.verb)) return NO('can only get, create, update, patch, or delete a node lease');
    if (at.namespace !== NODE_LEASE_NAMESPACE) return NO(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    if (at.verb !== 'create' && at.name !== node) return NO('can only access node lease with the same name as the requesting node');
    return YES;
  }
  return NODE_RULES.some((r) => ruleAllows(at, r)) ? YES : NO();
}

export function authorizeNode(graph: Pick<NodeGraph, 'related'>, node: string, a: RequestAttributes): AuthorizationDecision {
  return decideNode(graph, node, a)[0];
}

export function nodeAuthorizer(graph: NodeGraph): Authorizer {
  return {
    name: 'Node',
    authorize(a) {
      const node = nodeName(a.user);
      return node ? authorizeNode(graph, node, a) : 'noOpinion';
    },
    reason(a) {
      const node = nodeName(a.user);
      return node ? decideNode(graph, node, a)[1] : '';
    },
  };
}
