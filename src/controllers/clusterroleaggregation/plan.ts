// ClusterRole aggregation (pkg/controller/clusterroleaggregation): an aggregated role's rules are
// the union, in selector then name order, of the rules of every other ClusterRole a selector of its
// aggregationRule.clusterRoleSelectors matches. Pure.
import type { KubeObject } from '../../api/types.ts';
import { labelSelectorMatcher, type LabelSelector } from '../../api/labels.ts';
import { jsonEqual, deepCopy } from '../../api/core/json.ts';

/** The rules an aggregated ClusterRole should hold; undefined for a role without aggregationRule. */
export function aggregatedRules(role: KubeObject, all: readonly KubeObject[]): unknown[] | undefined {
  const selectors = (role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const sorted = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const rules: unknown[] = [];
  for (const sel of selectors ?? []) {
    const matches = labelSelectorMatcher(sel);
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !matches(other.metadata.labels ?? {})) continue;
      for (const r of (other.rules as unknown[] | undefined) ?? []) if (!rules.some((x) => jsonEqual(x, r))) rules.push(r);
    }
  }
  return rules;
}

/** The role with its aggregated rules, or undefined when it needs no write. */
export function aggregationUpdate(role: KubeObject, all: readonly KubeObject[]): KubeObject | undefined {
  const rules = aggregatedRules(role, all);
  if (rules === undefined || jsonEqual(rules, role.rules ?? [])) return undefined;
  return { ...deepCopy(role), rules };
}
