// End to end on `kubesim up` with the real kubectl: a CronJob every minute creates a Job whose pod
// completes and the history limit prunes it, `kubectl create job --from=cronjob/x`, the CronJob
// table, bad CronJobs refused with the field named, and an Indexed Job of 5 completions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '2']);
});
after(async () => {
  await c?.close();
});

const cronJobYaml = (name: string, spec = '') => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "* * * * *"
${spec}  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {kubesim.io/exit-after: "1s"}
        spec:
          restartPolicy: Never
          containers:
          - name: hello
            image: busybox
`;

const reasons = async (name: string) => (await c.kubectlJson(['get', 'events', '--field-selector', `involvedObject.name=${name},involvedObject.kind=CronJob`])).items.map((e: any) => e.reason);

const completeJobs = async (prefix: string) =>
  (await c.kubectlJson(['get', 'jobs'])).items.filter((j: any) => j.metadata.name.startsWith(prefix) && !j.metadata.deletionTimestamp && j.status?.conditions?.some((x: any) => x.type === 'Complete' && x.status === 'True'));

test('a CronJob every minute creates a Job whose pod completes; successfulJobsHistoryLimit 1 prunes the older Job', { skip, timeout: 200_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: cronJobYaml('every-minute', '  successfulJobsHistoryLimit: 1\n') });
  const out = await c.kubectl(['get', 'cj']);
  assert.match(out.split('\n')[0], /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
  assert.match(out.split('\n')[1], /^every-minute\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/);
  const [first] = await eventually(async () => {
    const done = await completeJobs('every-minute-');
    return done.length >= 1 && done;
  }, 'the first run to complete', 90_000, 500);
  const scheduled = Number(first.metadata.name.slice('every-minute-'.length)) * 60000;
  assert.equal(first.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(scheduled).toISOString().replace('.000Z', 'Z'));
  assert.equal(first.metadata.ownerReferences[0].kind, 'CronJob');
  const pods = (await c.kubectlJson(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${first.metadata.name}`])).items;
  assert.deepEqual(pods.map((p: any) => p.status.phase), ['Succeeded']);
  const cj = await c.kubectlJson(['get', 'cronjob', 'every-minute']);
  assert.ok(cj.status.lastSuccessfulTime, 'lastSuccessfulTime');

  // The next minute's run completes; the older Job goes (history limit 1).
  await eventually(async () => {
    const names = (await completeJobs('every-minute-')).map((j: any) => j.metadata.name);
    return names.length === 1 && names[0] !== first.metadata.name;
  }, 'the second run, with the first Job pruned', 100_000, 500);
  const rs = await eventually(async () => {
    const r = await reasons('every-minute');
    return ['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete'].every((w) => r.includes(w)) && r;
  }, 'the SuccessfulCreate, SawCompletedJob and SuccessfulDelete events', 20_000, 300);
  assert.ok(!rs.includes('UnexpectedJob'), rs.join(','));
  const deleted = await c.kubectlJson(['get', 'events', '--field-selector', 'involvedObject.name=every-minute,reason=SuccessfulDelete']);
  assert.equal(deleted.items[0].message, `Deleted job ${first.metadata.name}`);
  const created = await c.kubectlJson(['get', 'events', '--field-selector', 'involvedObject.name=every-minute,reason=SuccessfulCreate']);
  assert.ok(created.items.some((e: any) => e.message === `Created job ${first.metadata.name}`));
  assert.match(await c.kubectl(['get', 'cj', 'every-minute']), /every-minute\s+\* \* \* \* \*\s+<none>\s+False\s+[01]\s+\d+s\s+\S+/);
});

