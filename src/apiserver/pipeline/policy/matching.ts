// MatchResources (a policy's matchConstraints, a binding's matchResources): namespace and object
// selectors, excludeResourceRules, resourceRules with resourceNames, matchPolicy
// (k8s.io/apiserver/pkg/admission/plugin/policy/matching).
import { labelSelectorMatcher } from '../../../api/labels.ts';
import type { ResourceType } from '../../../api/resource.ts';
import type { AdmissionAttributes } from '../index.ts';
import { isNamespaceRequest, namespaceLabels, requestNamespace, type MatchDeps } from '../webhooks/hooks.ts';
import { equivalentResources, ruleMatches, targetFor, type Rule } from '../webhooks/match.ts';

interface NamedRule extends Rule {
  resourceNames?: string[];
}

const emptySelector = (s: any) => !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/** The resource (the request's or an equivalent) the rules match, or undefined. */
function matchRules(deps: MatchDeps, rules: NamedRule[], matchPolicy: string | undefined, a: AdmissionAttributes): ResourceType | undefined {
  const base = { operation: a.operation, subresource: a.subresource ?? '', namespace: requestNamespace(a), isNamespaceResource: isNamespaceRequest(a.rt) };
  const name = a.name ?? a.object?.metadata?.name ?? a.oldObject?.metadata?.name ?? '';
  const named = (r: NamedRule) => !r.resourceNames?.length || r.resourceNames.includes(name);
  for (const r of rules) if (named(r) && ruleMatches(r, targetFor(a.rt, base))) return a.rt;
  if (matchPolicy !== 'Equivalent') return undefined;
  const eq = equivalentResources(deps.registry, a.rt);
  for (const r of rules) for (const e of eq) if (named(r) && ruleMatches(r, targetFor(e, base))) return e;
  return undefined;
}

/** Matches: the matched resource, or undefined. Throws (a StatusError) when the namespace cannot be read. */
export async function matchResources(deps: MatchDeps, m: any, a: AdmissionAttributes, emptyRulesMatchAll: boolean): Promise<ResourceType | undefined> {
  if (!emptySelector(m?.namespaceSelector) && (requestNamespace(a) !== '' || isNamespaceRequest(a.rt))) {
    if (!labelSelectorMatcher(m.namespaceSelector)(await namespaceLabels(deps, a))) return undefined;
  }
  if (!emptySelector(m?.objectSelector)) {
    const sel = labelSelectorMatcher(m.objectSelector);
    if (!((a.object && sel(a.object.metadata?.labels)) || (a.oldObject && sel(a.oldObject.metadata?.labels)))) return undefined;
  }
  const exclude: NamedRule[] = Array.isArray(m?.excludeResourceRules) ? m.excludeResourceRules : [];
  if (exclude.length && matchRules(deps, exclude, m?.matchPolicy, a)) return undefined;
  const rules: NamedRule[] = Array.isArray(m?.resourceRules) ? m.resourceRules : [];
  if (rules.length === 0) return emptyRulesMatchAll ? a.rt : undefined;
  return matchRules(deps, rules, m?.matchPolicy, a);
}
