import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock/index.ts';
import { makeProfile } from '../../src/node/profile.ts';
import {
  buildPodStatus,
  commandExit,
  markDeleting,
  newPodSim,
  readyToRemove,
  step,
  adoptPodSim,
  type NodeImages,
  type PodSim,
} from '../../src/node/lifecycle.ts';

function images(): NodeImages & { set: Set<string> } {
  const set = new Set<string>();
  return { set, has: (i) => set.has(i), add: (i) => void set.add(i) };
}

function pod(spec: any, annotations: Record<string, string> = {}): any {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1', annotations },
    spec: { nodeName: 'node-0', restartPolicy: 'Always', ...spec },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
}

const profile = makeProfile({ pullMs: 1000, createMs: 100, startMs: 100, backoffBaseMs: 1000, backoffMaxMs: 4000 });

/** Runs the sim by the clock until `until`, returning [time, phase, summary] at each change and all events. */
function run(sim: PodSim, clock: ManualClock, until: number, imgs = images()) {
  const trace: string[] = [];
  const events: string[] = [];
  for (;;) {
    const r = step(sim, clock.now(), profile, imgs);
    for (const e of r.events) events.push(`${e.reason}: ${e.message}`);
    if (r.changed) {
      const st = buildPodStatus(sim);
      const c = st.containerStatuses[0];
      const s = Object.keys(c.state)[0];
      trace.push(`${st.phase}/${s}${c.state[s].reason ? ':' + c.state[s].reason : ''}/ready=${c.ready}/restarts=${c.restartCount}`);
    }
    if (r.nextAt === undefined || r.nextAt > until) break;
    clock.t = Math.max(clock.t, r.nextAt);
  }
  return { trace, events };
}

test('success path: Pending ContainerCreating → pull → Running ready → exit 0 → Succeeded (restartPolicy Never)', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const sim = newPodSim(pod({ restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 5; exit 0'] }] }), t0, '10.0.0.2', '10.128.0.2', profile);
  const first = buildPodStatus(sim);
  assert.equal(first.phase, 'Pending');
  assert.equal(first.containerStatuses[0].state.waiting.reason, 'PodInitializing');
  const { trace, events } = run(sim, clock, t0 + 60_000);
  assert.deepEqual(trace, [
    'Pending/waiting:ContainerCreating/ready=false/restarts=0', // activated; pulling
    'Pending/waiting:ContainerCreating/ready=false/restarts=0', // pulled
    'Pending/waiting:ContainerCreating/ready=false/restarts=0', // created
    'Running/running/ready=true/restarts=0', // started + ready (readiness 0)
    'Succeeded/terminated:Completed/ready=false/restarts=0',
  ]);
  assert.deepEqual(events, [
    'Pulling: Pulling image "busybox"',
    'Pulled: Successfully pulled image "busybox" in 1s (1s including waiting). Image size: 67108864 bytes.',
    'Created: Created container: c',
    'Started: Started container c',
  ]);
  const st = buildPodStatus(sim);
  const term = st.containerStatuses[0].state.terminated;
  assert.equal(term.exitCode, 0);
  assert.equal(Date.parse(term.finishedAt) - Date.parse(term.startedAt), 5000);
  assert.equal(st.podIP, '10.128.0.2');
  assert.equal(st.hostIP, '10.0.0.2');
  assert.equal(st.qosClass, 'BestEffort');
  const ready = st.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'PodCompleted');
});

test('failure path: exit code annotation, restartPolicy Never → Failed with Error', () => {
  const clock = new ManualClock();
  const sim = newPodSim(pod({ restartPolicy: 'Never', containers: [{ name: 'c', image: 'nginx' }] }, { 'kubesim.io/exit-after': '2s', 'kubesim.io/exit-code': '3' }), clock.now(), 'h', 'i', profile);
  const { trace } = run(sim, clock, clock.now() + 60_000);
  assert.equal(trace.at(-1), 'Failed/terminated:Error/ready=false/restarts=0');
  assert.equal(buildPodStatus(sim).containerStatuses[0].state.terminated.exitCode, 3);
});

test('restart path: Always restarts with CrashLoopBackOff back-off doubling to the cap', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const imgs = images();
  imgs.add('busybox'); // already on the node: no pull
  const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'busybox', command: ['false'] }] }), t0, 'h', 'i', profile);
  const starts: number[] = [];
  const events: string[] = [];
  for (let i = 0; i < 200; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    for (const e of r.events) {
      events.push(e.reason);
      if (e.reason === 'Started') starts.push(e.at - t0);
    }
    if (r.nextAt === undefined || r.nextAt > t0 + 30_000) break;
    clock.t = r.nextAt;
  }
  // runs 1 s (commandRunMs default), restart 1 immediately, then back-off 1 s, 2 s, 4 s, 4 s (cap)
  const gaps = starts.slice(1).map((s, i) => s - starts[i]);
  assert.deepEqual(gaps.slice(0, 5), [1200, 2200, 3200, 5200, 5200]);
  assert.ok(events.includes('BackOff'));
  assert.equal(events.filter((e) => e === 'Pulled').length, starts.length); // "already present" each time
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Running');
  assert.ok(st.containerStatuses[0].restartCount >= 5);
  assert.equal(st.containerStatuses[0].lastState.terminated.exitCode, 1);
});