test('kubectl create job --from=cronjob/x makes a Job owned by the CronJob, marked manual', { skip }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: cronJobYaml('yearly', '  suspend: true\n').replace('"* * * * *"', '"@yearly"') });
  assert.match(await c.kubectl(['create', 'job', 'by-hand', '--from=cronjob/yearly']), /job\.batch\/by-hand created/);
  const j = await c.kubectlJson(['get', 'job', 'by-hand']);
  assert.equal(j.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  const cj = await c.kubectlJson(['get', 'cj', 'yearly']);
  assert.deepEqual(j.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid]), [['CronJob', 'yearly', cj.metadata.uid]]);
  assert.equal(j.spec.template.spec.containers[0].image, 'busybox');
  await eventually(async () => (await c.kubectlJson(['get', 'job', 'by-hand'])).status?.succeeded === 1, 'the manual Job completes', 30_000, 300);
  assert.match(await c.kubectl(['get', 'cj', 'yearly', '-o', 'wide']), /yearly\s+@yearly\s+<none>\s+True\s+\d\s+<none>\s+\S+\s+hello\s+busybox\s+<none>/);
});

test('kubectl create cronjob (protobuf), explain and describe', { skip }, async () => {
  assert.match(await c.kubectl(['create', 'cronjob', 'made', '--image=busybox', '--schedule=*/10 * * * *', '--', 'date']), /cronjob\.batch\/made created/);
  const cj = await c.kubectlJson(['get', 'cj', 'made']);
  assert.equal(cj.spec.schedule, '*/10 * * * *');
  assert.deepEqual(cj.spec.jobTemplate.spec.template.spec.containers[0].command, ['date']);
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.match(await c.kubectl(['explain', 'cronjob.spec.schedule']), /The schedule in Cron format/);
  const described = await c.kubectl(['describe', 'cronjob', 'made']);
  assert.match(described, /Schedule:\s+\*\/10 \* \* \* \*/);
  assert.match(described, /Concurrency Policy:\s+Allow/);
  assert.match(await c.kubectl(['get', 'all']), /cronjob\.batch\/made/);
});

test('bad CronJobs are refused naming the field, nothing written', { skip }, async () => {
  const cases: [string, string, RegExp][] = [
    ['bad-schedule', cronJobYaml('bad-schedule').replace('"* * * * *"', '"every minute"'), /spec\.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2/],
    ['bad-zone', cronJobYaml('bad-zone', '  timeZone: Mars/Olympus\n'), /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/],
    ['bad-policy', cronJobYaml('bad-policy', '  concurrencyPolicy: Sometimes\n'), /spec\.concurrencyPolicy: Unsupported value: "Sometimes"/],
    ['n'.repeat(53), cronJobYaml('n'.repeat(53)), /metadata\.name: Invalid value: "n+": must be no more than 52 characters/],
  ];
  for (const [name, yaml, want] of cases) {
    await assert.rejects(c.kubectl(['apply', '-f', '-'], { stdin: yaml }), (e: Error) => want.test(e.message) && /is invalid/.test(e.message), name);
    await assert.rejects(c.kubectl(['get', 'cronjob', name]), /NotFound|not found/, name);
  }
});

