// Leader safety on hand-written Lease histories (table-driven): clean handovers after expiry and
// releases pass; a takeover before the old term ran out (two leaders) is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLeaderSafety, type LeaseRecord } from '../../src/chaos/leader.ts';
import { deploymentConverged } from '../../src/chaos/workload.ts';
import { withServer } from '../../src/chaos/processes.ts';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString().replace('Z', '000Z');
let rv = 0;
const rec = (holder: string, acquire: number, renew: number, duration = 4, lease = 'kube-system/kube-scheduler'): LeaseRecord => ({ lease, resourceVersion: String(++rv), holder, acquireTime: T(acquire), renewTime: T(renew), leaseDurationSeconds: duration });

const cases: { name: string; records: () => LeaseRecord[]; violations: number; transitions: number }[] = [
  { name: 'one holder renewing', records: () => [rec('a', 0, 0), rec('a', 0, 1), rec('a', 0, 2)], violations: 0, transitions: 0 },
  { name: 'a takeover after the old term expired', records: () => [rec('a', 0, 0), rec('a', 0, 2), rec('b', 6, 6)], violations: 0, transitions: 1 },
  { name: 'a takeover exactly at expiry', records: () => [rec('a', 0, 2), rec('b', 6, 6)], violations: 0, transitions: 1 },
  { name: 'a release, then an immediate takeover', records: () => [rec('a', 0, 2), rec('', 2.1, 2.1, 1), rec('b', 2.2, 2.2)], violations: 0, transitions: 0 },
  { name: 'two leaders: b takes over 1 s before a expires', records: () => [rec('a', 0, 2), rec('b', 5, 5)], violations: 1, transitions: 1 },
  { name: 'two leaders back and forth', records: () => [rec('a', 0, 0), rec('b', 1, 1), rec('a', 2, 2)], violations: 2, transitions: 2 },
  { name: 'leases are judged apart', records: () => [rec('a', 0, 2), rec('b', 3, 3, 4, 'kube-system/kube-controller-manager')], violations: 0, transitions: 0 },
  {
    name: 'duplicated and out-of-order versions (several watchers) are sorted by resourceVersion',
    records: () => {
      const r = [rec('a', 0, 2), rec('b', 6, 6)];
      return [r[1], r[0], r[1]];
    },
    violations: 0,
    transitions: 1,
  },
];
for (const c of cases) {
  test(`checkLeaderSafety: ${c.name}`, () => {
    const r = checkLeaderSafety(c.records());
    assert.equal(r.violations.length, c.violations, JSON.stringify(r.violations));
    assert.equal(r.transitions, c.transitions);
  });
}

test('checkLeaderSafety: a violation names both holders and the overlap', () => {
  const r = checkLeaderSafety([rec('sched-a', 0, 2), rec('sched-b', 5, 5)]);
  assert.equal(r.violations[0].previous, 'sched-a');
  assert.equal(r.violations[0].next, 'sched-b');
  assert.equal(r.violations[0].overlapMs, 1000);
  assert.match(r.violations[0].detail, /sched-b acquired at .* while sched-a's lease ran until/);
  assert.equal(checkLeaderSafety([rec('sched-a', 0, 2), rec('sched-b', 5, 5)], 1000).violations.length, 0, 'within the tolerance');
});

test('deploymentConverged: all replicas updated, ready and available, generation observed', () => {
  const d = (status: Record<string, number>, generation = 2) => ({ metadata: { name: 'd', generation }, spec: { replicas: 3 }, status });
  const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
  assert.equal(deploymentConverged(d(done)), true);
  assert.equal(deploymentConverged(d({ ...done, observedGeneration: 1 })), false, 'the controller has not seen the rollout');
  assert.equal(deploymentConverged(d({ ...done, replicas: 4 })), false, 'an old pod is left');
  assert.equal(deploymentConverged(d({ ...done, updatedReplicas: 2 })), false);
  assert.equal(deploymentConverged(d({ ...done, readyReplicas: 2 })), false);
  assert.equal(deploymentConverged(d({ ...done, availableReplicas: 2 })), false);
});

test('withServer moves every cluster to the proxy, keeping the scheme and the credentials', () => {
  const kc = 'apiVersion: v1\nkind: Config\nclusters:\n  - name: kubesim\n    cluster:\n      server: https://127.0.0.1:6443\n      certificate-authority-data: QUJD\nusers:\n  - name: admin\n    user:\n      token: t\n';
  const out = withServer(kc, '127.0.0.1', 7000);
  assert.match(out, /server: https:\/\/127\.0\.0\.1:7000\n/);
  assert.match(out, /certificate-authority-data: QUJD/);
  assert.match(out, /token: t/);
});