test('CrashLoopBackOff waiting state carries the kubelet message', () => {
  const clock = new ManualClock();
  const imgs = images();
  const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'x', command: ['false'] }] }), clock.now(), 'h', 'i', profile);
  let seen: any;
  for (let i = 0; i < 50 && !seen; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    const w = buildPodStatus(sim).containerStatuses[0].state.waiting;
    if (w?.reason === 'CrashLoopBackOff') seen = w;
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.equal(seen.message, 'back-off 1s restarting failed container=c pod=p_default(uid-1)');
});

test('graceful delete: Killing, containers stop within the grace period, then ready to remove', () => {
  const clock = new ManualClock();
  const imgs = images();
  const sim = newPodSim(pod({ containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx' }] }), clock.now(), 'h', 'i', profile);
  run(sim, clock, clock.now() + 10_000, imgs);
  assert.equal(buildPodStatus(sim).phase, 'Running');
  clock.advance(1000);
  markDeleting(sim, clock.now(), 30);
  const r = step(sim, clock.now(), profile, imgs);
  assert.deepEqual(r.events.map((e) => `${e.reason}: ${e.message}`), ['Killing: Stopping container a', 'Killing: Stopping container b']);
  assert.equal(readyToRemove(sim), false);
  assert.equal(r.nextAt, clock.now() + 500); // stopMs default
  clock.t = r.nextAt!;
  step(sim, clock.now(), profile, imgs);
  assert.equal(readyToRemove(sim), true);
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Succeeded');
  assert.equal(st.containerStatuses[0].state.terminated.exitCode, 0);
});

test('delete with a grace period shorter than the stop time: killed with 137 at the grace deadline', () => {
  const clock = new ManualClock();
  const imgs = images();
  const sim = newPodSim(pod({ containers: [{ name: 'a', image: 'nginx' }] }, { 'kubesim.io/stop-delay': '10s' }), clock.now(), 'h', 'i', profile);
  run(sim, clock, clock.now() + 10_000, imgs);
  markDeleting(sim, clock.now(), 2);
  const r = step(sim, clock.now(), profile, imgs);
  assert.equal(r.nextAt, clock.now() + 2000);
  clock.t = r.nextAt!;
  step(sim, clock.now(), profile, imgs);
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Failed');
  assert.equal(st.containerStatuses[0].state.terminated.exitCode, 137);
});

test('init containers run first, in order; regular containers wait with PodInitializing', () => {
  const clock = new ManualClock();
  const imgs = images();
  const sim = newPodSim(
    pod({ initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox' }], containers: [{ name: 'c', image: 'nginx' }] }),
    clock.now(),
    'h',
    'i',
    profile,
  );
  const started: string[] = [];
  let sawInitPending = false;
  for (let i = 0; i < 100; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    for (const e of r.events) if (e.reason === 'Started') started.push(e.fieldPath!);
    const st = buildPodStatus(sim);
    if (st.phase === 'Pending' && st.conditions.find((c: any) => c.type === 'Initialized')?.status === 'False') sawInitPending = true;
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.deepEqual(started, ['spec.initContainers{i1}', 'spec.initContainers{i2}', 'spec.containers{c}']);
  assert.ok(sawInitPending);
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Running');
  assert.equal(st.initContainerStatuses[1].state.terminated.reason, 'Completed');
  assert.equal(st.conditions.find((c: any) => c.type === 'Initialized').status, 'True');
});

test('readinessProbe initialDelaySeconds delays Ready', () => {
  const clock = new ManualClock();
  const imgs = images();
  imgs.add('nginx');
  const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'nginx', readinessProbe: { initialDelaySeconds: 7 } }] }), clock.now(), 'h', 'i', profile);
  const t0 = clock.now();
  let readyAt: number | undefined;
  let runningAt: number | undefined;
  for (let i = 0; i < 20; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    const st = buildPodStatus(sim);
    if (st.phase === 'Running' && runningAt === undefined) runningAt = clock.now() - t0;
    if (st.containerStatuses[0].ready && readyAt === undefined) readyAt = clock.now() - t0;
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.equal(runningAt, 200);
  assert.equal(readyAt, 7200);
});

test('the command convention', () => {
  assert.deepEqual(commandExit(['true'], 1000), { afterMs: 1000, code: 0 });
  assert.deepEqual(commandExit(['/bin/false'], 1000), { afterMs: 1000, code: 1 });
  assert.deepEqual(commandExit(['sh', '-c', 'exit 3'], 1000), { afterMs: 1000, code: 3 });
  assert.deepEqual(commandExit(['sh', '-c', 'echo hi; sleep 2; exit 4'], 1000), { afterMs: 2000, code: 4 });
  assert.deepEqual(commandExit(['sleep', '5'], 1000), { afterMs: 5000, code: 0 });
  assert.equal(commandExit(['sleep', 'infinity'], 1000), undefined);
  assert.equal(commandExit(['nginx', '-g', 'daemon off;'], 1000), undefined);
  assert.equal(commandExit([], 1000), undefined);
});

test('adopting a running pod keeps startedAt, restartCount and containerID', () => {
  const clock = new ManualClock();
  const imgs = images();
  const p = pod({ containers: [{ name: 'c', image: 'nginx' }] });
  const sim = newPodSim(p, clock.now(), 'h', '10.128.0.9', profile);
  run(sim, clock, clock.now() + 5000, imgs);
  const st = buildPodStatus(sim);
  clock.advance(60_000);
  const adopted = adoptPodSim({ ...p, status: st }, clock.now(), 'h', profile);
  const r = step(adopted, clock.now(), profile, images());
  assert.equal(r.events.length, 0);
  assert.deepEqual(buildPodStatus(adopted), st);
});

test('a profile is data: a custom stage list replaces the default lifecycle', async () => {
  const { loadProfile } = await import('../../src/node/profile.ts');
  const custom = loadProfile({
    timings: { startMs: '2s' },
    stages: [
      { name: 'activate', from: ['Waiting'], when: { active: true }, delay: { ms: 0 }, to: 'Pending' },
      { name: 'boot', from: ['Pending'], delay: { timing: 'startMs' }, to: 'Running', effects: ['start', 'ready'], events: [{ type: 'Normal', reason: 'Booted', message: 'booted {container}' }] },
    ],
  });
  const clock = new ManualClock();
  const t0 = clock.now();
  const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'nginx' }] }), t0, 'h', 'i', custom);
  let r = step(sim, clock.now(), custom, images());
  assert.equal(r.nextAt, t0 + 2000);
  clock.t = r.nextAt!;
  r = step(sim, clock.now(), custom, images());
  assert.deepEqual(r.events.map((e) => `${e.reason}: ${e.message}`), ['Booted: booted c']);
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Running');
  assert.equal(st.containerStatuses[0].ready, true);
  assert.throws(() => loadProfile({ stages: [{ name: 'x', from: ['Nowhere'], delay: { ms: 0 } }] }), /profile\.stages\[0\]\.from: must list states/);
  assert.throws(() => loadProfile({ stages: [{ name: 'x', from: ['Pending'], when: { sunny: true }, delay: { ms: 0 } }] }), /profile\.stages\[0\]\.when\.sunny: unknown fact/);
  assert.throws(() => loadProfile({ timings: { pullMs: 'soon' } }), /profile\.timings: invalid timing pullMs=soon/);
  assert.throws(() => loadProfile({ extra: 1 }), /profile\.extra: unknown field/);
});

