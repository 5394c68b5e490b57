// HorizontalPodAutoscaler (autoscaling/v2).
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind, resetStatus } from '../meta.ts';
import { freeform, int, int64, list, obj, str, time } from '../schema.ts';
import { canonicalQuantity, isQuantity } from '../quantity.ts';
import { conditionsSchema } from './common.ts';

const crossVersionRef = obj('CrossVersionObjectReference contains enough information to let you identify the referred resource.', {
  kind: str('kind is the kind of the referent.'),
  name: str('name is the name of the referent.'),
  apiVersion: str('apiVersion is the API version of the referent.'),
});

const scalingRules = obj('HPAScalingRules configures the scaling behavior for one direction.', {
  stabilizationWindowSeconds: int('stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down.'),
  selectPolicy: str('selectPolicy is used to specify which policy should be used: Max, Min or Disabled.'),
  policies: list('policies is a list of potential scaling polices which can be used during scaling.', obj('HPAScalingPolicy is a single policy which must hold true for a specified past interval.', {
    type: str('type is used to specify the scaling policy: Pods or Percent.'),
    value: int('value contains the amount of change which is permitted by the policy.'),
    periodSeconds: int('periodSeconds specifies the window of time for which the policy should hold true.'),
  }), { listType: 'atomic' }),
  tolerance: freeform('tolerance is the tolerance on the ratio between the current and desired metric value.'),
});

