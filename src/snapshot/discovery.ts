// Discovery through the client: every served resource (the preferred version of each group), with
// its kind, scope, verbs and whether it has a status subresource — what `kubesim snapshot save` lists
// and what a restore maps apiVersion/kind to.
import type { Client, ResourceRef } from '../client/index.ts';

export interface ServedResource extends ResourceRef {
  apiVersion: string;
  kind: string;
  verbs: string[];
  /** The resource has a `status` subresource. */
  status: boolean;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** The resources of one group version's APIResourceList (pure). */
export function resourcesOf(apiVersion: string, list: { resources?: ApiResource[] }): ServedResource[] {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const all = list.resources ?? [];
  const subs = new Set(all.filter((r) => r.name.includes('/')).map((r) => r.name));
  return all
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, plural: r.name, namespaced: r.namespaced, apiVersion, kind: r.kind, verbs: r.verbs ?? [], status: subs.has(`${r.name}/status`) }));
}

/** Every resource the server serves, core first, then the groups in discovery order (preferred versions). */
export async function discover(client: Client): Promise<ServedResource[]> {
  const out = resourcesOf('v1', await client.request<{ resources?: ApiResource[] }>({ method: 'GET', path: '/api/v1' }));
  const groups = await client.request<{ groups?: { name: string; preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[] }>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
    if (!gv) continue;
    out.push(...resourcesOf(gv, await client.request<{ resources?: ApiResource[] }>({ method: 'GET', path: `/apis/${gv}` })));
  }
  return out;
}

/** apiVersion/kind → resource, over every version of every group (a snapshot may name a non-preferred one). */
export async function kindMap(client: Client): Promise<Map<string, ServedResource>> {
  const map = new Map<string, ServedResource>();
  for (const r of resourcesOf('v1', await client.request<{ resources?: ApiResource[] }>({ method: 'GET', path: '/api/v1' }))) map.set(`v1/${r.kind}`, r);
  const groups = await client.request<{ groups?: { versions: { groupVersion: string }[] }[] }>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    for (const v of g.versions) {
      const list = await client.request<{ resources?: ApiResource[] }>({ method: 'GET', path: `/apis/${v.groupVersion}` }).catch(() => undefined);
      if (list) for (const r of resourcesOf(v.groupVersion, list)) if (!map.has(`${v.groupVersion}/${r.kind}`)) map.set(`${v.groupVersion}/${r.kind}`, r);
    }
  }
  return map;
}