test('a batch pod with an explicit unknown command succeeds after commandRunMs; long-running commands do not exit', () => {
  const clock = new ManualClock();
  const mk = (command: string[], restartPolicy = 'Never') =>
    newPodSim(pod({ restartPolicy, containers: [{ name: 'c', image: 'perl', command }] }), clock.now(), 'h', 'i', profile).containers[0].exit;
  assert.deepEqual(mk(['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)']), { afterMs: 1000, code: 0 });
  assert.equal(mk(['perl', '-e', 'x'], 'Always'), undefined);
  assert.equal(mk(['sh', '-c', 'while true; do date; sleep 1; done']), undefined);
  assert.equal(mk(['sleep', 'infinity']), undefined);
  assert.equal(mk([]), undefined);
});

test('imagePullPolicy: IfNotPresent pulls once per node, Always pulls on every start', () => {
  const clock = new ManualClock();
  const imgs = images();
  const reasons = (policy: string) => {
    const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'redis', imagePullPolicy: policy, command: ['false'] }] }), clock.now(), 'h', 'i', profile);
    const out: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = step(sim, clock.now(), profile, imgs);
      for (const e of r.events) if (e.reason === 'Pulling' || e.reason === 'Pulled') out.push(e.message.startsWith('Container image') ? 'present' : e.reason);
      if (r.nextAt === undefined || sim.containers[0].restartCount >= 2) break;
      clock.t = r.nextAt;
    }
    return out;
  };
  assert.deepEqual(reasons('IfNotPresent'), ['Pulling', 'Pulled', 'present', 'present']);
  assert.deepEqual(reasons('Always'), ['Pulling', 'Pulled', 'Pulling', 'Pulled', 'Pulling']); // stopped right after restart 2 began pulling
});

