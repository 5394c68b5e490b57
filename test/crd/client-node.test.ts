// @kubernetes/client-node against custom resources: ApiextensionsV1Api creates the CRD,
// CustomObjectsApi reads, changes and writes back (main resource and status), and its informer
// sees the changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';

import { widget, widgetCrd } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

test('@kubernetes/client-node: CRD, CustomObjectsApi round-trip, status, informer', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const srv = await startApiServer({ dataDir });
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(srv.kubeconfigPath!);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    // the typed model names `default` `_default`, so the manifest goes in as JSON, as kubectl would send it
    const created = await fetch(`${srv.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(widgetCrd()) });
    assert.equal(created.status, 201);
    await eventually(async () => {
      const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, 'Established', 5000);
    const typed = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    assert.equal(typed.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec.properties?.color._default, 'red');

    const seen: string[] = [];
    const informer = k8s.makeInformer(kc, '/apis/example.com/v1/namespaces/default/widgets', () => custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' }) as any);
    informer.on('add', (o: any) => seen.push(`add:${o.metadata.name}:${o.spec.replicas}`));
    informer.on('update', (o: any) => seen.push(`update:${o.metadata.name}:${o.spec.replicas}`));
    informer.on('delete', (o: any) => seen.push(`delete:${o.metadata.name}`));
    await informer.start();

    const at = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
    await custom.createNamespacedCustomObject({ ...at, body: widget('c1', { replicas: 2 }) });
    const read: any = await custom.getNamespacedCustomObject({ ...at, name: 'c1' });
    assert.deepEqual(read.spec, { replicas: 2, color: 'red' });
    read.spec.replicas = 3;
    const written: any = await custom.replaceNamespacedCustomObject({ ...at, name: 'c1', body: read });
    assert.deepEqual([written.spec.replicas, written.metadata.generation], [3, 2]);
    const status: any = await custom.replaceNamespacedCustomObjectStatus({ ...at, name: 'c1', body: { ...written, status: { replicas: 3 } } });
    assert.equal(status.status.replicas, 3);
    const patched: any = await custom.patchNamespacedCustomObject({ ...at, name: 'c1', body: { spec: { color: 'blue' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.equal(patched.spec.color, 'blue');
    await assert.rejects(custom.createNamespacedCustomObject({ ...at, body: widget('c2', { color: 'green' }) }), (e: any) => e.code === 422);
    await custom.deleteNamespacedCustomObject({ ...at, name: 'c1' });
    await eventually(() => seen.includes('delete:c1'), 'informer events', 5000);
    assert.deepEqual(seen.slice(0, 2), ['add:c1:2', 'update:c1:3']);
    await informer.stop();
  } finally {
    await srv.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