export const hpa = defineKind({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  description: 'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.',
  fields: {
    spec: obj('spec is the specification for the behaviour of the autoscaler.', {
      scaleTargetRef: crossVersionRef,
      minReplicas: int('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.'),
      maxReplicas: int('maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
      metrics: list('metrics contains the specifications for which to use to calculate the desired replica count.', freeform('MetricSpec specifies how to scale based on a single metric (type: Resource, Pods, Object, External, ContainerResource).'), { listType: 'atomic' }),
      behavior: obj('behavior configures the scaling behavior of the target in both Up and Down directions.', { scaleUp: scalingRules, scaleDown: scalingRules }),
    }),
    status: obj('status is the current information about the autoscaler.', {
      observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.'),
      lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods.'),
      currentReplicas: int('currentReplicas is current number of replicas of pods managed by this autoscaler.'),
      desiredReplicas: int('desiredReplicas is the desired number of replicas of pods managed by this autoscaler.'),
      currentMetrics: list('currentMetrics is the last read state of the metrics used by this autoscaler.', freeform('MetricStatus describes the last-read state of a single metric.'), { listType: 'atomic' }),
      conditions: conditionsSchema('conditions is the set of conditions required for this autoscaler to scale its target.'),
    }),
  },
  defaults: hpaDefaults,
  validate: hpaValidate,
  strategy: { specFields: ['spec'], prepareForCreate: resetStatus(() => ({ currentReplicas: 0, desiredReplicas: 0 })) },
  columns: hpaColumns(),
  cells: hpaCells,
});

function hpaColumns() {
  return [
    col('Reference', 'string', 'reference to scaled resource'),
    col('Targets', 'string', 'the current and target values of the metrics'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'integer', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    ageColumn,
  ];
}

function hpaCells(o: KubeObject, now: Date): unknown[] {
  const s = o.spec ?? {};
  const ref = s.scaleTargetRef ?? {};
  return [`${ref.kind ?? ''}/${ref.name ?? ''}`, formatHPAMetrics(o), s.minReplicas != null ? String(s.minReplicas) : '<unset>', s.maxReplicas ?? 0, o.status?.currentReplicas ?? 0, age(o, now)];
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
export function hpaDefaults(o: KubeObject): void {
    const s = (o.spec ??= {});
    s.minReplicas ??= 1;
    if (!s.metrics || s.metrics.length === 0) {
      s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
    if (s.behavior) {
      const up = (s.behavior.scaleUp ??= {});
      up.stabilizationWindowSeconds ??= 0;
      up.selectPolicy ??= 'Max';
      up.policies ??= [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ];
      const down = (s.behavior.scaleDown ??= {});
      down.stabilizationWindowSeconds ??= 300;
      down.selectPolicy ??= 'Max';
      down.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
    }
}

export function hpaValidate(o: KubeObject): FieldError[] {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    const ref = s.scaleTargetRef;
    if (!ref) errs.push(required('spec.scaleTargetRef'));
    else {
      if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind'));
      if (!ref.name) errs.push(required('spec.scaleTargetRef.name'));
    }
    if (s.minReplicas != null && s.minReplicas < 1) errs.push(invalidValue('spec.minReplicas', s.minReplicas, 'must be greater than or equal to 1'));
    if (s.maxReplicas == null) errs.push(required('spec.maxReplicas'));
    else if (s.maxReplicas < 1) errs.push(invalidValue('spec.maxReplicas', s.maxReplicas, 'must be greater than 0'));
    else if (s.minReplicas != null && s.maxReplicas < s.minReplicas) errs.push(invalidValue('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
    const types = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
    ((s.metrics as any[]) ?? []).forEach((m, i) => {
      const f = `spec.metrics[${i}]`;
      if (!m?.type) errs.push(required(`${f}.type`));
      else if (!types.includes(m.type)) errs.push(notSupported(`${f}.type`, m.type, types));
      const key = m?.type ? m.type[0].toLowerCase() + m.type.slice(1) : '';
      if (m?.type && types.includes(m.type) && !m[key]) errs.push({ ...required(`${f}.${key}`), detail: `Required value: must populate information for the given metric source` });
      const target = m?.[key]?.target;
      if (target) {
        const tt = ['AverageValue', 'Utilization', 'Value'];
        if (!target.type) errs.push(required(`${f}.${key}.target.type`));
        else if (!tt.includes(target.type)) errs.push(notSupported(`${f}.${key}.target.type`, target.type, tt));
        for (const q of ['value', 'averageValue']) if (target[q] !== undefined && !isQuantity(target[q])) errs.push(invalidValue(`${f}.${key}.target.${q}`, target[q], 'must be a quantity'));
        if (target.averageUtilization !== undefined && !(target.averageUtilization > 0)) errs.push(invalidValue(`${f}.${key}.target.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
      }
    });
    return errs;
}

const qs = (v: unknown) => (v === undefined || v === null ? '<unknown>' : isQuantity(v) ? canonicalQuantity(v as string) : String(v));

/** printers.go formatHPAMetrics: at most 2 entries, then " + N more...". */
export function formatHPAMetrics(o: KubeObject): string {
  const specs: any[] = o.spec?.metrics ?? [];
  const statuses: any[] = o.status?.currentMetrics ?? [];
  if (specs.length === 0) return '<none>';
  const out: string[] = [];
  specs.forEach((m, i) => {
    const st = statuses[i];
    switch (m?.type) {
      case 'External': {
        const t = m.external?.target ?? {};
        const cur = st?.external?.current;
        if (t.averageValue !== undefined) out.push(`${cur ? qs(cur.averageValue) : '<unknown>'}/${qs(t.averageValue)} (avg)`);
        else out.push(`${cur ? qs(cur.value) : '<unknown>'}/${qs(t.value)}`);
        break;
      }
      case 'Pods':
        out.push(`${st?.pods ? qs(st.pods.current?.averageValue) : '<unknown>'}/${qs(m.pods?.target?.averageValue)}`);
        break;
      case 'Object': {
        const t = m.object?.target ?? {};
        const cur = st?.object?.current;
        if (t.averageValue !== undefined) out.push(`${cur ? qs(cur.averageValue) : '<unknown>'}/${qs(t.averageValue)} (avg)`);
        else out.push(`${cur ? qs(cur.value) : '<unknown>'}/${qs(t.value)}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = m.type === 'Resource' ? 'resource' : 'containerResource';
        const spec = m[key] ?? {};
        const t = spec.target ?? {};
        const cur = st?.[key]?.current;
        const name = spec.name ? `${spec.name}: ` : '';
        if (t.averageValue !== undefined) out.push(`${name}${cur ? qs(cur.averageValue) : '<unknown>'}/${qs(t.averageValue)}`);
        else {
          const c = cur?.averageUtilization != null ? `${cur.averageUtilization}%` : '<unknown>';
          const tg = t.averageUtilization != null ? `${t.averageUtilization}%` : '<auto>';
          out.push(`${name}${c}/${tg}`);
        }
        break;
      }
      default:
        out.push('<unknown type>');
    }
  });
  const max = 2;
  if (out.length > max) return `${out.slice(0, max).join(', ')} + ${out.length - max} more...`;
  return out.join(', ');
}

// ---- autoscaling/v1 (served from autoscaling/v2 storage; `kubectl autoscale` posts v1) ----

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

/** autoscaling/v1 → v2 (targetCPUUtilizationPercentage ↔ a cpu Utilization Resource metric). No-op on v2 objects. */
export function hpaV1ToV2(o: KubeObject): KubeObject {
  if (o.apiVersion === 'autoscaling/v2') return o;
  const s = o.spec ?? {};
  const spec: any = { scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas };
  if (s.targetCPUUtilizationPercentage != null) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.targetCPUUtilizationPercentage } } }];
  }
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec };
  const st = o.status;
  if (st && typeof st === 'object') {
    const status: any = { ...st };
    delete status.currentCPUUtilizationPercentage;
    if (st.currentCPUUtilizationPercentage != null) status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }];
    out.status = status;
  }
  return out;
}

