// Job validation of the failure and success policies (ValidateJobSpec), with Kubernetes' messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { formatFieldError } from '../../src/api/errors.ts';

const jobs = registry.byResource('batch', 'v1', 'jobs')!;
const job = (spec: any) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'u' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x' }] } }, ...spec } });
const errors = (o: any) => {
  const obj = structuredClone(o);
  jobs.defaults(obj);
  jobs.strategy.prepareForCreate?.(obj);
  return { obj, errors: jobs.validate(obj).map(formatFieldError) };
};
const indexed = { completionMode: 'Indexed', completions: 4 };

test('job: backoffLimitPerIndex, maxFailedIndexes and successPolicy need Indexed mode', () => {
  const cases: [string, any, string[]][] = [
    ['per index, indexed', { ...indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 2 }, []],
    ['per index, not indexed', { backoffLimitPerIndex: 1 }, ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode']],
    ['max failed alone', { ...indexed, maxFailedIndexes: 1 }, ['spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified']],
    ['max failed > completions', { ...indexed, backoffLimitPerIndex: 0, maxFailedIndexes: 5 }, ['spec.maxFailedIndexes: Invalid value: 5: must be less than or equal to completions']],
    ['success policy, indexed', { ...indexed, successPolicy: { rules: [{ succeededIndexes: '0,2-3', succeededCount: 2 }] } }, []],
    ['success policy, not indexed', { successPolicy: { rules: [{ succeededCount: 1 }] } }, ['spec.successPolicy: Invalid value: batch.SuccessPolicy{...}: requires indexed completion mode']],
    ['no rules', { ...indexed, successPolicy: { rules: [] } }, ['spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified']],
    ['empty rule', { ...indexed, successPolicy: { rules: [{}] } }, ['spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified']],
    ['bad indexes', { ...indexed, successPolicy: { rules: [{ succeededIndexes: '1-9' }] } }, ['spec.successPolicy.rules[0].succeededIndexes: Invalid value: "1-9": error parsing succeededIndexes: too large index: "9"']],
    ['count > indexes', { ...indexed, successPolicy: { rules: [{ succeededIndexes: '1', succeededCount: 2 }] } }, ['spec.successPolicy.rules[0].succeededCount: Invalid value: 2: must be less than or equal to 1 (the number of indexes in the specified succeededIndexes field)']],
  ];
  for (const [name, spec, want] of cases) assert.deepEqual(errors(job(spec)).errors, want, name);
});

test('job: podFailurePolicy rules as Kubernetes validates them; replacement policy defaults to Failed', () => {
  const pfp = (rules: any[], extra: any = {}) => job({ podFailurePolicy: { rules }, ...extra });
  const cases: [string, any, string[]][] = [
    ['good', pfp([{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }]), []],
    ['unknown action', pfp([{ action: 'Retry', onExitCodes: { operator: 'In', values: [1] } }]), ['spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"']],
    ['FailIndex without per-index limit', pfp([{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }]), ['spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set']],
    ['exit code rules', pfp([{ action: 'Count', onExitCodes: { containerName: 'other', operator: 'In', values: [0, 3, 3, 2] } }]), [
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "other": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 3, 2}: must be ordered',
    ]],
    ['no operator', pfp([{ action: 'Count', onExitCodes: { values: [1] } }]), ['spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]']],
    ['neither', pfp([{ action: 'Count' }]), ['spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required']],
    ['both', pfp([{ action: 'Count', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'X' }] }]), ['spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported']],
    ['condition status', pfp([{ action: 'Ignore', onPodConditions: [{ type: 'X', status: 'Maybe' }] }]), ['spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"']],
    ['replacement policy', pfp([{ action: 'Ignore', onPodConditions: [{ type: 'X' }] }], { podReplacementPolicy: 'TerminatingOrFailed' }), ['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"']],
  ];
  for (const [name, o, want] of cases) assert.deepEqual(errors(o).errors, want, name);
  const { obj } = errors(pfp([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }]));
  assert.equal(obj.spec.podReplacementPolicy, 'Failed');
  assert.equal(obj.spec.podFailurePolicy.rules[0].onPodConditions[0].status, 'True', 'pattern status defaults to True');
  const onFailure = job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'X' }] }] }, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'x' }] } } });
  assert.deepEqual(errors(onFailure).errors, ['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified']);
});

test('job: an Indexed Job name must leave room for <name>-<index> hostnames; per-index limit and success policy are immutable', () => {
  const long = 'j'.repeat(62);
  const o = { ...job({ ...indexed, completions: 10 }), metadata: { name: long, namespace: 'default', uid: 'u' } };
  assert.deepEqual(errors(o).errors, [`metadata.name: Invalid value: "${long}": will not able to create pod with invalid DNS label: ${long}-9`]);
  const { obj } = errors(job({ ...indexed, backoffLimitPerIndex: 1, successPolicy: { rules: [{ succeededCount: 1 }] } }));
  const changed = structuredClone(obj);
  changed.spec.backoffLimitPerIndex = 2;
  changed.spec.successPolicy.rules[0].succeededCount = 2;
  assert.deepEqual(jobs.strategy.validateUpdate!(changed, obj).map(formatFieldError), ['spec.backoffLimitPerIndex: Invalid value: 2: field is immutable', 'spec.successPolicy: Invalid value: batch.SuccessPolicy{...}: field is immutable']);
});
