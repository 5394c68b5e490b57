// flowcontrol.apiserver.k8s.io/v1 FlowSchema and PriorityLevelConfiguration (pkg/apis/flowcontrol):
// API Priority and Fairness' configuration. Defaults and validation as Kubernetes' v1 applies them,
// kubectl's table columns, the Dangling status condition (written by the API server's flow control,
// src/apiserver/flowcontrol/). How requests are classified and queued lives there too.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { bool, int, list, obj, str, time } from '../schema.ts';
import { invalidRendered, isDNS1123Label, isDNS1123Subdomain } from '../validation.ts';

export const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';
export const FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE = 10000;
export const MAX_QUEUES = 10_000_000;
/** shufflesharding.MaxHashBits */
export const MAX_HASH_BITS = 60;
export const SUPPORTED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
export const CONDITION_DANGLING = 'Dangling';

const goStrings = (v: string[]) => `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const hasWildcard = (v: string[]) => v.includes('*');
/** field.Required with a detail: `Required value: <why>`. */
const req = (field: string, why: string): FieldError => ({ ...required(field), detail: `Required value: ${why}` });

/** shufflesharding.RequiredEntropyBits: ceil(log2(deckSize^handSize)). */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

function validateVerbs(verbs: string[], f: string): FieldError[] {
  if (verbs.length === 0) return [req(`${f}.verbs`, 'verbs must contain at least one value')];
  if (hasWildcard(verbs)) return verbs.length > 1 ? [invalidRendered(`${f}.verbs`, goStrings(verbs), "if '*' is present, must not specify other verbs")] : [];
  if (verbs.some((v) => !SUPPORTED_VERBS.includes(v))) return [{ ...notSupported(`${f}.verbs`, null, SUPPORTED_VERBS), detail: `Unsupported value: ${goStrings(verbs)}: supported values: ${SUPPORTED_VERBS.map((s) => `"${s}"`).join(', ')}` }];
  return [];
}

function validateResourceRule(r: any, f: string): FieldError[] {
  const errs = validateVerbs(arr(r?.verbs), f);
  const groups = arr(r?.apiGroups);
  if (groups.length === 0) errs.push(req(`${f}.apiGroups`, 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && hasWildcard(groups)) errs.push(invalidRendered(`${f}.apiGroups`, goStrings(groups), "if '*' is present, must not specify other api groups"));
  const resources = arr(r?.resources);
  if (resources.length === 0) errs.push(req(`${f}.resources`, 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && hasWildcard(resources)) errs.push(invalidRendered(`${f}.resources`, goStrings(resources), "if '*' is present, must not specify other resources"));
  const nss = arr(r?.namespaces);
  if (nss.length === 0 && r?.clusterScope !== true) errs.push(req(`${f}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
  else if (hasWildcard(nss)) {
    if (nss.length > 1) errs.push(invalidRendered(`${f}.namespaces`, goStrings(nss), "if '*' is present, must not specify other namespaces"));
  } else {
    nss.forEach((ns, i) => {
      for (const m of isDNS1123Label(String(ns))) errs.push(invalidValue(`${f}.namespaces[${i}]`, ns, `each member of this list must be '*' or a DNS-1123 label; ${m}`));
    });
  }
  return errs;
}

