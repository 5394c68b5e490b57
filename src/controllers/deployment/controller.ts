// The Deployment controller (pkg/controller/deployment): owns ReplicaSets named by the pod-template
// hash, rolls between them (RollingUpdate or Recreate), records revisions, and reports progress.
// Handlers only enqueue Deployment keys; sync(key) works from the informer caches.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { type DeletedFinalStateUnknown, deletedObject, labelPredicate, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../resources.ts';
import { BY_CONTROLLER, claimObjects, controllerIndex, controllerOf, newControllerRef, writeClaim } from '../util/owner.ts';
import { computeHash } from '../util/hash.ts';
import {
  calculateStatus,
  deploymentComplete,
  deploymentStatusEqual,
  equalIgnoreHash,
  getDeploymentCondition,
  hasProgressDeadline,
  isScalingEvent,
  maxRevision,
  newCondition,
  newReplicaSetAnnotations,
  newReplicaSetFor,
  newRSNewReplicas,
  pausedCondition,
  progressRequeueMs,
  proportionalScale,
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  replicaSetsToCleanUp,
  replicasAnnotations,
  replicasOf,
  RevisionAnnotation,
  rolloutStatus,
  setDeploymentCondition,
  splitReplicaSets,
  type Scale,
} from './plan.ts';

const D_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

