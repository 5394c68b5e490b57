// The HorizontalPodAutoscaler controller (autoscaling/v2, Resource metrics): every sync period it
// reads the target's scale subresource, the pods' usage from the metrics API (metrics.k8s.io, through
// the API server), proposes a replica count per metric, applies behaviors and bounds, writes the
// target's scale and the HPA status.
import { parseApiVersion } from '../../api/types.ts';
import { registry } from '../../api/registry.ts';
import { resolveCustomKind } from '../util/discovery.ts';
import { deletedObject, metaNamespaceKey, type SharedInformer, splitMetaNamespaceKey } from '../../client/index.ts';
import { ControllerLoop, type SyncResult } from '../base.ts';
import type { Controller, ControllerContext } from '../context.ts';
import type { EventSink } from '../events.ts';
import { HPAS, POD_METRICS, PODS } from '../resources.ts';
import { nowIso, setCondition } from '../util/conditions.ts';
import { normalize, resourceProposal, usageFromPodMetrics, type Proposal, type Recommendation, type ScaleEvent } from './plan.ts';

const HPA_KIND = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };

export class HPAController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  private readonly loop: ControllerLoop;
  private readonly hpas: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly events: EventSink;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  private readonly periodMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.periodMs = (ctx.options.hpaSyncPeriodSeconds ?? 15) * 1000;
    this.loop = new ControllerLoop({ name: 'horizontalpodautoscaling', sync: (k) => this.sync(k), logger: ctx.logger, metricsRegistry: ctx.metricsRegistry });
    this.events = ctx.recorder('horizontal-pod-autoscaler');
    this.hpas = ctx.factory.informerFor(HPAS);
    this.pods = ctx.factory.informerFor(PODS);
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

  run(workers: number): void {
    this.loop.run(workers);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const hpa = this.hpas.lister.get(namespace, name);
    if (!hpa) return;
    const now = Date.now();
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const gv = parseApiVersion(ref.apiVersion ?? '');
    const builtin = registry.byKind(gv.group, gv.version, ref.kind);
    // a custom resource's scale subresource (CRD subresources.scale), found in discovery
    const custom = builtin ? undefined : await resolveCustomKind(this.ctx.client, ref.apiVersion ?? '', ref.kind).catch(() => undefined);
    const rt = builtin ?? custom;
    let status: any = { ...(hpa.status ?? {}), conditions: hpa.status?.conditions ?? [] };
    const cond = (type: string, s: string, reason: string, message: string) => {
      status.conditions = setCondition(status.conditions, { type, status: s, reason, message, lastTransitionTime: nowIso(now) });
    };
    const finish = async () => {
      if (JSON.stringify(status) !== JSON.stringify(hpa.status ?? {})) await this.ctx.client.resource(HPAS).updateStatus({ ...hpa, status });
      return { requeueAfterMs: this.periodMs };
    };
    if (!rt || !(builtin ? builtin.subresources.scale : custom?.subresources.includes('scale'))) {
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: no scale subresource for ${ref.kind}`);
      return finish();
    }
    const target = this.ctx.client.resource(rt);
    let scale: any;
    try {
      scale = await target.getSubresource(ref.name, 'scale', { namespace });
    } catch (e) {
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${(e as Error).message}`);
      this.events.event(hpa, HPA_KIND, 'Warning', 'FailedGetScale', (e as Error).message);
      return finish();
    }
    const current: number = scale.spec?.replicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    status.currentReplicas = scale.status?.replicas ?? current;
    if (current === 0 && min !== 0) {
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      status.desiredReplicas = 0;
      return finish();
    }
    const selector: string = scale.status?.selector ?? '';
    const pods = this.pods.lister.list(selector, namespace);
    let proposals: Proposal[] = [];
    try {
      const metrics = await this.ctx.client.resource(POD_METRICS).list({ namespace, labelSelector: selector });
      const usage = usageFromPodMetrics(metrics.items);
      proposals = (hpa.spec?.metrics ?? []).filter((m: any) => m.type === 'Resource').map((m: any) => resourceProposal(m, current, pods, usage));
    } catch (e) {
      const msg = `the HPA was unable to compute the replica count: ${(e as Error).message}`;
      cond('ScalingActive', 'False', 'FailedGetResourceMetric', msg);
      this.events.event(hpa, HPA_KIND, 'Warning', 'FailedGetResourceMetric', (e as Error).message);
      return finish();
    }
    if (proposals.length === 0) {
      cond('ScalingActive', 'False', 'FailedGetResourceMetric', 'the HPA was unable to compute the replica count: no Resource metrics are supported yet for the other metric types');
      return finish();
    }
    const best = proposals.reduce((a, b) => (b.replicas > a.replicas ? b : a));
    cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${best.description}`);
    const recs = (this.recommendations.get(key) ?? []).filter((r) => r.at > now - 3600_000);
    const evs = (this.scaleEvents.get(key) ?? []).filter((e) => e.at > now - 3600_000);
    const norm = normalize(hpa, current, best.replicas, recs, evs, now);
    recs.push({ at: now, replicas: best.replicas });
    this.recommendations.set(key, recs);
    if (norm.limited) cond('ScalingLimited', 'True', norm.limited.reason, norm.limited.message);
    else cond('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
    status.currentMetrics = proposals.map((p) => p.metricStatus);
    status.desiredReplicas = norm.replicas;
    if (norm.replicas !== current) {
      await target.updateSubresource(ref.name, 'scale', { ...scale, spec: { ...(scale.spec ?? {}), replicas: norm.replicas } }, { namespace });
      evs.push({ at: now, change: norm.replicas - current });
      this.scaleEvents.set(key, evs);
      status.lastScaleTime = nowIso(now);
      const dir = norm.replicas > current ? 'above' : 'below';
      this.events.event(hpa, HPA_KIND, 'Normal', 'SuccessfulRescale', `New size: ${norm.replicas}; reason: ${best.description} ${dir} target`);
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${norm.replicas}`);
    } else {
      cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    return finish();
  }
}
