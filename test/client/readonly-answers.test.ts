// Read-only answers (RequestOptions.readonly; src/client/lean.ts answers with jsonCopyFrozen): in process the answer is the
// server's own deep-frozen value (only a list's fresh wrapper copied, frozen too), equal to the JSON
// answer, key order included; without the option it is a copy the caller may change; over HTTP the
// option changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCopyFrozen } from '../../src/api/core/jsoncopy.ts';
import { twoWires } from '../helpers/two-wires.ts';

const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };
const HPA1 = { group: 'autoscaling', version: 'v1', plural: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' };

const roundTrip = (v: unknown) => {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : JSON.parse(text);
};

function deepFrozen(v: unknown, path = '$'): void {
  if (typeof v !== 'object' || v === null) return;
  assert.ok(Object.isFrozen(v), `${path} is frozen`);
  for (const [k, m] of Object.entries(v)) deepFrozen(m, `${path}.${k}`);
}

function deepMutable(v: unknown, path = '$'): void {
  if (typeof v !== 'object' || v === null) return;
  assert.ok(!Object.isFrozen(v), `${path} is not frozen`);
  for (const [k, m] of Object.entries(v)) deepMutable(m, `${path}.${k}`);
}

/** Equal as values and as text (key order). */
function sameAnswer(a: unknown, b: unknown, what: string): void {
  assert.deepStrictEqual(a, b, what);
  assert.equal(JSON.stringify(a), JSON.stringify(b), `${what}: key order`);
}

const freezeDeep = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null) {
    for (const m of Object.values(v)) freezeDeep(m);
    Object.freeze(v);
  }
  return v;
};

