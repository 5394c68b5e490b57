// podFacts' `loadable` (load.ts): share() answers undefined at once for a pod nothing can set a load
// for (no load annotations of its own, and a controller that is no ReplicaSet or StatefulSet, e.g.
// a Job's pod), the answer the owner walk gives; pods that can have one still get their share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOAD_CPU, podFacts, WorkloadLoad, type LoadInformers } from '../../src/node/load.ts';
import type { KubeObject } from '../../src/api/types.ts';

const T = Date.UTC(2026, 0, 1, 14);
const owner = (kind: string, name: string) => [{ apiVersion: 'x/v1', kind, name, uid: `uid-${name}`, controller: true }];
const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
const pod = (name: string, meta: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta }, status: ready }) as KubeObject;

/** Informers of these objects: listers by namespace/name, the pods and ReplicaSets by controller uid. */
function informers(objs: { pods: KubeObject[]; replicaSets?: KubeObject[] }): LoadInformers {
  const inf = (items: KubeObject[]) => ({
    lister: { get: (ns: string, name: string) => items.find((o) => o.metadata.namespace === ns && o.metadata.name === name) },
    indexer: {
      byIndex: (_: string, uid: string) => items.filter((o) => (o.metadata.ownerReferences as any[] | undefined)?.some((r) => r.controller && r.uid === uid)),
      forEachByIndex(_: string, uid: string, fn: (o: KubeObject) => void) {
        for (const o of this.byIndex(_, uid)) fn(o);
      },
    },
  });
  return { pods: inf(objs.pods), replicaSets: inf(objs.replicaSets ?? []), deployments: inf([]), statefulSets: inf([]) } as unknown as LoadInformers;
}

test('podFacts: loadable by its own load annotations or a ReplicaSet or StatefulSet controller; a Job\'s pod without annotations is not', () => {
  assert.equal(podFacts(pod('job-a', { ownerReferences: owner('Job', 'a') })).loadable, false);
  assert.equal(podFacts(pod('bare', { annotations: null })).loadable, false, 'null annotations read as none');
  assert.equal(podFacts(pod('job-b', { ownerReferences: owner('Job', 'b'), annotations: { [LOAD_CPU]: '2' } })).loadable, true);
  assert.equal(podFacts(pod('rs-c', { ownerReferences: owner('ReplicaSet', 'c') })).loadable, true);
  assert.equal(podFacts(pod('sts-d', { ownerReferences: owner('StatefulSet', 'd') })).loadable, true);
});

test('share: undefined for an unloadable pod; its own annotations and a ReplicaSet\'s load still spread', () => {
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-web', annotations: { [LOAD_CPU]: '3' } } } as KubeObject;
  const web = [0, 1, 2].map((i) => pod(`web-${i}`, { ownerReferences: owner('ReplicaSet', 'web') }));
  const job = pod('job-a', { ownerReferences: owner('Job', 'a') });
  const own = pod('job-b', { ownerReferences: owner('Job', 'b'), annotations: { [LOAD_CPU]: '2' } });
  const load = new WorkloadLoad();
  load.attach(informers({ pods: [...web, job, own], replicaSets: [rs] }));
  assert.equal(load.share(job, T), undefined);
  assert.deepEqual(load.share(own, T), { milliCpu: 2000, memory: undefined });
  for (const p of web) assert.deepEqual(load.share(p, T), { milliCpu: 1000, memory: undefined });
});
