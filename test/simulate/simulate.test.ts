// `kubesim simulate` end to end on a small scenario: an hour of virtual time in a few seconds, the
// expected pod counts, byte-identical reports for one seed, a different report for another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, simulate } from '../../src/simulate/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SCENARIO = `
name: small
duration: 1h
measure: 10m
nodeGroups:
  - name: n
    count: 5
    capacity: { cpu: "4", memory: 16Gi, pods: 110 }
workloads:
  - at: 0s
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web, namespace: default }
      spec:
        replicas: 10
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec:
            containers:
              - { name: web, image: nginx, resources: { requests: { cpu: 100m, memory: 128Mi } } }
actions:
  - { at: 20m, scale: { kind: Deployment, name: web, replicas: 20 } }
  - { at: 40m, drain: { group: n } }
  - { at: 50m, scale: { kind: Deployment, name: web, replicas: 5 } }
`;

test('one virtual hour runs in well under its wall deadline with the expected pod counts; same seed, same bytes', async () => {
  const scenario = parseScenario(SCENARIO);
  const wall = Date.now();
  const a = await simulate(scenario, { seed: 1 });
  const elapsed = Date.now() - wall;
  assert.ok(elapsed < 60_000, `1 h of virtual time took ${elapsed} ms`);
  const rows = a.report.intervals;
  assert.deepEqual(rows.map((r) => r.time), ['0h10m', '0h20m', '0h30m', '0h40m', '0h50m', '1h00m']);
  assert.deepEqual(a.report.errors, []);
  assert.deepEqual(rows.map((r) => r.nodes), [5, 5, 5, 5, 5, 5]);
  // measured before the action at the same instant: 10 until 20m, 20 after, 5 after 50m
  assert.deepEqual(rows.map((r) => r.podsRunning), [10, 10, 20, 20, 20, 5]);
  assert.deepEqual(rows.map((r) => r.podsPending), [0, 0, 0, 0, 0, 0]);
  assert.equal(rows[0].scheduled, 10);
  assert.equal(rows[2].scheduled, 10);
  assert.ok(rows[4].scheduled > 0, 'the drained node’s pods were rescheduled');
  assert.equal(rows[2].cpuRequestedMilliPerNode.mean, 400); // 20 × 100m over 5 nodes
  assert.deepEqual(rows[0].schedulingLatencySeconds, { p50: 0, p99: 0 }); // idle cluster: scheduled in the same virtual second

  const b = await simulate(scenario, { seed: 1 });
  assert.equal(JSON.stringify(b.report), JSON.stringify(a.report), 'same seed: byte-identical report');
  const c = await simulate(scenario, { seed: 2 });
  assert.notEqual(JSON.stringify(c.report), JSON.stringify(a.report), 'another seed: another report');
  assert.notEqual(c.report.intervals[0].placementDigest, a.report.intervals[0].placementDigest, 'other pod names (seeded generateName) and tie-breaks');
});

test('scheduler.policy is what-if: binpack piles the pods onto fewer nodes than spread', async () => {
  const spread = await simulate(parseScenario(SCENARIO), { until: 600_000 });
  const binpack = await simulate(parseScenario(SCENARIO + 'scheduler: { policy: binpack }\n'), { until: 600_000 });
  const [s, b] = [spread.report.intervals[0], binpack.report.intervals[0]];
  assert.equal(s.podsRunning, 10);
  assert.equal(b.podsRunning, 10);
  assert.equal(s.cpuRequestedMilliPerNode.mean, b.cpuRequestedMilliPerNode.mean);
  assert.equal(s.cpuRequestedMilliPerNode.p90, 200, 'spread: two pods a node');
  assert.ok(b.cpuRequestedMilliPerNode.p90 > 200, `binpack: p90 ${b.cpuRequestedMilliPerNode.p90}m`);
});

test('an HPA follows a load wave on virtual time (kubelet summaries → metrics scraper → metrics API → HPA)', async () => {
  const text = readFileSync(join(root, 'examples/scenarios/hpa-square-load.yaml'), 'utf8');
  const { report } = await simulate(parseScenario(text), { until: 30 * 60_000 });
  const running = report.intervals.map((r) => r.podsRunning);
  // load 500m over 200m-request pods at 50% → 5 replicas; 3000m from 20m → 30, capped at maxReplicas 20
  assert.deepEqual(running, [5, 5, 5, 5, 20, 20]);
  assert.deepEqual(report.intervals.map((r) => r.hpaReplicas['default/web']), [5, 5, 5, 5, 20, 20]);
});

test('the CLI prints the table and the wall/virtual ratio, and writes the JSON report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-sim-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, SCENARIO);
  const out = await new Promise<string>((res, rej) =>
    execFile(process.execPath, [join(root, 'bin/kubesim.js'), 'simulate', file, '--seed', '3', '--until', '30m', '--report', join(dir, 'r.json')], { timeout: 120_000 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout),
    ),
  );
  assert.match(out, /time\s+nodes\s+ready\s+pending\s+running/);
  assert.match(out, /1800 s of virtual time in [\d.]+ s of wall time \(\d+x real time/);
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.equal(report.seed, 3);
  assert.equal(report.intervals.length, 3);
});

test('malformed scenarios are rejected with the field named', () => {
  const cases: [string, RegExp][] = [
    ['nodeGroups: []', /nodeGroups: at least one/],
    ['nodeGroups: [{ name: Bad_Name, count: 1 }]', /nodeGroups\[0\]\.name/],
    ['nodeGroups: [{ name: a, count: -1 }]', /nodeGroups\[0\]\.count/],
    ['nodeGroups: [{ name: a, count: 1 }]\nmeasure: 10 minutes', /measure: invalid duration/],
    ['nodeGroups: [{ name: a, count: 1 }]\nactions: [{ at: 1m }]', /exactly one of apply, scale, delete, drain/],
    ['nodeGroups: [{ name: a, count: 1 }]\nactions: [{ at: 1m, scale: { kind: Deployment, name: w } }]', /scale\.replicas/],
    ['nodeGroups: [{ name: a, count: 1 }]\nworkloads: [{ at: 0s, manifest: { kind: Pod } }]', /apiVersion, kind and metadata/],
    ['nodeGroups: [{ name: a, count: 1, zones: [] }]', /nodeGroups\[0\]\.zones/],
    ['nodeGroups: [{ name: a, count: 1 }]\nscheduler: { policy: random }', /scheduler\.policy: one of spread, binpack, round-robin/],
  ];
  for (const [text, want] of cases) assert.throws(() => parseScenario(text), want, text);
  const s = parseScenario('nodeGroups: [{ name: a, count: 2 }]\nduration: 1h30m\nmeasure: 90s');
  assert.equal(s.duration, 5_400_000);
  assert.equal(s.measure, 90_000);
  assert.deepEqual(s.nodeGroups[0].capacity, { cpu: '4', memory: '16Gi', pods: 110 });
  assert.equal(s.scheduler.policy, 'spread');
});

test('every example scenario parses', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = join(root, 'examples/scenarios');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) assert.ok(parseScenario(readFileSync(join(dir, f), 'utf8')).nodeGroups.length > 0, f);
});
