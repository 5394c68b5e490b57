// Pod startup from watch observations, and scheduling throughput from PodScheduled times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { creationTime, observePod, schedulingThroughput, startupSamples, type PodTimes } from '../../src/load/startup.ts';

const T = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pending = { metadata: { creationTimestamp: iso(T) }, spec: { containers: [{}, {}] }, status: { phase: 'Pending' } };
const bound = { ...pending, spec: { ...pending.spec, nodeName: 'n1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(T) }] } };
const oneRunning = { ...bound, status: { ...bound.status, phase: 'Running', containerStatuses: [{ state: { running: {} }, started: true }, { state: { waiting: {} }, started: false }] } };
const allRunning = { ...bound, status: { ...bound.status, phase: 'Running', containerStatuses: [{ state: { running: {} }, started: true }, { state: { running: {} }, started: true }] } };
const ready = { ...allRunning, status: { ...allRunning.status, conditions: [...bound.status.conditions, { type: 'Ready', status: 'True' }] } };

test('observePod: the first sighting of each stage wins', () => {
  let t: PodTimes | undefined;
  t = observePod(t, pending, T + 100);
  t = observePod(t, bound, T + 150);
  t = observePod(t, oneRunning, T + 300);
  assert.equal(t.runningMs, undefined, 'every container must be running');
  t = observePod(t, allRunning, T + 400);
  t = observePod(t, ready, T + 450);
  t = observePod(t, ready, T + 9000);
  assert.deepEqual(t, { createdMs: T, firstSeenMs: T + 100, scheduledMs: T + 150, scheduledConditionMs: T, runningMs: T + 400, readyMs: T + 450 });
  assert.deepEqual(startupSamples([t]), { createdToScheduled: [50], scheduledToRunning: [250], createdToRunning: [300], createdToReady: [350] });
});

test('creationTime: the watch sighting within the timestamp second is the closer bound', () => {
  assert.equal(creationTime({ createdMs: T, firstSeenMs: T + 700 }), T + 700);
  assert.equal(creationTime({ createdMs: T, firstSeenMs: T + 1500 }), T, 'seen late (a relist): the timestamp');
  assert.equal(creationTime({ createdMs: T, firstSeenMs: T - 5 }), T, 'clock skew: the timestamp');
});

test('startupSamples leaves out the stages a pod did not reach', () => {
  assert.deepEqual(startupSamples([{ createdMs: T, firstSeenMs: T + 10 }]), { createdToScheduled: [], scheduledToRunning: [], createdToRunning: [], createdToReady: [] });
});

test('schedulingThroughput over whole-second condition times', () => {
  assert.deepEqual(schedulingThroughput([]), { pods: 0, seconds: 0, podsPerSecond: 0, maxPerSecond: 0 });
  assert.deepEqual(schedulingThroughput([T, T, T]), { pods: 3, seconds: 1, podsPerSecond: 3, maxPerSecond: 3 });
  assert.deepEqual(schedulingThroughput([T, T + 1000, T + 1000, T + 3000]), { pods: 4, seconds: 4, podsPerSecond: 1, maxPerSecond: 2 });
});
