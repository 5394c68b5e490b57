// ServiceAccount controller: the plan (namespaces + existing SAs → SAs to create) and, against a
// real API server, `default` appears in a new namespace and comes back after deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountsToCreate } from '../../src/controllers/serviceaccount/plan.ts';
import { SERVICEACCOUNTS } from '../../src/controllers/serviceaccount/controller.ts';
import { selectControllers } from '../../src/controllers/index.ts';
import { cluster, NAMESPACES } from './helpers.ts';
import { isStatusError } from '../../src/api/errors.ts';
import { eventually } from '../helpers/eventually.ts';

const ns = (name: string, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(extra.metadata ?? {}) }, status: extra.status ?? { phase: 'Active' } });
const sa = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
const names = (l: any[]) => l.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

test('plan: default SA for each Active namespace that lacks one', () => {
  const namespaces = [ns('a'), ns('b'), ns('c', { status: { phase: 'Terminating' } }), ns('d', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), ns('e', { status: {} })];
  const existing = [sa('b', 'default'), sa('a', 'builder')];
  const plan = serviceAccountsToCreate(namespaces, existing);
  assert.deepEqual(names(plan), ['a/default', 'e/default']);
  assert.deepEqual(plan[0], { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'a' } });
  assert.deepEqual(serviceAccountsToCreate(namespaces, [...existing, sa('a', 'default'), sa('e', 'default')]), []);
  assert.deepEqual(serviceAccountsToCreate([], existing), []);
});

test('serviceaccount runs by default in the controller-manager', () => {
  assert.ok(selectControllers(undefined).includes('serviceaccount'));
  assert.ok(!selectControllers(['*', '-serviceaccount']).includes('serviceaccount'));
});

test('a new namespace gets the default ServiceAccount; deleting it brings it back', async () => {
  const c = await cluster({ controllers: ['serviceaccount'] });
  try {
    const sas = c.client.resource(SERVICEACCOUNTS);
    const getDefault = (namespace: string) => sas.get('default', { namespace }).catch((e) => (isStatusError(e, 404) ? undefined : Promise.reject(e)));
    // namespaces that existed before the controller started
    await eventually(() => getDefault('default'), 'default/default ServiceAccount');
    await eventually(() => getDefault('kube-system'), 'kube-system/default ServiceAccount');

    await c.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const first = await eventually(() => getDefault('team-a'), 'team-a/default ServiceAccount');

    await sas.delete('default', { namespace: 'team-a' });
    const again = await eventually(async () => {
      const s = await getDefault('team-a');
      return s && s.metadata.uid !== first.metadata.uid ? s : undefined;
    }, 'team-a/default recreated');
    assert.equal(again.metadata.name, 'default');
    // exactly one ServiceAccount in the namespace (no duplicates, no token secrets)
    assert.deepEqual((await sas.list({ namespace: 'team-a' })).items.map((s) => s.metadata.name), ['default']);
    assert.deepEqual((await c.client.resource({ group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' }).list({ namespace: 'team-a' })).items, []);
  } finally {
    await c.close();
  }
});
