// The StatefulSet controller (pkg/controller/statefulset): pods with stable names, hostnames and
// claims, created, replaced, removed and updated in ordinal order (plan.ts), with ControllerRevision
// history (util/history.ts) behind currentRevision/updateRevision. No expectations: pod and claim
// names are deterministic, so a create the cache has not seen yet fails AlreadyExists and is skipped.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { PVCS } from '../../api/core/refs.ts';
import { type DeletedFinalStateUnknown, deletedObject, labelPredicate, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { slowStartBatch } from '../expectations.ts';
import { PODS, STATEFULSETS } from '../resources.ts';
import { applyRevisionStep, CONTROLLERREVISIONS, ownedRevisions, planUpdateRevision, revisionsToPrune } from '../util/history.ts';
import { BY_CONTROLLER, claimObjects, controllerIndex, controllerOf, newControllerRef, writeClaim } from '../util/owner.ts';
import { isPodReady } from '../util/pod.ts';
import { availabilityRequeueSeconds, liveRevisions, planStatefulSet, statusChanged, type SetAction } from './plan.ts';
import { isMemberOf, SET_KIND } from './pods.ts';

export class StatefulSetController extends LoopController {
  readonly name = 'statefulset';
  protected readonly loop: ControllerLoop;
  private readonly sets: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly claims: SharedInformer;
  private readonly revisions: SharedInformer;
  private readonly events: EventSink;

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'statefulset', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('statefulset-controller');
    this.sets = ctx.factory.informerFor(STATEFULSETS);
    this.pods = ctx.factory.informerFor(PODS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.claims = ctx.factory.informerFor(PVCS);
    this.revisions = ctx.factory.informerFor(CONTROLLERREVISIONS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    // A claim that goes away may be what a pod was waiting for (a claim being deleted holds its pod back).
    const onClaim = (o: KubeObject | DeletedFinalStateUnknown<KubeObject>) => {
      const claim = deletedObject(o);
      for (const set of this.sets.lister.list(undefined, claim.metadata.namespace)) {
        if ((set.spec?.volumeClaimTemplates ?? []).some((t: KubeObject) => claim.metadata.name?.startsWith(`${t.metadata?.name}-${set.metadata.name}-`))) this.loop.enqueue(metaNamespaceKey(set));
      }
    };
    this.claims.addEventHandler({ onDelete: onClaim });
    this.sets.addEventHandler({
      onAdd: (s) => this.loop.enqueue(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.loop.enqueue(metaNamespaceKey(s)),
      onDelete: (s) => this.loop.enqueue(metaNamespaceKey(deletedObject(s))),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (o, p) => {
        if (o.metadata.resourceVersion === p.metadata.resourceVersion) return;
        const set = this.onPod(p);
        const minReady = set?.spec?.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(o) && isPodReady(p)) this.loop.enqueueAfter(metaNamespaceKey(set), minReady * 1000 + 100);
      },
      onDelete: (p) => this.onPod(p),
    });
  }

  private onPod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>): KubeObject | undefined {
    const pod = deletedObject(o);
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== 'StatefulSet') return undefined;
      const set = this.sets.lister.get(pod.metadata.namespace, ref.name);
      if (!set || set.metadata.uid !== ref.uid) return undefined;
      this.loop.enqueue(metaNamespaceKey(set));
      return set;
    }
    for (const set of this.sets.lister.list(undefined, pod.metadata.namespace)) {
      if (isMemberOf(set, pod) && labelPredicate(set.spec?.selector ?? {})(pod.metadata.labels)) this.loop.enqueue(metaNamespaceKey(set));
    }
    return undefined;
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const set = this.sets.lister.get(namespace, name);
    if (!set) return;
    const selects = labelPredicate(set.spec?.selector ?? {});
    const candidates = [...this.pods.indexer.byIndex(BY_CONTROLLER, set.metadata.uid!), ...this.pods.indexer.byIndex(BY_CONTROLLER, `orphan/${namespace}`)];
    const claim = claimObjects(set, candidates, (p) => isMemberOf(set, p) && selects(p.metadata.labels));
    await writeClaim(this.ctx.client.resource(PODS), claim, newControllerRef(set, SET_KIND.apiVersion, SET_KIND.kind), this.ctx.logger);

    // Revisions: the update revision from the template; the current one from status.
    const owned = ownedRevisions(set, this.revisions.indexer.byIndex(BY_CONTROLLER, set.metadata.uid!));
    const step = planUpdateRevision(set, SET_KIND, owned, set.status?.collisionCount ?? 0);
    const { revision: updateRevision, collisionCount } = await applyRevisionStep(this.ctx.client, set, SET_KIND, step, set.status?.collisionCount ?? 0);
    const currentRevision = owned.find((r) => r.metadata.name === set.status?.currentRevision) ?? updateRevision;

    const claims = new Map<string, KubeObject>();
    for (const c of this.claims.lister.list(undefined, namespace)) claims.set(c.metadata.name!, c);
    const plan = planStatefulSet({ set, pods: claim.owned, claims, currentRevision, updateRevision, collisionCount, now: this.ctx.client.clock.now() });
    const failure = await this.actAll(set, plan.actions);
    if (statusChanged(set.status, plan.status)) await this.writeStatus(set, plan.status);

    // truncateHistory: keep revisionHistoryLimit revisions besides the ones in use.
    const live = liveRevisions(claim.owned, plan.status);
    const all = step.action === 'create' ? [...owned, updateRevision] : owned;
    for (const r of revisionsToPrune(all, live, set.spec?.revisionHistoryLimit ?? 10)) {
      await this.ctx.client
        .resource(CONTROLLERREVISIONS)
        .delete(r.metadata.name!, { namespace })
        .catch((e) => {
          if (!isStatusError(e, 404)) throw e;
        });
    }
    if (failure) throw failure;
    const after = availabilityRequeueSeconds(set, plan.status);
    return after ? { requeueAfterMs: after * 1000 } : undefined;
  }

  /**
   * OrderedReady: the actions one after another, stopping at the first error. Parallel: the actions
   * of each pod in order, pods in slow-start batches (1, 2, 4, …) as Kubernetes' runForAll does.
   */
  private async actAll(set: KubeObject, actions: SetAction[]): Promise<unknown> {
    if ((set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel') {
      for (const a of actions) {
        try {
          await this.act(set, a);
        } catch (e) {
          return e;
        }
      }
      return undefined;
    }
    const byPod = new Map<string, SetAction[]>();
    for (const a of actions) {
      const k = a.action === 'ownClaim' ? `claim/${a.claim.metadata.name}` : `pod/${a.pod.metadata.name}`;
      byPod.set(k, [...(byPod.get(k) ?? []), a]);
    }
    const groups = [...byPod.values()];
    let next = 0;
    const { error } = await slowStartBatch(groups.length, 1, async () => {
      for (const a of groups[next++]) await this.act(set, a);
    });
    return error;
  }

  private async act(set: KubeObject, a: SetAction): Promise<void> {
    const ns = set.metadata.namespace;
    const setName = set.metadata.name;
    if (a.action === 'ownClaim') {
      await this.ctx.client
        .resource(PVCS)
        .patch(a.claim.metadata.name!, { metadata: { ownerReferences: a.ownerReferences.length ? a.ownerReferences : null } }, { namespace: ns, type: 'merge' })
        .catch((e) => {
          if (!isStatusError(e, 404)) throw e;
        });
      return;
    }
    const podName = a.pod.metadata.name;
    if (a.action === 'label') {
      await this.ctx.client.resource(PODS).patch(podName!, { metadata: { labels: a.labels } }, { namespace: ns, type: 'merge' });
      return;
    }
    if (a.action === 'create' || a.action === 'createClaims') {
      for (const c of a.claims) {
        try {
          await this.ctx.client.resource(PVCS).create(c, { namespace: ns });
          this.events.event(set, SET_KIND, 'Normal', 'SuccessfulCreate', `create Claim ${c.metadata.name} Pod ${podName} in StatefulSet ${setName} success`);
        } catch (e) {
          if (isStatusError(e, 409)) continue;
          this.events.event(set, SET_KIND, 'Warning', 'FailedCreate', `create Claim ${c.metadata.name} for Pod ${podName} in StatefulSet ${setName} failed error: ${(e as Error).message}`);
          throw e;
        }
      }
      if (a.action === 'createClaims') return;
      try {
        await this.ctx.client.resource(PODS).create(a.pod, { namespace: ns });
        this.events.event(set, SET_KIND, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${setName} successful`);
      } catch (e) {
        if (isStatusError(e, 409)) return; // the cache is behind
        this.events.event(set, SET_KIND, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${setName} failed error: ${(e as Error).message}`);
        throw e;
      }
      return;
    }
    try {
      await this.ctx.client.resource(PODS).delete(podName!, { namespace: ns, preconditions: { uid: a.pod.metadata.uid } });
      this.events.event(set, SET_KIND, 'Normal', 'SuccessfulDelete', `delete Pod ${podName} in StatefulSet ${setName} successful`);
    } catch (e) {
      if (isStatusError(e, 404) || isStatusError(e, 409)) return;
      this.events.event(set, SET_KIND, 'Warning', 'FailedDelete', `delete Pod ${podName} in StatefulSet ${setName} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  /** PUT status; on a conflict read the latest and try once more. */
  private async writeStatus(set: KubeObject, status: any): Promise<void> {
    const client = this.ctx.client.resource(STATEFULSETS);
    const merged = (s: KubeObject) => ({ ...s, status: { ...(s.status ?? {}), ...status } });
    try {
      await client.updateStatus(merged(set));
    } catch (e) {
      if (!isStatusError(e, 404) && !isStatusError(e, 409)) throw e;
      if (isStatusError(e, 404)) return;
      const fresh = await client.get(set.metadata.name!, { namespace: set.metadata.namespace });
      await client.updateStatus({ ...merged(fresh), status: { ...merged(fresh).status, observedGeneration: Math.min(status.observedGeneration, fresh.metadata.generation ?? 1) } });
    }
  }
}
