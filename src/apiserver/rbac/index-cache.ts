// The RBAC authorizer's view of the store: Roles, ClusterRoles and their bindings mirrored by
// informers (list + watch, src/apiserver/pipeline/informer.ts), so a request never reads the store.
// With the watch cache as the store, a binding written is in effect for the next request.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { RBAC_GROUP, type PolicyRule, type RoleRef, type Subject } from '../../api/kinds/rbac.ts';
import { resourcePrefix, type Store } from '../../storage/interface.ts';
import { PrefixInformer } from '../pipeline/informer.ts';

export interface CompiledRole {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  rules: PolicyRule[];
}

export interface CompiledBinding {
  namespace: string;
  name: string;
  subjects: Subject[];
  roleRef: RoleRef;
}

const compileRole = (o: KubeObject): CompiledRole => ({
  namespace: o.metadata.namespace ?? '',
  name: o.metadata.name ?? '',
  labels: o.metadata.labels ?? {},
  rules: ((o.rules as PolicyRule[] | undefined) ?? []).map((r) => ({ ...r, verbs: r.verbs ?? [] })),
});

const compileBinding = (o: KubeObject): CompiledBinding => ({
  namespace: o.metadata.namespace ?? '',
  name: o.metadata.name ?? '',
  subjects: (o.subjects as Subject[] | undefined) ?? [],
  roleRef: (o.roleRef as RoleRef | undefined) ?? { apiGroup: RBAC_GROUP, kind: '', name: '' },
});

/** A lookup map rebuilt only when its informer's contents changed. */
function indexed<T, K>(inf: PrefixInformer<T>, build: (items: readonly T[]) => K): () => K {
  let src: readonly T[] | undefined;
  let out: K;
  return () => {
    const items = inf.list();
    if (items !== src) {
      src = items;
      out = build(items);
    }
    return out;
  };
}

function byKey<T extends { namespace: string; name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((x) => [`${x.namespace}/${x.name}`, x]));
}

function byNamespace<T extends { namespace: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const l = m.get(x.namespace);
    if (l) l.push(x);
    else m.set(x.namespace, [x]);
  }
  return m;
}

export class RbacCache {
  private readonly roles: PrefixInformer<CompiledRole>;
  private readonly clusterRoles: PrefixInformer<CompiledRole>;
  private readonly roleBindings: PrefixInformer<CompiledBinding>;
  private readonly clusterRoleBindings: PrefixInformer<CompiledBinding>;
  private readonly roleIndex: () => Map<string, CompiledRole>;
  private readonly clusterRoleIndex: () => Map<string, CompiledRole>;
  private readonly roleBindingIndex: () => Map<string, CompiledBinding[]>;

  constructor(store: Store, logger?: Logger) {
    const inf = <T>(plural: string, compile: (o: KubeObject) => T) => new PrefixInformer(store, resourcePrefix(RBAC_GROUP, plural), compile, logger);
    this.roles = inf('roles', compileRole);
    this.clusterRoles = inf('clusterroles', compileRole);
    this.roleBindings = inf('rolebindings', compileBinding);
    this.clusterRoleBindings = inf('clusterrolebindings', compileBinding);
    this.roleIndex = indexed(this.roles, byKey);
    this.clusterRoleIndex = indexed(this.clusterRoles, byKey);
    this.roleBindingIndex = indexed(this.roleBindings, byNamespace);
  }

  async start(): Promise<void> {
    await Promise.all([this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings].map((i) => i.start()));
  }

  stop(): void {
    for (const i of [this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings]) i.stop();
  }

  /** Moves whenever a Role, ClusterRole or binding changes (RBAC's decision cache starts over). */
  revision(): number {
    return this.roles.revision + this.clusterRoles.revision + this.roleBindings.revision + this.clusterRoleBindings.revision;
  }

  clusterRole(name: string): CompiledRole | undefined {
    return this.clusterRoleIndex().get(`/${name}`);
  }

  role(namespace: string, name: string): CompiledRole | undefined {
    return this.roleIndex().get(`${namespace}/${name}`);
  }

  allClusterRoles(): readonly CompiledRole[] {
    return this.clusterRoles.list();
  }

  allClusterRoleBindings(): readonly CompiledBinding[] {
    return this.clusterRoleBindings.list();
  }

  roleBindingsIn(namespace: string): readonly CompiledBinding[] {
    return this.roleBindingIndex().get(namespace) ?? [];
  }

  /** The rules a binding grants (its role's; none when the role does not exist). */
  rulesOf(b: CompiledBinding): readonly PolicyRule[] {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRole(b.roleRef.name)?.rules ?? [];
    if (b.roleRef.kind === 'Role' && b.namespace) return this.role(b.namespace, b.roleRef.name)?.rules ?? [];
    return [];
  }
}
