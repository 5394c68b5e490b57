// Resources the API server serves beyond the built-in kinds (custom resources), read from
// aggregated discovery: what the garbage collector monitors, what the namespace controller
// empties, and how the HPA finds a custom scale target.
import type { ResourceRef } from '../../api/core/refs.ts';
import { registry } from '../../api/registry.ts';
import type { Client } from '../../client/index.ts';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export interface DiscoveredResource extends ResourceRef {
  verbs: string[];
  /** Subresources served (`status`, `scale`). */
  subresources: string[];
}

/** Per client: the last discovery document and what was read from it (the GC asks every 2 s; it rarely changes). */
const lastRead = new WeakMap<Client, { body: Buffer; resources: readonly DiscoveredResource[] }>();

/** Every version of every resource under /apis that is not a built-in kind, each group's preferred version first. */
export async function discoverCustomResources(client: Client): Promise<DiscoveredResource[]> {
  const r = await client.requestBuffer({ path: '/apis', accept: AGGREGATED });
  const last = lastRead.get(client);
  if (last && last.body.equals(r.body)) return [...last.resources];
  const resources = readDiscovery(r.body);
  lastRead.set(client, { body: r.body, resources });
  return [...resources];
}

function readDiscovery(body: Buffer): DiscoveredResource[] {
  const builtin = new Set(registry.all().map((t) => `${t.group}/${t.plural}`));
  const out: DiscoveredResource[] = [];
  for (const g of JSON.parse(body.toString('utf8')).items ?? []) {
    for (const v of g.versions ?? []) {
      for (const res of v.resources ?? []) {
        if (builtin.has(`${g.metadata.name}/${res.resource}`)) continue;
        out.push({
          group: g.metadata.name,
          version: v.version,
          plural: res.resource,
          namespaced: res.scope === 'Namespaced',
          kind: res.responseKind?.kind,
          verbs: res.verbs ?? [],
          subresources: (res.subresources ?? []).map((x: { subresource: string }) => x.subresource),
        });
      }
    }
  }
  return out;
}

/** The preferred version of each custom resource (one entry per group/resource). */
export function preferred(resources: DiscoveredResource[]): DiscoveredResource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const k = `${r.group}/${r.plural}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The custom resource serving apiVersion/kind, if discovery lists one. */
export async function resolveCustomKind(client: Client, apiVersion: string, kind: string): Promise<DiscoveredResource | undefined> {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return undefined;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  return (await discoverCustomResources(client)).find((r) => r.group === group && r.version === version && r.kind === kind);
}
