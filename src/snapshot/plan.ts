// Reading a snapshot and deciding what a restore does, as pure functions: parse multi-document YAML
// or a `kubectl get -o yaml` List; split off the Nodes (they become simulated nodes: nodePools);
// drop what the target cluster makes itself; clean each object for a create (no uid, no
// resourceVersion, no server-set timestamps, status kept aside); order owners before dependents.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/types.ts';
import { deepCopy } from '../api/core/json.ts';

export class SnapshotError extends Error {}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The objects of a snapshot: multi-document YAML (or JSON); a `*List` document's items are flattened. */
export function parseSnapshot(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = parseAllDocuments(text);
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length) throw new SnapshotError(`document ${i + 1}: not YAML: ${doc.errors[0].message}`);
    const v = doc.toJS();
    if (v === null || v === undefined) continue;
    flatten(v, `document ${i + 1}`, out);
  }
  return out;
}

function flatten(v: unknown, where: string, out: KubeObject[]): void {
  if (!isObj(v) || typeof v.kind !== 'string') throw new SnapshotError(`${where}: not a Kubernetes object (no kind)`);
  if (v.kind.endsWith('List') && Array.isArray(v.items)) {
    const kind = v.kind === 'List' ? undefined : v.kind.slice(0, -'List'.length);
    v.items.forEach((item: unknown, j: number) => flatten(isObj(item) && kind ? { apiVersion: v.apiVersion, kind, ...item } : item, `${where} item ${j}`, out));
    return;
  }
  if (typeof v.apiVersion !== 'string' || !isObj(v.metadata) || typeof v.metadata.name !== 'string') throw new SnapshotError(`${where}: ${v.kind} needs apiVersion and metadata.name`);
  out.push(v as KubeObject);
}

export const refOf = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Why a restore leaves an object out (undefined: restore it). The target's own components make these. */
export function skipReason(o: KubeObject, all: KubeObject[]): string | undefined {
  const group = o.apiVersion!.includes('/') ? o.apiVersion!.split('/')[0] : '';
  if (o.kind === 'Lease' && group === 'coordination.k8s.io') return 'leases belong to the running components (heartbeats, leader election)';
  if (o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token') return "a token signed by the source cluster's key (the target's token controller makes its own)";
  if (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') return "the source cluster's CA (the target publishes its own)";
  if (o.kind === 'EndpointSlice' && o.metadata.labels?.['endpointslice.kubernetes.io/managed-by']) return 'managed by the EndpointSlice controller (rebuilt from the Services)';
  if (o.kind === 'Endpoints' && group === '' && all.some((s) => s.kind === 'Service' && s.metadata.namespace === o.metadata.namespace && s.metadata.name === o.metadata.name && s.spec?.selector)) return 'managed by the Endpoints controller (the Service has a selector)';
  if (o.kind === 'ComponentStatus' || o.kind === 'APIService') return 'served by the API server itself';
  return undefined;
}

const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** The object as a create request: server-set metadata and status dropped, cluster-specific fields cleared. */
export function cleanForCreate(o: KubeObject): KubeObject {
  const c = deepCopy(o) as Record<string, any>;
  const m = c.metadata;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete m[k];
  delete c.status;
  if (c.kind === 'Service' && c.spec) {
    // ClusterIPs come from the target's service CIDR (headless stays headless).
    if (c.spec.clusterIP !== 'None') {
      delete c.spec.clusterIP;
      delete c.spec.clusterIPs;
    }
  }
  if (c.kind === 'PersistentVolume' && c.spec?.claimRef) {
    delete c.spec.claimRef.uid;
    delete c.spec.claimRef.resourceVersion;
  }
  if (c.kind === 'Job' && c.spec) {
    // The generated selector names the source Job's uid; the target generates its own.
    const sel = c.spec.selector?.matchLabels ?? {};
    if (CONTROLLER_UID_LABELS.some((l) => l in sel)) delete c.spec.selector;
    const labels = c.spec.template?.metadata?.labels;
    if (labels) for (const l of CONTROLLER_UID_LABELS) delete labels[l];
  }
  return c as KubeObject;
}

/** Restore order of the kinds other objects need first (everything else after, Pods last). */
const KIND_ORDER = ['Namespace', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'ServiceAccount', 'Secret', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'PersistentVolume', 'PersistentVolumeClaim', 'LimitRange', 'ResourceQuota', 'Service'];
const rank = (o: KubeObject) => (o.kind === 'Pod' ? KIND_ORDER.length + 2 : KIND_ORDER.includes(o.kind!) ? KIND_ORDER.indexOf(o.kind!) : KIND_ORDER.length + 1);

export interface RestorePlan {
  /** The snapshot's Nodes: simulated nodes (nodePools). */
  nodes: KubeObject[];
  /** The objects to create, owners before dependents (original metadata kept: uids map owners). */
  objects: KubeObject[];
  skipped: { object: string; reason: string }[];
}

/** Splits and orders a snapshot (pure). Owners in the snapshot come before their dependents. */
export function planRestore(all: KubeObject[]): RestorePlan {
  const nodes = all.filter((o) => o.kind === 'Node' && (o.apiVersion === 'v1'));
  const skipped: RestorePlan['skipped'] = [];
  const rest = all
    .filter((o) => !nodes.includes(o))
    .filter((o) => {
      const why = skipReason(o, all);
      if (why) skipped.push({ object: refOf(o), reason: why });
      return !why;
    })
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map((x) => x.o);
  // Owners first: an object waits until every owner of it that is in the snapshot is placed.
  const uids = new Set(rest.map((o) => o.metadata.uid).filter(Boolean));
  const placed = new Set<string>();
  const objects: KubeObject[] = [];
  let queue = rest;
  while (queue.length) {
    const next: KubeObject[] = [];
    for (const o of queue) {
      const waits = (o.metadata.ownerReferences ?? []).some((r) => uids.has(r.uid) && !placed.has(r.uid) && r.uid !== o.metadata.uid);
      if (waits) next.push(o);
      else {
        objects.push(o);
        if (o.metadata.uid) placed.add(o.metadata.uid);
      }
    }
    if (next.length === queue.length) {
      objects.push(...next); // an ownership cycle: keep the rest in order
      break;
    }
    queue = next;
  }
  return { nodes, objects, skipped };
}

export interface NodePoolShape {
  names: string[];
  cpu: string;
  memory: string;
  pods: number;
  ephemeralStorage?: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

/** Snapshot Nodes as node pools: nodes of the same capacity, labels (but hostname) and taints share one (pure). */
export function nodePools(nodes: KubeObject[]): NodePoolShape[] {
  const pools = new Map<string, NodePoolShape>();
  for (const n of nodes) {
    const cap = n.status?.capacity ?? {};
    const labels = Object.fromEntries(Object.entries(n.metadata.labels ?? {}).filter(([k]) => k !== 'kubernetes.io/hostname').sort(([a], [b]) => (a < b ? -1 : 1)));
    const taints = ((n.spec?.taints ?? []) as any[]).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }));
    const shape = { cpu: String(cap.cpu ?? '4'), memory: String(cap.memory ?? '16Gi'), pods: Number(cap.pods ?? 110), ephemeralStorage: cap['ephemeral-storage'] === undefined ? undefined : String(cap['ephemeral-storage']), labels, taints };
    const key = JSON.stringify(shape);
    const pool: NodePoolShape = pools.get(key) ?? { names: [], ...shape };
    pool.names.push(n.metadata.name!);
    pools.set(key, pool);
  }
  return [...pools.values()];
}
