// Job (batch/v1): completions/parallelism/backoffLimit defaults, the generated controller-uid
// selector, template immutability (unless suspended), and the STATUS/COMPLETIONS/DURATION columns.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind, getPath } from '../meta.ts';
import { bool, freeform, int, int64, obj, str, time } from '../schema.ts';
import { humanDuration } from '../duration.ts';
import { FIELD_IMMUTABLE, goStringMap, invalidRendered, isDNS1123Label, validateNonnegative } from '../validation.ts';
import { conditionsSchema, labelSelectorSchema } from './common.ts';
import { podTemplateSpecSchema } from './podspec.ts';
import { jsonEqual } from '../core/json.ts';
import { defaultJobPolicies, validateJobPolicies } from './jobpolicies.ts';
import { containersCells, containersColumns, defaultTemplate, selectorCell, selectorColumn, selectorImmutable, validateSelectorAndTemplate } from './workload.ts';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyControllerUid: 'controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyJobName: 'job-name',
};

/** generateSelector: template labels job-name/controller-uid (both spellings), selector on controller-uid. */
export function generateJobSelector(job: KubeObject): void {
  const spec = (job.spec ??= {});
  if (spec.manualSelector === true) return;
  const uid = (job.metadata.uid ??= randomUUID());
  const tpl = (spec.template ??= {});
  const meta = (tpl.metadata ??= {});
  const labels = (meta.labels ??= {});
  for (const k of [JOB_LABELS.legacyJobName, JOB_LABELS.jobName]) if (!(k in labels)) labels[k] = job.metadata.name ?? '';
  for (const k of [JOB_LABELS.legacyControllerUid, JOB_LABELS.controllerUid]) if (!(k in labels)) labels[k] = uid;
  const sel = (spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  if (!(JOB_LABELS.controllerUid in ml)) ml[JOB_LABELS.controllerUid] = uid;
}

const condTrue = (o: KubeObject, type: string) => ((o.status?.conditions as any[]) ?? []).some((c) => c?.type === type && c.status === 'True');

/** STATUS column (kubectl 1.28+). */
export function jobStatus(o: KubeObject): string {
  if (condTrue(o, 'Complete')) return 'Complete';
  if (condTrue(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (condTrue(o, 'Suspended')) return 'Suspended';
  if (condTrue(o, 'FailureTarget')) return 'FailureTarget';
  if (condTrue(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export function jobCompletions(o: KubeObject): string {
  const succeeded = o.status?.succeeded ?? 0;
  const c = o.spec?.completions;
  const p = o.spec?.parallelism;
  if (c !== undefined && c !== null) return `${succeeded}/${c}`;
  if (p === undefined || p === null) return `${succeeded}/1`;
  if (p > 1) return `${succeeded}/1 of ${p}`;
  return `${succeeded}/1`;
}

export function jobDuration(o: KubeObject, now: Date): string {
  const start = o.status?.startTime;
  if (!start) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

/** JobSpec, also the CronJob's jobTemplate.spec. */
export const jobSpecSchema = obj('Specification of the desired behavior of a job.', {
  parallelism: int('Specifies the maximum desired number of pods the job should run at any given time.'),
  completions: int('Specifies the desired number of successfully finished pods the job should be run with.'),
  activeDeadlineSeconds: int64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.'),
  podFailurePolicy: freeform('Specifies the policy of handling failed pods.'),
  successPolicy: freeform('successPolicy specifies the policy when the Job can be declared as succeeded.'),
  backoffLimit: int('Specifies the number of retries before marking this job failed. Defaults to 6'),
  backoffLimitPerIndex: int('Specifies the limit for the number of retries within an index before marking this index as failed.'),
  maxFailedIndexes: int('Specifies the maximal number of failed indexes before marking the Job as failed.'),
  selector: labelSelectorSchema,
  manualSelector: bool('manualSelector controls generation of pod labels and pod selectors. Leave unset unless you are certain what you are doing.'),
  template: podTemplateSpecSchema,
  ttlSecondsAfterFinished: int('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution.'),
  completionMode: str('completionMode specifies how Pod completions are tracked: NonIndexed (default) or Indexed.'),
  suspend: bool('suspend specifies whether the Job controller should create Pods or not.'),
  podReplacementPolicy: str('podReplacementPolicy specifies when to create replacement Pods: TerminatingOrFailed or Failed.'),
  managedBy: str('ManagedBy field indicates the controller that manages a Job.'),
});

export const job = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  fieldSelectors: { 'status.successful': (o) => String(o.status?.succeeded ?? 0) },
  description: 'Job represents the configuration of a single job.',
  fields: {
    spec: jobSpecSchema,
    status: obj('Current status of a job.', {
      conditions: conditionsSchema("The latest available observations of an object's current state."),
      startTime: time('Represents time when the job controller started processing a job.'),
      completionTime: time('Represents time when the job was completed.'),
      active: int('The number of pending and running pods which are not terminating.'),
      succeeded: int('The number of pods which reached phase Succeeded.'),
      failed: int('The number of pods which reached phase Failed.'),
      terminating: int('The number of pods which are terminating.'),
      completedIndexes: str('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
      failedIndexes: str('FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set.'),
      uncountedTerminatedPods: freeform('uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn\'t yet accounted for in the status counters.'),
      ready: int('The number of active pods which have a Ready condition and are not terminating.'),
      observedGeneration: int64('The generation observed by the job controller.'),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    if (s.completions == null && s.parallelism == null) {
      s.completions = 1;
      s.parallelism = 1;
    }
    s.parallelism ??= 1;
    s.backoffLimit ??= s.backoffLimitPerIndex != null ? 2147483647 : 6;
    s.completionMode ??= 'NonIndexed';
    s.suspend ??= false;
    s.manualSelector ??= undefined;
    if (s.manualSelector === undefined) delete s.manualSelector;
    s.podReplacementPolicy ??= s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
    const tplLabels = s.template?.metadata?.labels;
    if (tplLabels && Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...tplLabels };
    defaultJobPolicies(s);
    defaultTemplate(s);
  },
  validate: (o) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [
      ...validateNonnegative('spec.parallelism', s.parallelism),
      ...validateNonnegative('spec.completions', s.completions),
      ...validateNonnegative('spec.backoffLimit', s.backoffLimit),
      ...validateNonnegative('spec.ttlSecondsAfterFinished', s.ttlSecondsAfterFinished),
    ];
    if (s.activeDeadlineSeconds != null && !(s.activeDeadlineSeconds > 0)) errs.push(invalidValue('spec.activeDeadlineSeconds', s.activeDeadlineSeconds, 'must be greater than or equal to 0'));
    if (s.completionMode && !['NonIndexed', 'Indexed'].includes(s.completionMode)) errs.push(notSupported('spec.completionMode', s.completionMode, ['NonIndexed', 'Indexed']));
    if (s.completionMode === 'Indexed' && s.completions == null) errs.push({ ...required('spec.completions'), detail: 'Required value: when completion mode is Indexed' });
    if (s.podReplacementPolicy && s.podFailurePolicy == null && !['TerminatingOrFailed', 'Failed'].includes(s.podReplacementPolicy)) errs.push(notSupported('spec.podReplacementPolicy', s.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    errs.push(...validateJobPolicies(s));
    // An Indexed Job's pods get the hostname <job>-<index>: the largest must be a DNS label.
    if (s.completionMode === 'Indexed' && typeof s.completions === 'number' && s.completions > 0 && isDNS1123Label(`${o.metadata.name}-${s.completions - 1}`).length)
      errs.push(invalidValue('metadata.name', o.metadata.name, `will not able to create pod with invalid DNS label: ${o.metadata.name}-${s.completions - 1}`));
    errs.push(...validateSelectorAndTemplate(s, 'job', ['OnFailure', 'Never']));
    // An auto-generated selector must be exactly the one on controller-uid.
    if (s.manualSelector !== true && s.selector) {
      const uid = o.metadata.uid;
      const ml = s.selector.matchLabels ?? {};
      if (uid && (ml[JOB_LABELS.controllerUid] !== uid || Object.keys(ml).length !== 1 || (s.selector.matchExpressions ?? []).length))
        errs.push(invalidRendered('spec.selector', `v1.LabelSelector{MatchLabels:${goStringMap(ml)}}`, '`selector` not auto-generated'));
    }
    return errs;
  },
  strategy: {
    specFields: ['spec'],
    prepareForCreate: (o) => {
      o.status = {};
      generateJobSelector(o);
      // SetDefaults_Job copies template labels to an unlabeled Job; with the generated ones in
      // place this gives the job-name/controller-uid labels real Jobs carry.
      const tplLabels = o.spec?.template?.metadata?.labels;
      if (tplLabels && Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...tplLabels };
    },
    validateUpdate: (o, old) => {
      const errs = selectorImmutable(o, old);
      const s = o.spec ?? {};
      const os = old.spec ?? {};
      // The template may change only while the job is suspended and has not started.
      const mayChangeTemplate = os.suspend === true && !old.status?.startTime;
      if (!mayChangeTemplate && !jsonEqual(s.template, os.template)) errs.push(invalidRendered('spec.template', 'core.PodTemplateSpec{...}', FIELD_IMMUTABLE));
      if (s.completions !== os.completions && !(s.completionMode === 'Indexed' && s.completions === s.parallelism))
        errs.push(invalidValue('spec.completions', s.completions ?? null, FIELD_IMMUTABLE));
      if (s.completionMode !== os.completionMode) errs.push(invalidValue('spec.completionMode', s.completionMode, FIELD_IMMUTABLE));
      if (s.podFailurePolicy !== undefined && !jsonEqual(s.podFailurePolicy, os.podFailurePolicy))
        errs.push(invalidRendered('spec.podFailurePolicy', '...', FIELD_IMMUTABLE));
      if ((s.backoffLimitPerIndex ?? null) !== (os.backoffLimitPerIndex ?? null)) errs.push(invalidValue('spec.backoffLimitPerIndex', s.backoffLimitPerIndex ?? null, FIELD_IMMUTABLE));
      if (!jsonEqual(s.successPolicy ?? null, os.successPolicy ?? null)) errs.push(invalidRendered('spec.successPolicy', 'batch.SuccessPolicy{...}', FIELD_IMMUTABLE));
      return errs;
    },
  },
  columns: [
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    ...containersColumns,
    selectorColumn,
  ],
  cells: (o, now) => [jobStatus(o), jobCompletions(o), jobDuration(o, now), age(o, now), ...containersCells(o), selectorCell(o)],
});

void getPath;
