// The example operator's pure decisions: webhook defaulting and validation, the Deployment it wants,
// when it updates one, and the status it writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_IMAGE, defaults, validate } from '../../examples/operator/webhooks.ts';
import { desiredDeployment, desiredStatus, updatedDeployment, type Website } from '../../examples/operator/website.ts';

const ws = (spec: Website['spec'], extra: Partial<Website> = {}): Website => ({ metadata: { name: 'blog', namespace: 'default', uid: 'u1', generation: 1 }, spec, ...extra });

test('validate: images must be pinned to a tag other than latest, or to a digest', () => {
  const cases: [string | undefined, boolean][] = [
    ['nginx:1.27', true],
    ['registry.local:5000/team/web:v2', true],
    ['nginx@sha256:abc', true],
    ['nginx', false],
    ['nginx:latest', false],
    ['registry.local:5000/web', false],
    [undefined, false],
  ];
  for (const [image, ok] of cases) {
    const why = validate(ws({ image }));
    assert.equal(why === undefined, ok, `${image}: ${why}`);
    if (!ok) assert.equal(why, `spec.image: Invalid value: "${image ?? ''}": must be pinned to a tag other than latest or to a digest`);
  }
});

test('defaults: spec.image only when absent', () => {
  assert.deepEqual(defaults(ws({ replicas: 2 })), [{ op: 'add', path: '/spec/image', value: DEFAULT_IMAGE }]);
  assert.deepEqual(defaults(ws({ image: 'x:1' })), []);
  assert.deepEqual(defaults({ metadata: { name: 'n' } } as Website), [{ op: 'add', path: '/spec', value: { image: DEFAULT_IMAGE } }]);
});

test('desiredDeployment / updatedDeployment', () => {
  const d = desiredDeployment(ws({ replicas: 3, image: 'a:1' }));
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'blog' } });
  assert.equal(d.metadata.ownerReferences![0].uid, 'u1');
  assert.equal(updatedDeployment(d, ws({ replicas: 3, image: 'a:1' })), undefined, 'nothing to change');
  const cases: Website['spec'][] = [{ replicas: 4, image: 'a:1' }, { replicas: 3, image: 'a:2' }];
  for (const spec of cases) {
    const next = updatedDeployment({ ...d, metadata: { ...d.metadata, resourceVersion: '7' } }, ws(spec))!;
    assert.equal(next.spec.replicas, spec.replicas);
    assert.equal(next.spec.template.spec.containers[0].image, spec.image);
    assert.equal(next.metadata.resourceVersion, '7', 'updates carry the resourceVersion read');
  }
});

test('desiredStatus: Ready when the rolled-out Deployment has every replica ready; unchanged status is not rewritten', () => {
  const w = ws({ replicas: 2, image: 'a:1' });
  const dep = (readyReplicas: number, image = 'a:1', observed = 1, replicas = 2) => ({ ...desiredDeployment(ws({ replicas: 2, image })), metadata: { name: 'blog', generation: 1 }, status: { observedGeneration: observed, readyReplicas, updatedReplicas: 2, replicas } });
  const now = new Date('2026-01-01T00:00:00.123Z');
  const cases: [string, any, string, string][] = [
    ['missing', undefined, 'False', 'DeploymentMissing'],
    ['1 of 2', dep(1), 'False', 'ReplicasNotReady'],
    ['old image', dep(2, 'a:0'), 'False', 'ReplicasNotReady'],
    ['not observed', dep(2, 'a:1', 0), 'False', 'ReplicasNotReady'],
    ['old pods left', dep(2, 'a:1', 1, 3), 'False', 'ReplicasNotReady'],
    ['ready', dep(2), 'True', 'ReplicasReady'],
  ];
  for (const [what, d, status, reason] of cases) {
    const s = desiredStatus(w, d, now)!;
    assert.equal(s.conditions![0].status, status, what);
    assert.equal(s.conditions![0].reason, reason, what);
    assert.equal(s.conditions![0].lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(s.observedGeneration, 1);
    assert.equal(desiredStatus({ ...w, status: s }, d, new Date()), undefined, `${what}: written once`);
  }
});
