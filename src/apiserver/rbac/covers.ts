// Escalation arithmetic (pkg/registry/rbac/validation): whether a set of rules covers another,
// what is missing, and how Kubernetes prints the missing rules (CompactString, after CompactRules).
import type { PolicyRule } from '../../api/kinds/rbac.ts';

const has = (l: string[] | undefined, v: string) => (l ?? []).includes(v);
const hasAll = (l: string[] | undefined, vs: string[] | undefined) => (vs ?? []).every((v) => has(l, v));

/** Splits a rule into rules of one verb, one group, one resource and at most one name (BreakdownRule). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? [])
    for (const res of r.resources ?? [])
      for (const v of r.verbs) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], resourceNames: [n], verbs: [v] });
        else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
      }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourceCoversAll(owner: string[] | undefined, requested: string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, requested)) return true;
  return (requested ?? []).every((req) => {
    if (has(owner, req)) return true;
    const slash = req.indexOf('/');
    return slash > 0 && has(owner, `*${req.slice(slash)}`);
  });
}

function nonResourceURLsCoversAll(owner: string[] | undefined, requested: string[] | undefined): boolean {
  return (requested ?? []).every((req) => (owner ?? []).some((o) => o === '*' || o === req || (o.endsWith('*') && req.startsWith(o.slice(0, -1)))));
}

/** ruleCovers: owner allows everything sub does. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = !owner.resourceNames?.length || (!!sub.resourceNames?.length && hasAll(owner.resourceNames, sub.resourceNames));
  return verbs && groups && resources && names && urls;
}

/** Covers: whether owner's rules cover every requested rule, and the atomic rules they do not. */
export function covers(owner: readonly PolicyRule[], requested: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const r of requested) for (const atom of breakdownRule(r)) if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return { covered: missing.length === 0, missing };
}

/** CompactRules: simple resource rules (one group, one resource, no names) differing only in verbs are merged. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.resourceNames?.length && !r.nonResourceURLs?.length;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const k = `${r.apiGroups![0]}\u0000${r.resources![0]}`;
    const prev = simple.get(k);
    if (prev) {
      for (const v of r.verbs) if (!prev.verbs.includes(v)) prev.verbs.push(v);
    } else {
      const copy = { ...r, verbs: [...r.verbs] };
      simple.set(k, copy);
      out.push(copy);
    }
  }
  return out;
}

const goStrings = (l: string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goStrings(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goStrings(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goStrings(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goStrings(r.nonResourceURLs)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goStrings(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** The text of ConfirmNoEscalation's refusal. */
export function escalationMessage(username: string, groups: string[], missing: PolicyRule[]): string {
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  return `user ${JSON.stringify(username)} (groups=${goStrings(groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
