// The resource quota controller (pkg/controller/resourcequota): keeps each ResourceQuota's
// status.hard (= spec.hard) and status.used, recounted from informer caches when a quota's spec
// changes, when something it tracks is deleted or stops using quota (a pod finishes, a Service
// changes type), and for every quota each sync period (--resource-quota-sync-period, 5 min).
// Creations are charged by the API server's ResourceQuota admission, as in Kubernetes.
import type { Timer } from '../../clock/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/core/json.ts';
import { podUsesQuota, trackedResources } from '../../api/core/quota.ts';
import { registry } from '../../api/registry.ts';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type ResourceRef, type SharedInformer } from '../../client/index.ts';
import { ControllerLoop } from '../base.ts';
import { CONTROLLER_DEFAULTS, type Controller, type ControllerContext } from '../context.ts';
import { PODS } from '../resources.ts';
import { planQuotaStatus, type GroupResource } from './plan.ts';

export const RESOURCEQUOTAS: ResourceRef = { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true, kind: 'ResourceQuota' };

/** The served version of a group/resource (built-in kinds), for its informer. */
function refOf(gr: GroupResource): ResourceRef | undefined {
  const rt = registry.all().find((t) => t.group === gr.group && t.plural === gr.resource && t.namespaced && t.verbs.includes('watch'));
  return rt && { group: rt.group, version: rt.version, plural: rt.plural, namespaced: true, kind: rt.kind };
}

/** An update that changes what the object uses (the replenishment filter of the quota monitor). */
function usageChanged(gr: GroupResource, old: KubeObject, cur: KubeObject): boolean {
  if (gr.group === '' && gr.resource === 'pods') return podUsesQuota(old) !== podUsesQuota(cur);
  if (gr.group === '' && gr.resource === 'services') return old.spec?.type !== cur.spec?.type;
  if (gr.group === '' && gr.resource === 'persistentvolumeclaims') return !jsonEqual(old.spec?.resources, cur.spec?.resources) || !jsonEqual(old.status?.allocatedResources, cur.status?.allocatedResources);
  return false;
}

export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  private readonly loop: ControllerLoop;
  private readonly quotas: SharedInformer;
  private readonly tracked = new Map<string, SharedInformer>();
  private timer?: Timer;

  constructor(private readonly ctx: ControllerContext) {
    this.loop = new ControllerLoop({ name: 'resourcequota', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.quotas = ctx.factory.informerFor(RESOURCEQUOTAS);
    this.quotas.addEventHandler({
      onAdd: (q) => {
        this.track(q);
        this.loop.enqueue(metaNamespaceKey(q));
      },
      onUpdate: (old, q) => {
        this.track(q);
        // Only a change of spec.hard (or a status that does not show it) needs a recount: status
        // writes by the admission plugin must not be undone from caches that may lag behind them.
        if (!jsonEqual(old.spec, q.spec) || !jsonEqual(q.spec?.hard ?? {}, q.status?.hard ?? {}) || !q.status?.used) this.loop.enqueue(metaNamespaceKey(q));
      },
    });
    // Pods are always watched: the compute resources and `pods` are the common case.
    this.informerFor({ group: '', resource: 'pods' });
  }

  /** Watches the resources a quota tracks (count/<resource>.<group> makes new ones appear). */
  private track(q: KubeObject): void {
    for (const gr of trackedResources(Object.keys(q.spec?.hard ?? {}))) this.informerFor(gr);
  }

  private informerFor(gr: GroupResource): SharedInformer | undefined {
    const key = `${gr.group}/${gr.resource}`;
    const have = this.tracked.get(key);
    if (have) return have;
    const ref = gr.group === '' && gr.resource === 'pods' ? PODS : refOf(gr);
    if (!ref) return undefined;
    const inf = this.ctx.factory.informerFor(ref);
    const replenish = (o: KubeObject) => this.enqueueNamespace(o.metadata.namespace);
    inf.addEventHandler({
      onUpdate: (old, cur) => {
        if (usageChanged(gr, old, cur)) replenish(cur);
      },
      onDelete: (o) => replenish(deletedObject(o)),
    });
    this.tracked.set(key, inf);
    return inf;
  }

  private enqueueNamespace(ns: string | undefined): void {
    for (const q of this.quotas.lister.list(undefined, ns)) this.loop.enqueue(metaNamespaceKey(q));
  }

  run(workers: number): void {
    this.loop.run(workers);
    const period = (this.ctx.options.resourceQuotaSyncPeriodSeconds ?? CONTROLLER_DEFAULTS.resourceQuotaSyncPeriodSeconds) * 1000;
    const tick = () => {
      for (const q of this.quotas.lister.list()) this.loop.enqueue(metaNamespaceKey(q));
      this.timer = this.ctx.client.clock.setTimeout(tick, period);
    };
    this.timer = this.ctx.client.clock.setTimeout(tick, period);
  }

  async stop(): Promise<void> {
    this.ctx.client.clock.clearTimeout(this.timer);
    await this.loop.stop();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.quotas.lister.get(namespace, name);
    if (!quota) return;
    this.track(quota);
    // Count only from caches that have synced (a new informer starts empty).
    const objects = (gr: GroupResource) => {
      const inf = this.tracked.get(`${gr.group}/${gr.resource}`);
      return inf?.hasSynced() ? inf.lister.list(undefined, namespace) : undefined;
    };
    const pending = trackedResources(Object.keys(quota.spec?.hard ?? {})).some((gr) => {
      const inf = this.tracked.get(`${gr.group}/${gr.resource}`);
      return inf !== undefined && !inf.hasSynced();
    });
    const plan = planQuotaStatus(quota, objects);
    if (plan.status) await this.ctx.client.resource(RESOURCEQUOTAS).updateStatus({ ...quota, status: plan.status });
    if (pending) this.loop.enqueueAfter(key, 500);
  }
}
