// The garbage collector (pkg/controller/garbagecollector): watches every kind that can own or be
// owned, keeps the ownerReferences graph, and
//  - deletes dependents whose owners are all gone (background deletion, dangling references),
//  - for an owner with the foregroundDeletion finalizer, deletes its dependents and removes the
//    finalizer once no blockOwnerDeletion dependent is left,
//  - for an owner with the orphan finalizer, strips its ownerReferences from dependents, then the finalizer.
import type { Timer } from '../../clock/index.ts';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { parseApiVersion } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { registry } from '../../api/registry.ts';
import { deletedObject, SharedInformer, stripManagedFields, type ResourceRef } from '../../client/index.ts';
import { ControllerLoop, type SyncResult } from '../base.ts';
import type { Controller, ControllerContext } from '../context.ts';
import { apiVersionOfRef, uniqueResources } from '../resources.ts';
import { discoverCustomResources, preferred } from '../util/discovery.ts';
import { blockingDependents, dependentAction, Graph, type GraphNode, type OwnerState } from './graph.ts';

/** Kinds the GC watches: everything listable, watchable and deletable, except Events. */
export function monitoredResources(): ResourceRef[] {
  return uniqueResources(
    registry
    .all()
    .filter((t) => ['list', 'watch', 'delete'].every((v) => t.verbs.includes(v)) && t.plural !== 'events')
    .map((t) => ({ group: t.group, version: t.version, plural: t.plural, namespaced: t.namespaced, kind: t.kind })),
  );
}

