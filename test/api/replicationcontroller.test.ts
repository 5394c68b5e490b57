// ReplicationController (core/v1): defaults, validation and table as kube-apiserver has them, and
// served over HTTP (create, list, scale subresource, discovery).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { formatFieldError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { startApiServer } from '../../src/apiserver/index.ts';

const rcs = registry.byResource('', 'v1', 'replicationcontrollers')!;
const now = new Date('2026-01-01T00:10:00Z');

const rcOf = (spec: any, labels?: Record<string, string>): any => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', ...(labels ? { labels } : {}) },
  spec,
});
const template = (labels: Record<string, string> | undefined, extra: any = {}) => ({
  metadata: labels ? { labels } : {},
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }], ...extra },
});

function create(o: any): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(o);
  rcs.defaults(obj);
  rcs.strategy.prepareForCreate?.(obj);
  return { obj, errors: rcs.validate(obj).map(formatFieldError) };
}

test('registry entry: core/v1 replicationcontrollers, rc, all, namespaced, status + scale', () => {
  assert.equal(rcs.kind, 'ReplicationController');
  assert.equal(rcs.group, '');
  assert.deepEqual(rcs.shortNames, ['rc']);
  assert.deepEqual(rcs.categories, ['all']);
  assert.equal(rcs.namespaced, true);
  assert.equal(rcs.subresources.status, true);
  assert.equal(rcs.subresources.scale?.specReplicasPath, 'spec.replicas');
  assert.equal(rcs.subresources.scale?.statusReplicasPath, 'status.replicas');
});

test('defaults: replicas 1, selector and object labels from the template labels', () => {
  const { obj, errors } = create(rcOf({ template: template({ app: 'web' }) }));
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(obj.spec.selector, { app: 'web' });
  assert.deepEqual(obj.metadata.labels, { app: 'web' });
  assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
  // given selector and labels are kept
  const kept = create(rcOf({ replicas: 3, selector: { app: 'web' }, template: template({ app: 'web', tier: 'fe' }) }, { owner: 'me' })).obj;
  assert.equal(kept.spec.replicas, 3);
  assert.deepEqual(kept.spec.selector, { app: 'web' });
  assert.deepEqual(kept.metadata.labels, { owner: 'me' });
  // status is reset on create (to replicas 0, which Kubernetes always serialises: issue 11)
  assert.equal(create({ ...rcOf({ template: template({ a: 'b' }) }), status: { replicas: 9 } }).obj.status?.replicas, 0);
});

test('validation: selector must match the template labels, must not be empty, restartPolicy Always', () => {
  assert.deepEqual(create(rcOf({ selector: { app: 'other' }, template: template({ app: 'web' }) })).errors, [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(create(rcOf({ template: template(undefined) })).errors, ['spec.selector: Required value']);
  assert.deepEqual(create(rcOf({ selector: { app: 'web' } })).errors, ['spec.template: Required value']);
  assert.deepEqual(create(rcOf({ replicas: -1, template: template({ app: 'web' }) })).errors, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const never = create(rcOf({ template: template({ app: 'web' }, { restartPolicy: 'Never' }) })).errors;
  assert.equal(never.length, 1);
  assert.match(never[0], /^spec\.template\.spec\.restartPolicy: Unsupported value: "Never"/);
  assert.deepEqual(create(rcOf({ selector: { 'bad key!': 'x' }, template: template({ app: 'web' }) })).errors.length > 0, true);
});

test('selector may change on update (unlike apps/v1)', () => {
  const old = create(rcOf({ template: template({ app: 'web', v: '1' }) })).obj;
  const next: any = structuredClone(old);
  next.spec.selector = { app: 'web', v: '1' };
  rcs.defaults(next);
  rcs.strategy.prepareForUpdate?.(next, old);
  assert.deepEqual([...rcs.validate(next, old), ...(rcs.strategy.validateUpdate?.(next, old) ?? [])], []);
});

test('table: NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR wide)', () => {
  const names = rcs.table.columns.map((c) => (c.priority ? `(${c.name})` : c.name));
  assert.deepEqual(names, ['Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']);
  const o = { ...create(rcOf({ replicas: 3, template: template({ app: 'web', tier: 'fe' }) })).obj, status: { replicas: 2, readyReplicas: 1 } };
  assert.deepEqual(rcs.table.cells(o as KubeObject, now), [3, 2, 1, '10m', 'nginx', 'nginx:1.25', 'app=web,tier=fe']);
});

test('HTTP: create, list, scale subresource, discovery', async () => {
  const srv = await startApiServer({ port: 0 });
  const json = (r: Response): Promise<any> => r.json();
  try {
    const base = `${srv.url}/api/v1/namespaces/default/replicationcontrollers`;
    const send = (method: string, url: string, body?: unknown, ct = 'application/json') =>
      fetch(url, { method, headers: body ? { 'Content-Type': ct } : {}, body: body ? JSON.stringify(body) : undefined });

    const created = await send('POST', base, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web' }, spec: { replicas: 2, template: template({ app: 'web' }) } });
    assert.equal(created.status, 201);
    const rc = await json(created);
    assert.deepEqual(rc.spec.selector, { app: 'web' });
    assert.deepEqual(rc.metadata.labels, { app: 'web' });

    const bad = await send('POST', base, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'bad' }, spec: { selector: { app: 'x' }, template: template({ app: 'web' }) } });
    assert.equal(bad.status, 422);
    const st = await json(bad);
    assert.equal(st.kind, 'Status');
    assert.equal(st.reason, 'Invalid');
    assert.equal((await send('GET', `${base}/bad`)).status, 404);

    const list = await json(await send('GET', base));
    assert.equal(list.kind, 'ReplicationControllerList');
    assert.deepEqual(list.items.map((i: any) => i.metadata.name), ['web']);
    const all = await json(await send('GET', `${srv.url}/api/v1/replicationcontrollers`));
    assert.equal(all.items.length, 1);

    const scale = await json(await send('GET', `${base}/web/scale`));
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 2);
    assert.equal(scale.status.selector, 'app=web', 'a plain label-map selector becomes the Scale selector string');
    const patched = await send('PATCH', `${base}/web/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    assert.equal(patched.status, 200);
    assert.equal((await json(patched)).spec.replicas, 5);
    assert.equal((await json(await send('GET', `${base}/web`))).spec.replicas, 5);

    const status = await send('PUT', `${base}/web/status`, { ...(await json(await send('GET', `${base}/web`))), status: { replicas: 4 } });
    assert.equal(status.status, 200);
    assert.equal((await json(await send('GET', `${base}/web/scale`))).status.replicas, 4);

    const disc = await json(await send('GET', `${srv.url}/api/v1`));
    const r = disc.resources.find((x: any) => x.name === 'replicationcontrollers');
    assert.ok(r, 'replicationcontrollers in /api/v1 discovery');
    assert.equal(r.kind, 'ReplicationController');
    assert.equal(r.namespaced, true);
    assert.deepEqual(r.shortNames, ['rc']);
    assert.deepEqual(r.categories, ['all']);
    assert.ok(disc.resources.some((x: any) => x.name === 'replicationcontrollers/scale'));
    assert.ok(disc.resources.some((x: any) => x.name === 'replicationcontrollers/status'));
  } finally {
    await srv.close();
  }
});
