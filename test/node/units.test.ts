// Pure pieces of the node agent: usage model, log ring, admission, writer, parsing, node objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuIntegralNanos, parsePattern, usageAt, usageInputs, usageModel } from '../../src/node/usage.ts';
import { formatLines, InstanceLog, LogStore } from '../../src/node/logs.ts';
import { admitPod, podRequests } from '../../src/node/admission.ts';
import { toleratesTaint as tolerates } from '../../src/api/core/index.ts';
import { milliValueOrZero as milliCpu, valueOrZero as bytesOf } from '../../src/api/quantity.ts';
import { Priority, Writer, defaultWriteConcurrency, pickPriority } from '../../src/node/writer.ts';
import { parseLabels, parseTaints } from '../../src/node/parse.ts';
import { buildNode, microTime, nodeIP, podCIDR, podIPIn } from '../../src/node/nodeobj.ts';
import { imageID } from '../../src/node/podstatus.ts';
import { goDuration, parseDurationMs } from '../../src/node/units.ts';
import { TimerQueue } from '../../src/node/timers.ts';
import { ManualClock } from '../../src/clock/index.ts';
import { buildEvent } from '../../src/node/events.ts';
import { eventKey } from '../../src/client/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { statusDigest } from '../../src/node/podwrites.ts';
import { leaseOverdue } from '../../src/node/lease.ts';

const Mi = 2 ** 20;

test('usage: default walk stays around half the request and within limits', () => {
  const p: any = { metadata: { annotations: {} } };
  const m = usageModel(p, { name: 'c', resources: { requests: { cpu: '400m', memory: '200Mi' }, limits: { cpu: '220m' } } }, 'u/c');
  for (let t = 0; t < 600_000; t += 7000) {
    const u = usageAt(m, 0, t);
    assert.ok(u.milliCpu >= 160 && u.milliCpu <= 220, `cpu ${u.milliCpu}`); // 200m ± 20%, capped at 220m
    assert.ok(u.memory >= 120 * Mi * 0.95 && u.memory <= 120 * Mi * 1.05, `memory ${u.memory}`);
  }
});

test('usage: annotations pick a target or a pattern', () => {
  const p: any = { metadata: { annotations: { 'kubesim.io/usage': 'cpu=300m,memory=100Mi', 'kubesim.io/cpu-pattern.b': 'sine(100m,500m,60s)' } } };
  const a = usageModel(p, { name: 'a' }, 'x/a');
  const ua = usageAt(a, 0, 10_000);
  assert.ok(Math.abs(ua.milliCpu - 300) <= 60);
  const b = usageModel(p, { name: 'b' }, 'x/b');
  assert.equal(Math.round(usageAt(b, 0, 0).milliCpu), 300); // sine starts mid-way
  assert.equal(Math.round(usageAt(b, 0, 15_000).milliCpu), 500);
  assert.equal(Math.round(usageAt(b, 0, 45_000).milliCpu), 100);
  assert.deepEqual(parsePattern('ramp(64Mi,128Mi,10m)', bytesOf), { kind: 'ramp', from: 64 * Mi, to: 128 * Mi, durationMs: 600_000 });
  assert.equal(parsePattern('bogus(', milliCpu), undefined);
  // Cumulative CPU of a constant 250m over 10 s = 2.5 core-seconds.
  const c = usageModel({ metadata: { annotations: { 'kubesim.io/cpu-pattern': 'const(250m)' } } } as any, { name: 'c' }, 'k');
  assert.equal(cpuIntegralNanos(c, 0, 0, 10_000), 2.5e9);
});