/** ValidateNonResourceURLPath */
export function nonResourceURLProblem(path: string): string | undefined {
  if (path === '') return 'must not be empty';
  if (path === '/') return undefined;
  if (!path.startsWith('/')) return 'must start with slash';
  if (path.includes(' ')) return 'must not contain white-space';
  if (path.includes('//')) return 'must not contain double slash';
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateNonResourceRule(r: any, f: string): FieldError[] {
  const errs = validateVerbs(arr(r?.verbs), f);
  const urls = arr(r?.nonResourceURLs);
  if (urls.length === 0) errs.push(req(`${f}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
  else if (hasWildcard(urls)) {
    if (urls.length > 1) errs.push(invalidRendered(`${f}.nonResourceURLs`, goStrings(urls), "if '*' is present, must not specify other non-resource URLs"));
  } else {
    urls.forEach((u, i) => {
      const why = nonResourceURLProblem(String(u));
      if (why) errs.push(invalidValue(`${f}.nonResourceURLs[${i}]`, u, why));
    });
  }
  return errs;
}

function validateSubject(s: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const forbid = (field: string, kind: string) => errs.push(forbidden(`${f}.${field}`, `${field} is forbidden when subject kind is not '${kind}'`));
  switch (s?.kind) {
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa) errs.push(req(`${f}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        if (!sa.name) errs.push(required(`${f}.serviceAccount.name`));
        else if (sa.name !== '*') for (const m of isDNS1123Subdomain(sa.name)) errs.push(invalidValue(`${f}.serviceAccount.name`, sa.name, m));
        if (!sa.namespace) errs.push(req(`${f}.serviceAccount.namespace`, 'must specify namespace for service account'));
        else for (const m of isDNS1123Label(sa.namespace)) errs.push(invalidValue(`${f}.serviceAccount.namespace`, sa.namespace, m));
      }
      if (s.user) forbid('user', 'User');
      if (s.group) forbid('group', 'Group');
      break;
    }
    case 'User':
      if (!s.user) errs.push(req(`${f}.user`, "user is required when subject kind is 'User'"));
      else if (!s.user.name) errs.push(required(`${f}.user.name`));
      if (s.serviceAccount) forbid('serviceAccount', 'ServiceAccount');
      if (s.group) forbid('group', 'Group');
      break;
    case 'Group':
      if (!s.group) errs.push(req(`${f}.group`, "group is required when subject kind is 'Group'"));
      else if (!s.group.name) errs.push(required(`${f}.group.name`));
      if (s.serviceAccount) forbid('serviceAccount', 'ServiceAccount');
      if (s.user) forbid('user', 'User');
      break;
    default:
      errs.push(notSupported(`${f}.kind`, s?.kind ?? '', ['Group', 'ServiceAccount', 'User']));
  }
  return errs;
}

function validateConditions(conds: unknown, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(conds).forEach((c, i) => {
    if (seen.has(c?.type)) errs.push(duplicate(`${f}[${i}].type`, c.type));
    seen.add(c?.type);
    if (!c?.type) errs.push(req(`${f}[${i}].type`, 'must not be empty'));
  });
  return errs;
}

