// The garbage collector's dependency graph (pkg/controller/garbagecollector/graph.go): one node per
// object uid with its ownerReferences, and for every owner uid the set of its dependents — owners
// that are absent from the cluster included, which is how dangling references are found.
import type { KubeObject, OwnerReference } from '../../api/types.ts';

export interface ObjectId {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  id: ObjectId;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export class Graph {
  readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  /** Inserts or refreshes an object; returns the node and the owner uids it stopped referencing. */
  upsert(obj: KubeObject, apiVersion: string, kind: string): { node: GraphNode; removedOwners: string[] } {
    const uid = obj.metadata.uid!;
    const old = this.nodes.get(uid);
    const node: GraphNode = {
      id: { apiVersion, kind, namespace: obj.metadata.namespace, name: obj.metadata.name!, uid },
      owners: obj.metadata.ownerReferences ?? [],
      deleting: !!obj.metadata.deletionTimestamp,
      finalizers: obj.metadata.finalizers ?? [],
    };
    this.nodes.set(uid, node);
    // Most updates (status, Lease renewals) leave the references alone: the links stay as they are.
    if (old && sameOwnerUids(old.owners, node.owners)) return { node, removedOwners: [] };
    const newOwners = new Set(node.owners.map((r) => r.uid));
    const removedOwners = (old?.owners ?? []).map((r) => r.uid).filter((u) => !newOwners.has(u));
    for (const u of removedOwners) this.unlink(u, uid);
    for (const u of newOwners) {
      let s = this.dependents.get(u);
      if (!s) this.dependents.set(u, (s = new Set()));
      s.add(uid);
    }
    return { node, removedOwners };
  }

  /** Removes an object; returns its node (if known). Its dependents keep pointing at the uid. */
  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.nodes.delete(uid);
    for (const r of node.owners) this.unlink(r.uid, uid);
    return node;
  }

  private unlink(owner: string, dependent: string): void {
    const s = this.dependents.get(owner);
    if (!s) return;
    s.delete(dependent);
    if (s.size === 0) this.dependents.delete(owner);
  }

  dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])].map((u) => this.nodes.get(u)).filter((n): n is GraphNode => !!n);
  }
}

function sameOwnerUids(a: OwnerReference[], b: OwnerReference[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].uid !== b[i].uid) return false;
  return true;
}

export type OwnerState = 'present' | 'absent' | 'waiting';

/**
 * attemptToDeleteItem's decision for a dependent whose owners are classified as present (solid),
 * absent (dangling) or waiting (being deleted in the foreground).
 */
export type DependentAction =
  | { action: 'none' }
  | { action: 'delete'; policy: 'Background' | 'Foreground' }
  | { action: 'removeOwners'; uids: string[] };

export function dependentAction(owners: { ref: OwnerReference; state: OwnerState }[], hasDependents: boolean): DependentAction {
  if (owners.length === 0) return { action: 'none' };
  const solid = owners.filter((o) => o.state === 'present');
  const dangling = owners.filter((o) => o.state === 'absent');
  const waiting = owners.filter((o) => o.state === 'waiting');
  if (solid.length > 0) {
    // Still owned: only drop the references to owners that are gone.
    return dangling.length ? { action: 'removeOwners', uids: dangling.map((o) => o.ref.uid) } : { action: 'none' };
  }
  // No solid owner left: delete. An owner waiting for its dependents wants them gone first, and
  // this dependent's own dependents too (foreground), if it has any.
  if (waiting.length > 0 && hasDependents) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: 'Background' };
}

/** processDeletingDependents: an owner in foreground deletion may drop its finalizer once no blocking dependent is left. */
export function blockingDependents(owner: string, dependents: GraphNode[]): GraphNode[] {
  return dependents.filter((d) => d.owners.some((r) => r.uid === owner && r.blockOwnerDeletion));
}
