// A scenario with every part at once on virtual time: a Poisson Job generator, a node failure that
// heals, a controller-manager kill, a preemption, assertions (one failing on purpose); then the
// determinism of the whole report and of the CSV: same seed, same bytes; another seed, others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, simulate, toCsv } from '../../src/simulate/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SCENARIO = `
name: parts
duration: 30m
measure: 5m
nodeGroups:
  - name: n
    count: 4
    capacity: { cpu: "4", memory: 16Gi, pods: 110 }
    zones: [a, b]
workloads:
  - at: 0s
    manifests:
      - apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: { name: high }
        value: 1000
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: low, namespace: default }
        spec:
          replicas: 4
          selector: { matchLabels: { app: low } }
          template:
            metadata: { labels: { app: low } }
            spec:
              containers:
                - { name: c, image: nginx, resources: { requests: { cpu: 2500m, memory: 128Mi } } }
  - at: 26m
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: { name: urgent, namespace: default }
      spec:
        priorityClassName: high
        containers:
          - { name: c, image: nginx, resources: { requests: { cpu: 3500m } } }
generators:
  - name: batch
    kind: Job
    arrival: { process: poisson, rate: 40/h }
    stop: 20m
    duration: { dist: uniform, min: 1m, max: 3m }
    cpu: { dist: choice, values: [100m, 200m] }
    memory: { dist: normal, mean: 128Mi, stddev: 32Mi, min: 32Mi }
faults:
  - at: 2m
    nodeFailure: { group: n }
    for: 14m
  - at: 20m
    componentKill: { component: controller-manager }
    for: 2m
assertions:
  - { at: 4m, expect: "nodes.ready == 3" }
  - { at: 19m, expect: "nodes.ready == 4" }
  - { at: 25m, expect: "deployment/low.readyReplicas == 4" }
  - { at: 29m, expect: "pod/urgent.spec.nodeName == 0" }
  - { at: 29m, expect: "pods.total < 0" }
`;

test('generators, faults, preemption and assertions on virtual time; same seed, same report and CSV bytes', async () => {
  const scenario = parseScenario(SCENARIO);
  const a = await simulate(scenario, { seed: 1 });
  const r = a.report;
  assert.deepEqual(r.errors, []);
  assert.equal(r.faults.length, 2);
  assert.equal(r.faults[0].nodes?.length, 1);
  assert.equal(r.faults[0].healedAt, 960);
  assert.deepEqual(r.faults[1], { t: 1200, fault: 'componentKill controller-manager', healedAt: 1320 });
  assert.deepEqual(
    r.assertions.map((x) => [x.expect, x.ok]),
    [
      ['nodes.ready == 3', true],
      ['nodes.ready == 4', true],
      ['deployment/low.readyReplicas == 4', true],
      ['pod/urgent.spec.nodeName == 0', false], // a string, not a number: the error is the actual
      ['pods.total < 0', false],
    ],
  );
  assert.match(r.assertions[3].actual, /spec\.nodeName is "n-\d", not a number/);
  const rows = r.intervals;
  assert.equal(rows.length, 6);
  // the failed node's pods are evicted after the default 300 s toleration (40 s grace + taint): in (5m, 10m]
  assert.ok(rows[1].evictions >= 1, `evictions per interval: ${rows.map((x) => x.evictions)}`);
  assert.equal(rows[1].nodesReady, 3);
  assert.equal(rows[3].nodesReady, 4, 'healed');
  assert.ok(rows.at(-1)!.preemptions >= 1, `preemptions per interval: ${rows.map((x) => x.preemptions)}`);
  assert.ok(r.summary.podsScheduled > 8, `${r.summary.podsScheduled} scheduled (4 + generated Jobs + rescheduled)`);
  assert.ok(rows.some((x) => x.podStartupSeconds !== null));
  assert.equal(rows.at(-1)!.nodeHours, 2, '4 nodes × 30 minutes');
  assert.ok(rows.some((x) => x.cpuUsedMilliPerNode !== null), 'NodeMetrics from the simulated usage');

  const b = await simulate(scenario, { seed: 1 });
  assert.equal(JSON.stringify(b.report), JSON.stringify(r), 'same seed: byte-identical report');
  assert.equal(toCsv(b.report.intervals), toCsv(rows), 'same seed: byte-identical CSV');
  const c = await simulate(scenario, { seed: 2 });
  assert.notEqual(JSON.stringify(c.report), JSON.stringify(r), 'another seed: another report');
  assert.notEqual(toCsv(c.report.intervals), toCsv(rows), 'another seed: another CSV');
});

test('the CLI writes the CSV and the SVG, lists the failed assertion and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-sim-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, SCENARIO.replace(/generators:[\s\S]*$/, 'assertions: [{ at: 4m, expect: "pods.total < 0" }, { at: 4m, expect: "pods.running >= 1" }]\n'));
  const res = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(process.execPath, [join(root, 'bin/kubesim.js'), 'simulate', file, '--until', '5m', '--csv', join(dir, 'r.csv'), '--plot', join(dir, 'r.svg')], { timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as any).code ?? -1) : 0, stdout, stderr }),
    ),
  );
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /assertion at 240s failed: pods\.total < 0 \(\d+ < 0\)/);
  assert.doesNotMatch(res.stderr, /pods\.running/);
  assert.match(res.stdout, /evicted\s+preempted\s+node-h/);
  const csv = readFileSync(join(dir, 'r.csv'), 'utf8').split('\n');
  assert.ok(csv[0].startsWith('t,time,nodes,'));
  assert.equal(csv.length, 3, 'header, one interval (5m), trailing newline');
  assert.match(readFileSync(join(dir, 'r.svg'), 'utf8'), /<polyline /);
});
