// The audit Policy (audit.k8s.io/v1): rules matched in order, the first match gives the level
// (None when nothing matches), as Kubernetes' policy checker decides. Pure functions.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion?: string;
  kind?: string;
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What the policy looks at in a request. */
export interface AuditAttributes {
  user?: { username: string; groups: string[] };
  verb: string;
  /** Resource requests only. */
  resource?: { group: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** The path, for non-resource requests. */
  path: string;
}

export interface RequestAuditConfig {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

const NONE: RequestAuditConfig = { level: 'None', omitStages: [], omitManagedFields: false };

export function evaluatePolicy(policy: Policy, a: AuditAttributes): RequestAuditConfig {
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, a)) continue;
    return {
      level: rule.level,
      omitStages: [...new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])])],
      omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields ?? false,
    };
  }
  return NONE;
}

export function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !(a.user && r.users.includes(a.user.username))) return false;
  if (r.userGroups?.length && !(a.user && a.user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return ruleMatchesResource(r, a);
  if (r.nonResourceURLs?.length) return !a.resource && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  const res = a.resource;
  if (!res) return false;
  if (r.namespaces?.length && !r.namespaces.includes(res.namespace ?? '')) return false;
  if (!r.resources?.length) return true;
  const combined = res.subresource ? `${res.resource}/${res.subresource}` : res.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== res.group) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(res.name ?? '')) continue;
    for (const pattern of gr.resources) {
      if (pattern === combined || pattern === '*') return true;
      if (res.subresource && pattern.startsWith('*/') && pattern.slice(2) === res.subresource) return true;
      if (pattern.endsWith('/*') && pattern.slice(0, -2) === res.resource) return true;
    }
  }
  return false;
}

/** The policy's errors, worded as Kubernetes' audit policy validation words them. */
export function validatePolicy(p: Policy): string[] {
  const errs: string[] = [];
  const supported = (values: string[]) => values.map((v) => JSON.stringify(v)).join(', ');
  const stages = (list: unknown, path: string) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) return errs.push(`${path}: Invalid value: must be a list of stages`);
    list.forEach((s, i) => {
      if (!STAGES.includes(s)) errs.push(`${path}[${i}]: Unsupported value: ${JSON.stringify(s)}: supported values: ${supported(STAGES)}`);
    });
  };
  if (p.kind !== undefined && p.kind !== 'Policy') errs.push(`kind: Invalid value: ${JSON.stringify(p.kind)}: must be Policy`);
  if (p.apiVersion !== undefined && p.apiVersion !== 'audit.k8s.io/v1') errs.push(`apiVersion: Invalid value: ${JSON.stringify(p.apiVersion)}: must be audit.k8s.io/v1`);
  stages(p.omitStages, 'omitStages');
  if (!Array.isArray(p.rules)) return [...errs, 'rules: Required value'];
  p.rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r || typeof r !== 'object') return errs.push(`${at}: Invalid value: must be an object`);
    if (!r.level) errs.push(`${at}.level: Required value`);
    else if (!LEVELS.includes(r.level)) errs.push(`${at}.level: Unsupported value: ${JSON.stringify(r.level)}: supported values: ${supported(LEVELS)}`);
    stages(r.omitStages, `${at}.omitStages`);
    if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length)) {
      errs.push(`${at}.nonResourceURLs: Invalid value: ${JSON.stringify(r.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs`);
    }
    (r.nonResourceURLs ?? []).forEach((u, j) => {
      if (!u.startsWith('/') && u !== '*') errs.push(`${at}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL rules must begin with a '/' character`);
      else if (u.slice(0, -1).includes('*')) errs.push(`${at}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL wildcards ('*') must be the final character of the rule`);
    });
    (r.resources ?? []).forEach((gr, j) => {
      if (gr.resourceNames?.length && (gr.resources ?? []).some((x) => x.includes('*'))) {
        errs.push(`${at}.resources[${j}].resourceNames: Invalid value: ${JSON.stringify(gr.resourceNames)}: using resourceNames with wildcard resources is not allowed`);
      }
    });
  });
  return errs;
}

/** Parses and validates a policy file's text (YAML or JSON); throws one Error naming every problem. */
export function parsePolicy(text: string, source = 'audit policy'): Policy {
  let policy: Policy | undefined;
  try {
    // Kubernetes reads the first document of the file.
    policy = parseAllDocuments(text)[0]?.toJS() as Policy | undefined;
  } catch (err) {
    throw new Error(`failed decoding ${source}: ${(err as Error).message}`);
  }
  if (!policy || typeof policy !== 'object') throw new Error(`loaded illegal policy with 0 rules from file ${source}`);
  const errs = validatePolicy(policy);
  if (errs.length) throw new Error(`invalid audit policy in ${source}: ${errs.join(', ')}`);
  if (policy.rules.length === 0) throw new Error(`loaded illegal policy with 0 rules from file ${source}`);
  return policy;
}

export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`failed to read audit policy file "${path}": ${(err as Error).message}`);
  }
  return parsePolicy(text, path);
}
