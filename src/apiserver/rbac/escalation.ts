// Escalation prevention (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased):
// writing a Role/ClusterRole needs the rules it grants or `escalate` on it; writing a binding needs
// the bound role's rules or `bind` on it. system:masters may always. Runs as an admission step on
// the rbac kinds only.
import { RBAC_GROUP, type PolicyRule, type RoleRef } from '../../api/kinds/rbac.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/core/json.ts';
import type { RequestInfo, Verb } from '../routing.ts';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from '../pipeline/index.ts';
import { admissionForbidden } from '../pipeline/forbidden.ts';
import type { RbacCache } from './index-cache.ts';
import { visitRules } from './authorizer.ts';
import { covers, escalationMessage } from './covers.ts';

/** Whether the configured authorizers allow user the described request. */
export type Can = (user: UserInfo, info: RequestInfo) => Promise<boolean>;

/** fullAuthority: everything, resources and non-resource URLs. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const ROLE_KINDS: Record<string, 'role' | 'binding'> = { roles: 'role', clusterroles: 'role', rolebindings: 'binding', clusterrolebindings: 'binding' };

/** The rules user holds in namespace ('' = cluster-wide only). */
export function ownerRules(cache: RbacCache, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  visitRules(cache, user, namespace, (r) => {
    out.push(r);
    return false;
  });
  return out;
}

const ask = (verb: string, resource: string, name: string, namespace?: string): RequestInfo => ({
  verb: verb as Verb,
  group: RBAC_GROUP,
  version: 'v1',
  resource,
  name,
  ...(namespace ? { namespace } : {}),
  path: '',
});

/** IsOnlyMutatingGCFields: an update that changes only ownerReferences and finalizers (the garbage collector's). */
export function onlyGCFieldsChanged(o: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = (x: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, ...meta } = x.metadata ?? ({} as KubeObject['metadata']);
    return { ...x, metadata: meta };
  };
  return jsonEqual(strip(o), strip(old));
}

export function escalationAdmission(cache: RbacCache, can: Can): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    async validate(a: AdmissionAttributes) {
      const what = ROLE_KINDS[a.rt.plural];
      if (a.rt.group !== RBAC_GROUP || !what || a.subresource || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      if (a.user.groups.includes('system:masters')) return;
      if (a.operation === 'UPDATE' && onlyGCFieldsChanged(a.object, a.oldObject)) return;
      const ns = a.rt.namespaced ? (a.namespace ?? '') : '';
      const name = a.object.metadata?.name ?? a.name ?? '';
      let rules: readonly PolicyRule[];
      if (what === 'role') {
        if (await can(a.user, ask('escalate', a.rt.plural, name, ns || undefined))) return;
        rules = (a.object.rules as PolicyRule[] | undefined) ?? [];
      } else {
        const ref = (a.object.roleRef ?? {}) as RoleRef;
        const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        if (await can(a.user, ask('bind', refResource, ref.name, ns || undefined))) return;
        const role = ref.kind === 'Role' ? cache.role(ns, ref.name) : cache.clusterRole(ref.name);
        if (!role) throw admissionForbidden(a, `${ref.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`);
        rules = role.rules;
      }
      const owner = ownerRules(cache, a.user, ns);
      const { covered, missing } = covers(owner, rules);
      if (!covered) throw admissionForbidden(a, escalationMessage(a.user.username, a.user.groups, missing));
      // An aggregationRule can pull in any role's rules: only full authority may set one.
      if (what === 'role' && a.object.aggregationRule && !covers(owner, FULL_AUTHORITY).covered) throw admissionForbidden(a, 'must have cluster-admin privileges to use the aggregationRule');
    },
  };
}
