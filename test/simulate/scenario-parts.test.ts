// The scenario's parts as pure functions: generators (arrivals, distributions), assertions
// (the expression language), faults, load shapes, KubeSchedulerConfiguration checks for --compare,
// the CSV and SVG series, the compare table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/clock/index.ts';
import { arrivals, expandGenerator, formatCompare, loadSchedulerConfig, parseExpect, parseScenario, sample, summarize, toCsv, toSvg, type Generator } from '../../src/simulate/index.ts';
import { countOf, fieldOf } from '../../src/simulate/assertions.ts';
import { parseDist, parseGenerator } from '../../src/simulate/generators.ts';

const BASE = 'nodeGroups: [{ name: a, count: 1 }]\n';

test('malformed generators, faults, assertions and loads are rejected with the field named', () => {
  const cases: [string, RegExp][] = [
    ['generators: [{ name: g }]', /generators\[0\]\.arrival/],
    ['generators: [{ name: g, arrival: { process: burst } }]', /arrival\.process: one of constant, poisson, diurnal/],
    ['generators: [{ name: g, arrival: { process: poisson, rate: fast } }]', /arrival\.rate: a rate like 12\/h/],
    ['generators: [{ name: g, arrival: { process: constant, every: 0s } }]', /arrival\.every: must be positive/],
    ['generators: [{ name: g, kind: Deployment, arrival: { process: constant, every: 1m } }]', /kind: Pod or Job/],
    ['generators: [{ name: g, arrival: { process: constant, every: 1m }, cpu: { dist: zipf } }]', /cpu\.dist: one of fixed, uniform, normal, choice/],
    ['generators: [{ name: g, arrival: { process: constant, every: 1m }, cpu: { dist: uniform, min: 2, max: 1 } }]', /cpu: min must not exceed max/],
    ['generators: [{ name: g, arrival: { process: constant, every: 1m }, memory: { dist: choice, values: [] } }]', /memory\.values: a non-empty list/],
    ['generators: [{ name: g, arrival: { process: constant, every: 1m }, duration: { dist: normal, mean: soon, stddev: 1m } }]', /duration\.mean: invalid duration/],
    ['faults: [{ at: 1m }]', /faults\[0\]: exactly one of nodeFailure, zoneOutage, partition, componentKill/],
    ['faults: [{ at: 1m, componentKill: { component: etcd } }]', /componentKill\.component: one of scheduler, controller-manager/],
    ['faults: [{ at: 1m, nodeFailure: {} }]', /nodeFailure: node, nodes, group/],
    ['faults: [{ at: 1m, zoneOutage: {} }]', /zoneOutage\.zone: required/],
    ['faults: [{ at: 1m, partition: { group: a, count: 0 } }]', /partition\.count: a positive integer/],
    ['assertions: [{ at: 1m }]', /assertions\[0\]: \{at, expect/],
    ['assertions: [{ at: 1m, expect: "pods.pending" }]', /is not LEFT OP RIGHT/],
    ['assertions: [{ at: 1m, expect: "pods.lost == 0" }]', /"pods\.lost" is not a number/],
    ['assertions: [{ at: 1m, expect: "gadget/x.count == 0" }]', /unknown kind "gadget"/],
    ['loads: [{ target: { kind: Deployment, name: w } }]', /loads\[0\]: cpu and\/or memory/],
    ['loads: [{ target: { kind: Deployment, name: w }, cpu: "wobble(1,2)" }]', /loads\[0\]\.cpu: not a pattern/],
    ['loads: [{ cpu: "1" }]', /loads\[0\]\.target: must be an object/],
    ['faults: {}', /faults: must be a list/],
    ['generators: [{ name: g, arrival: { process: constant, every: 1m } }, { name: g, arrival: { process: constant, every: 2m } }]', /generators\[1\]\.name: Duplicate value: "g"/],
  ];
  for (const [text, want] of cases) assert.throws(() => parseScenario(BASE + text), want, text);
});

test('a load shape becomes an annotation patch at its time, after the workloads of that time', () => {
  const s = parseScenario(BASE + 'loads: [{ at: 5m, target: { kind: Deployment, name: web }, cpu: "diurnal(1,8,14h)" }]\nactions: [{ at: 5m, scale: { kind: Deployment, name: web, replicas: 2 } }]');
  assert.deepEqual(s.actions[0], { at: 300_000, load: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', cpu: 'diurnal(1,8,14h)', memory: undefined } });
  assert.ok('scale' in s.actions[1]);
});

const gen = (over: Record<string, unknown>): Generator => parseGenerator({ name: 'g', arrival: { process: 'constant', every: '10m' }, ...over }, 0);

test('arrival processes: constant steps, Poisson at its rate, diurnal thinned by the time of day', () => {
  assert.deepEqual(arrivals(gen({}), 3_600_000, seededRandom(1)), [0, 600_000, 1_200_000, 1_800_000, 2_400_000, 3_000_000, 3_600_000]);
  assert.deepEqual(arrivals(gen({ start: '30m', stop: '50m' }), 3_600_000, seededRandom(1)), [1_800_000, 2_400_000, 3_000_000]);
  const day = 24 * 3_600_000;
  const poisson = arrivals(gen({ arrival: { process: 'poisson', rate: '60/h' } }), day, seededRandom(7));
  assert.ok(Math.abs(poisson.length - 1440) < 150, `Poisson 60/h over a day: ${poisson.length}`);
  assert.ok(poisson.every((t, i) => i === 0 || t >= poisson[i - 1]));
  const diurnal = arrivals(gen({ arrival: { process: 'diurnal', min: '0/h', max: '120/h', peak: '12h' } }), day, seededRandom(7));
  const near = diurnal.filter((t) => Math.abs(t - 12 * 3_600_000) < 3 * 3_600_000).length;
  const far = diurnal.filter((t) => t < 3 * 3_600_000 || t > 21 * 3_600_000).length;
  assert.ok(near > 5 * Math.max(1, far), `diurnal: ${near} arrivals around the peak, ${far} around midnight`);
  assert.deepEqual(arrivals(gen({ arrival: { process: 'poisson', rate: '60/h' } }), day, seededRandom(7)), poisson, 'same seed, same arrivals');
  assert.equal(arrivals(gen({ max: 3 }), day, seededRandom(1)).length, 3);
});

test('distributions sample within their bounds from the seeded Random', () => {
  const r = seededRandom(3);
  const ms = (x: unknown) => Number(x);
  const uni = parseDist({ dist: 'uniform', min: 10, max: 20 }, 'd', ms);
  const norm = parseDist({ dist: 'normal', mean: 100, stddev: 10, min: 0 }, 'd', ms);
  const choice = parseDist({ dist: 'choice', values: [1, 2, 3], weights: [0, 1, 0] }, 'd', ms);
  assert.deepEqual(parseDist(5, 'd', ms), { dist: 'fixed', value: 5 });
  const us = Array.from({ length: 500 }, () => sample(uni, r));
  assert.ok(us.every((v) => v >= 10 && v < 20));
  const ns = Array.from({ length: 2000 }, () => sample(norm, r));
  const m = ns.reduce((a, b) => a + b, 0) / ns.length;
  assert.ok(Math.abs(m - 100) < 1.5, `normal mean ${m}`);
  assert.ok(Array.from({ length: 50 }, () => sample(choice, r)).every((v) => v === 2));
});

test('a generator expands to Pods or Jobs with sampled requests and kubesim.io/exit-after', () => {
  const g = gen({ kind: 'Job', cpu: '250m', memory: '1Gi', duration: '90s', ttlSecondsAfterFinished: 60, labels: { team: 'x' } });
  const [first] = expandGenerator(g, 600_000, seededRandom(1));
  assert.ok('apply' in first);
  const job = (first as any).apply[0];
  assert.equal(job.kind, 'Job');
  assert.equal(job.metadata.name, 'g-0');
  assert.equal(job.spec.ttlSecondsAfterFinished, 60);
  assert.deepEqual(job.spec.template.metadata.annotations, { 'kubesim.io/exit-after': '90s' });
  assert.deepEqual(job.spec.template.spec.containers[0].resources.requests, { cpu: '250m', memory: '1024Mi' });
  assert.equal(job.spec.template.metadata.labels['kubesim.io/generator'], 'g');
  const pod = (expandGenerator(gen({}), 0, seededRandom(1))[0] as any).apply[0];
  assert.equal(pod.kind, 'Pod');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.metadata.annotations, undefined, 'no duration: runs until deleted');
});

test('assertion expressions: counts, object fields (status first, missing = 0), comparisons', () => {
  assert.deepEqual(parseExpect('pods.pending == 0', 'e'), { left: { path: 'pods.pending' }, op: '==', right: { num: 0 } });
  assert.deepEqual(parseExpect('deployment/prod/web.readyReplicas>=5', 'e').op, '>=');
  const pods: any[] = [{ metadata: {}, spec: {}, status: { phase: 'Pending' } }, { metadata: {}, spec: { nodeName: 'n' }, status: { phase: 'Running' } }, { metadata: {}, spec: {}, status: { phase: 'Succeeded' } }];
  const nodes: any[] = [{ metadata: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { metadata: {}, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }];
  const want: Record<string, number> = { 'pods.pending': 1, 'pods.running': 1, 'pods.succeeded': 1, 'pods.failed': 0, 'pods.total': 3, 'nodes.total': 2, 'nodes.ready': 1, 'nodes.notReady': 1 };
  for (const [path, n] of Object.entries(want)) assert.equal(countOf(path, pods, nodes), n, path);
  const dep: any = { metadata: { generation: 3 }, spec: { replicas: 4, paused: true }, status: { readyReplicas: 2 } };
  assert.equal(fieldOf(dep, 'readyReplicas'), 2);
  assert.equal(fieldOf(dep, 'availableReplicas'), 0, 'omitted zero');
  assert.equal(fieldOf(dep, 'spec.replicas'), 4);
  assert.equal(fieldOf(dep, 'spec.paused'), 1);
  assert.equal(fieldOf(dep, 'metadata.generation'), 3);
});

test('--compare: KubeSchedulerConfiguration files are checked against what the scheduler models', () => {
  const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
  const ok = loadSchedulerConfig(head + 'podInitialBackoffSeconds: 2\nleaderElection: { leaderElect: false }\nprofiles:\n  - pluginConfig:\n      - name: NodeResourcesFit\n        args: { scoringStrategy: { type: MostAllocated } }\n', 'b.yaml');
  assert.deepEqual(ok.queue, { initialBackoffMs: 2000, maxBackoffMs: undefined });
  const cases: [string, RegExp][] = [
    ['kind: Foo\n', /kind: must be KubeSchedulerConfiguration/],
    ['apiVersion: v1\nkind: KubeSchedulerConfiguration\n', /apiVersion: must be kubescheduler\.config\.k8s\.io\/v1/],
    [head + 'extenders: [{ urlPrefix: "http://x" }]\n', /extenders: not supported by kubesim simulate/],
    [head + 'featureGates: { X: true }\n', /featureGates: not supported by kubesim's scheduler/],
    [head + 'profiles: [{ plugins: { sort: { enabled: [{ name: X }] } } }]\n', /profiles\[0\]\.plugins\.sort: Unsupported value/],
    [head + 'profiles: [{ plugins: { score: { enabled: [{ name: ImageLocality }] } } }]\n', /ImageLocality": unknown plugin/],
    [head + 'profiles: [{ pluginConfig: [{ name: InterPodAffinity, args: { hardPodAffinityWeight: 2 } }] }]\n', /only NodeResourcesFit args\.scoringStrategy\.type is modeled \(got InterPodAffinity/],
    [head + 'profiles: [{ pluginConfig: [{ name: NodeResourcesFit, args: { scoringStrategy: { type: RequestedToCapacityRatio } } }] }]\n', /Unsupported value: "RequestedToCapacityRatio"/],
    [head + 'profiles: [{ pluginConfig: [{ name: NodeResourcesFit, args: { scoringStrategy: { type: MostAllocated, resources: [] } } }] }]\n', /scoringStrategy\.resources/],
    [head + 'profiles: [{ schedulerName: a }, { schedulerName: a }]\n', /Duplicate value: "a"/],
    [head + 'podMaxBackoffSeconds: -1\n', /podMaxBackoffSeconds: a positive number/],
  ];
  for (const [text, want] of cases) assert.throws(() => loadSchedulerConfig(text, 'x.yaml'), (e: Error) => want.test(e.message) && e.message.startsWith('x.yaml: '), text);
});

test('the series: CSV columns per interval with HPA columns, an SVG polyline per series; the compare table', () => {
  const node = (name: string): any => ({ metadata: { name }, status: { allocatable: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } });
  const pod = (name: string, nodeName?: string): any => ({ metadata: { name, namespace: 'd', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu: '1500m', memory: '1Gi' } } }] }, status: { phase: nodeName ? 'Running' : 'Pending' } });
  const hpa: any = { metadata: { name: 'w', namespace: 'd' }, status: { currentReplicas: 3 } };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const row = summarize([node('a'), node('b')], [pod('p1', 'a'), pod('p2', 'a'), pod('p3')], start + 600_000, start, start, { hpas: [hpa], nodeMetrics: [{ metadata: { name: 'a' }, usage: { cpu: '500m', memory: '1Gi' } } as any], counts: { evictions: 2, preemptions: 1 } });
  assert.equal(row.nodesUsed, 1);
  assert.deepEqual(row.cpuRequestedPercentPerNode, { mean: 37.5, p90: 75 });
  assert.deepEqual(row.cpuUsedMilliPerNode, { mean: 500, p90: 500 });
  // free CPU: a 1000m (less than the median 1500m request: stranded), b 4000m → 1000/5000
  assert.equal(row.fragmentationPercent, 20);
  assert.equal(row.evictions, 2);
  const csv = toCsv([row]).split('\n');
  assert.ok(csv[0].startsWith('t,time,nodes,nodesReady,nodesUsed,podsPending'));
  assert.ok(csv[0].endsWith(',hpa:d/w'));
  assert.ok(csv[1].startsWith('600,0h10m,2,2,1,1,2,3,'));
  assert.ok(csv[1].endsWith(',3'));
  const svg = toSvg([row, { ...row, t: 1200, podsRunning: 4 }], 'a <b>');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /a &lt;b&gt;/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 6);
  assert.equal(toSvg([row], 't'), toSvg([row], 't'));
  const table = formatCompare([
    { name: 'a.yaml', summary: { podsScheduled: 3, pendingSeconds: { p50: 0, p99: 2 }, podStartupSeconds: null, cpuUtilizationPercent: { mean: 10, p90: 20 }, nodesUsedMax: 2, fragmentationPercentMean: 0, evictions: 0, preemptions: 1, nodeHours: 1 } },
    { name: 'binpack.yaml', summary: { podsScheduled: 3, pendingSeconds: null, podStartupSeconds: null, cpuUtilizationPercent: { mean: 10, p90: 40 }, nodesUsedMax: 1, fragmentationPercentMean: 5, evictions: 0, preemptions: 0, nodeHours: 1 } },
  ]).split('\n');
  assert.match(table[0], /a\.yaml\s+binpack\.yaml$/);
  assert.match(table.find((l) => l.startsWith('nodes used'))!, /2\s+1$/);
  assert.match(table.find((l) => l.startsWith('pending p99'))!, /2\s+-$/);
});

test('workloads[].copies applies N copies with {i} replaced in every string', () => {
  const s = parseScenario(BASE + 'workloads:\n  - copies: 3\n    manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: "c-{i}", labels: { n: "{i}" } }, data: { k: "x{i}y{i}" } }\n');
  const apply = (s.actions[0] as any).apply;
  assert.deepEqual(apply.map((m: any) => m.metadata.name), ['c-0', 'c-1', 'c-2']);
  assert.deepEqual(apply[2].data, { k: 'x2y2' });
  assert.equal(apply[1].metadata.labels.n, '1');
  assert.throws(() => parseScenario(BASE + 'workloads: [{ copies: 0, manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: c } } }]'), /workloads\[0\]\.copies/);
});

test('summarize: requests per pod whatever its template (the per-template memo), latencies only for the interval', () => {
  const node = (name: string): any => ({ metadata: { name }, status: { allocatable: { cpu: '8', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } });
  const start = Date.parse('2026-01-01T00:00:00Z');
  const at = (s: number) => new Date(start + s * 1000).toISOString().replace('.000Z', 'Z');
  const pod = (name: string, nodeName: string, containers: any[], extra: any = {}, scheduledAt = 0): any => ({
    metadata: { name, namespace: 'd', creationTimestamp: at(0) },
    spec: { nodeName, containers, ...extra },
    status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(scheduledAt) }, { type: 'Ready', status: 'True', lastTransitionTime: at(scheduledAt + 3) }] },
  });
  const c = (cpu: string) => [{ name: 'c', resources: { requests: { cpu, memory: '1Gi' } } }];
  const pods = [
    pod('a1', 'a', c('1')),
    pod('a2', 'a', c('1')),
    pod('a3', 'a', c('500m')),
    pod('b1', 'b', c('1'), { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '2' } } }] }),
    pod('b2', 'b', c('1'), { overhead: { cpu: '250m' } }),
    pod('b3', 'b', c('1'), {}, 700),
  ];
  const row = summarize([node('a'), node('b')], pods, start + 600_000, start + 60_000, start);
  // a: 1000+1000+500 = 2500m; b: (1000+2000) + (1000+250) + 1000 = 5250m
  assert.deepEqual(row.cpuRequestedMilliPerNode, { mean: 3875, p90: 5250 });
  // scheduled in [60 s, 600 s): none (b3 at 700 s is after, the rest at 0 s before)
  assert.equal(row.scheduled, 0);
  const later = summarize([node('a'), node('b')], pods, start + 800_000, start + 600_000, start);
  assert.equal(later.scheduled, 1);
  assert.deepEqual(later.schedulingLatencySeconds, { p50: 700, p99: 700 });
  assert.deepEqual(later.podStartupSeconds, { p50: 703, p99: 703 });
});