test('an Indexed Job of 5 completions finishes with each index once', { skip, timeout: 90_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: batch/v1
kind: Job
metadata:
  name: indexed
spec:
  completionMode: Indexed
  completions: 5
  parallelism: 2
  template:
    metadata:
      annotations: {kubesim.io/exit-after: "1s"}
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: busybox
`,
  });
  const job = await eventually(async () => {
    const j = await c.kubectlJson(['get', 'job', 'indexed']);
    return j.status?.conditions?.some((x: any) => x.type === 'Complete' && x.status === 'True') && j;
  }, 'the Indexed Job to complete', 80_000, 500);
  assert.equal(job.status.completedIndexes, '0-4');
  assert.equal(job.status.succeeded, 5);
  const pods = (await c.kubectlJson(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=indexed'])).items;
  const indexes = pods.map((p: any) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(indexes, ['0', '1', '2', '3', '4'], 'each index ran once');
  for (const p of pods) {
    const ix = p.metadata.labels['batch.kubernetes.io/job-completion-index'];
    assert.equal(p.spec.hostname, `indexed-${ix}`);
    assert.ok(p.metadata.name.startsWith(`indexed-${ix}-`), p.metadata.name);
    assert.equal(p.spec.containers[0].env.find((e: any) => e.name === 'JOB_COMPLETION_INDEX').valueFrom.fieldRef.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    assert.equal(p.status.phase, 'Succeeded');
  }
  assert.match(await c.kubectl(['get', 'job', 'indexed']), /indexed\s+Complete\s+5\/5\s+\S+\s+\S+/);
  const described = await c.kubectl(['describe', 'job', 'indexed']);
  assert.match(described, /Completion Mode:\s+Indexed/);
  assert.match(described, /Completed Indexes:\s+0-4/);
});

test('a Job with ttlSecondsAfterFinished 0 is deleted by the TTL-after-finished controller once it completes', { skip, timeout: 60_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: batch/v1
kind: Job
metadata:
  name: short
spec:
  ttlSecondsAfterFinished: 0
  template:
    metadata:
      annotations: {kubesim.io/exit-after: "1s"}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`,
  });
  await eventually(async () => !(await c.kubectl(['get', 'jobs', '-o', 'name'])).includes('job.batch/short'), 'the finished Job deleted', 50_000, 300);
});

test('podFailurePolicy FailJob on an exit code fails the Job (PodFailurePolicy); backoffLimitPerIndex fails each index after its retries (FailedIndexes)', { skip, timeout: 90_000 }, async () => {
  const jobYaml = (name: string, spec: string, cmd: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: busybox
        command: ["sh", "-c", "${cmd}"]
`;
  await c.kubectl(['apply', '-f', '-'], {
    stdin: jobYaml('fail-fast', '  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {containerName: worker, operator: In, values: [42]}\n', 'exit 42'),
  });
  const failed = await eventually(async () => {
    const j = await c.kubectlJson(['get', 'job', 'fail-fast']);
    return j.status?.conditions?.find((x: any) => x.type === 'Failed' && x.status === 'True') && j;
  }, 'the Job to fail by its pod failure policy', 60_000, 300);
  const cond = failed.status.conditions.find((x: any) => x.type === 'Failed');
  assert.equal(cond.reason, 'PodFailurePolicy');
  assert.match(cond.message, /^Container worker for pod default\/fail-fast-\S+ failed with exit code 42 matching FailJob rule at index 0$/);
  assert.equal(failed.status.failed, 1, 'no retries');
  assert.ok(failed.status.conditions.some((x: any) => x.type === 'FailureTarget'));
  assert.match(await c.kubectl(['get', 'job', 'fail-fast']), /fail-fast\s+Failed\s+0\/1/);

  // Every index exits 3: each is retried once (backoffLimitPerIndex 1), then fails; the Job fails with FailedIndexes.
  await c.kubectl(['apply', '-f', '-'], { stdin: jobYaml('per-index', '  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n  backoffLimitPerIndex: 1\n', 'exit 3') });
  const perIndex = await eventually(async () => {
    const j = await c.kubectlJson(['get', 'job', 'per-index']);
    return j.status?.conditions?.find((x: any) => x.type === 'Failed' && x.status === 'True') && j;
  }, 'the per-index Job to fail', 60_000, 300);
  assert.equal(perIndex.status.conditions.find((x: any) => x.type === 'Failed').reason, 'FailedIndexes');
  assert.equal(perIndex.status.failedIndexes, '0-2');
  assert.equal(perIndex.status.failed, 6);
  const pods = (await c.kubectlJson(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=per-index'])).items;
  const counts = pods.map((p: any) => `${p.metadata.annotations['batch.kubernetes.io/job-completion-index']}:${p.metadata.annotations['batch.kubernetes.io/job-index-failure-count']}`).sort();
  assert.deepEqual(counts, ['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
});
