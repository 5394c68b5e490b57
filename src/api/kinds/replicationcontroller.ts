// core/v1 ReplicationController: storage, defaults, validation and table only (no controller).
// Served so clients that list every core kind (kubectl cluster-info dump) work.
import type { FieldError } from '../errors.ts';
import { required } from '../errors.ts';
import { age, ageColumn, col, defineKind, resetStatus } from '../meta.ts';
import { int, int64, map, obj } from '../schema.ts';
import { formatLabels } from '../labels.ts';
import { validateLabels } from '../validation.ts';
import { conditionsSchema } from './common.ts';
import { podTemplateSpecSchema } from './podspec.ts';
import { containersCells, containersColumns, defaultTemplate, validateReplicas, validateSelectorAndTemplate } from './workload.ts';

const n = (v: unknown) => (typeof v === 'number' ? v : 0);
const isMap = (v: unknown): v is Record<string, string> => !!v && typeof v === 'object' && !Array.isArray(v);

export const replicationController = defineKind({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' } },
  fieldSelectors: { 'status.replicas': (o) => String(n(o.status?.replicas)) },
  description: 'ReplicationController represents the configuration of a replication controller.',
  fields: {
    spec: obj('Spec defines the specification of the desired behavior of the replication controller.', {
      replicas: int('Replicas is the number of desired replicas. Defaults to 1.'),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      selector: map('Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template.'),
      template: podTemplateSpecSchema,
    }),
    status: obj('Status is the most recently observed status of the replication controller.', {
      replicas: int('Replicas is the most recently observed number of replicas.'),
      fullyLabeledReplicas: int('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
      readyReplicas: int('The number of ready replicas for this replication controller.'),
      availableReplicas: int('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
      observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
      conditions: conditionsSchema("Represents the latest available observations of a replication controller's current state."),
    }),
  },
  // SetDefaults_ReplicationController: selector and object labels default to the template's labels.
  defaults: (o) => {
    const s = (o.spec ??= {});
    const labels = s.template?.metadata?.labels;
    if (isMap(labels)) {
      if (!isMap(s.selector) || Object.keys(s.selector).length === 0) s.selector = { ...labels };
      if (!isMap(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...labels };
    }
    s.replicas ??= 1;
    defaultTemplate(s);
  },
  // ValidateReplicationControllerSpec: non-empty selector (a plain map) matching the template labels.
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [...validateReplicas(s)];
    const sel = isMap(s.selector) ? s.selector : {};
    const selErrs = validateLabels(sel, 'spec.selector');
    errs.push(...selErrs);
    if (Object.keys(sel).length === 0) errs.push(required('spec.selector'));
    const asLabelSelector = selErrs.length === 0 && Object.keys(sel).length > 0 ? { matchLabels: sel } : undefined;
    errs.push(...validateSelectorAndTemplate({ ...s, selector: asLabelSelector }, 'ReplicationController', ['Always'], false));
    return errs;
  },
  // Unlike apps/v1, the selector of a ReplicationController may change.
  strategy: { specFields: ['spec'], prepareForCreate: resetStatus(() => ({ replicas: 0 })) },
  columns: [
    col('Desired', 'integer', 'Number of desired pods.'),
    col('Current', 'integer', 'Number of actual replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    ageColumn,
    ...containersColumns,
    col('Selector', 'string', 'The label selector that identifies pods managed by this replication controller.', 1),
  ],
  cells: (o, now) => [n(o.spec?.replicas), n(o.status?.replicas), n(o.status?.readyReplicas), age(o, now), ...containersCells(o), formatLabels(o.spec?.selector)],
});
