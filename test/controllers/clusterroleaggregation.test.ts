// ClusterRole aggregation: the union of the matched roles' rules, in selector then name order,
// without duplicates or the role itself; through the controller: the bootstrap admin/edit/view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { aggregatedRules, aggregationUpdate } from '../../src/controllers/clusterroleaggregation/plan.ts';
import { startApiServer } from '../../src/apiserver/index.ts';
import { startControllerManager } from '../../src/controllers/index.ts';
import { Client } from '../../src/client/index.ts';
import pino from 'pino';
import { eventually } from '../helpers/eventually.ts';

const cr = (name: string, labels: Record<string, string>, rules: unknown[], sel?: Record<string, string>[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(sel ? { aggregationRule: { clusterRoleSelectors: sel.map((matchLabels) => ({ matchLabels })) } } : {}),
});

test('aggregatedRules: union in selector then name order, no duplicates, not itself', () => {
  const r1 = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const r2 = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
  const r3 = { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] };
  const agg = cr('agg', { a: 'x' }, [], [{ a: 'x' }, { b: 'y' }]);
  const all = [agg, cr('z', { a: 'x' }, [r2, r1]), cr('m', { a: 'x' }, [r1]), cr('b', { b: 'y' }, [r3, r1]), cr('other', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])];
  assert.deepEqual(aggregatedRules(agg, all), [r1, r2, r3]);
  assert.equal(aggregatedRules(cr('plain', {}, []), all), undefined);
  assert.equal(aggregationUpdate({ ...agg, rules: [r1, r2, r3] }, all), undefined, 'nothing to write');
  assert.deepEqual(aggregationUpdate(agg, all)?.rules, [r1, r2, r3]);
});

test('the controller fills the bootstrap admin/edit/view roles and follows label changes', async () => {
  const srv = await startApiServer({ authorizationModes: ['RBAC'], logger: pino({ level: 'silent' }) });
  const client = new Client({ server: srv.url, qps: Infinity });
  const cm = await startControllerManager({ client, controllers: ['clusterrole-aggregation'], leaderElect: false });
  try {
    const roles = client.resource({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false, kind: 'ClusterRole' });
    const has = async (role: string, resource: string) => (((await roles.get(role)).rules as any[]) ?? []).some((r: any) => r.resources?.includes(resource));
    await eventually(async () => (await has('view', 'pods')) && (await has('edit', 'secrets')) && (await has('admin', 'rolebindings')) && (await has('admin', 'pods')), 'admin/edit/view aggregated');
    assert.equal(await has('view', 'secrets'), false, 'view does not read secrets');
    await roles.create(cr('widgets-view', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }]));
    await eventually(async () => (await has('view', 'widgets')) && (await has('admin', 'widgets')), 'a new labelled role aggregated into view, edit and admin');
  } finally {
    await cm.stop();
    client.close();
    await srv.close();
  }
});
