// Conversion that calls out (a CRD's conversion webhook, `rt.conversion.convert`): stored objects
// into the request version on the way out (a LIST's items in one call), a write's object into the
// storage version on the way in. Kinds converting locally (None strategy, autoscaling/v1 HPA) never
// come here: callers test `remoteConversion(rt)` first and stay synchronous otherwise.
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import type { StoreEntry } from '../../storage/interface.ts';
import { apiVersionOfRt } from './scope.ts';

type Convert = (objs: KubeObject[], apiVersion: string) => Promise<KubeObject[]>;

/** The resource version's webhook conversion, if it has one. */
export function remoteConversion(rt: ResourceType): Convert | undefined {
  return rt.conversion?.convert;
}

/** Stored objects as this resource version serves them (one batch, order kept): decoded, then converted. */
export function toServed(rt: ResourceType, objs: KubeObject[]): Promise<KubeObject[]> {
  const convert = remoteConversion(rt);
  const decoded = rt.decode ? objs.map((o) => rt.decode!(o)) : objs;
  return convert ? convert(decoded, apiVersionOfRt(rt)) : Promise.resolve(decoded);
}

/** A store entry in the served version; its cached JSON no longer applies once converted. */
export async function servedEntry(rt: ResourceType, e: StoreEntry): Promise<StoreEntry> {
  if (!remoteConversion(rt)) return e;
  const [object] = await toServed(rt, [e.object]);
  return object === e.object ? e : { ...e, object, json: undefined };
}

/** An object of this resource version as it is stored (the storage version). */
export async function toStored(rt: ResourceType, obj: KubeObject): Promise<KubeObject> {
  const convert = remoteConversion(rt);
  if (!convert || !rt.conversion) return obj;
  const [out] = await convert([obj], rt.group ? `${rt.group}/${rt.conversion.storageVersion}` : rt.conversion.storageVersion);
  return out;
}