export class DeploymentController extends LoopController {
  readonly name = 'deployment';
  protected readonly loop: ControllerLoop;
  private readonly dInformer: SharedInformer;
  private readonly rsInformer: SharedInformer;
  private readonly podInformer: SharedInformer;
  private readonly events: EventSink;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'deployment', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('deployment-controller');
    this.dInformer = ctx.factory.informerFor(DEPLOYMENTS);
    this.rsInformer = ctx.factory.informerFor(REPLICASETS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.podInformer = ctx.factory.informerFor(PODS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.dInformer.addEventHandler({
      onAdd: (d) => this.loop.enqueue(metaNamespaceKey(d)),
      onUpdate: (_o, d) => this.loop.enqueue(metaNamespaceKey(d)),
      onDelete: (d) => this.loop.enqueue(metaNamespaceKey(deletedObject(d))),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueueForReplicaSet(rs),
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        const oldRef = controllerOf(old);
        if (oldRef && oldRef.uid !== controllerOf(rs)?.uid) this.enqueueForReplicaSet(old);
        this.enqueueForReplicaSet(rs);
      },
      onDelete: (rs) => this.enqueueForReplicaSet(deletedObject(rs)),
    });
    // Recreate waits for old pods to be gone.
    this.podInformer.addEventHandler({ onDelete: (p) => this.deletePod(p) });
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): KubeObject | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.lister.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueForReplicaSet(rs: KubeObject): void {
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata.namespace, ref);
      if (d) this.loop.enqueue(metaNamespaceKey(d));
      return;
    }
    // An orphan: every Deployment that could adopt it.
    for (const d of this.dInformer.lister.list(undefined, rs.metadata.namespace)) {
      if (labelPredicate(d.spec?.selector ?? {})(rs.metadata.labels)) this.loop.enqueue(metaNamespaceKey(d));
    }
  }

  private deletePod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
    const pod = deletedObject(o);
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.lister.get(pod.metadata.namespace, ref.name);
    const d = rs && this.resolve(rs.metadata.namespace, controllerOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.loop.enqueue(metaNamespaceKey(d));
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.dInformer.lister.get(namespace, name);
    if (!cached) return;
    // Shallow copies (of the Deployment and of its ReplicaSets below): a sync only replaces their
    // top-level fields (status, metadata: the server's answers), never edits the cache's nested
    // objects, so the deep copies Kubernetes makes before mutating are not needed here.
    const d = { ...cached };
    const sel = d.spec?.selector ?? {};
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.events.event(d, D_KIND, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) await this.updateStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 1 });
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    const paused = pausedCondition(d, this.ctx.client.clock.now());
    if (paused) {
      d.status = { ...(d.status ?? {}) };
      setDeploymentCondition(d.status, paused);
      Object.assign(d, await this.updateStatus(d, d.status));
    }
    if (d.spec?.paused || isScalingEvent(d, rsList)) return this.syncScale(d, rsList);
    return d.spec?.strategy?.type === 'Recreate' ? this.rolloutRecreate(d, rsList) : this.rolloutRolling(d, rsList);
  }

  /** getReplicaSetsForDeployment: owned ReplicaSets, adopting orphans and releasing mismatches. */
  private async claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const candidates = [
      ...this.rsInformer.indexer.byIndex(BY_CONTROLLER, d.metadata.uid!),
      ...this.rsInformer.indexer.byIndex(BY_CONTROLLER, `orphan/${d.metadata.namespace}`),
    ];
    const selects = labelPredicate(d.spec?.selector ?? {});
    const claim = claimObjects(d, candidates, (rs) => selects(rs.metadata.labels));
    await writeClaim(this.ctx.client.resource(REPLICASETS), claim, newControllerRef(d, D_KIND.apiVersion, D_KIND.kind), this.ctx.logger);
    return claim.owned.map((rs) => ({ ...rs }));
  }

  private async syncStatusOnly(d: KubeObject, rsList: KubeObject[]): Promise<SyncResult | void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /** sync(): scaling events and paused Deployments: scale proportionally, no rollout. */
  private async syncScale(d: KubeObject, rsList: KubeObject[]): Promise<SyncResult | void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    await this.applyScales(d, proportionalScale(d, newRS, oldRSs));
    if (d.spec?.paused) await this.cleanup(d, oldRSs);
    await this.syncDeploymentStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  private async rolloutRolling(d: KubeObject, rsList: KubeObject[]): Promise<SyncResult | void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, true);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const newSize = newRS ? reconcileNewReplicaSet(d, all, newRS) : undefined;
    if (newRS && newSize !== undefined && (await this.applyScales(d, [{ rs: newRS, replicas: newSize }]))) return this.syncRolloutStatus(d, all, newRS);
    if (await this.applyScales(d, reconcileOldReplicaSets(d, newRS, oldRSs))) return this.syncRolloutStatus(d, all, newRS);
    if (deploymentComplete(d, calculateStatus(d, all, newRS, this.ctx.client.clock.now()))) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(d, all, newRS);
  }

  private async rolloutRecreate(d: KubeObject, rsList: KubeObject[]): Promise<SyncResult | void> {
    let { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    let all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const downs = oldRSs.filter((rs) => replicasOf(rs) > 0).map((rs) => ({ rs, replicas: 0 }));
    if (await this.applyScales(d, downs)) return this.syncRolloutStatus(d, all, newRS);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(d, all, newRS);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, true));
      all = [...oldRSs, ...(newRS ? [newRS] : [])];
    }
    if (newRS) await this.applyScales(d, [{ rs: newRS, replicas: replicasOf(d) }]);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(d, all, newRS);
  }

  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    return oldRSs.some((rs) => rs !== newRS && this.podInformer.indexer.byIndex(BY_CONTROLLER, rs.metadata.uid!).some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
  }

  /**
   * getAllReplicaSetsAndSyncRevision: finds the new ReplicaSet, raises its revision to max(old)+1
   * (a rollback raises an old one), and creates it when asked and missing.
   */
  private async replicaSetsAndSyncRevision(d: KubeObject, rsList: KubeObject[], create: boolean): Promise<{ newRS?: KubeObject; oldRSs: KubeObject[] }> {
    const { newRS: existing, oldRSs } = splitReplicaSets(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const client = this.ctx.client.resource(REPLICASETS);
    if (existing) {
      let rs = existing;
      const ann = newReplicaSetAnnotations(d, rs, newRevision, true);
      if (ann || (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        // A merge patch, not a PUT: the ReplicaSet's status changes all the time (its controller),
        // and a PUT from our cache would mostly conflict.
        rs = await client.patch(rs.metadata.name!, { metadata: { annotations: ann ?? rs.metadata.annotations }, spec: { minReadySeconds: d.spec?.minReadySeconds ?? 0 } }, { namespace: rs.metadata.namespace, type: 'merge' });
      }
      await this.setDeploymentRevision(d, rs.metadata.annotations?.[RevisionAnnotation]);
      if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, 'Progressing')) {
        const status = { ...(d.status ?? {}) };
        setDeploymentCondition(status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`, this.ctx.client.clock.now()));
        Object.assign(d, await this.updateStatus(d, status));
      }
      return { newRS: rs, oldRSs };
    }
    if (!create) return { oldRSs };

    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const draft = newReplicaSetFor(d, hash, 0, newRevision);
    draft.spec.replicas = newRSNewReplicas(d, [...oldRSs, draft], draft);
    draft.metadata.annotations = newReplicaSetAnnotations(d, { ...draft, metadata: { ...draft.metadata, annotations: {} } }, newRevision, false) ?? {};
    let created: KubeObject;
    let alreadyExisted = false;
    try {
      created = await client.create(draft, { namespace: d.metadata.namespace });
    } catch (e) {
      if (!isStatusError(e, 409)) {
        const msg = `Failed to create new replica set "${draft.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          const status = { ...(d.status ?? {}) };
          setDeploymentCondition(status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.ctx.client.clock.now()));
          await this.updateStatus(d, status).catch(() => {});
        }
        this.events.event(d, D_KIND, 'Warning', 'ReplicaSetCreateError', msg);
        throw e;
      }
      const other = await client.get(draft.metadata.name!, { namespace: d.metadata.namespace });
      if (controllerOf(other)?.uid === d.metadata.uid && equalIgnoreHash(other.spec?.template, d.spec?.template)) {
        created = other;
        alreadyExisted = true;
      } else {
        // A hash collision with someone else's ReplicaSet: bump collisionCount and retry.
        await this.updateStatus(d, { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw new Error(`hash collision for ReplicaSet "${draft.metadata.name}"; collisionCount raised`);
      }
    }
    if (!alreadyExisted && replicasOf(created) > 0) {
      this.events.event(d, D_KIND, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicasOf(created)} from 0`);
    }
    await this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const status = { ...(d.status ?? {}) };
      setDeploymentCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`, this.ctx.client.clock.now()));
      Object.assign(d, await this.updateStatus(d, status));
    }
    return { newRS: created, oldRSs };
  }

  /** SetDeploymentRevision: the Deployment carries the revision of its new ReplicaSet. */
  private async setDeploymentRevision(d: KubeObject, revision: string | undefined): Promise<void> {
    if (revision === undefined || d.metadata.annotations?.[RevisionAnnotation] === revision) return;
    const updated = await this.ctx.client
      .resource(DEPLOYMENTS)
      .patch(d.metadata.name!, { metadata: { annotations: { [RevisionAnnotation]: revision } } }, { namespace: d.metadata.namespace, type: 'merge' });
    d.metadata = updated.metadata;
  }

  /** scaleReplicaSetAndRecordEvent for each change; true when some size changed. */
  private async applyScales(d: KubeObject, scales: Scale[]): Promise<boolean> {
    let scaled = false;
    const client = this.ctx.client.resource(REPLICASETS);
    const want = replicasAnnotations(d);
    for (const { rs, replicas } of scales) {
      const from = replicasOf(rs);
      const annotationsStale = Object.entries(want).some(([k, v]) => rs.metadata.annotations?.[k] !== v);
      if (from === replicas && !annotationsStale) continue;
      const updated = await client.patch(rs.metadata.name!, { metadata: { annotations: want }, spec: { replicas } }, { namespace: rs.metadata.namespace, type: 'merge' });
      Object.assign(rs, updated);
      if (from !== replicas) {
        scaled = true;
        this.events.event(d, D_KIND, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${replicas} from ${from}`);
      }
    }
    return scaled;
  }

  private async cleanup(d: KubeObject, oldRSs: KubeObject[]): Promise<void> {
    const client = this.ctx.client.resource(REPLICASETS);
    for (const rs of replicaSetsToCleanUp(d, oldRSs)) {
      await client.delete(rs.metadata.name!, { namespace: rs.metadata.namespace }).catch((e) => {
        if (!isStatusError(e, 404)) throw e;
      });
    }
  }

  private async syncDeploymentStatus(d: KubeObject, all: KubeObject[], newRS: KubeObject | undefined): Promise<void> {
    const status = calculateStatus(d, all, newRS, this.ctx.client.clock.now());
    if (!deploymentStatusEqual(d.status, status)) await this.updateStatus(d, status);
  }

  private async syncRolloutStatus(d: KubeObject, all: KubeObject[], newRS: KubeObject | undefined): Promise<SyncResult | void> {
    const now = this.ctx.client.clock.now();
    const status = rolloutStatus(d, all, newRS, now);
    if (!deploymentStatusEqual(d.status, status)) {
      const cond = getDeploymentCondition(status, 'Progressing');
      if (cond?.reason === 'ProgressDeadlineExceeded' && getDeploymentCondition(d.status, 'Progressing')?.reason !== 'ProgressDeadlineExceeded') {
        this.events.event(d, D_KIND, 'Warning', 'ProgressDeadlineExceeded', cond.message);
      }
      await this.updateStatus(d, status);
    }
    const after = progressRequeueMs(d, status, now);
    return after !== undefined ? { requeueAfterMs: after } : undefined;
  }

  private async updateStatus(d: KubeObject, status: any): Promise<KubeObject> {
    const updated = await this.ctx.client.resource(DEPLOYMENTS).updateStatus({ ...d, status });
    d.metadata = updated.metadata;
    d.status = updated.status;
    return updated;
  }
}
