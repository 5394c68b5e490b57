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
import { deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, LoopController, type SyncResult } from '../base.ts';
import { CONTROLLER_DEFAULTS, type ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { HPAS, POD_METRICS, PODS } from '../resources.ts';
import { nowIso } from '../util/conditions.ts';
import { historyMs, normalizeWithBehavior, normalizeWithoutBehavior, scaleDownRules, scaleUpRules, type ConditionValue, type Recommendation, type ScaleEvent } from './behavior.ts';
import { replicasForMetrics, type CustomInputs } from './plan.ts';
import { fetchCustomMetrics } from './fetch.ts';
import { calcOptions } from './replicas.ts';

const HPA_KIND = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };

export class HPAController extends LoopController {
  readonly name = 'horizontalpodautoscaling';
  protected readonly loop: ControllerLoop;
  private readonly hpas: SharedInformer;
  private readonly pods: SharedInformer;
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
    const status: any = { ...(hpa.status ?? {}), conditions: hpa.status?.conditions ?? [] };
    const stamp = nowIso(now);
    const cond = (type: string, c: ConditionValue | { status: string; reason: string; message: string }) => {
      status.conditions = setConditionInList(status.conditions, type, c, stamp);
    };
    const warn = (reason: string, message: string) => this.events.event(hpa, HPA_KIND, 'Warning', reason, message);
    const finish = async () => {
      // compared as values (Semantic.DeepEqual), not as two texts made every sync of every HPA
      if (!jsonEqual(status, hpa.status ?? {})) await this.ctx.client.resource(HPAS).updateStatus({ ...hpa, status });
      return { requeueAfterMs: this.periodMs };
    };

    const gv = parseApiVersion(ref.apiVersion ?? '');
    const builtin = registry.byKind(gv.group, gv.version, ref.kind);
    // a custom resource's scale subresource (CRD subresources.scale), found in discovery
    const custom = builtin ? undefined : await resolveCustomKind(this.ctx.client, ref.apiVersion ?? '', ref.kind).catch(() => undefined);
    const rt = builtin ?? custom;
    const scaleError = (msg: string) => {
      warn('FailedGetScale', msg);
      cond('AbleToScale', { status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${msg}` });
      return finish();
    };
    if (!rt || !(builtin ? builtin.subresources.scale : custom?.subresources.includes('scale'))) return scaleError(`no matches for kind "${ref.kind}" in group "${gv.group}"`);
    const target = this.ctx.client.resource(rt);
    let scale: any;
    try {
      scale = await target.getSubresource(ref.name, 'scale', { namespace });
    } catch (e) {
      return scaleError((e as Error).message);
    }
    cond('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    const current: number = scale.spec?.replicas ?? 0;
    const min: number = spec.minReplicas ?? 1;
    const max: number = spec.maxReplicas;
    status.currentReplicas = current;

    let desired = 0;
    let reason = '';
    // status.currentMetrics: what this sync measured (nothing when it measured nothing, as setStatus)
    let statuses: any[] | undefined;
    const setMetrics = () => {
      if (statuses?.length) status.currentMetrics = statuses;
      else delete status.currentMetrics;
    };
    if (current === 0 && min !== 0) {
      cond('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
      status.desiredReplicas = 0;
      setMetrics();
      return finish();
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const r = await this.computeMetrics(hpa, scale, current, namespace, now);
      statuses = r.statuses;
      for (const f of r.failures) warn(f.reason, f.detail);
      if (r.replicas === -1) {
        const f = r.failures[0];
        if (f) cond('ScalingActive', { status: 'False', reason: f.reason, message: `the HPA was unable to compute the replica count: ${f.detail}` });
        setMetrics();
        warn('FailedComputeMetricsReplicas', r.error!);
        return finish();
      }
      cond('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${r.description}` });
      desired = r.replicas;
      if (desired > current) reason = `${r.description} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n = this.normalize(key, hpa, current, desired, min, max, now);
      cond('AbleToScale', n.ableToScale);
      cond('ScalingLimited', n.scalingLimited);
      desired = n.replicas;
    }

    if (desired !== current) {
      try {
        await target.updateSubresource(ref.name, 'scale', { ...scale, spec: { ...(scale.spec ?? {}), replicas: desired } }, { namespace });
      } catch (e) {
        warn('FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${(e as Error).message}`);
        cond('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${(e as Error).message}` });
        setMetrics();
        return finish();
      }
      cond('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      this.events.event(hpa, HPA_KIND, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      if (spec.behavior) this.scaleEvents.set(key, [...(this.scaleEvents.get(key) ?? []), { at: now, change: desired - current }]);
      status.lastScaleTime = stamp;
    }
    status.desiredReplicas = desired;
    setMetrics();
    return finish();
  }

  /** The target's pods and their PodMetrics (one list per sync), then every metric's proposal. */
  private async computeMetrics(hpa: KubeObject, scale: any, current: number, namespace: string | undefined, now: number) {
    const selector: string = scale.status?.selector ?? '';
    const pods = listBySelector(this.pods, selector, namespace);
    const specs: any[] = hpa.spec?.metrics ?? [];
    let items: KubeObject[] | undefined;
    let metricsError: string | undefined;
    // the resource metrics API is read only for Resource/ContainerResource metrics
    const [fetched] = await Promise.all([
      fetchCustomMetrics(this.ctx.client, specs, namespace ?? '', selector),
      specs.some((m) => m?.type !== 'Pods' && m?.type !== 'Object' && m?.type !== 'External')
        ? this.ctx.client
            .resource(POD_METRICS)
            .list({ namespace, labelSelector: selector })
            .then(
              (l) => void (items = l.items),
              (e) => void (metricsError = `unable to fetch metrics from resource metrics API: ${(e as Error).message}`),
            )
        : undefined,
    ]);
    const custom: CustomInputs = { namespace: namespace ?? '', statusReplicas: scale.status?.replicas ?? 0, fetched: (spec) => fetched.get(spec) ?? { error: 'not fetched' } };
    const o = calcOptions({ now, tolerance: this.tolerance, cpuInitializationPeriodMs: this.cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs: this.initialReadinessDelayMs });
    return replicasForMetrics(specs, current, pods, items, o, metricsError, custom);
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

/** setConditionInList: the condition of that type changes in place (its position kept); lastTransitionTime moves only when its status does. */
export function setConditionInList(conds: any[], type: string, c: { status: string; reason: string; message: string }, now: string): any[] {
  const i = conds.findIndex((x) => x.type === type);
  if (i < 0) return [...conds, { type, status: c.status, lastTransitionTime: now, reason: c.reason, message: c.message }];
  const old = conds[i];
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return conds;
  const next = [...conds];
  next[i] = { type, status: c.status, lastTransitionTime: old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now, reason: c.reason, message: c.message };
  return next;
}
