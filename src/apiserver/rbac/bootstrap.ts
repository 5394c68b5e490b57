// Writes the bootstrap policy at API server start (Kubernetes' EnsureRBACPolicy post-start hook):
// a missing role or binding is created; an existing one whose
// `rbac.authorization.kubernetes.io/autoupdate` annotation is not "false" gets the rules, the
// aggregation selector and the subjects it lacks added (never removed), as `reconcile` does.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { RBAC_GROUP, type PolicyRule, type Subject } from '../../api/kinds/rbac.ts';
import { objectKey, type Store } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';
import { ALL_CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, NAMESPACED_ROLES, NAMESPACED_ROLE_BINDINGS, type BootstrapBinding, type BootstrapRole } from './policy.ts';
import { deepCopy } from '../../api/core/json.ts';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

function meta(name: string, labels: Record<string, string> = {}) {
  return { name, uid: randomUUID(), creationTimestamp: timestamp(), labels: { ...BOOTSTRAP_LABEL, ...labels }, annotations: { [AUTOUPDATE]: 'true' } };
}

export function clusterRoleObject(r: BootstrapRole): KubeObject {
  const o: KubeObject = { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: meta(r.name, r.labels), rules: r.rules };
  if (r.aggregateFrom) o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [r.aggregateFrom]: 'true' } }] };
  return o;
}

export function subjectsOf(b: BootstrapBinding): Subject[] {
  return [...(b.groups ?? []).map((name) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name })), ...(b.users ?? []).map((name) => ({ kind: 'User', apiGroup: RBAC_GROUP, name }))];
}

export function clusterRoleBindingObject(b: BootstrapBinding): KubeObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: meta(b.name), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role }, subjects: subjectsOf(b) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The additions reconcile makes to an existing role; undefined = nothing to change. */
export function reconcileRole(existing: KubeObject, want: KubeObject): KubeObject | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  const have = (existing.rules as PolicyRule[] | undefined) ?? [];
  // An aggregated role's rules are the controller's to keep: only the selector is reconciled.
  const missing = want.aggregationRule ? [] : ((want.rules as PolicyRule[]) ?? []).filter((r) => !have.some((h) => same(h, r)));
  const needsSelector = want.aggregationRule && !existing.aggregationRule;
  if (missing.length === 0 && !needsSelector) return undefined;
  const out = deepCopy(existing);
  out.rules = [...have, ...missing];
  if (needsSelector) out.aggregationRule = want.aggregationRule;
  return out;
}

export function reconcileBinding(existing: KubeObject, want: KubeObject): KubeObject | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  const have = (existing.subjects as Subject[] | undefined) ?? [];
  const missing = (want.subjects as Subject[]).filter((s) => !have.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? '')));
  if (missing.length === 0) return undefined;
  return { ...deepCopy(existing), subjects: [...have, ...missing] };
}

/** The namespaced form: a Role, or a RoleBinding to a Role, in namespace. */
function namespaced(o: KubeObject, namespace: string): KubeObject {
  o.kind = o.kind === 'ClusterRole' ? 'Role' : 'RoleBinding';
  o.metadata.namespace = namespace;
  if (o.roleRef) (o.roleRef as { kind: string }).kind = 'Role';
  return o;
}

async function ensure(store: Store, plural: string, want: KubeObject, reconcile: (e: KubeObject, w: KubeObject) => KubeObject | undefined): Promise<void> {
  const key = objectKey(RBAC_GROUP, plural, want.metadata.namespace, want.metadata.name ?? '');
  const existing = await store.get(key);
  try {
    if (!existing) await store.create(key, want);
    else {
      const next = reconcile(existing.object, want);
      if (next) await store.update(key, next, existing.modRevision);
    }
  } catch {
    // written concurrently by another API server: it reconciled
  }
}

export async function ensureBootstrapPolicy(store: Store): Promise<void> {
  for (const r of ALL_CLUSTER_ROLES) await ensure(store, 'clusterroles', clusterRoleObject(r), reconcileRole);
  for (const b of CLUSTER_ROLE_BINDINGS) await ensure(store, 'clusterrolebindings', clusterRoleBindingObject(b), reconcileBinding);
  for (const r of NAMESPACED_ROLES) await ensure(store, 'roles', namespaced(clusterRoleObject(r), r.namespace), reconcileRole);
  for (const b of NAMESPACED_ROLE_BINDINGS) await ensure(store, 'rolebindings', namespaced(clusterRoleBindingObject(b), b.namespace), reconcileBinding);
}