test('usage: the cumulative CPU of a walk (linear between noise knots) is its exact integral', () => {
  const w = usageModel({ metadata: {} } as any, { name: 'c', resources: { requests: { cpu: '100m' } } }, 'pod-uid/c');
  assert.equal(w.cpu.kind, 'walk');
  // a fine Riemann sum (1 ms midpoints) of cpuAt over spans that do and do not start or end on a knot
  for (const [from, to] of [[1_000_003, 1_015_003], [1_000_000, 1_015_000], [1_002_500, 1_003_100], [7, 60_007]]) {
    let fine = 0;
    for (let t = from; t < to; t++) fine += usageAt(w, 0, t + 0.5).milliCpu;
    const got = cpuIntegralNanos(w, 0, from, to);
    assert.ok(Math.abs(got - fine * 1e3) <= 1e-6 * fine * 1e3 + 1, `[${from}, ${to}]: ${got} vs ${fine * 1e3}`);
  }
});

test('usage: the model inputs change with usage annotations and resources, not with other updates', () => {
  const c = { name: 'c', resources: { requests: { cpu: '100m' } } };
  const pod = (annotations?: Record<string, string>) => ({ metadata: { name: 'p', resourceVersion: String(Math.random()), annotations } }) as any;
  const base = usageInputs(pod(), c);
  const cases: { name: string; pod: any; container: any; same: boolean }[] = [
    { name: 'another copy of the same pod', pod: pod(), container: c, same: true },
    { name: 'an unrelated annotation', pod: pod({ team: 'a' }), container: c, same: true },
    { name: 'a usage annotation', pod: pod({ 'kubesim.io/usage': 'cpu=50m' }), container: c, same: false },
    { name: "the container's own pattern", pod: pod({ 'kubesim.io/cpu-pattern.c': 'const(1)' }), container: c, same: false },
    { name: 'another request', pod: pod(), container: { name: 'c', resources: { requests: { cpu: '200m' } } }, same: false },
    { name: 'a limit', pod: pod(), container: { name: 'c', resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } } }, same: false },
  ];
  for (const k of cases) assert.equal(usageInputs(k.pod, k.container) === base, k.same, k.name);
});

test('logs: lazy periodic lines, bounded ring, since/tail, limitBytes', () => {
  const log = new InstanceLog(0, { intervalMs: 1000, lines: ['tick {n}'] }, 5, 0);
  log.append(0, 'start');
  assert.deepEqual(log.read({}, 3500).map((l) => l.text), ['start', 'tick 1', 'tick 2', 'tick 3']);
  // A long gap keeps only the last `capacity` lines.
  assert.deepEqual(log.read({}, 100_000).map((l) => l.text), ['tick 96', 'tick 97', 'tick 98', 'tick 99', 'tick 100']);
  assert.deepEqual(log.read({ tailLines: 2 }, 100_000).map((l) => l.text), ['tick 99', 'tick 100']);
  assert.deepEqual(log.read({ sinceSeconds: 2 }, 100_000).map((l) => l.text), ['tick 98', 'tick 99', 'tick 100']);
  assert.equal(formatLines(log.read({}, 100_000), { limitBytes: 12 }), 'tick 96\ntick');
  log.end(100_500, 'bye');
  assert.equal(log.read({}, 200_000).at(-1)!.text, 'bye'); // nothing generated after the end
});

test('logs: appended lines wait until read, and read as if they had been put in at once', () => {
  // eager: read after every append (each read puts the appended lines in); lazy: read only at the end
  const steps: [number, string][] = [[0, 'start'], [2_500, 'note a'], [2_500, 'note b'], [40_000, 'SIGTERM'], [41_000, 'more']];
  const eager = new InstanceLog(0, { intervalMs: 1000, lines: ['tick {n} {ms}'] }, 8, 3);
  const lazy = new InstanceLog(0, { intervalMs: 1000, lines: ['tick {n} {ms}'] }, 8, 3);
  for (const [t, text] of steps) {
    eager.append(t, text);
    eager.read({}, t);
    lazy.append(t, text);
  }
  eager.end(45_000, 'bye');
  lazy.end(45_000, 'bye');
  const rows = (log: InstanceLog) => log.read({}, 90_000).map((l) => `${l.t} ${l.seq} ${l.text}`);
  assert.deepEqual(rows(lazy), rows(eager));
  assert.deepEqual(lazy.lines, eager.lines);
  assert.equal(rows(lazy).at(-1), `45000 ${eager.lines.at(-1)!.seq} bye`);
  // the ring stays bounded when nothing reads: appended lines go in once there are more than capacity
  const unread = new InstanceLog(0, { intervalMs: 0, lines: [] }, 4, 0);
  for (let i = 0; i < 100; i++) unread.append(i, `line ${i}`);
  assert.ok(unread.lines.length <= 5);
  assert.equal(unread.lines.at(-1)!.text, 'line 99');
});