/** ValidateFlowSchemaSpec + status. */
export function validateFlowSchema(o: KubeObject): FieldError[] {
  const s = o.spec ?? {};
  const errs: FieldError[] = [];
  const mp = s.matchingPrecedence ?? 0;
  if (mp <= 0) errs.push(invalidValue('spec.matchingPrecedence', mp, 'must be a positive value'));
  if (mp > FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE) errs.push(invalidValue('spec.matchingPrecedence', mp, `must not be greater than ${FLOW_SCHEMA_MAX_MATCHING_PRECEDENCE}`));
  if (mp === 1 && o.metadata?.name !== 'exempt') errs.push(invalidValue('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  if (s.distinguisherMethod && !['ByNamespace', 'ByUser'].includes(s.distinguisherMethod.type)) {
    errs.push(notSupported('spec.distinguisherMethod.type', s.distinguisherMethod.type ?? '', ['ByNamespace', 'ByUser']));
  }
  const pl = s.priorityLevelConfiguration?.name ?? '';
  if (pl) for (const m of isDNS1123Subdomain(pl)) errs.push(invalidValue('spec.priorityLevelConfiguration.name', pl, m));
  else errs.push(req('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  arr(s.rules).forEach((r, i) => {
    const f = `spec.rules[${i}]`;
    const subjects = arr(r?.subjects);
    if (subjects.length === 0) errs.push(req(`${f}.subjects`, 'subjects must contain at least one value'));
    subjects.forEach((sub, j) => errs.push(...validateSubject(sub, `${f}.subjects[${j}]`)));
    const rr = arr(r?.resourceRules);
    const nr = arr(r?.nonResourceRules);
    if (rr.length === 0 && nr.length === 0) errs.push(req(f, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    rr.forEach((x, j) => errs.push(...validateResourceRule(x, `${f}.resourceRules[${j}]`)));
    nr.forEach((x, j) => errs.push(...validateNonResourceRule(x, `${f}.nonResourceRules[${j}]`)));
  });
  errs.push(...validateConditions(o.status?.conditions, 'status.conditions'));
  return errs;
}

function validateShares(v: unknown, lendable: unknown, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof v === 'number' && v < 0) errs.push(invalidValue(`${f}.nominalConcurrencyShares`, v, 'must be a non-negative integer'));
  if (typeof lendable === 'number' && (lendable < 0 || lendable > 100)) errs.push(invalidValue(`${f}.lendablePercent`, lendable, 'must be between 0 and 100, inclusive'));
  return errs;
}

/** ValidatePriorityLevelConfigurationSpec (v1) + status. */
export function validatePriorityLevel(o: KubeObject): FieldError[] {
  const s = o.spec ?? {};
  const errs: FieldError[] = [];
  if ((o.metadata?.name === 'exempt') !== (s.type === 'Exempt')) errs.push(invalidValue('spec.type', s.type ?? '', "type must be 'Exempt' if and only if name is 'exempt'"));
  switch (s.type) {
    case 'Exempt':
      if (s.limited) errs.push(forbidden('spec.limited', 'must be nil if the type is not Limited'));
      if (s.exempt) errs.push(...validateShares(s.exempt.nominalConcurrencyShares, s.exempt.lendablePercent, 'spec.exempt'));
      break;
    case 'Limited': {
      if (s.exempt) errs.push(forbidden('spec.exempt', 'must be nil if the type is Limited'));
      const l = s.limited;
      if (!l) {
        errs.push(req('spec.limited', 'must not be empty when type is Limited'));
        break;
      }
      errs.push(...validateShares(l.nominalConcurrencyShares, l.lendablePercent, 'spec.limited'));
      if (typeof l.borrowingLimitPercent === 'number' && l.borrowingLimitPercent < 0) errs.push(invalidValue('spec.limited.borrowingLimitPercent', l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
      const lr = l.limitResponse ?? {};
      const f = 'spec.limited.limitResponse';
      if (lr.type === 'Reject') {
        if (lr.queuing) errs.push(forbidden(`${f}.queuing`, 'must be nil if limited.limitResponse.type is not Limited'));
      } else if (lr.type === 'Queue') {
        const q = lr.queuing;
        if (!q) errs.push(req(`${f}.queuing`, 'must not be empty if limited.limitResponse.type is Limited'));
        else errs.push(...validateQueuing(q, `${f}.queuing`));
      } else errs.push(notSupported(`${f}.type`, lr.type ?? '', ['Queue', 'Reject']));
      break;
    }
    default:
      errs.push(notSupported('spec.type', s.type ?? '', ['Exempt', 'Limited']));
  }
  errs.push(...validateConditions(o.status?.conditions, 'status.conditions'));
  return errs;
}

function validateQueuing(q: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!(q.queueLengthLimit > 0)) errs.push(invalidValue(`${f}.queueLengthLimit`, q.queueLengthLimit ?? 0, 'must be positive'));
  if (!(q.queues > 0)) errs.push(invalidValue(`${f}.queues`, q.queues ?? 0, 'must be positive'));
  else if (q.queues > MAX_QUEUES) errs.push(invalidValue(`${f}.queues`, q.queues, `must not be greater than ${MAX_QUEUES}`));
  if (!(q.handSize > 0)) errs.push(invalidValue(`${f}.handSize`, q.handSize ?? 0, 'must be positive'));
  else if (q.handSize > q.queues) errs.push(invalidValue(`${f}.handSize`, q.handSize, `should not be greater than queues (${q.queues})`));
  else if (requiredEntropyBits(q.queues, q.handSize) > MAX_HASH_BITS) {
    errs.push(invalidValue(`${f}.handSize`, q.handSize, `required entropy bits of deckSize ${q.queues} and handSize ${q.handSize} should not be greater than ${MAX_HASH_BITS}`));
  }
  return errs;
}

const conditionSchema = obj('a condition of the object', {
  type: str('`type` is the type of the condition. Required.'),
  status: str('`status` is the status of the condition. Can be True, False, Unknown. Required.'),
  lastTransitionTime: time('`lastTransitionTime` is the last time the condition transitioned from one status to another.'),
  reason: str('`reason` is a unique, one-word, CamelCase reason for the condition\'s last transition.'),
  message: str('`message` is a human-readable message indicating details about last transition.'),
});
const conditions = list('`conditions` is a list of the current states of the object.', conditionSchema, { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' });

const atomicStrings = (d: string) => list(d, str(), { listType: 'set' });

const subjectSchema = obj('Subject matches the originator of a request, as identified by the request authentication system.', {
  kind: str('`kind` indicates which one of the other fields is non-empty. Required'),
  user: obj('`user` matches based on username.', { name: str('`name` is the username that matches, or "*" to match all usernames. Required.') }),
  group: obj('`group` matches based on user group name.', { name: str('name is the user group that matches, or "*" to match all user groups.') }),
  serviceAccount: obj('`serviceAccount` matches ServiceAccounts.', {
    namespace: str('`namespace` is the namespace of matching ServiceAccount objects. Required.'),
    name: str('`name` is the name of matching ServiceAccount objects, or "*" to match regardless of name. Required.'),
  }),
});

export const flowSchema = defineKind({
  group: FLOWCONTROL_GROUP,
  version: 'v1',
  kind: 'FlowSchema',
  plural: 'flowschemas',
  namespaced: false,
  subresources: { status: true },
  description: 'FlowSchema defines the schema of a group of flows. Note that a flow is made up of a set of inbound API requests with similar attributes and is identified by a pair of strings: the name of the FlowSchema and a "flow distinguisher".',
  fields: {
    spec: obj('`spec` is the specification of the desired behavior of a FlowSchema.', {
      priorityLevelConfiguration: obj('`priorityLevelConfiguration` should reference a PriorityLevelConfiguration in the cluster.', { name: str('`name` is the name of the priority level configuration being referenced Required.') }),
      matchingPrecedence: int('`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence. Each MatchingPrecedence value must be ranged in [1,10000].'),
      distinguisherMethod: obj('`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.', { type: str('`type` is the type of flow distinguisher method. The supported types are "ByUser" and "ByNamespace". Required.') }),
      rules: list('`rules` describes which requests will match this flow schema.', obj('PolicyRulesWithSubjects prescribes a test that applies to a request to an apiserver.', {
        subjects: list('subjects is the list of normal user, serviceaccount, or group that this rule cares about.', subjectSchema, { listType: 'atomic' }),
        resourceRules: list('`resourceRules` is a slice of ResourcePolicyRules that identify matching requests according to their verb and the target resource.', obj('ResourcePolicyRule is a predicate that matches some resource requests.', {
          verbs: atomicStrings('`verbs` is a list of matching verbs and may not be empty. "*" matches all verbs.'),
          apiGroups: atomicStrings('`apiGroups` is a list of matching API groups and may not be empty. "*" matches all API groups.'),
          resources: atomicStrings('`resources` is a list of matching resources (i.e., lowercase and plural) with, if desired, subresource.'),
          clusterScope: bool('`clusterScope` indicates whether to match requests that do not specify a namespace.'),
          namespaces: atomicStrings('`namespaces` is a list of target namespaces that restricts matches.'),
        }), { listType: 'atomic' }),
        nonResourceRules: list('`nonResourceRules` is a list of NonResourcePolicyRules that identify matching requests according to their verb and the target non-resource URL.', obj('NonResourcePolicyRule is a predicate that matches non-resource requests according to their verb and the target non-resource URL.', {
          verbs: atomicStrings('`verbs` is a list of matching verbs and may not be empty. "*" matches all verbs.'),
          nonResourceURLs: atomicStrings('`nonResourceURLs` is a set of url prefixes that a user should have access to and may not be empty.'),
        }), { listType: 'atomic' }),
      }), { listType: 'atomic' }),
    }),
    status: obj('`status` is the current status of a FlowSchema.', { conditions }),
  },
  defaults: (o) => {
    o.spec ??= {};
    if (!o.spec.matchingPrecedence) o.spec.matchingPrecedence = 1000;
  },
  validate: (o) => validateFlowSchema(o),
  columns: [
    col('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
    col('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request.'),
    col('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema.'),
    ageColumn,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  cells: (o, now) => {
    const dangling = arr(o.status?.conditions).find((c) => c?.type === CONDITION_DANGLING);
    return [o.spec?.priorityLevelConfiguration?.name ?? '', o.spec?.matchingPrecedence ?? 0, o.spec?.distinguisherMethod?.type ?? '<none>', age(o, now), dangling?.status || '?'];
  },
});

export const priorityLevelConfiguration = defineKind({
  group: FLOWCONTROL_GROUP,
  version: 'v1',
  kind: 'PriorityLevelConfiguration',
  plural: 'prioritylevelconfigurations',
  namespaced: false,
  subresources: { status: true },
  description: 'PriorityLevelConfiguration represents the configuration of a priority level.',
  fields: {
    spec: obj('`spec` is the specification of the desired behavior of a "request-priority".', {
      type: str('`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued). A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
      limited: obj('`limited` specifies how requests are handled for a Limited priority level.', {
        nominalConcurrencyShares: int('`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level: NominalCL(i) = ceil( ServerCL * NCS(i) / sum_ncs ). If not specified, this field defaults to a value of 30.'),
        lendablePercent: int('`lendablePercent` prescribes the fraction of the level\'s NominalCL that can be borrowed by other priority levels.'),
        borrowingLimitPercent: int('`borrowingLimitPercent`, if present, configures a limit on how many seats this priority level can borrow from other priority levels.'),
        limitResponse: obj('`limitResponse` indicates what to do with requests that can not be executed right now', {
          type: str('`type` is "Queue" or "Reject". "Queue" means that requests that can not be executed upon arrival are held in a queue until they can be executed or a queuing limit is reached. "Reject" means that requests that can not be executed upon arrival are rejected. Required.'),
          queuing: obj('`queuing` holds the configuration parameters for queuing. This field may be non-empty only if `type` is `"Queue"`.', {
            queues: int('`queues` is the number of queues for this priority level. This value defaults to 64.'),
            handSize: int('`handSize` is a small positive number that configures the shuffle sharding of requests into queues. This value defaults to 8.'),
            queueLengthLimit: int('`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time. This value defaults to 50.'),
          }),
        }),
      }),
      exempt: obj('`exempt` specifies how requests are handled for an exempt priority level.', {
        nominalConcurrencyShares: int('`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This field defaults to zero.'),
        lendablePercent: int('`lendablePercent` prescribes the fraction of the level\'s NominalCL that can be borrowed by other priority levels.'),
      }),
    }),
    status: obj('`status` is the current status of a "request-priority".', { conditions }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    if (s.type === 'Limited' && s.limited) {
      s.limited.nominalConcurrencyShares ??= 30;
      s.limited.lendablePercent ??= 0;
      const q = s.limited.limitResponse?.queuing;
      if (q) {
        if (!q.handSize) q.handSize = 8;
        if (!q.queues) q.queues = 64;
        if (!q.queueLengthLimit) q.queueLengthLimit = 50;
      }
    }
    if (s.type === 'Exempt') {
      s.exempt ??= {};
      s.exempt.nominalConcurrencyShares ??= 0;
      s.exempt.lendablePercent ??= 0;
    }
  },
  validate: (o) => validatePriorityLevel(o),
  columns: [
    col('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.'),
    col('NominalConcurrencyShares', 'string', '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
    col('Queues', 'string', '`queues` is the number of queues for this priority level.'),
    col('HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.'),
    col('QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const l = o.spec?.type === 'Limited' ? o.spec?.limited : undefined;
    const q = l?.limitResponse?.queuing;
    return [o.spec?.type ?? '', l ? (l.nominalConcurrencyShares ?? 0) : '<none>', q?.queues ?? '<none>', q?.handSize ?? '<none>', q?.queueLengthLimit ?? '<none>', age(o, now)];
  },
});
