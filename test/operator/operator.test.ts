// The example operator (examples/operator) against `kubesim apiserver` + controller-manager +
// scheduler + one node, all child processes: each path an operator author cares about, and
// @kubernetes/client-node's informer on the custom resource watching it happen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Client, isStatusError } from '../../examples/operator/deps.ts';
import { startOperator, type RunningOperator } from '../../examples/operator/operator.ts';
import { DEPLOYMENTS, WEBSITES, type Website } from '../../examples/operator/website.ts';
import { DEFAULT_IMAGE } from '../../examples/operator/webhooks.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { eventually } from '../helpers/eventually.ts';
import { startCluster, type Cluster } from './harness.ts';

let cluster: Cluster;
let client: Client;
let operator: RunningOperator;
let informer: k8s.Informer<any> & k8s.ObjectCache<any>;
const seen: string[] = [];

const websites = () => client.resource<Website>(WEBSITES).inNamespace('default');
const deployments = () => client.resource<KubeObject>(DEPLOYMENTS).inNamespace('default');
const website = (name: string, spec: Website['spec']): Website => ({ apiVersion: 'example.kubesim.io/v1', kind: 'Website', metadata: { name }, spec });
const getOrUndefined = <T>(p: Promise<T>) => p.catch((e) => (isStatusError(e, 404) ? undefined : Promise.reject(e)));
const ready = (w: Website | undefined, n: number) => w?.status?.readyReplicas === n && w.status.observedGeneration === w.metadata.generation && w.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

before(async () => {
  cluster = await startCluster();
  client = Client.fromKubeconfig(cluster.kubeconfig, { qps: Infinity });
  operator = await startOperator(client, { certDir: join(cluster.dir, 'certs') });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  informer = k8s.makeInformer(kc, '/apis/example.kubesim.io/v1/namespaces/default/websites', () =>
    custom.listNamespacedCustomObject({ group: 'example.kubesim.io', version: 'v1', namespace: 'default', plural: 'websites' }) as any,
  );
  informer.on('add', (o: any) => seen.push(`add:${o.metadata.name}`));
  informer.on('update', (o: any) => seen.push(`update:${o.metadata.name}:${o.spec.replicas}:${o.status?.readyReplicas ?? '-'}`));
  informer.on('delete', (o: any) => seen.push(`delete:${o.metadata.name}`));
  await informer.start();
});

after(async () => {
  await informer?.stop();
  await operator?.stop();
  client?.close();
  await cluster?.close();
});

test('create: the mutating webhook defaults spec.image, the operator creates an owned Deployment and writes status', async () => {
  const created = await websites().create(website('blog', { replicas: 2 }));
  assert.equal(created.spec.image, DEFAULT_IMAGE, 'defaulted by the mutating webhook');
  const d = await eventually(() => getOrUndefined(deployments().get('blog')), 'the Deployment', 10_000);
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.spec.template.spec.containers[0].image, DEFAULT_IMAGE);
  assert.deepEqual(d.metadata.ownerReferences, [{ apiVersion: 'example.kubesim.io/v1', kind: 'Website', name: 'blog', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const w = await eventually(async () => {
    const w = await websites().get('blog');
    return ready(w, 2) ? w : undefined;
  }, 'status readyReplicas 2 and Ready', 30_000);
  assert.equal(w.status!.conditions![0].reason, 'ReplicasReady');
  assert.equal(w.metadata.generation, 1, 'status writes do not bump generation');
  // an image the user sets is kept
  const pinned = await websites().create(website('shop', { image: 'nginx:1.25' }));
  assert.equal(pinned.spec.image, 'nginx:1.25');
  assert.equal(pinned.spec.replicas, 1, 'the CRD schema default');
});

test('edit: a changed spec updates the Deployment and the status follows', async () => {
  const w = await websites().get('blog');
  await websites().update({ ...w, spec: { ...w.spec, replicas: 3, image: 'nginx:1.26' } });
  await eventually(async () => {
    const d = await deployments().get('blog');
    return d.spec.replicas === 3 && d.spec.template.spec.containers[0].image === 'nginx:1.26';
  }, 'the Deployment updated', 10_000);
  const after = await eventually(async () => {
    const w = await websites().get('blog');
    return ready(w, 3) ? w : undefined;
  }, 'status readyReplicas 3', 30_000);
  assert.equal(after.status!.observedGeneration, 2);
});

test('the validating webhook refuses an unpinned image with its message, on create and on update; nothing is written', async () => {
  const denied = 'admission webhook "validate.websites.example.kubesim.io" denied the request: spec.image: Invalid value: "nginx:latest": must be pinned to a tag other than latest or to a digest';
  await assert.rejects(websites().create(website('bad', { image: 'nginx:latest' })), (e: any) => {
    assert.ok(isStatusError(e));
    assert.equal(e.message, denied);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    return true;
  });
  assert.equal(await getOrUndefined(websites().get('bad')), undefined);
  const w = await websites().get('shop');
  await assert.rejects(websites().update({ ...w, spec: { ...w.spec, image: 'nginx' } }), (e: any) => {
    assert.match(e.message, /denied the request: spec.image: Invalid value: "nginx": must be pinned/);
    return true;
  });
  assert.equal((await websites().get('shop')).spec.image, 'nginx:1.25');
});

test('delete: the garbage collector removes the Deployment the Website owned', async () => {
  await eventually(() => getOrUndefined(deployments().get('shop')), 'shop Deployment', 10_000);
  await websites().delete('shop');
  await eventually(async () => (await getOrUndefined(deployments().get('shop'))) === undefined, 'the Deployment collected', 20_000);
  assert.ok(await deployments().get('blog'), 'the other Website keeps its Deployment');
});

test("@kubernetes/client-node's informer on websites saw every change", async () => {
  await eventually(() => seen.includes('delete:shop'), 'the delete event', 10_000);
  assert.ok(seen.includes('add:blog') && seen.includes('add:shop'), seen.join(' '));
  assert.ok(seen.includes('update:blog:2:2'), `status written by the operator: ${seen.join(' ')}`);
  assert.ok(seen.includes('update:blog:3:3'), `the edit and its status: ${seen.join(' ')}`);
  assert.deepEqual(informer.list().map((o: any) => o.metadata.name), ['blog']);
});
