// The ReplicaSet controller (pkg/controller/replicaset): keeps `replicas` active pods per ReplicaSet.
// Handlers only enqueue ReplicaSet keys and record observed creations/deletions; sync(key) claims
// pods, creates or deletes the difference, and writes status through the status subresource. As in
// Kubernetes, the same logic serves ReplicationControllers (their selector is a plain label map).
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { type DeletedFinalStateUnknown, deletedObject, labelPredicate, metaNamespaceKey, type ResourceRef, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { Expectations, slowStartBatch } from '../expectations.ts';
import { OwnWrites } from '../util/ownwrites.ts';
import { PODS, REPLICASETS, REPLICATIONCONTROLLERS, apiVersionOfRef } from '../resources.ts';
import { BY_CONTROLLER, claimObjects, controllerIndex, controllerOf, newControllerRef, writeClaim } from '../util/owner.ts';
import { isPodActive, isPodReady, podFromTemplate } from '../util/pod.ts';
import { availabilityRequeueSeconds, planReplicas, replicaSetStatus, statusChanged } from './plan.ts';

/** A kind the controller manages: ReplicaSets, or ReplicationControllers. */
export interface ReplicatedKind {
  name: string;
  resource: ResourceRef;
  /** The kind's selector as a LabelSelector. */
  selector(o: KubeObject): any;
}

export const REPLICA_SET_KIND: ReplicatedKind = { name: 'replicaset', resource: REPLICASETS, selector: (o) => o.spec?.selector ?? {} };
export const REPLICATION_CONTROLLER_KIND: ReplicatedKind = {
  name: 'replicationcontroller',
  resource: REPLICATIONCONTROLLERS,
  selector: (o) => ({ matchLabels: o.spec?.selector ?? {} }),
};

export class ReplicaSetController extends LoopController {
  readonly name: string;
  readonly expectations = new Expectations(() => this.ctx.client.clock.now());
  protected readonly loop: ControllerLoop;
  private readonly rsInformer: SharedInformer;
  private readonly podInformer: SharedInformer;
  private readonly events: EventSink;
  private readonly kindRef: { apiVersion: string; kind: string };
  /** Our status writes the informer has not delivered yet (a re-sync before it does reads them, not the stale copy). */
  private readonly ownWrites = new OwnWrites();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly managed: ReplicatedKind = REPLICA_SET_KIND,
  ) {
    super();
    this.name = managed.name;
    this.kindRef = { apiVersion: apiVersionOfRef(managed.resource), kind: managed.resource.kind! };
    this.loop = new ControllerLoop({ name: managed.name, sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder(`${managed.name.replace('replicationcontroller', 'replication')}-controller`);
    this.rsInformer = ctx.factory.informerFor(managed.resource);
    this.podInformer = ctx.factory.informerFor(PODS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.loop.enqueue(metaNamespaceKey(rs)),
      onUpdate: (_o, rs) => this.loop.enqueue(metaNamespaceKey(rs)),
      onDelete: (o) => {
        const rs = deletedObject(o);
        this.expectations.delete(metaNamespaceKey(rs));
        this.ownWrites.forget(metaNamespaceKey(rs));
        this.loop.enqueue(metaNamespaceKey(rs));
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (o, p) => this.updatePod(o, p),
      onDelete: (p) => this.deletePod(p),
    });
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== this.kindRef.kind) return undefined;
    const rs = this.rsInformer.lister.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private matching(pod: KubeObject): KubeObject[] {
    return this.rsInformer.lister
      .list(undefined, pod.metadata.namespace)
      .filter((rs) => labelPredicate(this.managed.selector(rs))(pod.metadata.labels));
  }

  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const rs = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (rs) {
      this.expectations.creationObserved(metaNamespaceKey(rs));
      this.loop.enqueue(metaNamespaceKey(rs));
    } else if (!controllerOf(pod)) {
      for (const r of this.matching(pod)) this.loop.enqueue(metaNamespaceKey(r));
    }
  }

  private updatePod(old: KubeObject, pod: KubeObject): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) this.deletePod(pod);
    const oldRef = controllerOf(old);
    const ref = controllerOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const o = this.resolve(old.metadata.namespace, oldRef);
      if (o) this.loop.enqueue(metaNamespaceKey(o));
    }
    const rs = this.resolve(pod.metadata.namespace, ref);
    if (rs) {
      this.loop.enqueue(metaNamespaceKey(rs));
      // Becoming ready starts the minReadySeconds clock: look again when it runs out.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.loop.enqueueAfter(metaNamespaceKey(rs), minReady * 1000 + 100);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (!ref && (labelsChanged || oldRef)) for (const r of this.matching(pod)) this.loop.enqueue(metaNamespaceKey(r));
  }

  private deletePod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
    const pod = deletedObject(o);
    const rs = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (!rs) return;
    this.expectations.deletionObserved(metaNamespaceKey(rs), metaNamespaceKey(pod));
    this.loop.enqueue(metaNamespaceKey(rs));
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.rsInformer.lister.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      this.ownWrites.forget(key);
      return;
    }
    const rs = this.ownWrites.view(key, cached);
    const now = this.ctx.client.clock.now();
    const needsSync = this.expectations.satisfied(key);
    const selects = labelPredicate(this.managed.selector(rs));
    const candidates = [
      ...this.podInformer.indexer.byIndex(BY_CONTROLLER, rs.metadata.uid!),
      ...this.podInformer.indexer.byIndex(BY_CONTROLLER, `orphan/${namespace}`),
    ].filter(isPodActive);
    const claim = claimObjects(rs, candidates, (p) => selects(p.metadata.labels));
    await writeClaim(this.ctx.client.resource(PODS), claim, newControllerRef(rs, this.kindRef.apiVersion, this.kindRef.kind), this.ctx.logger);

    let manageError: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined;
    let thrown: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, claim.owned, now);
      } catch (e) {
        thrown = e;
        manageError = { reason: (e as any).failedReason ?? 'FailedCreate', message: String((e as Error).message ?? e) };
      }
    }
    const status = replicaSetStatus({ rs, pods: claim.owned, manageError, now: this.ctx.client.clock.now() });
    if (statusChanged(rs.status, status)) await this.writeStatus(key, cached, rs, status);
    if (thrown) throw thrown;
    const after = availabilityRequeueSeconds(rs, status);
    return after ? { requeueAfterMs: after * 1000 } : undefined;
  }

  private async manageReplicas(key: string, rs: KubeObject, owned: KubeObject[], now: number): Promise<void> {
    const plan = planReplicas(rs.spec?.replicas ?? 1, owned, this.relatedPods(rs), now);
    const pods = this.ctx.client.resource(PODS);
    if (plan.action === 'create') {
      this.expectations.expectCreations(key, plan.count);
      const { successes, error } = await slowStartBatch(plan.count, 1, async () => {
        try {
          const pod = await pods.create(podFromTemplate(rs, this.kindRef.apiVersion, this.kindRef.kind), { namespace: rs.metadata.namespace });
          this.events.event(rs, this.kindRef, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (e) {
          this.events.event(rs, this.kindRef, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      });
      if (successes < plan.count) this.expectations.lowerCreations(key, plan.count - successes);
      if (error) throw Object.assign(error as object, { failedReason: 'FailedCreate' });
    } else if (plan.action === 'delete') {
      this.expectations.expectDeletions(key, plan.pods.map(metaNamespaceKey));
      const results = await Promise.allSettled(
        plan.pods.map(async (p) => {
          try {
            await pods.delete(p.metadata.name!, { namespace: p.metadata.namespace });
            this.events.event(rs, this.kindRef, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          } catch (e) {
            this.expectations.deletionObserved(key, metaNamespaceKey(p));
            if (isStatusError(e, 404)) return;
            this.events.event(rs, this.kindRef, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
            throw e;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      if (failed) throw Object.assign(failed.reason as object, { failedReason: 'FailedDelete' });
    }
  }

  /** Active pods of every ReplicaSet with the same controller (e.g. one Deployment's), for ranking. */
  private relatedPods(rs: KubeObject): KubeObject[] {
    const owner = controllerOf(rs);
    const siblings = owner
      ? this.rsInformer.lister.list(undefined, rs.metadata.namespace).filter((r) => controllerOf(r)?.uid === owner.uid)
      : [rs];
    return siblings.flatMap((r) => this.podInformer.indexer.byIndex(BY_CONTROLLER, r.metadata.uid!)).filter(isPodActive);
  }

  /** updateReplicaSetStatus: PUT status; on a conflict read the latest and try once more. */
  private async writeStatus(key: string, cached: KubeObject, rs: KubeObject, status: any): Promise<void> {
    const client = this.ctx.client.resource(this.managed.resource);
    try {
      this.ownWrites.record(key, cached, rs, await client.updateStatus({ ...rs, status }));
    } catch (e) {
      if (!isStatusError(e, 409)) throw e;
      const fresh = await client.get(rs.metadata.name!, { namespace: rs.metadata.namespace });
      this.ownWrites.record(key, cached, fresh, await client.updateStatus({ ...fresh, status: { ...status, observedGeneration: Math.min(status.observedGeneration, fresh.metadata.generation ?? 1) } }));
    }
  }
}
