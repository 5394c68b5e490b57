// The DaemonSet controller (pkg/controller/daemon): one pod per eligible node, placed by the
// scheduler through node affinity to that node; rolling updates bounded by maxUnavailable or, with
// maxSurge, a new pod beside the old one; ControllerRevision history (util/history.ts, constructHistory)
// for `kubectl rollout history|undo daemonset`.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { type DeletedFinalStateUnknown, deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { Expectations } from '../expectations.ts';
import { DAEMONSETS, NODES, PODS } from '../resources.ts';
import { computeHash } from '../util/hash.ts';
import { applyRevisionStep, CONTROLLERREVISIONS, ControllerRevisionHashLabel, ownedRevisions, planUpdateRevision, revisionsToPrune } from '../util/history.ts';
import { BY_CONTROLLER, controllerIndex, controllerOf } from '../util/owner.ts';
import { daemonPodFor, planDaemonSet, RevisionHashLabel } from './plan.ts';

const DS_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

export class DaemonSetController extends LoopController {
  readonly name = 'daemonset';
  protected readonly loop: ControllerLoop;
  private readonly sets: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  private readonly revisions: SharedInformer;
  private readonly events: EventSink;
  private readonly expectations = new Expectations(() => this.ctx.client.clock.now());

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'daemonset', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('daemonset-controller');
    this.sets = ctx.factory.informerFor(DAEMONSETS);
    this.pods = ctx.factory.informerFor(PODS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.nodes = ctx.factory.informerFor(NODES);
    this.revisions = ctx.factory.informerFor(CONTROLLERREVISIONS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.sets.addEventHandler({
      onAdd: (d) => this.loop.enqueue(metaNamespaceKey(d)),
      onUpdate: (_o, d) => this.loop.enqueue(metaNamespaceKey(d)),
      onDelete: (d) => this.expectations.delete(metaNamespaceKey(deletedObject(d))),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p, 'add'),
      onUpdate: (o, p) => o.metadata.resourceVersion !== p.metadata.resourceVersion && this.onPod(p, 'update'),
      onDelete: (p) => this.onPod(p, 'delete'),
    });
    const all = () => {
      for (const d of this.sets.lister.list()) this.loop.enqueue(metaNamespaceKey(d));
    };
    this.nodes.addEventHandler({
      onAdd: all,
      onUpdate: (o, n) => {
        if (JSON.stringify([o.metadata.labels, o.spec?.taints]) !== JSON.stringify([n.metadata.labels, n.spec?.taints])) all();
      },
      onDelete: all,
    });
  }

  private onPod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>, what: 'add' | 'update' | 'delete'): void {
    const pod = deletedObject(o);
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return;
    const ds = this.sets.lister.get(pod.metadata.namespace, ref.name);
    if (!ds || ds.metadata.uid !== ref.uid) return;
    const key = metaNamespaceKey(ds);
    this.expectations.podObserved(key, metaNamespaceKey(pod), what, !!pod.metadata.deletionTimestamp);
    this.loop.enqueue(key);
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ds = this.sets.lister.get(namespace, name);
    if (!ds) return;
    const now = this.ctx.client.clock.now();
    const pods = this.pods.indexer.byIndex(BY_CONTROLLER, ds.metadata.uid!);
    // constructHistory: the revision of the current template (created, or renumbered on a rollback).
    const owned = ownedRevisions(ds, this.revisions.indexer.byIndex(BY_CONTROLLER, ds.metadata.uid!));
    const hashOf = (cc: number) => computeHash(ds.spec?.template, cc || undefined);
    const collisions = ds.status?.collisionCount ?? 0;
    const step = planUpdateRevision(ds, DS_KIND, owned, collisions, hashOf);
    const { revision, collisionCount } = await applyRevisionStep(this.ctx.client, ds, DS_KIND, step, collisions, hashOf);
    const hash = revision.metadata.labels?.[ControllerRevisionHashLabel] ?? hashOf(collisionCount);
    const plan = planDaemonSet(ds, this.nodes.lister.list(), pods, hash, now);
    const podClient = this.ctx.client.resource(PODS);
    if (this.expectations.satisfied(key) && !ds.metadata.deletionTimestamp) {
      if (plan.create.length) {
        this.expectations.expectCreations(key, plan.create.length);
        const results = await Promise.allSettled(
          plan.create.map(async (node) => {
            const pod = await podClient.create(daemonPodFor(ds, node, hash), { namespace });
            this.events.event(ds, DS_KIND, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
          }),
        );
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        if (failed.length) {
          this.expectations.lowerCreations(key, failed.length);
          this.events.event(ds, DS_KIND, 'Warning', 'FailedCreate', `Error creating: ${(failed[0].reason as Error).message}`);
        }
      }
      if (plan.delete.length) {
        this.expectations.expectDeletions(key, plan.delete.map(metaNamespaceKey));
        await Promise.all(
          plan.delete.map((p) =>
            podClient
              .delete(p.metadata.name!, { namespace })
              .then(() => this.events.event(ds, DS_KIND, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`))
              .catch((e) => {
                this.expectations.deletionObserved(key, metaNamespaceKey(p));
                if (!isStatusError(e, 404)) throw e;
              }),
          ),
        );
      }
    }
    const old = ds.status ?? {};
    const status: Record<string, number> = { ...plan.status, ...(collisionCount || old.collisionCount !== undefined ? { collisionCount } : {}) };
    if (Object.entries(status).some(([k, v]) => (old[k] ?? 0) !== v)) {
      await this.ctx.client.resource(DAEMONSETS).updateStatus({ ...ds, status: { ...old, ...status } });
    }
    await this.truncateHistory(ds, step.action === 'create' ? [...owned, revision] : owned, pods, revision);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    return minReady > 0 && plan.status.numberAvailable < plan.status.numberReady ? { requeueAfterMs: minReady * 1000 } : undefined;
  }

  /** cleanupHistory: revisions beyond revisionHistoryLimit that no pod and not the current template use. */
  private async truncateHistory(ds: KubeObject, owned: KubeObject[], pods: KubeObject[], current: KubeObject): Promise<void> {
    const inUse = new Set(pods.map((p) => p.metadata.labels?.[RevisionHashLabel]).filter(Boolean));
    const live = new Set([current.metadata.name!, ...owned.filter((r) => inUse.has(r.metadata.labels?.[ControllerRevisionHashLabel])).map((r) => r.metadata.name!)]);
    for (const r of revisionsToPrune(owned, live, ds.spec?.revisionHistoryLimit ?? 10)) {
      await this.ctx.client
        .resource(CONTROLLERREVISIONS)
        .delete(r.metadata.name!, { namespace: ds.metadata.namespace })
        .catch((e) => {
          if (!isStatusError(e, 404)) throw e;
        });
    }
  }
}
