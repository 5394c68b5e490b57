// The Job controller (pkg/controller/job): runs pods to `completions` with `parallelism` at a time
// (one per completion index in Indexed mode), counts finished pods through the job-tracking
// finalizer, applies podFailurePolicy, backoffLimit(PerIndex), activeDeadlineSeconds and
// successPolicy. Deleting finished Jobs after ttlSecondsAfterFinished is the ttlafterfinished
// controller's.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { type DeletedFinalStateUnknown, deletedObject, labelPredicate, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { Expectations, slowStartBatch } from '../expectations.ts';
import { JOBS, PODS } from '../resources.ts';
import { podFromTemplate } from '../util/pod.ts';
import { BY_CONTROLLER, claimObjects, controllerIndex, controllerOf, newControllerRef, writeClaim } from '../util/owner.ts';
import { isJobFinished, planJob, TrackingFinalizer } from './plan.ts';
import { indexPod } from './indexed.ts';

const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

export class JobController extends LoopController {
  readonly name = 'job';
  protected readonly loop: ControllerLoop;
  private readonly jobs: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly events: EventSink;
  private readonly expectations = new Expectations(() => this.ctx.client.clock.now());
  /** resourceVersion of the last status we wrote per Job: a cache older than it must not be acted on. */
  private readonly written = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.loop = new ControllerLoop({ name: 'job', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('job-controller');
    this.jobs = ctx.factory.informerFor(JOBS);
    this.pods = ctx.factory.informerFor(PODS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.jobs.addEventHandler({
      onAdd: (j) => this.loop.enqueue(metaNamespaceKey(j)),
      onUpdate: (_o, j) => this.loop.enqueue(metaNamespaceKey(j)),
      onDelete: (j) => {
        this.expectations.delete(metaNamespaceKey(deletedObject(j)));
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p, 'add'),
      onUpdate: (o, p) => o.metadata.resourceVersion !== p.metadata.resourceVersion && this.onPod(p, 'update'),
      onDelete: (p) => this.onPod(p, 'delete'),
    });
  }

  private resolve(pod: KubeObject): KubeObject | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.lister.get(pod.metadata.namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private onPod(o: KubeObject | DeletedFinalStateUnknown<KubeObject>, what: 'add' | 'update' | 'delete'): void {
    const pod = deletedObject(o);
    const job = this.resolve(pod);
    if (!job) return;
    const key = metaNamespaceKey(job);
    this.expectations.podObserved(key, metaNamespaceKey(pod), what, !!pod.metadata.deletionTimestamp);
    this.loop.enqueue(key);
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.jobs.lister.get(namespace, name);
    if (!job) {
      this.written.delete(key);
      return;
    }
    // Counting depends on the status we last wrote (uncountedTerminatedPods): wait for the cache to have it.
    if (Number(job.metadata.resourceVersion) < (this.written.get(key) ?? 0)) return { requeueAfterMs: 50 };
    const now = this.ctx.client.clock.now();
    const selects = labelPredicate(job.spec?.selector ?? {});
    const candidates = [...this.pods.indexer.byIndex(BY_CONTROLLER, job.metadata.uid!), ...this.pods.indexer.byIndex(BY_CONTROLLER, `orphan/${namespace}`)];
    const { owned, adopt } = claimObjects(job, candidates, (p) => selects(p.metadata.labels));
    const podClient = this.ctx.client.resource(PODS);
    // The Job controller adopts orphans; pods that stop matching stay its own.
    await writeClaim(podClient, { owned, adopt, release: [] }, newControllerRef(job, JOB_KIND.apiVersion, JOB_KIND.kind), this.ctx.logger);

    const plan = planJob(job, owned, now);
    const satisfied = this.expectations.satisfied(key);
    if (JSON.stringify(plan.status) !== JSON.stringify(job.status ?? {})) {
      const updated = await this.ctx.client.resource(JOBS).updateStatus({ ...job, status: plan.status });
      this.written.set(key, Number(updated.metadata.resourceVersion) || 0);
    }
    for (const e of plan.events) this.events.event(job, JOB_KIND, e.type, e.reason, e.message);
    // Finalizers go only after the status that counts those pods is stored.
    await Promise.all(
      plan.removeFinalizers.map((p) =>
        podClient.patch(p.metadata.name!, { metadata: { finalizers: (p.metadata.finalizers ?? []).filter((f) => f !== TrackingFinalizer) } }, { namespace, type: 'merge' }).catch((e) => {
          if (!isStatusError(e, 404)) throw e;
        }),
      ),
    );
    if (satisfied && plan.create > 0 && !isJobFinished(job)) {
      this.expectations.expectCreations(key, plan.create);
      const indexes = plan.createIndexes ? [...plan.createIndexes] : undefined;
      const { successes, error } = await slowStartBatch(plan.create, 1, async () => {
        const pod = podFromTemplate(job, JOB_KIND.apiVersion, JOB_KIND.kind);
        const ix = indexes?.shift();
        if (ix) indexPod(pod, job, ix.index, ix);
        pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), TrackingFinalizer];
        const created = await podClient.create(pod, { namespace });
        this.events.event(job, JOB_KIND, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      });
      if (successes < plan.create) this.expectations.lowerCreations(key, plan.create - successes);
      if (error) {
        this.events.event(job, JOB_KIND, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
        throw error;
      }
    }
    if (satisfied && plan.delete.length) {
      this.expectations.expectDeletions(key, plan.delete.map(metaNamespaceKey));
      await Promise.all(
        plan.delete.map((p) =>
          podClient
            .delete(p.metadata.name!, { namespace })
            .then(() => this.events.event(job, JOB_KIND, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`))
            .catch((e) => {
              this.expectations.deletionObserved(key, metaNamespaceKey(p));
              if (!isStatusError(e, 404)) throw e;
            }),
        ),
      );
    }
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs + 50 } : undefined;
  }
}
