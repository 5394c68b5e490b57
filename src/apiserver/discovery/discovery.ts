// Discovery documents: aggregated (apidiscovery.k8s.io v2 / v2beta1) and legacy (APIVersions,
// APIGroupList, APIGroup, APIResourceList).
import type { ResourceType } from '../../api/resource.ts';
import { apiVersionOf } from '../../api/types.ts';
import { type GroupInfo, subresourcesOf } from './groups.ts';

function scope(t: ResourceType): 'Namespaced' | 'Cluster' {
  return t.namespaced ? 'Namespaced' : 'Cluster';
}

function aggregatedResource(t: ResourceType): object {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: scope(t),
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  const subs = subresourcesOf(t);
  if (subs.length) r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: s.kind, verbs: s.verbs }));
  return r;
}

/** An APIResourceList entry (legacy discovery), as a kind's storage may list its resources as data. */
export interface ApiResourceEntry {
  name: string;
  singularName?: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

const gvk = (r: ApiResourceEntry) => ({ group: r.group ?? '', version: r.version ?? '', kind: r.kind ?? '' });

/**
 * An APIResourceList's entries as aggregated discovery resources, as the aggregator converts an
 * aggregated server's legacy discovery: `parent/sub` entries become subresources of their parent,
 * a parent that is not listed itself is made (empty responseKind, no verbs), a subresource whose
 * scope differs from its parent's is left out.
 */
export function aggregatedFromResourceList(list: readonly ApiResourceEntry[]): object[] {
  const out: Record<string, unknown>[] = [];
  const parents = new Map<string, Record<string, unknown>>();
  const scopeOf = (r: ApiResourceEntry) => (r.namespaced ? 'Namespaced' : 'Cluster');
  for (const r of list) {
    if (r.name.includes('/')) continue;
    const d: Record<string, unknown> = { resource: r.name, responseKind: gvk(r), scope: scopeOf(r), singularResource: r.singularName ?? '', verbs: r.verbs ?? null };
    if (r.shortNames?.length) d.shortNames = r.shortNames;
    if (r.categories?.length) d.categories = r.categories;
    out.push(d);
    parents.set(r.name, d);
  }
  for (const r of list) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const [parent, sub] = [r.name.slice(0, slash), r.name.slice(slash + 1)];
    let p = parents.get(parent);
    if (!p) {
      p = { resource: parent, responseKind: { group: '', version: '', kind: '' }, scope: scopeOf(r), singularResource: '', verbs: null };
      out.push(p);
      parents.set(parent, p);
    }
    if (p.scope !== scopeOf(r)) continue;
    ((p.subresources ??= []) as object[]).push({ subresource: sub, responseKind: gvk(r), verbs: r.verbs ?? null });
  }
  return out;
}

/**
 * APIGroupDiscoveryList for /api (core only) or /apis (every other group). data: the group/versions
 * (`group/version`) whose resources are data, with their APIResourceList entries.
 */
export function aggregatedList(groups: GroupInfo[], version: 'v2' | 'v2beta1', data?: ReadonlyMap<string, readonly ApiResourceEntry[]>): object {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.name === '' ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v.version,
        resources: data?.has(`${g.name}/${v.version}`) ? aggregatedFromResourceList(data.get(`${g.name}/${v.version}`)!) : v.resources.map(aggregatedResource),
        freshness: 'Current',
      })),
    })),
  };
}

export function apiVersions(core: GroupInfo | undefined): object {
  return {
    kind: 'APIVersions',
    versions: core ? core.versions.map((v) => v.version) : [],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

function apiGroup(g: GroupInfo): object {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(groups: GroupInfo[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

export function apiGroupDoc(g: GroupInfo): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(group: string, version: string, types: ResourceType[]): object {
  const resources: object[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of subresourcesOf(t)) {
      const sr: Record<string, unknown> = { name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced };
      if (s.kind.group !== group || s.kind.version !== version) {
        sr.group = s.kind.group;
        sr.version = s.kind.version;
      }
      sr.kind = s.kind.kind;
      sr.verbs = s.verbs;
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}