/** autoscaling/v2 → v1 (lossy: only the cpu utilization target survives, as in Kubernetes without its annotations). */
export function hpaV2ToV1(o: KubeObject): KubeObject {
  if (o.apiVersion === 'autoscaling/v1') return o;
  const s = o.spec ?? {};
  const spec: any = { scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas };
  const cpu = ((s.metrics as any[]) ?? []).find(isCpuUtilization);
  if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', spec };
  const st = o.status;
  if (st && typeof st === 'object') {
    const { currentMetrics, conditions, ...rest } = st as any;
    void conditions;
    const cur = ((currentMetrics as any[]) ?? []).find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
    out.status = { ...rest, ...(cur?.resource?.current?.averageUtilization != null ? { currentCPUUtilizationPercentage: cur.resource.current.averageUtilization } : {}) };
  }
  return out;
}

export const hpaV1 = defineKind({
  group: 'autoscaling',
  version: 'v1',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  description: 'configuration of a horizontal pod autoscaler.',
  fields: {
    spec: obj('spec defines the behaviour of autoscaler.', {
      scaleTargetRef: crossVersionRef,
      minReplicas: int('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.'),
      maxReplicas: int('maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.'),
      targetCPUUtilizationPercentage: int('targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods.'),
    }),
    status: obj('status is the current information about the autoscaler.', {
      observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.'),
      lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods.'),
      currentReplicas: int('currentReplicas is the current number of replicas of pods managed by this autoscaler.'),
      desiredReplicas: int('desiredReplicas is the desired number of replicas of pods managed by this autoscaler.'),
      currentCPUUtilizationPercentage: int('currentCPUUtilizationPercentage is the current average CPU utilization over all pods.'),
    }),
  },
  // Bodies arrive as v1 and are stored as v2: convert in place, then default as v2.
  defaults: (o) => {
    const v2 = hpaV1ToV2(o);
    if (v2 !== o) {
      for (const k of Object.keys(o)) delete o[k];
      Object.assign(o, v2);
    }
    hpaDefaults(o);
  },
  validate: (o) => hpaValidate(hpaV1ToV2(o)),
  strategy: { specFields: ['spec'], prepareForCreate: resetStatus(() => ({ currentReplicas: 0, desiredReplicas: 0 })) },
  columns: hpaColumns(),
  cells: (o, now) => hpaCells(hpaV1ToV2(o), now),
});
hpaV1.conversion = { storageVersion: 'v2', toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 };