test('activeDeadlineSeconds: the pod is killed and fails with DeadlineExceeded', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const imgs = images();
  const sim = newPodSim(pod({ activeDeadlineSeconds: 5, containers: [{ name: 'c', image: 'nginx' }] }), t0, 'h', 'i', profile);
  const events: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    events.push(...r.events.map((e) => e.reason));
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.equal(clock.now(), t0 + 5000);
  const st = buildPodStatus(sim);
  assert.equal(st.phase, 'Failed');
  assert.equal(st.reason, 'DeadlineExceeded');
  assert.equal(st.message, 'Pod was active on the node longer than the specified deadline');
  assert.equal(st.containerStatuses[0].state.terminated.exitCode, 137);
  assert.deepEqual(events.slice(-2), ['Killing', 'DeadlineExceeded']);
});

test('OOMKilled: a memory ramp reaching the limit, or kubesim.io/oom-after', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const imgs = images();
  imgs.add('app');
  const sim = newPodSim(
    pod(
      { restartPolicy: 'Never', containers: [{ name: 'leak', image: 'app', resources: { limits: { memory: '512Mi' } } }] },
      { 'kubesim.io/memory-pattern': 'ramp(0,1Gi,60s)' },
    ),
    t0,
    'h',
    'i',
    profile,
  );
  for (let i = 0; i < 50; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  const term = buildPodStatus(sim).containerStatuses[0].state.terminated;
  assert.equal(term.reason, 'OOMKilled');
  assert.equal(term.exitCode, 137);
  assert.equal(Date.parse(term.finishedAt) - Date.parse(term.startedAt), 30_000);
  const explicit = newPodSim(pod({ containers: [{ name: 'c', image: 'x' }] }, { 'kubesim.io/oom-after': '7s' }), t0, 'h', 'i', profile);
  assert.deepEqual(explicit.containers[0].exit, { afterMs: 7000, code: 137, reason: 'OOMKilled' });
});

