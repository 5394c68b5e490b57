// Service addresses reserved in the store, so several API servers on one store never hand out the
// same one (Kubernetes' IPAddress objects of the MultiCIDRServiceAllocator, and its node-port
// bitmap kept in storage): every clusterIP is a `networking.k8s.io/ipaddresses/<ip>` key and every
// nodePort a `kubesim.io/servicenodeports/<port>` key, created before the Service is written
// (KeyExists = taken by someone else), deleted when the Service lets go of the address. The repair
// pass (Kubernetes' repair controllers) recreates reservations a stored Service lacks and deletes
// those no Service holds once they are older than a grace period (a create in flight elsewhere).
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix, StorageError, type Store, type StoreEntry } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';

export const IP_PREFIX = resourcePrefix('networking.k8s.io', 'ipaddresses');
export const NODE_PORT_PREFIX = resourcePrefix('kubesim.io', 'servicenodeports');
const OWNER_UID = 'kubesim.io/owner-uid';

/** A reservation key: an IP's or a node port's. */
export type Address = string;

export interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

/** The reservation keys of what a Service holds (clusterIPs other than None, nodePorts). */
export function addressKeys(svc: KubeObject | undefined): Set<Address> {
  const keys = new Set<Address>();
  const spec = svc?.spec;
  if (!spec || typeof spec !== 'object') return keys;
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  for (const ip of ips) if (typeof ip === 'string' && ip && ip !== 'None') keys.add(IP_PREFIX + ip);
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (p && typeof p === 'object' && p.nodePort) keys.add(NODE_PORT_PREFIX + p.nodePort);
  return keys;
}

export function ownerOf(svc: KubeObject): Owner {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '' };
}

/** The keys in a but not in b. */
export function minus(a: Set<Address>, b: Set<Address>): Address[] {
  return [...a].filter((k) => !b.has(k));
}

/** The object stored at a reservation key: an IPAddress (as Kubernetes stores it) or a node port. */
export function reservationObject(key: Address, owner: Owner): KubeObject {
  const ip = key.startsWith(IP_PREFIX);
  const name = key.slice((ip ? IP_PREFIX : NODE_PORT_PREFIX).length);
  return {
    apiVersion: ip ? 'networking.k8s.io/v1' : 'kubesim.io/v1',
    kind: ip ? 'IPAddress' : 'ServiceNodePort',
    metadata: {
      name,
      uid: randomUUID(),
      creationTimestamp: timestamp(),
      labels: ip ? { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } : {},
      annotations: { [OWNER_UID]: owner.uid },
    },
    spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name } },
  };
}

export function ownedBy(reservation: KubeObject, owner: Owner): boolean {
  const ref = reservation.spec?.parentRef;
  return ref?.namespace === owner.namespace && ref?.name === owner.name && reservation.metadata.annotations?.[OWNER_UID] === owner.uid;
}

/**
 * Reserves keys for owner. Returns the keys someone else holds (then nothing stays reserved by
 * this call); a key this owner already holds counts as reserved (a retried update).
 */
export async function reserve(store: Store, keys: Address[], owner: Owner): Promise<Address[]> {
  const made: Address[] = [];
  const taken: Address[] = [];
  try {
    for (const key of keys) {
      try {
        await store.create(key, reservationObject(key, owner));
        made.push(key);
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'KeyExists')) throw err;
        const cur = await store.get(key);
        if (!cur || !ownedBy(cur.object, owner)) taken.push(key);
      }
    }
  } catch (err) {
    await release(store, made, owner);
    throw err;
  }
  if (taken.length) await release(store, made, owner);
  return taken;
}

/** Deletes the owner's reservations of keys (compare-and-swap; one held by another owner stays). */
export async function release(store: Store, keys: Iterable<Address>, owner: Owner): Promise<void> {
  for (const key of keys) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const cur = await store.get(key);
        if (!cur || !ownedBy(cur.object, owner)) break;
        await store.delete(key, cur.modRevision);
        break;
      } catch (err) {
        if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyNotFound')) continue;
        break; // the repair pass deletes what is left
      }
    }
  }
}

export interface RepairPlan {
  create: { key: Address; owner: Owner }[];
  delete: { key: Address; revision: number }[];
}

/**
 * What the repair pass does (pure): a reservation for every address a Service holds and lacks one,
 * and the deletion of reservations no Service holds that were made more than graceMs before now.
 */
export function planRepair(services: KubeObject[], reservations: StoreEntry[], now: number, graceMs: number): RepairPlan {
  const held = new Map<Address, Owner>();
  for (const svc of services) for (const key of addressKeys(svc)) if (!held.has(key)) held.set(key, ownerOf(svc));
  const plan: RepairPlan = { create: [], delete: [] };
  const reserved = new Set<Address>();
  for (const r of reservations) {
    reserved.add(r.key);
    const owner = held.get(r.key);
    if (owner && ownedBy(r.object, owner)) continue;
    const made = Date.parse(r.object.metadata.creationTimestamp ?? '');
    if (!owner && Number.isFinite(made) && now - made < graceMs) continue;
    plan.delete.push({ key: r.key, revision: r.modRevision });
    if (owner) plan.create.push({ key: r.key, owner }); // held under another owner: give it to the Service
  }
  for (const [key, owner] of held) if (!reserved.has(key)) plan.create.push({ key, owner });
  return plan;
}

/** Runs the repair pass once over the store; races with other writers are left for the next pass. */
export async function repairReservations(store: Store, servicesPrefix: string, graceMs = 60_000, now = Date.now()): Promise<RepairPlan> {
  const [svcs, ips, ports] = await Promise.all([store.list(servicesPrefix), store.list(IP_PREFIX), store.list(NODE_PORT_PREFIX)]);
  const plan = planRepair(svcs.items.map((e) => e.object), [...ips.items, ...ports.items], now, graceMs);
  for (const d of plan.delete) await store.delete(d.key, d.revision).catch(() => undefined);
  for (const c of plan.create) await store.create(c.key, reservationObject(c.key, c.owner)).catch(() => undefined);
  return plan;
}
