// Restores a planned snapshot (plan.ts) through the client: creates each object in order with its
// owners' uids remapped to the new ones (an owner missing from the snapshot is dropped, or the
// garbage collector would delete the dependent), then writes the saved status through the status
// subresource where one exists (a Pod only when bound: the node pool adopts it as it is). Objects the
// target already has (its default namespaces, the kubernetes Service, ...) count as existing.
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import { kindMap, type ServedResource } from './discovery.ts';
import { cleanForCreate, refOf, type RestorePlan } from './plan.ts';

export interface RestoreResult {
  created: number;
  /** Already there (409 AlreadyExists): the target made them itself. */
  existing: number;
  skipped: RestorePlan['skipped'];
  errors: { object: string; error: string }[];
  /** Source uid → new uid. */
  uids: Map<string, string>;
}

const hasStatus = (o: KubeObject) => o.status !== undefined && Object.keys(o.status).length > 0;

export async function restoreSnapshot(client: Client, plan: RestorePlan): Promise<RestoreResult> {
  const res: RestoreResult = { created: 0, existing: 0, skipped: [...plan.skipped], errors: [], uids: new Map() };
  let kinds = await kindMap(client);
  let refreshed = false;
  for (const o of plan.objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (!kinds.has(key) && !refreshed) {
      // A custom resource whose CRD this restore just created.
      kinds = await kindMap(client);
      refreshed = true;
    }
    const r = kinds.get(key);
    if (!r) {
      res.errors.push({ object: refOf(o), error: `the server does not serve ${o.kind} in ${o.apiVersion}` });
      continue;
    }
    if (o.kind === 'CustomResourceDefinition') refreshed = false;
    try {
      const created = await create(client, r, o, res.uids);
      if (!created) {
        res.existing++;
        continue;
      }
      res.created++;
      if (o.metadata.uid) res.uids.set(o.metadata.uid, created.metadata.uid!);
      if (r.status && hasStatus(o) && (o.kind !== 'Pod' || o.spec?.nodeName)) {
        await client.resource(r).updateStatus({ ...created, status: o.status }, { namespace: created.metadata.namespace });
      }
    } catch (e) {
      res.errors.push({ object: refOf(o), error: (e as Error).message });
    }
  }
  return res;
}

/** Creates the object (undefined when it already exists). */
async function create(client: Client, r: ServedResource, o: KubeObject, uids: Map<string, string>): Promise<KubeObject | undefined> {
  const body = cleanForCreate(o);
  const owners = (o.metadata.ownerReferences ?? []).filter((ref) => uids.has(ref.uid)).map((ref) => ({ ...ref, uid: uids.get(ref.uid)! }));
  if (owners.length) body.metadata.ownerReferences = owners;
  else delete body.metadata.ownerReferences;
  if (!r.namespaced) delete body.metadata.namespace;
  try {
    return await client.resource(r).create(body, { namespace: r.namespaced ? (o.metadata.namespace ?? 'default') : undefined });
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) return undefined;
    throw e;
  }
}