test('jsonCopyFrozen gives what JSON.parse of the JSON gives, deep-frozen, sharing the frozen parts', () => {
  const stored = freezeDeep({ metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v' } });
  const fresh = { kind: 'ConfigMapList', metadata: { resourceVersion: '7', continue: undefined }, items: [stored, stored] };
  const cases: [string, unknown][] = [
    ['a list around frozen items', fresh],
    ['a frozen object', stored],
    ['undefined, function and symbol members dropped', { a: undefined, f() {}, s: Symbol('x'), k: 1 }],
    ['in arrays they are null, as are holes', [undefined, () => 1, Symbol('y'), , 4]], // eslint-disable-line no-sparse-arrays
    ['non-finite numbers and -0', { n: NaN, i: Infinity, z: -0 }],
    ['toJSON (a Date) honoured', { when: new Date(Date.UTC(2026, 0, 2)) }],
    ['a "__proto__" member stays a member', JSON.parse('{"__proto__":{"p":true},"b":[1]}')],
    ['integer-like keys first', { b: 1, 2: 'two', a: 3, 1: 'one' }],
    ['top-level primitives', 'text'],
    ['top-level null', null],
  ];
  for (const [name, v] of cases) {
    const out = jsonCopyFrozen(v);
    assert.deepStrictEqual(out, roundTrip(v), name);
    assert.equal(JSON.stringify(out), JSON.stringify(v), `${name}: same text`);
    deepFrozen(out, name);
  }
  assert.equal(jsonCopyFrozen(stored), stored, 'a frozen object is handed over as it is');
  const list = jsonCopyFrozen(fresh) as typeof fresh;
  assert.notEqual(list, fresh, 'the fresh wrapper is copied');
  assert.notEqual(list.items, fresh.items);
  assert.equal(list.items[0], stored, 'the frozen items are shared');
  assert.ok(!Object.isFrozen(fresh) && !Object.isFrozen(fresh.items), 'what the server made is left as it is');
  assert.ok(Object.hasOwn(jsonCopyFrozen(JSON.parse('{"__proto__":{"p":true}}')) as object, '__proto__'));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => jsonCopyFrozen(cyclic), TypeError);
  assert.throws(() => jsonCopyFrozen({ n: 1n }), TypeError);
});

test('in-process read-only answers are the stored objects, deep-frozen, equal to the JSON answers; over HTTP nothing changes', async () => {
  const w = await twoWires();
  try {
    const lean = w.lean.resource(CM).inNamespace('default');
    const http = w.http.resource(CM).inNamespace('default');
    const RO = { readonly: true } as const;
    const created: any = await lean.create({ metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v' } } as any, RO);
    deepFrozen(created, 'create');
    sameAnswer(created, await http.get('a'), 'create');
    assert.throws(() => (created.data.k = 'changed'), TypeError, 'a change throws');
    const one: any = await lean.get('a', RO);
    deepFrozen(one, 'get');
    sameAnswer(one, await http.get('a'), 'get');
    assert.equal(await lean.get('a', RO), one, 'no copy: the same stored object again');
    const updated: any = await lean.update({ ...one, data: { k: 'w' } }, RO);
    deepFrozen(updated, 'update');
    sameAnswer(updated, await http.get('a'), 'update');
    assert.equal(one.data.k, 'v', 'the earlier answer is the earlier revision, unchanged');
    const patched: any = await lean.patch('a', { data: { p: '1' } }, RO);
    deepFrozen(patched, 'patch');
    sameAnswer(patched, await http.get('a'), 'patch');
    await lean.create({ metadata: { name: 'b' }, data: { k: 'b' } } as any);
    for (const opts of [{}, { limit: 1 }, { labelSelector: 'x=1' }]) {
      const list: any = await lean.list({ ...opts, ...RO });
      deepFrozen(list, `list ${JSON.stringify(opts)}`);
      sameAnswer(list, await http.list(opts), `list ${JSON.stringify(opts)}`);
    }
    // a status write, and a kind converted on the way out (autoscaling/v1 HPAs are stored as v2)
    const labels = { app: 'web' };
    const dl = w.lean.resource(DEPLOY).inNamespace('default');
    const d: any = await dl.create({ metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as any);
    const st: any = await dl.updateStatus({ ...d, status: { replicas: 2, observedGeneration: 1 } }, RO);
    deepFrozen(st, 'status update');
    sameAnswer(st, await w.http.resource(DEPLOY).get('web', { namespace: 'default' }), 'status update');
    await w.lean.resource(HPA1).create({ metadata: { name: 'h', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } } as any);
    const hpas: any = await w.lean.resource(HPA1).list(RO);
    deepFrozen(hpas, 'converted list');
    sameAnswer(hpas, await w.http.resource(HPA1).list(), 'converted list');
    const hpa: any = await w.lean.resource(HPA1).get('h', { namespace: 'default', readonly: true });
    sameAnswer(hpa, await w.http.resource(HPA1).get('h', { namespace: 'default' }), 'converted get');

    // a delete answering the object (kept by a finalizer), and one answering a Status (text: a copy)
    await lean.create({ metadata: { name: 'kept', finalizers: ['example.com/keep'] }, data: { k: 'v' } } as any);
    const deleting: any = await lean.delete('kept', RO);
    deepFrozen(deleting, 'delete answering the object');
    assert.ok(deleting.metadata.deletionTimestamp);
    sameAnswer(deleting, await http.get('kept'), 'delete answering the object');
    deepMutable(await lean.delete('b', RO), 'delete answering a Status');

    // an answer that is no stored object (the scale subresource) is a copy still
    const scale: any = await dl.getSubresource('web', 'scale', RO);
    deepMutable(scale, 'scale');

    // without the option: a copy the caller may change, a new one each time
    const mine: any = await lean.get('a');
    deepMutable(mine, 'get without readonly');
    assert.notEqual(await lean.get('a'), mine);
    mine.data.k = 'mine';
    assert.equal(((await lean.get('a', RO)) as any).data.k, 'w', 'the store is untouched');
    deepMutable(await lean.list(), 'list without readonly');

    // over HTTP the option changes nothing: parsed, the caller's own
    const viaHttp: any = await http.get('a', RO);
    deepMutable(viaHttp, 'get over HTTP');
    sameAnswer(viaHttp, await lean.get('a', RO), 'HTTP and in-process read-only answers');
    deepMutable(await http.list(RO), 'list over HTTP');
  } finally {
    await w.close();
  }
});