test('liveness probe failure: Unhealthy, Killing, exit 137, restart', () => {
  const clock = new ManualClock();
  const imgs = images();
  imgs.add('web');
  const sim = newPodSim(
    pod({ containers: [{ name: 'web', image: 'web', livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } }] }, { 'kubesim.io/liveness-fail-after': '20s' }),
    clock.now(),
    'h',
    'i',
    profile,
  );
  const events: string[] = [];
  for (let i = 0; i < 50 && sim.containers[0].restartCount < 1; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    for (const e of r.events) events.push(`${e.type} ${e.reason}: ${e.message}`);
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.ok(events.includes('Warning Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500'), events.join('\n'));
  assert.ok(events.includes('Normal Killing: Container web failed liveness probe, will be restarted'));
  const cs = buildPodStatus(sim).containerStatuses[0];
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.lastState.terminated.exitCode, 137);
});

test('readiness failure: ready, then unready (Unhealthy) for a while, then ready again; phase stays Running', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const imgs = images();
  imgs.add('web');
  const sim = newPodSim(
    pod({ containers: [{ name: 'web', image: 'web', readinessProbe: { tcpSocket: { port: 80 } } }] }, { 'kubesim.io/unready-after': '10s', 'kubesim.io/unready-for': '5s' }),
    t0,
    'h',
    '10.128.0.5',
    profile,
  );
  const trace: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = step(sim, clock.now(), profile, imgs);
    for (const e of r.events) if (e.reason === 'Unhealthy') trace.push(`${clock.now() - t0} ${e.message}`);
    if (r.changed) {
      const st = buildPodStatus(sim);
      trace.push(`${clock.now() - t0} ${st.phase} ready=${st.containerStatuses[0].ready} Ready=${st.conditions.find((x: any) => x.type === 'Ready').status}`);
    }
    if (r.nextAt === undefined) break;
    clock.t = r.nextAt;
  }
  assert.deepEqual(trace.slice(-4), [
    '200 Running ready=true Ready=True',
    '10200 Readiness probe failed: dial tcp 10.128.0.5:80: connect: connection refused',
    '10200 Running ready=false Ready=False',
    '15200 Running ready=true Ready=True',
  ]);
});

test('image pull errors: ErrImagePull → ImagePullBackOff with a growing back-off, never Running', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const sim = newPodSim(pod({ containers: [{ name: 'c', image: 'nginx:doesnotexist' }] }), t0, 'h', 'i', profile);
  const reasons: string[] = [];
  const events: string[] = [];
  const pulls: number[] = [];
  for (let i = 0; i < 40; i++) {
    const r = step(sim, clock.now(), profile, images());
    for (const e of r.events) {
      events.push(`${e.reason}: ${e.message}`);
      if (e.reason === 'Pulling') pulls.push(e.at - t0);
    }
    const w = buildPodStatus(sim).containerStatuses[0].state.waiting?.reason;
    if (w && reasons[reasons.length - 1] !== w) reasons.push(w);
    if (r.nextAt === undefined || clock.now() - t0 > 20_000) break;
    clock.t = r.nextAt;
  }
  assert.deepEqual(reasons.slice(0, 5), ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'ContainerCreating', 'ErrImagePull']);
  assert.equal(buildPodStatus(sim).phase, 'Pending');
  assert.ok(events.includes('Failed: Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found'), events.join('\n'));
  assert.ok(events.includes('Failed: Error: ErrImagePull'));
  assert.ok(events.includes('BackOff: Back-off pulling image "nginx:doesnotexist"'));
  assert.ok(events.includes('Failed: Error: ImagePullBackOff'));
  // pulls at 0, then after pull (1 s) + ErrImagePull (1 s) + back-off 1 s, 2 s, 4 s (profile base 1 s)
  assert.deepEqual(pulls.slice(0, 4), [0, 3000, 7000, 13000]);
});
