// The step engine's rules for real containers (pure): after Killing, a real container stops when its
// exit is reported (with that code) or is killed at the end of the grace period (137); a probed
// readiness is the runtime's to report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProfile } from '../../src/node/profile.ts';
import { markDeleting, newPodSim, probedReadiness, step, type ExitPlan, type NodeImages, type PodSim } from '../../src/node/lifecycle.ts';

const profile = makeProfile({ pullMs: 0, createMs: 0, startMs: 0, stopMs: 500 });
const imgs: NodeImages = { has: () => true, add: () => {} };

function realSim(container: any = {}, graceSeconds = 10): PodSim {
  const pod = {
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { nodeName: 'node-0', terminationGracePeriodSeconds: graceSeconds, containers: [{ name: 'app', image: 'node', command: ['node', 'x.js'], ...container }] },
  };
  const sim = newPodSim(pod, 0, '10.0.0.2', '10.128.0.2', profile, (_s, c) => {
    c.real = true;
    return undefined;
  });
  step(sim, 0, profile, imgs);
  return sim;
}

test('a real container stops when it reports its exit, else at the end of the grace period', () => {
  const cases: { report?: { at: number; code: number }; stoppedAt: number; code: number }[] = [
    { report: { at: 1300, code: 0 }, stoppedAt: 1300, code: 0 },
    { report: { at: 2000, code: 143 }, stoppedAt: 2000, code: 143 },
    { stoppedAt: 11_000, code: 137 },
  ];
  for (const k of cases) {
    const sim = realSim();
    const c = sim.containers[0];
    assert.equal(c.state, 'Running');
    markDeleting(sim, 1000, 10);
    const r = step(sim, 1000, profile, imgs);
    assert.equal(c.state, 'Stopping');
    const graceAt = 1000 + 10_000;
    assert.equal(r.nextAt, graceAt, 'nothing due before the report but the end of the grace period');
    if (k.report) c.exit = { afterMs: k.report.at - c.startedAt!, code: k.report.code, reported: true } satisfies ExitPlan;
    const due = k.report ? k.report.at : graceAt;
    step(sim, due - 1, profile, imgs);
    assert.equal(c.state, 'Stopping');
    step(sim, due, profile, imgs);
    assert.equal(c.state, 'Terminated', JSON.stringify(k));
    assert.equal(c.finishedAt, k.stoppedAt);
    assert.equal(c.exitCode, k.code);
  }
});

test('a simulated container keeps stopping after stopMs', () => {
  const sim = realSim();
  sim.containers[0].real = false;
  markDeleting(sim, 1000, 10);
  step(sim, 1500, profile, imgs);
  assert.equal(sim.containers[0].state, 'Terminated');
  assert.equal(sim.containers[0].exitCode, 0);
});

test('probed readiness: ready only when reported, every failed attempt an Unhealthy event', () => {
  const sim = realSim({ readinessProbe: { httpGet: { port: 8080 } } });
  const c = sim.containers[0];
  step(sim, 60_000, profile, imgs);
  assert.equal(c.ready, false, 'the ready stage does not apply to a probed real container');
  const steps: [boolean, string | undefined, boolean, number][] = [
    [false, 'refused', false, 1],
    [true, undefined, true, 0],
    [true, 'HTTP probe failed with statuscode: 500', true, 1], // below the failure threshold: still ready
    [false, 'HTTP probe failed with statuscode: 500', false, 1],
  ];
  for (const [ready, message, want, events] of steps) {
    const r = probedReadiness(sim, c, ready, 61_000, message);
    assert.equal(c.ready, want);
    assert.equal(r.events.length, events);
    if (events) assert.equal(r.events[0].message, `Readiness probe failed: ${message}`);
  }
  assert.equal(sim.conditions.Ready.status, 'False');
  const plain = realSim();
  step(plain, 1, profile, imgs);
  assert.equal(plain.containers[0].ready, true, 'without a probe a real container is ready once started');
});
