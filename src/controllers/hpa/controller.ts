// The HorizontalPodAutoscaler controller (autoscaling/v2): every sync period each HPA reads its
// target's scale subresource, the target's pods (informer) and their PodMetrics (metrics.k8s.io,
// through the API server), lets every metric propose a replica count (plan.ts), stabilizes and
// rate-limits the proposal (behavior.ts), writes the target's scale and the HPA's status with
// Kubernetes' conditions and events (reconcileAutoscaler in horizontal.go).
import { jsonEqual } from '../../api/core/json.ts';
import { parseApiVersion, type KubeObject } from '../../api/types.ts';
import { registry } from '../../api/registry.ts';
import { resolveCustomKind } from '../util/discovery.ts';
import { BY_LABEL, labelIndex, listBySelector } from '../util/labelindex.ts';
import { deletedObject, metaNamespaceKey, type ResourceClient, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import { CONTROLLER_DEFAULTS, type ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { HPAS, POD_METRICS, PODS } from '../resources.ts';
import { nowIso } from '../util/conditions.ts';
import { historyMs, normalizeWithBehavior, normalizeWithoutBehavior, scaleDownRules, scaleUpRules, type ConditionValue, type Recommendation, type ScaleEvent } from './behavior.ts';
import { replicasForMetrics, type CustomInputs } from './plan.ts';
import { fetchCustomMetrics } from './fetch.ts';
import type { Fetched } from './custom.ts';
import { calcOptions } from './replicas.ts';

const HPA_KIND = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
/** What a sync without Pods, Object or External metrics fetched (nothing; never written). */
const NOTHING_FETCHED: ReadonlyMap<any, Fetched> = new Map();

export class HPAController extends LoopController {
  readonly name = 'horizontalpodautoscaling';
  protected readonly loop: ControllerLoop;
  private readonly hpas: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly podMetrics: ResourceClient;
  private readonly events: EventSink;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  private readonly periodMs: number;
  private readonly tolerance: number;
  private readonly downscaleWindowMs: number;
  private readonly cpuInitializationPeriodMs: number;
  private readonly initialReadinessDelayMs: number;

  constructor(private readonly ctx: ControllerContext) {
    super();
    const o = ctx.options;
    this.periodMs = (o.hpaSyncPeriodSeconds ?? CONTROLLER_DEFAULTS.hpaSyncPeriodSeconds) * 1000;
    this.tolerance = o.hpaTolerance ?? CONTROLLER_DEFAULTS.hpaTolerance;
    this.downscaleWindowMs = (o.hpaDownscaleStabilizationSeconds ?? CONTROLLER_DEFAULTS.hpaDownscaleStabilizationSeconds) * 1000;
    this.cpuInitializationPeriodMs = (o.hpaCpuInitializationPeriodSeconds ?? CONTROLLER_DEFAULTS.hpaCpuInitializationPeriodSeconds) * 1000;
    this.initialReadinessDelayMs = (o.hpaInitialReadinessDelaySeconds ?? CONTROLLER_DEFAULTS.hpaInitialReadinessDelaySeconds) * 1000;
    this.loop = new ControllerLoop({ name: 'horizontalpodautoscaling', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry, clock: ctx.client.clock });
    this.events = ctx.recorder('horizontal-pod-autoscaler');
    this.podMetrics = ctx.client.resource(POD_METRICS);
    this.hpas = ctx.factory.informerFor(HPAS);
    // Each sync selects its target's pods: by label index, not a walk over the namespace's pods.
    this.pods = ctx.factory.informerFor(PODS, { indexers: { [BY_LABEL]: labelIndex } });
    this.hpas.addEventHandler({
      onAdd: (h) => this.loop.enqueue(metaNamespaceKey(h)),
      onUpdate: (o, h) => {
        if (o.metadata.generation !== h.metadata.generation) this.loop.enqueue(metaNamespaceKey(h));
      },
      onDelete: (h) => {
        const key = metaNamespaceKey(deletedObject(h));
        this.recommendations.delete(key);
        this.scaleEvents.delete(key);
      },
    });
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const hpa = this.hpas.lister.get(namespace, name);
    if (!hpa) return;
    const now = this.ctx.client.clock.now();
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    const w = new StatusWrite(hpa, now);
    const status = w.status;

    const gv = parseApiVersion(ref.apiVersion ?? '');
    const builtin = registry.byKind(gv.group, gv.version, ref.kind);
    // a custom resource's scale subresource (CRD subresources.scale), found in discovery
    const custom = builtin ? undefined : await resolveCustomKind(this.ctx.client, ref.apiVersion ?? '', ref.kind).catch(() => undefined);
    const rt = builtin ?? custom;
    if (!rt || !(builtin ? builtin.subresources.scale : custom?.subresources.includes('scale'))) return this.scaleError(w, `no matches for kind "${ref.kind}" in group "${gv.group}"`);
    const target = this.ctx.client.resource(rt);
    let scale: any;
    try {
      scale = await target.getSubresource(ref.name, 'scale', { namespace });
    } catch (e) {
      return this.scaleError(w, (e as Error).message);
    }
    w.cond('AbleToScale', SUCCEEDED_GET_SCALE);
    const current: number = scale.spec?.replicas ?? 0;
    const min: number = spec.minReplicas ?? 1;
    const max: number = spec.maxReplicas;
    status.currentReplicas = current;

    let desired = 0;
    let reason = '';
    if (current === 0 && min !== 0) {
      w.cond('ScalingActive', SCALING_DISABLED);
      status.desiredReplicas = 0;
      w.setMetrics();
      return this.finish(w);
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const r = await this.computeMetrics(hpa, scale, current, namespace, now);
      w.statuses = r.statuses;
      for (const f of r.failures) this.warn(hpa, f.reason, f.detail);
      if (r.replicas === -1) {
        const f = r.failures[0];
        if (f) w.cond('ScalingActive', { status: 'False', reason: f.reason, message: `the HPA was unable to compute the replica count: ${f.detail}` });
        w.setMetrics();
        this.warn(hpa, 'FailedComputeMetricsReplicas', r.error!);
        return this.finish(w);
      }
      w.cond('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${r.description}` });
      desired = r.replicas;
      if (desired > current) reason = `${r.description} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n = this.normalize(key, hpa, current, desired, min, max, now);
      w.cond('AbleToScale', n.ableToScale);
      w.cond('ScalingLimited', n.scalingLimited);
      desired = n.replicas;
    }

    if (desired !== current) {
      try {
        await target.updateSubresource(ref.name, 'scale', { ...scale, spec: { ...(scale.spec ?? {}), replicas: desired } }, { namespace });
      } catch (e) {
        this.warn(hpa, 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${(e as Error).message}`);
        w.cond('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${(e as Error).message}` });
        w.setMetrics();
        return this.finish(w);
      }
      w.cond('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      this.events.event(hpa, HPA_KIND, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      if (spec.behavior) this.scaleEvents.set(key, [...(this.scaleEvents.get(key) ?? []), { at: now, change: desired - current }]);
      status.lastScaleTime = w.stamp();
    }
    status.desiredReplicas = desired;
    w.setMetrics();
    return this.finish(w);
  }

  private warn(hpa: KubeObject, reason: string, message: string): void {
    this.events.event(hpa, HPA_KIND, 'Warning', reason, message);
  }

  private scaleError(w: StatusWrite, msg: string): Promise<SyncResult> {
    this.warn(w.hpa, 'FailedGetScale', msg);
    w.cond('AbleToScale', { status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${msg}` });
    return this.finish(w);
  }

  /** Writes the status when it changed; the next sync one period later. */
  private async finish(w: StatusWrite): Promise<SyncResult> {
    // compared as values (Semantic.DeepEqual), not as two texts made every sync of every HPA
    if (!jsonEqual(w.status, w.hpa.status ?? {})) await this.ctx.client.resource(HPAS).updateStatus({ ...w.hpa, status: w.status }, { readonly: true }); // the answer is not read
    return { requeueAfterMs: this.periodMs };
  }

  /** The target's pods and their PodMetrics (one list per sync), then every metric's proposal. */
  private async computeMetrics(hpa: KubeObject, scale: any, current: number, namespace: string | undefined, now: number) {
    const selector: string = scale.status?.selector ?? '';
    const pods = listBySelector(this.pods, selector, namespace);
    const specs: any[] = hpa.spec?.metrics ?? [];
    let resource = false;
    let custom = false;
    for (const m of specs) {
      if (m?.type === 'Pods' || m?.type === 'Object' || m?.type === 'External') custom = true;
      else resource = true;
    }
    // the resource metrics API is read only for Resource/ContainerResource metrics, the custom and
    // external ones only for theirs
    const listed: Promise<{ items?: KubeObject[]; error?: string }> | undefined = resource
      ? this.podMetrics.list({ namespace, labelSelector: selector, readonly: true }).then(
          (l) => ({ items: l.items }),
          (e) => ({ error: `unable to fetch metrics from resource metrics API: ${(e as Error).message}` }),
        )
      : undefined;
    const [fetched, list] = await Promise.all([custom ? fetchCustomMetrics(this.ctx.client, specs, namespace ?? '', selector) : NOTHING_FETCHED, listed]);
    const inputs: CustomInputs = { namespace: namespace ?? '', statusReplicas: scale.status?.replicas ?? 0, fetched: (spec) => fetched.get(spec) ?? { error: 'not fetched' } };
    const o = calcOptions({ now, tolerance: this.tolerance, cpuInitializationPeriodMs: this.cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs: this.initialReadinessDelayMs });
    return replicasForMetrics(specs, current, pods, list?.items, o, list?.error, inputs);
  }

  /** Stabilization and rate limits (with or without spec.behavior); records the recommendation. */
  private normalize(key: string, hpa: KubeObject, current: number, proposed: number, min: number, max: number, now: number) {
    const b = hpa.spec?.behavior;
    const up = scaleUpRules(b?.scaleUp);
    const down = scaleDownRules(b?.scaleDown, this.downscaleWindowMs / 1000);
    const keep = historyMs(up, down, this.downscaleWindowMs);
    const recs = (this.recommendations.get(key) ?? []).filter((r) => r.at > now - keep);
    const evs = (this.scaleEvents.get(key) ?? []).filter((e) => e.at > now - keep);
    this.scaleEvents.set(key, evs);
    const n = b ? normalizeWithBehavior(current, proposed, min, max, up, down, recs, evs, now) : normalizeWithoutBehavior(current, proposed, min, max, recs, now, this.downscaleWindowMs);
    recs.push({ at: now, replicas: proposed });
    this.recommendations.set(key, recs);
    return n;
  }
}

const SUCCEEDED_GET_SCALE: ConditionValue = { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" };
const SCALING_DISABLED: ConditionValue = { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' };

/** One sync's status of one HPA: a copy of the old one, its conditions set in place, stamped with the sync's time when something moves. */
class StatusWrite {
  readonly status: any;
  /** status.currentMetrics: what this sync measured (nothing when it measured nothing, as setStatus). */
  statuses: any[] | undefined;
  private stampText: string | undefined;

  constructor(
    readonly hpa: KubeObject,
    private readonly now: number,
  ) {
    this.status = { ...(hpa.status ?? {}), conditions: hpa.status?.conditions ?? [] };
  }

  /** The sync's time as an RFC 3339 text (made once, when first written). */
  stamp(): string {
    return (this.stampText ??= nowIso(this.now));
  }

  cond(type: string, c: { status: string; reason: string; message: string }): void {
    this.status.conditions = setConditionInList(this.status.conditions, type, c, this);
  }

  setMetrics(): void {
    if (this.statuses?.length) this.status.currentMetrics = this.statuses;
    else delete this.status.currentMetrics;
  }
}

const stampOf = (now: string | { stamp(): string }): string => (typeof now === 'string' ? now : now.stamp());

/**
 * setConditionInList: the condition of that type changes in place (its position kept);
 * lastTransitionTime moves only when its status does. `now`: the time text, or what makes it (asked
 * only when a condition is added or changed).
 */
export function setConditionInList(conds: any[], type: string, c: { status: string; reason: string; message: string }, now: string | { stamp(): string }): any[] {
  const i = conds.findIndex((x) => x.type === type);
  if (i < 0) return [...conds, { type, status: c.status, lastTransitionTime: stampOf(now), reason: c.reason, message: c.message }];
  const old = conds[i];
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return conds;
  const next = [...conds];
  next[i] = { type, status: c.status, lastTransitionTime: old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : stampOf(now), reason: c.reason, message: c.message };
  return next;
}
