// ownerReferences across built-in and custom resources: the garbage collector finds custom
// resources in discovery, so a ConfigMap owned by a Widget goes with it, and a Widget owned by a
// ConfigMap goes with that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from '../controllers/helpers.ts';
import { req } from '../apiserver/helpers.ts';
import { WIDGETS, establish, widget, widgetCrd } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

test('the garbage collector deletes dependents of custom resources, and custom resources whose owner is gone', async () => {
  const c = await cluster({ controllers: ['garbagecollector'] });
  const base = c.api.url;
  try {
    await establish(base, widgetCrd());
    const owner = (await req(base, 'POST', WIDGETS, widget('owner'))).body;
    const ref = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'owner', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
    const cm = await req(base, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'dependent', ownerReferences: [ref] }, data: {} });
    assert.equal(cm.status, 201);
    const cmOwner = (await req(base, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'cm-owner' }, data: {} })).body;
    const w = await req(base, 'POST', WIDGETS, widget('child', {}, { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm-owner', uid: cmOwner.metadata.uid }] }));
    assert.equal(w.status, 201);
    // give the GC a moment to find the widgets in discovery, then delete both owners
    await new Promise((r) => setTimeout(r, 2500));
    await req(base, 'DELETE', `${WIDGETS}/owner`);
    await req(base, 'DELETE', '/api/v1/namespaces/default/configmaps/cm-owner');
    await eventually(async () => (await req(base, 'GET', '/api/v1/namespaces/default/configmaps/dependent')).status === 404, 'the ConfigMap owned by a Widget is collected', 10_000);
    await eventually(async () => (await req(base, 'GET', `${WIDGETS}/child`)).status === 404, 'the Widget owned by a ConfigMap is collected', 10_000);
  } finally {
    await c.close();
  }
});

test('deleting a namespace deletes the custom resources in it', async () => {
  const c = await cluster({ controllers: ['namespace'] });
  const base = c.api.url;
  try {
    await establish(base, widgetCrd());
    await req(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
    const r = await req(base, 'POST', '/apis/example.com/v1/namespaces/team/widgets', widget('w'));
    assert.equal(r.status, 201, r.text);
    await req(base, 'DELETE', '/api/v1/namespaces/team');
    await eventually(async () => (await req(base, 'GET', '/api/v1/namespaces/team')).status === 404, 'namespace gone', 10_000);
    assert.equal((await req(base, 'GET', '/apis/example.com/v1/namespaces/team/widgets/w')).status, 404);
  } finally {
    await c.close();
  }
});

test('the HPA controller finds a custom resource scale target through discovery', async () => {
  const c = await cluster({ controllers: ['horizontalpodautoscaling'] });
  const base = c.api.url;
  try {
    await establish(base, widgetCrd());
    const w = (await req(base, 'POST', WIDGETS, widget('scaled', { replicas: 2 }))).body;
    await req(base, 'PUT', `${WIDGETS}/scaled/status`, { ...w, status: { replicas: 2, selector: 'app=scaled' } });
    const hpa = await req(base, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', {
      metadata: { name: 'scaled' },
      spec: { scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'scaled' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    });
    assert.equal(hpa.status, 201, hpa.text);
    const st = await eventually(async () => {
      const h = (await req(base, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/scaled')).body;
      // a new HPA's status already says currentReplicas 0: wait for a sync (its AbleToScale condition)
      return h.status?.conditions?.some((x: any) => x.type === 'AbleToScale') ? h.status : undefined;
    }, 'the HPA read the scale', 10_000);
    assert.equal(st.currentReplicas, 2);
    assert.ok(!st.conditions.some((x: any) => x.reason === 'FailedGetScale'), JSON.stringify(st.conditions));
  } finally {
    await c.close();
  }
});
