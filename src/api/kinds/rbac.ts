// rbac.authorization.k8s.io/v1 Role, ClusterRole (with aggregationRule), RoleBinding,
// ClusterRoleBinding (pkg/apis/rbac/validation). Names are path segments only; a rule is either
// about resources (apiGroups + resources [+ resourceNames]) or about non-resource URLs (cluster
// roles only); a binding's roleRef never changes. Who may write them (escalation prevention) is the
// API server's job (src/apiserver/rbac/).
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported } from '../errors.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { list, obj, str } from '../schema.ts';
import { isDNS1123Subdomain, nameIsPathSegment } from '../validation.ts';
import { labelSelectorSchema } from './common.ts';
import { formatTime } from '../time.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC = { group: RBAC_GROUP, version: 'v1' } as const;

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

const strings = (d: string) => list(d, str());

const policyRuleSchema = obj('PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.', {
  verbs: strings("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
  apiGroups: strings('APIGroups is the name of the APIGroup that contains the resources. If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.'),
  resources: strings("Resources is a list of resources this rule applies to. '*' represents all resources."),
  resourceNames: strings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.'),
  nonResourceURLs: strings('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path.'),
});

const subjectSchema = obj('Subject contains a reference to the object or user identities a role binding applies to.', {
  kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".'),
  apiGroup: str('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.'),
  name: str('Name of the object being referenced.'),
  namespace: str('Namespace of the referenced object.'),
});

const roleRefSchema = obj('RoleRef contains information that points to the role being used', {
  apiGroup: str('APIGroup is the group for the resource being referenced'),
  kind: str('Kind is the type of resource being referenced'),
  name: str('Name is the name of resource being referenced'),
});

const rulesField = list('Rules holds all the PolicyRules for this Role', policyRuleSchema);

/** validatePolicyRule. */
export function validatePolicyRule(r: PolicyRule, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const requiredWhy = (field: string, why: string): FieldError => ({ field, type: 'FieldValueRequired', detail: `Required value: ${why}` });
  if (!r.verbs?.length) errs.push(requiredWhy(`${f}.verbs`, 'verbs must contain at least one value'));
  if (r.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalidValue(`${f}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length)
      errs.push(invalidValue(`${f}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (!r.apiGroups?.length) errs.push(requiredWhy(`${f}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!r.resources?.length) errs.push(requiredWhy(`${f}.resources`, 'resource rules must supply at least one resource'));
  if (r.resourceNames?.length && (r.resources?.length ?? 0) > 1) errs.push(requiredWhy(`${f}.resourceNames`, 'resource names cannot apply to multiple resources'));
  return errs;
}

const validateRules = (o: KubeObject, namespaced: boolean) => ((o.rules as PolicyRule[] | undefined) ?? []).flatMap((r, i) => validatePolicyRule(r ?? ({} as PolicyRule), namespaced, `rules[${i}]`));

function validateSubject(s: Subject, namespaced: boolean, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push({ field: `${f}.name`, type: 'FieldValueRequired', detail: 'Required value' });
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalidValue(`${f}.name`, s.name, m));
      if (s.apiGroup) errs.push(notSupported(`${f}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push({ field: `${f}.namespace`, type: 'FieldValueRequired', detail: 'Required value' });
      break;
    case 'User':
    case 'Group':
      if (!s.name) errs.push(invalidValue(`${f}.name`, s.name ?? '', `${s.kind === 'User' ? 'user' : 'group'} name cannot be empty`));
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${f}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${f}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(o: KubeObject, namespaced: boolean, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (o.roleRef ?? {}) as RoleRef;
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push({ field: 'roleRef.name', type: 'FieldValueRequired', detail: 'Required value' });
  else for (const m of nameIsPathSegment(ref.name, false)) errs.push(invalidValue('roleRef.name', ref.name, m));
  ((o.subjects as Subject[] | undefined) ?? []).forEach((s, i) => errs.push(...validateSubject(s ?? ({} as Subject), namespaced, `subjects[${i}]`)));
  if (old) {
    const a = (old.roleRef ?? {}) as RoleRef;
    if (a.apiGroup !== ref.apiGroup || a.kind !== ref.kind || a.name !== ref.name) errs.push(invalidValue('roleRef', ref, 'cannot change roleRef'));
  }
  return errs;
}

/** kubectl's Role/ClusterRole column: the creation time in RFC 3339. */
const createdAt = col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.');
const createdAtCell = (o: KubeObject) => {
  const ts = o.metadata?.creationTimestamp;
  return ts ? formatTime(new Date(ts)) : '<unknown>';
};

/** The wide columns of a binding: USERS, GROUPS, SERVICEACCOUNTS. */
const bindingColumns = [
  col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
  ageColumn,
  col('Users', 'string', 'Users in the roleBinding', 1),
  col('Groups', 'string', 'Groups in the roleBinding', 1),
  col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
];
function bindingCells(o: KubeObject, now: Date): unknown[] {
  const subs = (o.subjects as Subject[] | undefined) ?? [];
  const names = (kind: string) => subs.filter((s) => s.kind === kind).map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
  const ref = (o.roleRef ?? {}) as RoleRef;
  return [`${ref.kind}/${ref.name}`, age(o, now), names('User'), names('Group'), names('ServiceAccount')];
}

const bindingFields = {
  subjects: list('Subjects holds references to the objects the role applies to.', subjectSchema),
  roleRef: roleRefSchema,
};

export const role = defineKind({
  ...RBAC,
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
  nameValidator: nameIsPathSegment,
  description: 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
  fields: { rules: rulesField },
  validate: (o) => validateRules(o, true),
  columns: [createdAt],
  cells: (o) => [createdAtCell(o)],
});

export const clusterRole = defineKind({
  ...RBAC,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  nameValidator: nameIsPathSegment,
  description: 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  fields: {
    rules: list('Rules holds all the PolicyRules for this ClusterRole', policyRuleSchema),
    aggregationRule: obj('AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', {
      clusterRoleSelectors: list("ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added", labelSelectorSchema),
    }),
  },
  validate: (o) => validateRules(o, false),
  columns: [createdAt],
  cells: (o) => [createdAtCell(o)],
});

export const roleBinding = defineKind({
  ...RBAC,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
  nameValidator: nameIsPathSegment,
  description: 'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace.',
  fields: bindingFields,
  validate: (o, old) => validateBinding(o, true, old),
  columns: bindingColumns,
  cells: bindingCells,
});

export const clusterRoleBinding = defineKind({
  ...RBAC,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  nameValidator: nameIsPathSegment,
  description: 'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
  fields: bindingFields,
  validate: (o, old) => validateBinding(o, false, old),
  columns: bindingColumns,
  cells: bindingCells,
});
