// ControllerRevision history (k8s.io/kubernetes/pkg/controller/history), shared by the StatefulSet
// and DaemonSet controllers: a revision's data is the strategic merge patch kubectl applies on
// `rollout undo` — `{"spec":{"template":{...,"$patch":"replace"}}}` with keys sorted, as Kubernetes'
// controllers write it (getPatch) — named `<parent>-<hash>`, labelled with the template's labels and
// `controller-revision-hash`, numbered 1, 2, …; an older revision equal to the new template is
// brought forward by giving it the next number (a rollback), and the oldest unused ones are pruned.
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { canonicalJson, deepCopy } from '../../api/core/json.ts';
import { canonicalQuantity } from '../../api/quantity.ts';
import type { Client, ResourceRef } from '../../client/index.ts';
import { fnv32a, safeEncodeString } from './hash.ts';
import { isControlledBy, newControllerRef } from './owner.ts';

export const CONTROLLERREVISIONS: ResourceRef = { group: 'apps', version: 'v1', plural: 'controllerrevisions', namespaced: true, kind: 'ControllerRevision' };
export const ControllerRevisionHashLabel = 'controller-revision-hash';

/** getPatch: the template as a replacing strategic merge patch, keys sorted (Go's map encoding). */
export function revisionData(template: unknown): any {
  const t = { ...goEncoded(template), $patch: 'replace' };
  return JSON.parse(canonicalJson({ spec: { template: t } }));
}

/**
 * The template as Go's typed encoding prints it, which is what kubectl compares a revision's data
 * with (byte for byte) before `rollout undo`: `metadata.creationTimestamp: null`, `resources: {}` on
 * every container, quantities in canonical form.
 */
function goEncoded(template: unknown): any {
  const t = deepCopy((template ?? {}) as any);
  t.metadata = { creationTimestamp: null, ...(t.metadata ?? {}) };
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of (t.spec?.[list] ?? []) as any[]) {
      c.resources ??= {};
      for (const k of ['requests', 'limits']) {
        const m = c.resources[k];
        if (m && typeof m === 'object') for (const [name, q] of Object.entries(m)) m[name] = safeCanonical(q);
      }
    }
  }
  return t;
}

function safeCanonical(q: unknown): unknown {
  try {
    return typeof q === 'string' || typeof q === 'number' ? canonicalQuantity(q) : q;
  } catch {
    return q;
  }
}

/** ApplyRevision for the template: the template a revision's data describes. */
export function templateOfRevision(rev: KubeObject): any {
  const t = deepCopy((rev as any).data?.spec?.template ?? {});
  delete t.$patch;
  if (t.metadata?.creationTimestamp === null) delete t.metadata.creationTimestamp;
  return t;
}

/** HashControllerRevision: FNV-32a of the data (plus collisionCount), safe-encoded. */
export function hashRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(data)));
  if (collisionCount) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut so the name fits 253 characters. */
export function revisionName(parent: string, hash: string): string {
  const prefix = parent.length > 223 ? parent.slice(0, 223) : parent;
  return `${prefix}-${hash}`;
}

/** NewControllerRevision: an unsaved revision of `parent` with its template's labels and the hash label. */
export function newRevision(parent: KubeObject, kind: { apiVersion: string; kind: string }, data: unknown, revision: number, collisionCount?: number, hashOf?: HashOf): KubeObject {
  const hash = hashOf ? hashOf(collisionCount ?? 0) : hashRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels: { ...(parent.spec?.template?.metadata?.labels ?? {}), [ControllerRevisionHashLabel]: hash },
      ownerReferences: [newControllerRef(parent, kind.apiVersion, kind.kind)],
    },
    data,
    revision,
  } as KubeObject;
}

const num = (r: KubeObject) => Number((r as any).revision ?? 0);

