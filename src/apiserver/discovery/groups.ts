// The served API surface as discovery describes it: groups, their versions (preferred first) and
// resources with subresources. Computed once per registry.
import type { Registry } from '../../api/registry.ts';
import type { ResourceType } from '../../api/resource.ts';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: string; // "status", "scale", ...
  kind: GVK;
  verbs: string[];
}

export interface GroupInfo {
  name: string; // "" = core
  /** Preferred first. */
  versions: { version: string; resources: ResourceType[] }[];
}

/** Kubernetes' version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v2beta1 > v1beta1). */
export function versionPriority(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [-1, 0, 0];
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stage, Number(m[1]), Number(m[3] ?? 0)];
}

export function compareVersions(a: string, b: string): number {
  const pa = versionPriority(a);
  const pb = versionPriority(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return a.localeCompare(b);
}

export function groupsOf(types: readonly ResourceType[]): GroupInfo[] {
  const order: string[] = [];
  const byGroup = new Map<string, Map<string, ResourceType[]>>();
  for (const t of types) {
    if (!byGroup.has(t.group)) {
      byGroup.set(t.group, new Map());
      order.push(t.group);
    }
    const versions = byGroup.get(t.group)!;
    if (!versions.has(t.version)) versions.set(t.version, []);
    versions.get(t.version)!.push(t);
  }
  return order.map((name) => ({
    name,
    versions: [...byGroup.get(name)!.entries()]
      .sort(([a], [b]) => compareVersions(a, b))
      .map(([version, resources]) => ({ version, resources })),
  }));
}

export function subresourcesOf(t: ResourceType): SubresourceInfo[] {
  const self = { group: t.group, version: t.version, kind: t.kind };
  const out: SubresourceInfo[] = [];
  const s = t.subresources;
  if (s.approval) out.push({ name: 'approval', kind: self, verbs: ['get', 'patch', 'update'] });
  if (s.binding) out.push({ name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] });
  if (s.eviction) out.push({ name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] });
  if (s.log) out.push({ name: 'log', kind: self, verbs: ['get'] });
  if (s.scale) out.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  if (s.status) out.push({ name: 'status', kind: self, verbs: ['get', 'patch', 'update'] });
  if (s.token) out.push({ name: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] });
  return out;
}

const cache = new WeakMap<Registry, { generation: number; docs: Map<string, unknown> }>();

/**
 * Memoizes a document computed from a registry for the registry's current generation: a kind
 * added or removed at run time (a CRD's version) invalidates every discovery and OpenAPI document.
 */
export function memo<T>(registry: Registry, key: string, compute: () => T): T {
  let m = cache.get(registry);
  if (!m || m.generation !== registry.generation) cache.set(registry, (m = { generation: registry.generation, docs: new Map() }));
  if (!m.docs.has(key)) m.docs.set(key, compute());
  return m.docs.get(key) as T;
}
