// The CronJob controller (pkg/controller/cronjob, v2): creates `<cronjob>-<minutes>` Jobs at the
// schedule times, keeps status.active / lastScheduleTime / lastSuccessfulTime, applies the
// concurrency policy, prunes finished Jobs past the history limits, and requeues each CronJob at
// its next schedule time. Its clock is `options.now` (default: the client's clock).
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import type { ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { CRONJOBS, JOBS } from '../resources.ts';
import { BY_CONTROLLER, controllerIndex, controllerOf } from '../util/owner.ts';
import { jsonEqual } from '../../api/core/json.ts';
import { CRONJOB_KIND, jobReference, planCronJob } from './plan.ts';

export class CronJobController extends LoopController {
  readonly name = 'cronjob';
  protected readonly loop: ControllerLoop;
  private readonly cronJobs: SharedInformer;
  private readonly jobs: SharedInformer;
  private readonly events: EventSink;
  private readonly now: () => number;
  /** resourceVersion of the last status we wrote per CronJob: an older cache must not be acted on. */
  private readonly written = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    super();
    this.now = ctx.options.now ?? (() => ctx.client.clock.now());
    this.loop = new ControllerLoop({ name: 'cronjob', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('cronjob-controller');
    this.cronJobs = ctx.factory.informerFor(CRONJOBS);
    this.jobs = ctx.factory.informerFor(JOBS, { indexers: { [BY_CONTROLLER]: controllerIndex } });
    this.cronJobs.addEventHandler({
      onAdd: (c) => this.loop.enqueue(metaNamespaceKey(c)),
      onUpdate: (o, c) => o.metadata.resourceVersion !== c.metadata.resourceVersion && this.loop.enqueue(metaNamespaceKey(c)),
      onDelete: (c) => this.written.delete(metaNamespaceKey(deletedObject(c))),
    });
    const onJob = (j: KubeObject) => {
      const ref = controllerOf(j);
      if (ref?.kind === CRONJOB_KIND.kind) this.loop.enqueue(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: onJob, onUpdate: (_o, j) => onJob(j), onDelete: (j) => onJob(deletedObject(j)) });
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cj = this.cronJobs.lister.get(namespace, name);
    if (!cj) return;
    if (Number(cj.metadata.resourceVersion) < (this.written.get(key) ?? 0)) return { requeueAfterMs: 50 };
    const jobs = this.jobs.indexer.byIndex(BY_CONTROLLER, cj.metadata.uid!);
    const plan = planCronJob(cj, jobs, this.now());
    const jobClient = this.ctx.client.resource(JOBS);
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => this.events.event(cj, CRONJOB_KIND, type, reason, message);
    for (const e of plan.events) event(e.type, e.reason, e.message);
    const del = async (j: KubeObject) => {
      try {
        await jobClient.delete(j.metadata.name!, { namespace, propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } });
        event('Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      } catch (e) {
        if (!isStatusError(e, 404) && !isStatusError(e, 409)) throw e;
      }
    };
    for (const j of plan.replace) await del(j);
    const status = plan.status;
    if (plan.create) {
      let created: KubeObject | undefined;
      try {
        created = await jobClient.create(plan.create, { namespace });
        event('Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      } catch (e) {
        if (!isStatusError(e, 409)) {
          event('Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
          throw e;
        }
        // Already there (a sync on a stale cache made it): ours counts as created, another's is an error.
        const existing = await jobClient.get(plan.create.metadata.name!, { namespace });
        if (controllerOf(existing)?.uid !== cj.metadata.uid) throw e;
        created = existing;
      }
      if (!(status.active ?? []).some((r: any) => r.uid === created!.metadata.uid)) status.active = [...(status.active ?? []), jobReference(created!)];
    }
    if (!jsonEqual(status, cj.status ?? {})) {
      const updated = await this.ctx.client.resource(CRONJOBS).updateStatus({ ...cj, status });
      this.written.set(key, Number(updated.metadata.resourceVersion) || 0);
    }
    await Promise.all(plan.prune.map(del));
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }
}