/** SortControllerRevisions: by revision number, then creation time, then name. */
export function sortRevisions(revs: KubeObject[]): KubeObject[] {
  return revs.slice().sort((a, b) => num(a) - num(b) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
}

/** NextRevision: one more than the highest. */
export function nextRevision(revs: KubeObject[]): number {
  return revs.reduce((m, r) => Math.max(m, num(r)), 0) + 1;
}

/** EqualRevision: same data (the hash label is derived from it). */
export function equalRevision(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  if (!a || !b) return false;
  return canonicalJson((a as any).data) === canonicalJson((b as any).data);
}

/** FindEqualRevisions, in the order given. */
export function findEqualRevisions(revs: KubeObject[], target: KubeObject): KubeObject[] {
  return revs.filter((r) => equalRevision(r, target));
}

/** The revisions `parent` controls (ListControllerRevisions filtered by controller). */
export function ownedRevisions(parent: KubeObject, revs: KubeObject[]): KubeObject[] {
  return revs.filter((r) => r.metadata.namespace === parent.metadata.namespace && isControlledBy(r, parent));
}

/**
 * How a parent names its revisions for a collisionCount: StatefulSets hash the revision data
 * (the default); DaemonSets hash the template as the pod-template-hash does (ComputeHash).
 */
export type HashOf = (collisionCount: number) => string;

export type RevisionStep = { action: 'keep'; revision: KubeObject } | { action: 'renumber'; revision: KubeObject; to: number } | { action: 'create'; revision: KubeObject };

/**
 * getStatefulSetRevisions / constructHistory's decision for the update revision: the latest revision
 * if it already equals the template; an older equal one renumbered to the next number (rollback);
 * else a new revision.
 */
export function planUpdateRevision(parent: KubeObject, kind: { apiVersion: string; kind: string }, owned: KubeObject[], collisionCount: number, hashOf?: HashOf): RevisionStep {
  const revs = sortRevisions(owned);
  const candidate = newRevision(parent, kind, revisionData(parent.spec?.template), nextRevision(revs), collisionCount, hashOf);
  const equal = findEqualRevisions(revs, candidate);
  if (equal.length && equalRevision(revs[revs.length - 1], equal[equal.length - 1])) return { action: 'keep', revision: revs[revs.length - 1] };
  if (equal.length) return { action: 'renumber', revision: equal[equal.length - 1], to: num(candidate) };
  return { action: 'create', revision: candidate };
}

/**
 * truncateHistory: the revisions to delete — the oldest not in `live` (revision names in use by pods,
 * plus current and update) beyond `limit`.
 */
export function revisionsToPrune(owned: KubeObject[], live: Set<string>, limit: number): KubeObject[] {
  const dead = sortRevisions(owned).filter((r) => !live.has(r.metadata.name!));
  const extra = dead.length - Math.max(0, limit);
  return extra > 0 ? dead.slice(0, extra) : [];
}

/**
 * Carries out a RevisionStep. A name collision with different data bumps collisionCount and
 * retries (CreateControllerRevision); an existing equal revision is reused. Returns the revision and
 * the collisionCount to record.
 */
export async function applyRevisionStep(
  client: Client,
  parent: KubeObject,
  kind: { apiVersion: string; kind: string },
  step: RevisionStep,
  collisionCount: number,
  hashOf?: HashOf,
): Promise<{ revision: KubeObject; collisionCount: number }> {
  const revs = client.resource(CONTROLLERREVISIONS);
  const ns = parent.metadata.namespace;
  if (step.action === 'keep') return { revision: step.revision, collisionCount };
  if (step.action === 'renumber') {
    const r = await revs.patch(step.revision.metadata.name!, { revision: step.to }, { namespace: ns, type: 'merge' });
    return { revision: r, collisionCount };
  }
  let count = collisionCount;
  let candidate = step.revision;
  for (let i = 0; i < 10; i++) {
    try {
      return { revision: await revs.create(candidate, { namespace: ns }), collisionCount: count };
    } catch (e) {
      if (!isStatusError(e, 409)) throw e;
      const existing = await revs.get(candidate.metadata.name!, { namespace: ns });
      if (equalRevision(existing, candidate) && isControlledBy(existing, parent)) return { revision: existing, collisionCount: count };
      count++;
      candidate = newRevision(parent, kind, (candidate as any).data, (candidate as any).revision, count, hashOf);
    }
  }
  throw new Error(`could not find a free ControllerRevision name for ${parent.metadata.name}`);
}