/** How often the GC looks in discovery for resources served at run time (Kubernetes resyncs its monitors every 30 s). */
export const DISCOVERY_RESYNC_MS = 30_000;
/** After a CustomResourceDefinition or APIService changes, the GC looks again this soon (it watches both). */
export const DISCOVERY_CHANGE_MS = 200;
const DISCOVERY_KINDS = new Set(['apiextensions.k8s.io/customresourcedefinitions', 'apiregistration.k8s.io/apiservices']);

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly graph = new Graph();
  protected readonly loop: ControllerLoop;
  private readonly byKind = new Map<string, ResourceRef>();
  readonly informers: SharedInformer[] = [];
  /** Informers of resources found in discovery (custom resources), by group/plural. */
  private readonly dynamic = new Map<string, { ref: ResourceRef; informer: SharedInformer }>();
  private discoveryTimer?: Timer;
  /** A resync is running; `again`: discovery changed meanwhile, look once more right after. */
  private resyncing = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ctx: ControllerContext,
    resources: ResourceRef[] = monitoredResources(),
  ) {
    this.loop = new ControllerLoop({ name: 'garbagecollector', sync: (uid) => this.sync(uid), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    for (const rt of resources) {
      const inf = ctx.factory.informerFor(rt);
      this.informers.push(inf);
      this.monitor(rt, inf);
    }
  }

  private monitor(rt: ResourceRef, inf: SharedInformer): void {
    const apiVersion = apiVersionOfRef(rt);
    this.byKind.set(`${apiVersion}/${rt.kind}`, rt);
    const served = DISCOVERY_KINDS.has(`${rt.group}/${rt.plural}`);
    inf.addEventHandler({
      onAdd: (o, initial) => {
        this.observe(o, apiVersion, rt.kind!);
        if (served && !initial) this.discoveryChanged();
      },
      onUpdate: (old, o) => {
        this.observe(o, apiVersion, rt.kind!);
        if (served && old.metadata.resourceVersion !== o.metadata.resourceVersion) this.discoveryChanged();
      },
      onDelete: (o) => {
        this.forget(deletedObject(o));
        if (served) this.discoveryChanged();
      },
    });
  }

  /** A CRD or APIService came, changed or went: what discovery serves may have too. */
  private discoveryChanged(): void {
    if (this.stopped) return;
    if (this.resyncing) {
      this.again = true;
      return;
    }
    this.scheduleResync(DISCOVERY_CHANGE_MS);
  }

  private scheduleResync(ms: number): void {
    const clock = this.ctx.client.clock;
    if (this.discoveryTimer) clock.clearTimeout(this.discoveryTimer);
    this.discoveryTimer = clock.setTimeout(() => void this.resyncMonitors(), ms);
    this.discoveryTimer.unref?.();
  }

  run(workers: number): void {
    this.loop.run(workers);
    void this.resyncMonitors();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.discoveryTimer) this.ctx.client.clock.clearTimeout(this.discoveryTimer);
    await Promise.all([...this.dynamic.values()].map((d) => d.informer.stop()));
    this.dynamic.clear();
    return this.loop.stop();
  }

  /** Custom resources in discovery (preferred versions) that can be listed, watched and deleted. */
  private async discoveredResources(): Promise<ResourceRef[]> {
    return preferred(await discoverCustomResources(this.ctx.client))
      .filter((r) => ['list', 'watch', 'delete'].every((verb) => r.verbs.includes(verb)))
      .map(({ group, version, plural, namespaced, kind }) => ({ group, version, plural, namespaced, kind }));
  }

  /** Starts informers for resources that appeared in discovery and stops those of resources that went. */
  private async resyncMonitors(): Promise<void> {
    if (this.stopped) return;
    this.resyncing = true;
    this.again = false;
    try {
      const found = new Map((await this.discoveredResources()).map((r) => [`${r.group}/${r.plural}`, r]));
      for (const [key, ref] of found) {
        const cur = this.dynamic.get(key);
        if (cur && cur.ref.version === ref.version && cur.ref.kind === ref.kind) continue;
        if (cur) await cur.informer.stop();
        const informer = new SharedInformer(this.ctx.client, ref, { logger: this.ctx.logger, transform: stripManagedFields });
        this.monitor(ref, informer);
        this.dynamic.set(key, { ref, informer });
        if (!this.stopped) informer.start();
      }
      for (const [key, cur] of this.dynamic) {
        if (found.has(key)) continue;
        this.dynamic.delete(key);
        this.byKind.delete(`${apiVersionOfRef(cur.ref)}/${cur.ref.kind}`);
        await cur.informer.stop();
      }
    } catch (err) {
      this.ctx.logger.debug({ err }, 'garbage collector: discovery failed; retrying');
    }
    this.resyncing = false;
    if (this.stopped) return;
    this.scheduleResync(this.again ? DISCOVERY_CHANGE_MS : DISCOVERY_RESYNC_MS);
  }

  private isWaiting(n: GraphNode | undefined): boolean {
    return !!n && n.deleting && n.finalizers.includes('foregroundDeletion');
  }

  private observe(obj: KubeObject, apiVersion: string, kind: string): void {
    if (!obj.metadata.uid) return;
    const { node, removedOwners } = this.graph.upsert(obj, apiVersion, kind);
    if (node.deleting && (node.finalizers.includes('orphan') || node.finalizers.includes('foregroundDeletion'))) this.loop.enqueue(node.id.uid);
    if (node.owners.some((r) => !this.graph.nodes.has(r.uid) || this.isWaiting(this.graph.nodes.get(r.uid)))) this.loop.enqueue(node.id.uid);
    for (const u of removedOwners) if (this.isWaiting(this.graph.nodes.get(u))) this.loop.enqueue(u);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const node = this.graph.remove(uid);
    for (const d of this.graph.dependentsOf(uid)) this.loop.enqueue(d.id.uid);
    for (const r of node?.owners ?? []) if (this.isWaiting(this.graph.nodes.get(r.uid))) this.loop.enqueue(r.uid);
  }

  private client(apiVersion: string, kind: string) {
    let rt = this.byKind.get(`${apiVersion}/${kind}`);
    if (!rt) {
      const gv = parseApiVersion(apiVersion);
      const t = registry.byKind(gv.group, gv.version, kind);
      if (t) rt = { group: t.group, version: t.version, plural: t.plural, namespaced: t.namespaced, kind: t.kind };
    }
    return rt && { rt, rc: this.ctx.client.resource(rt) };
  }

  async sync(uid: string): Promise<SyncResult | void> {
    const node = this.graph.nodes.get(uid);
    if (!node) return;
    if (node.deleting) {
      if (node.finalizers.includes('orphan')) return this.orphanDependents(node);
      if (node.finalizers.includes('foregroundDeletion')) return this.deleteDependents(node);
      return;
    }
    if (node.owners.length === 0) return;
    const owners = await Promise.all(node.owners.map(async (ref) => ({ ref, state: await this.ownerState(node, ref) })));
    const decision = dependentAction(owners, this.graph.dependentsOf(uid).length > 0);
    const target = this.client(node.id.apiVersion, node.id.kind);
    if (!target || decision.action === 'none') return;
    const ns = node.id.namespace;
    if (decision.action === 'removeOwners') {
      await this.patchOwners(node, (refs) => refs.filter((r) => !decision.uids.includes(r.uid)));
      return;
    }
    this.ctx.logger.debug({ object: `${node.id.kind} ${ns ?? ''}/${node.id.name}`, policy: decision.policy }, 'garbage collecting');
    await target.rc.delete(node.id.name, { namespace: ns, propagationPolicy: decision.policy, preconditions: { uid } }).catch((e) => {
      if (!isStatusError(e, 404) && !isStatusError(e, 409)) throw e;
    });
  }

  /** Is the owner there? The graph may lag behind the API, so an owner missing from it is looked up. */
  private async ownerState(node: GraphNode, ref: OwnerReference): Promise<OwnerState> {
    const known = this.graph.nodes.get(ref.uid);
    if (known) return this.isWaiting(known) ? 'waiting' : 'present';
    const target = this.client(ref.apiVersion, ref.kind);
    if (!target) return 'present'; // an unknown kind cannot be verified: keep the dependent
    try {
      const owner = await target.rc.get(ref.name, { namespace: target.rt.namespaced ? node.id.namespace : undefined });
      if (owner.metadata.uid !== ref.uid) return 'absent';
      return owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion') ? 'waiting' : 'present';
    } catch (e) {
      if (isStatusError(e, 404)) return 'absent';
      throw e;
    }
  }

  private async deleteDependents(owner: GraphNode): Promise<SyncResult | void> {
    const deps = this.graph.dependentsOf(owner.id.uid);
    if (blockingDependents(owner.id.uid, deps).length === 0) return this.removeFinalizer(owner, 'foregroundDeletion');
    for (const d of deps) if (!d.deleting) this.loop.enqueue(d.id.uid);
    // Dependents' deletions requeue the owner; look again later in case one was missed.
    return { requeueAfterMs: 5000 };
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    await Promise.all(this.graph.dependentsOf(owner.id.uid).map((d) => this.patchOwners(d, (refs) => refs.filter((r) => r.uid !== owner.id.uid))));
    await this.removeFinalizer(owner, 'orphan');
  }

  private async patchOwners(node: GraphNode, change: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const target = this.client(node.id.apiVersion, node.id.kind);
    if (!target) return;
    const refs = change(node.owners);
    await target.rc
      .patch(node.id.name, { metadata: { ownerReferences: refs.length ? refs : null, uid: node.id.uid } }, { namespace: node.id.namespace, type: 'merge' })
      .catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const target = this.client(node.id.apiVersion, node.id.kind);
    if (!target) return;
    const rest = node.finalizers.filter((f) => f !== finalizer);
    await target.rc
      .patch(node.id.name, { metadata: { finalizers: rest.length ? rest : null } }, { namespace: node.id.namespace, type: 'merge' })
      .catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
  }
}