test('logs: a restart moves the instance to previous', () => {
  const store = new LogStore(100, 0);
  const p: any = { metadata: { name: 'p', namespace: 'd', annotations: {} } };
  store.started(p, 'c', 'img', 0, 0);
  store.ended('d', 'p', 'c', 10, 'exit 1');
  store.started(p, 'c', 'img', 1, 20);
  assert.equal(store.get('d', 'p', 'c', true)!.read({}, 30).at(-1)!.text, 'exit 1');
  assert.match(store.get('d', 'p', 'c')!.read({}, 30)[0].text, /restart 1/);
  store.forgetPod('d', 'p');
  assert.equal(store.get('d', 'p', 'c'), undefined);
});

test('admission: requests with init containers and overhead; tolerations', () => {
  const p: any = {
    metadata: {},
    spec: {
      initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }],
      containers: [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } }, { name: 'b', resources: { limits: { cpu: '1' } } }],
      overhead: { cpu: '100m' },
    },
  };
  assert.deepEqual(podRequests(p), { milliCpu: 2100, memory: 2 ** 30, ephemeralStorage: 0 });
  assert.ok(tolerates({ operator: 'Exists' }, { key: 'k', effect: 'NoExecute' }));
  assert.ok(tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.ok(!tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.ok(!tolerates({ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  const shape: any = { cpu: '4', memory: '16Gi', pods: 110, ephemeralStorage: '100Gi', labels: { disk: 'ssd' }, taints: [{ key: 'k', effect: 'NoSchedule' }], instanceType: 't', kubeletUrl: 'u', kubeletPort: 1 };
  const node = buildNode('n-0', 0, shape, 0);
  // NoSchedule taints are the scheduler's business, not the kubelet's.
  assert.equal(admitPod({ metadata: {}, spec: { nodeName: 'n-0', containers: [] } } as any, node, []), undefined);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n-0'] }] }] } } };
  assert.equal(admitPod({ metadata: {}, spec: { affinity, containers: [] } } as any, node, []), undefined);
  const hostPort = { metadata: {}, spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }] } } as any;
  assert.equal(admitPod(hostPort, node, [hostPort])?.reason, 'NodePorts');
});

test('writer: leases before pods before events; dedup by key; bounded event queue', async () => {
  const order: string[] = [];
  const w = new Writer({ concurrency: 1, maxQueuedEvents: 2 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  w.enqueue(Priority.Pod, 'first', () => gate);
  for (const e of ['e1', 'e2', 'e3']) w.enqueue(Priority.Event, undefined, async () => void order.push(e));
  w.enqueue(Priority.Pod, 'p', async () => void order.push('p'));
  w.enqueue(Priority.Pod, 'p', async () => void order.push('p-dup'));
  w.enqueue(Priority.Lease, 'l', async () => void order.push('l'));
  release();
  await w.idle();
  assert.deepEqual(order, ['l', 'p', 'e2', 'e3']);
  assert.equal(w.stats.droppedEvents, 1);
});

test('writer: smooth weighted round robin over the non-empty queues', () => {
  const cases: { name: string; pending: number[]; picks: number; want: string }[] = [
    { name: 'only leases', pending: [9, 0, 0, 0], picks: 4, want: 'LLLL' },
    { name: 'only pods', pending: [0, 0, 9, 0], picks: 3, want: 'PPP' },
    { name: 'lease first when both wait', pending: [9, 0, 9, 0], picks: 1, want: 'L' },
    { name: 'all saturated: 8:2:5:1 in every 16, interleaved', pending: [99, 99, 99, 99], picks: 16, want: 'LPLNPLLPELLPNLPL' },
    { name: 'leases and events: 8:1', pending: [99, 0, 0, 99], picks: 9, want: 'LLLLELLLL' },
  ];
  for (const c of cases) {
    const credit = [0, 0, 0, 0];
    let got = '';
    for (let i = 0; i < c.picks; i++) got += 'LNPE'[pickPriority(c.pending, credit)];
    assert.equal(got, c.want, c.name);
  }
  assert.equal(pickPriority([0, 0, 0, 0], [0, 0, 0, 0]), -1);
});

test('writer: a lease flood does not starve pod status or events', async () => {
  const w = new Writer({ concurrency: 4 });
  let leases = 0;
  const done: string[] = [];
  // Every lease write queues two more (distinct keys): the lease queue never empties.
  const lease = (i: number) => w.enqueue(Priority.Lease, `lease-${i}`, async () => {
    await new Promise<void>((r) => setImmediate(r));
    leases++;
    if (leases < 50_000) {
      lease(2 * i + 1);
      lease(2 * i + 2);
    }
  });
  for (let i = 0; i < 8; i++) lease(i + 100_000);
  let leasesBefore = -1;
  const record = (what: string) => {
    done.push(what);
    if (done.length === 25) leasesBefore = leases;
  };
  for (let i = 0; i < 20; i++) w.enqueue(Priority.Pod, `pod-${i}`, async () => record(`pod-${i}`));
  for (let i = 0; i < 5; i++) w.enqueue(Priority.Event, undefined, async () => record(`event-${i}`));
  await eventually(() => done.length === 25, 'pods and events written during the flood', 10_000, 5);
  // Pods had 5 of every 14 writes, events 1 of 9 once the pods were through: done long before the flood ends.
  assert.ok(leasesBefore < 200, `pods and events waited for ${leasesBefore} lease writes`);
  assert.ok(w.pending()[Priority.Lease] > 0, 'the lease flood goes on');
  w.stop();
});

test('writer: dedup by key while queued and while running; concurrency grows with the pool', async () => {
  const w = new Writer({ concurrency: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const runs: string[] = [];
  w.enqueue(Priority.Pod, 'a', async () => {
    runs.push('a1');
    await gate;
  });
  w.enqueue(Priority.Pod, 'a', async () => void runs.push('a2')); // running: re-run once after it
  w.enqueue(Priority.Pod, 'a', async () => void runs.push('a3')); // the latest job is the one re-run
  w.enqueue(Priority.Lease, 'b', async () => void runs.push('b1'));
  w.enqueue(Priority.Lease, 'b', async () => void runs.push('b2')); // queued: written once
  release();
  await w.idle();
  assert.deepEqual(runs, ['a1', 'b1', 'a3']);
  assert.deepEqual(w.stats.donePerPriority, [1, 0, 2, 0]);
  assert.deepEqual([10, 640, 2000, 5000, 20_000].map(defaultWriteConcurrency), [32, 32, 100, 250, 256]);
});

test('pod writes: the digest of a status tells equal JSON from any change', () => {
  const st = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.2' };
  const d = statusDigest(JSON.stringify(st));
  assert.equal(statusDigest(JSON.stringify(structuredClone(st))), d);
  const changed = [
    { ...st, phase: 'Pending' },
    { ...st, podIP: '10.0.0.3' },
    { ...st, conditions: [{ type: 'Ready', status: 'False' }] },
    { ...st, extra: '' },
  ];
  for (const c of changed) assert.notEqual(statusDigest(JSON.stringify(c)), d, JSON.stringify(c));
  assert.ok(d.length < 30);
});

test('lease renewTime is a MicroTime; imageIDs are stable per image', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '2026-01-02T03:04:05.006000Z');
  assert.equal(microTime(0), '1970-01-01T00:00:00.000000Z');
  const id = imageID('registry.k8s.io/pause:3.9');
  assert.match(id, /^registry\.k8s\.io\/pause@sha256:[0-9a-f]{64}$/);
  assert.equal(imageID('registry.k8s.io/pause:3.9'), id);
  assert.notEqual(imageID('nginx'), id);
});

test('writer: an urgent write goes before every queue, moved out of its queue once', async () => {
  const w = new Writer({ concurrency: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const order: string[] = [];
  w.enqueue(Priority.Pod, 'first', () => gate);
  for (const p of ['p1', 'p2']) w.enqueue(Priority.Pod, p, async () => void order.push(p));
  w.enqueue(Priority.Lease, 'l', async () => void order.push('l'));
  w.enqueue(Priority.Event, undefined, async () => void order.push('e'));
  w.enqueue(Priority.Lease, 'l', async () => void order.push('l-again'), true); // already queued: moved, its job kept
  w.enqueue(Priority.Pod, 'p2', async () => void order.push('p2-urgent'), true);
  w.enqueue(Priority.Lease, 'u', async () => void order.push('u'), true);
  assert.deepEqual(w.pending(), [2, 0, 2, 1]);
  release();
  await w.idle();
  assert.deepEqual(order, ['l', 'p2', 'u', 'p1', 'e']);
  assert.equal(w.stats.urgent, 3);
  assert.deepEqual(w.pending(), [0, 0, 0, 0]);
});

test('lease: a renewal is urgent once the last one is half the lease duration old', () => {
  const cases: [number | undefined, number, boolean][] = [
    [undefined, 100_000, false],
    [0, 10_000, false],
    [0, 19_999, false],
    [0, 20_000, true],
    [0, 45_000, true],
  ];
  for (const [last, now, want] of cases) assert.equal(leaseOverdue(last, now, 40), want, `last ${last}, now ${now}`);
});

test('events: a kubelet Event repeated later has the same correlation key; another message does not', () => {
  const base = { involved: { kind: 'Pod', namespace: 'd', name: 'p', uid: 'u' }, type: 'Warning' as const, reason: 'BackOff', message: 'm', host: 'n', at: 0 };
  assert.equal(eventKey(buildEvent(base)), eventKey(buildEvent({ ...base, at: 99 })));
  assert.notEqual(eventKey(buildEvent(base)), eventKey(buildEvent({ ...base, message: 'other' })));
});

test('parsing flags, durations and Go durations', () => {
  assert.deepEqual(parseLabels('a=1, b=x=y'), { a: '1', b: 'x=y' });
  assert.throws(() => parseLabels('nope'), /invalid label "nope"/);
  assert.deepEqual(parseTaints('gpu=true:NoSchedule,spot:NoExecute'), [
    { key: 'gpu', value: 'true', effect: 'NoSchedule' },
    { key: 'spot', effect: 'NoExecute' },
  ]);
  assert.throws(() => parseTaints('gpu=true'), /effect must be/);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('5'), 5000);
  assert.equal(parseDurationMs('5x'), undefined);
  assert.equal(goDuration(1234), '1.234s');
  assert.equal(goDuration(61_500), '1m1.5s');
  assert.equal(goDuration(800), '800ms');
});

test('node addresses and CIDRs are unique per index', () => {
  const ips = new Set<string>();
  const cidrs = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    ips.add(nodeIP(i));
    cidrs.add(podCIDR(i));
  }
  assert.equal(ips.size, 10_000);
  assert.equal(cidrs.size, 10_000);
  assert.equal(nodeIP(0), '10.0.0.2');
  assert.equal(podCIDR(0), '10.128.0.0/24');
  assert.equal(podCIDR(257), '10.129.1.0/24');
  assert.equal(podIPIn('10.128.3.0/24', 0), '10.128.3.2');
});

test('timer queue: one timer, earliest first, reschedule replaces', () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  const q = new TimerQueue<string>((k) => fired.push(k), clock, false);
  q.schedule('a', 30);
  q.schedule('b', 10);
  q.schedule('c', 20);
  q.schedule('a', 5);
  q.cancel('c');
  q.runDue(25);
  assert.deepEqual(fired, ['a', 'b']);
  q.runDue(100);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(q.size, 0);
});
