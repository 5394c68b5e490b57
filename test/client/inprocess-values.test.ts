// JSON bodies as values on the lean in-process path (src/client/lean.ts, src/api/core/jsoncopy.ts):
// the copy is what a JSON round trip gives; answers equal the HTTP path's, key order included;
// neither a caller changing what it got or what it sent, nor the server changing its copy, reaches
// the other side; the body limit, audit and raw readers still see the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonCopy } from '../../src/api/core/jsoncopy.ts';
import { StatusError } from '../../src/api/errors.ts';
import { Client, inProcessTransport, type Transport } from '../../src/client/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { twoWires } from '../helpers/two-wires.ts';

const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };

const roundTrip = (v: unknown) => {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : JSON.parse(text);
};

test('jsonCopy gives what JSON.parse(JSON.stringify(x)) gives, and bounds the length of that text', () => {
  class Point {
    constructor(readonly x = 1) {}
  }
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const withProtoKey = JSON.parse('{"__proto__":{"polluted":true},"b":[1]}');
  let deep: unknown = { leaf: 'x' };
  for (let i = 0; i < 300; i++) deep = { d: deep };
  const cases: [string, unknown][] = [
    ['plain object', { a: 1, b: 'two', c: [true, false, null], d: { e: {} } }],
    ['undefined, function and symbol members dropped', { a: undefined, f() {}, s: Symbol('x'), k: 1 }],
    ['in arrays they are null, as are holes', [undefined, () => 1, Symbol('y'), , 4]], // eslint-disable-line no-sparse-arrays
    ['non-finite numbers and -0', { n: NaN, i: Infinity, m: -Infinity, z: -0, big: 1e300, tiny: 5e-324 }],
    ['toJSON (a Date) honoured', { when: new Date(Date.UTC(2026, 0, 2)), nested: [{ t: new Date(0) }] }],
    ['a toJSON of its own', { x: { toJSON: () => 'custom' } }],
    ['a class instance', { p: new Point() }],
    ['boxed primitives', { s: new String('s'), n: new Number(2), b: new Boolean(false) }],
    ['a Map and a Set', { m: new Map([[1, 2]]), s: new Set([1]) }],
    ['null prototype', { o: nullProto }],
    ['a "__proto__" member stays a member', withProtoKey],
    ['integer-like keys first, as JSON.parse orders them', { b: 1, 2: 'two', a: 3, 1: 'one' }],
    ['strings needing escapes and lone surrogates', { s: 'quote" back\\ nl\n tab\t \u0001 \ud800 é €' }],
    ['nesting deeper than the copy goes', deep],
    ['frozen input', Object.freeze({ a: Object.freeze([1, Object.freeze({ b: 2 })]) })],
    ['top-level primitives', 'text'],
    ['top-level null', null],
    ['top-level undefined', undefined],
  ];
  for (const [name, v] of cases) {
    const c = jsonCopy(v);
    assert.deepStrictEqual(c.value, roundTrip(v), name);
    assert.equal(JSON.stringify(c.value), JSON.stringify(v), `${name}: same text, key order included`);
    if (v !== undefined) assert.ok(c.maxBytes >= Buffer.byteLength(JSON.stringify(v)), `${name}: bound ${c.maxBytes}`);
    if (c.value && typeof c.value === 'object') assert.ok(!Object.isFrozen(c.value), `${name}: the copy is not frozen`);
  }
  assert.equal(Object.getPrototypeOf(jsonCopy(withProtoKey).value), Object.prototype);
  assert.ok(Object.hasOwn(jsonCopy(withProtoKey).value as object, '__proto__'));
  assert.ok(Object.is((jsonCopy({ z: -0 }).value as { z: number }).z, 0));
  // what the round trip throws, the copy throws
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => jsonCopy(cyclic), TypeError);
  assert.throws(() => jsonCopy({ n: 1n }), TypeError);
  // the copy is a copy
  const src = { a: { b: [1, { c: 2 }] } };
  const out = jsonCopy(src).value as typeof src;
  (out.a.b[1] as { c: number }).c = 3;
  assert.equal((src.a.b[1] as { c: number }).c, 2);
});

/** Equal as values and as text (key order). */
function sameAnswer(a: unknown, b: unknown, what: string): void {
  assert.deepStrictEqual(a, b, what);
  assert.equal(JSON.stringify(a), JSON.stringify(b), `${what}: key order`);
}

test('in-process answers equal the HTTP answers: get, list, create, update, status update, scale, delete', async () => {
  const w = await twoWires();
  try {
    const leanCm = w.lean.resource(CM).inNamespace('default');
    const httpCm = w.http.resource(CM).inNamespace('default');
    // create: the answer is the stored object, as a GET over HTTP reads it
    const created = await leanCm.create({ metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v', empty: '' } } as any);
    sameAnswer(created, await httpCm.get('a'), 'create');
    const createdHttp = await httpCm.create({ metadata: { name: 'b' }, data: { k: 'w' } } as any);
    sameAnswer(await leanCm.get('b'), createdHttp, 'get');
    // the text raw readers get equals the HTTP text
    const path = '/api/v1/namespaces/default/configmaps/b';
    assert.notEqual((await w.lean.raw({ path })).value, undefined, 'the lean answer is a value');
    assert.equal((await w.lean.requestBuffer({ path })).body.toString(), (await w.http.requestBuffer({ path })).body.toString(), 'get, as text');
    // update and its answer
    const updated = await leanCm.update({ ...created, data: { k: 'changed' } } as any);
    sameAnswer(updated, await httpCm.get('a'), 'update');
    assert.equal((updated as any).data.k, 'changed');
    // lists, whole and paged, as values and as text
    sameAnswer(await leanCm.list(), await httpCm.list(), 'list');
    sameAnswer(await leanCm.list({ limit: 1 }), await httpCm.list({ limit: 1 }), 'list page');
    sameAnswer(await w.lean.resource(CM).list({ labelSelector: 'x=1' }), await w.http.resource(CM).list({ labelSelector: 'x=1' }), 'list across namespaces, selected');
    const listPath = '/api/v1/namespaces/default/configmaps';
    assert.equal((await w.lean.requestBuffer({ path: listPath })).body.toString(), (await w.http.requestBuffer({ path: listPath })).body.toString(), 'list, as text');

    // a status update (deployments/status), the scale subresource, and a converting kind's get
    const dl = w.lean.resource(DEPLOY).inNamespace('default');
    const dh = w.http.resource(DEPLOY).inNamespace('default');
    const labels = { app: 'web' };
    const d = await dl.create({ metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as any);
    sameAnswer(d, await dh.get('web'), 'create deployment (defaulted)');
    const st = await dl.updateStatus({ ...d, status: { replicas: 2, readyReplicas: 1, observedGeneration: 1, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] } } as any);
    sameAnswer(st, await dh.get('web'), 'status update');
    sameAnswer(await dl.getSubresource('web', 'status'), await dh.getSubresource('web', 'status'), 'get status');
    sameAnswer(await dl.getSubresource('web', 'scale'), await dh.getSubresource('web', 'scale'), 'get scale');
    const HPA1 = { group: 'autoscaling', version: 'v1', plural: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' };
    const hpa = await w.lean.resource(HPA1).create({ metadata: { name: 'h', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } } as any);
    sameAnswer(hpa, await w.http.resource(HPA1).get('h', { namespace: 'default' }), 'a kind served from another version');
    sameAnswer(await w.lean.resource(HPA1).list(), await w.http.resource(HPA1).list(), 'list of a converted kind');

    // errors are the same Status on both wires
    const errs = await Promise.all([leanCm.get('missing').catch((e) => e), httpCm.get('missing').catch((e) => e)]);
    assert.ok(errs[0] instanceof StatusError);
    assert.deepEqual([errs[0].code, errs[0].reason, errs[0].message], [errs[1].code, errs[1].reason, errs[1].message]);
    // delete answers a Status (text on both wires)
    const [dl1, dh1]: any[] = [await leanCm.delete('b'), await httpCm.delete('a')];
    sameAnswer({ ...dl1, details: { ...dl1.details, name: 'a', uid: 'u' } }, { ...dh1, details: { ...dh1.details, uid: 'u' } }, 'delete');
  } finally {
    await w.close();
  }
});

test('in-process: a caller changing what it got reaches neither the store nor another caller', async () => {
  const w = await twoWires();
  try {
    const cms = w.lean.resource(CM).inNamespace('default');
    const created: any = await cms.create({ metadata: { name: 'm', labels: { a: '1' } }, data: { k: 'v' } } as any);
    created.data.k = 'mutated';
    created.metadata.labels.a = 'mutated';
    const one: any = await cms.get('m');
    const two: any = await cms.get('m');
    assert.notEqual(one, two);
    assert.notEqual(one.metadata, two.metadata);
    one.data.k = 'mutated too';
    one.metadata.labels.b = 'added';
    delete two.metadata.labels;
    assert.deepEqual((await w.http.resource(CM).get('m', { namespace: 'default' }) as any).data, { k: 'v' });
    const fresh: any = await cms.get('m');
    assert.deepEqual([fresh.data, fresh.metadata.labels], [{ k: 'v' }, { a: '1' }]);
    // a list's items too
    const list: any = await cms.list();
    list.items[0].data.k = 'listed';
    assert.equal(((await cms.get('m')) as any).data.k, 'v');
    // nothing the caller got is frozen
    assert.ok(!Object.isFrozen(fresh) && !Object.isFrozen(fresh.metadata));
  } finally {
    await w.close();
  }
});

test('in-process: the body is taken when sent; later changes by the caller, or the server\'s own, do not cross', async () => {
  const w = await twoWires();
  // a transport that changes the caller's body as soon as the request is handed over
  let afterSend: (() => void) | undefined;
  const inner = inProcessTransport(w.api.server);
  const sent: string[] = [];
  const t: Transport = Object.assign((req: Parameters<Transport>[0]) => {
    sent.push(`${req.method} ${req.json ? 'value' : req.body ? 'bytes' : 'none'}`);
    const p = inner(req);
    afterSend?.();
    afterSend = undefined;
    return p;
  }, { values: true });
  const client = new Client({ server: 'http://in-process', transport: t, qps: 0 });
  try {
    const cms = client.resource(CM).inNamespace('default');
    const body: any = { metadata: { name: 's', labels: { a: '1' } }, data: { k: 'sent' } };
    afterSend = () => {
      body.data.k = 'changed after sending';
      body.metadata.labels.a = 'changed';
    };
    const created: any = await cms.create(body);
    assert.equal(created.data.k, 'sent');
    assert.equal(((await w.http.resource(CM).get('s', { namespace: 'default' })) as any).data.k, 'sent');
    // the server filled in its copy (uid, resourceVersion, ...), not the caller's object
    assert.equal(body.metadata.uid, undefined);
    assert.equal(body.metadata.resourceVersion, undefined);
    const next: any = { ...created, data: { k: 'second' } };
    afterSend = () => (next.data.k = 'changed again');
    await cms.update(next);
    assert.equal(((await w.http.resource(CM).get('s', { namespace: 'default' })) as any).data.k, 'second');
    // a body with a Date (toJSON): as the HTTP path sends it
    const withDate: any = await cms.create({ metadata: { name: 'd', annotations: { when: new Date(Date.UTC(2026, 0, 1)) } } } as any);
    assert.equal(withDate.metadata.annotations.when, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(sent, ['POST value', 'PUT value', 'POST value']);
  } finally {
    client.close();
    await w.close();
  }
});

test('in-process: the body limit holds for a value (413 past 3 MiB of JSON; a large bound alone is not refused)', async () => {
  const w = await twoWires();
  try {
    for (const c of [w.lean, w.http]) {
      const cms = c.resource(CM).inNamespace('default');
      const big = 'x'.repeat(3 * 1024 * 1024 + 10);
      await assert.rejects(cms.create({ metadata: { name: 'big' }, data: { big } } as any), (e: unknown) => e instanceof StatusError && e.code === 413);
    }
    // 700 KB of text: its bound (6 bytes a character) passes 3 MiB, its JSON does not
    const mid = 'y'.repeat(700 * 1024);
    const made: any = await w.lean.resource(CM).create({ metadata: { name: 'mid', namespace: 'default' }, data: { mid } } as any);
    assert.equal(made.data.mid.length, mid.length);
  } finally {
    await w.close();
  }
});

test('in-process with an audit at RequestResponse: the request and response objects are recorded from values too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-values-audit-'));
  const logPath = join(dir, 'audit.log');
  const w = await twoWires({ auditPolicyFile: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'RequestResponse' }] }, auditLogPath: logPath } as any);
  try {
    const cms = w.lean.resource(CM).inNamespace('default');
    const created: any = await cms.create({ metadata: { name: 'au' }, data: { k: 'v' } } as any);
    await cms.update({ ...created, data: { k: 'w' } });
    const events = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    await eventually(() => events().filter((e) => e.stage === 'ResponseComplete' && e.objectRef?.name === 'au').length === 2, 'audit events');
    const [create, update] = events().filter((e) => e.stage === 'ResponseComplete' && e.objectRef?.name === 'au');
    assert.deepEqual(create.requestObject.data, { k: 'v' });
    assert.equal(create.responseObject.metadata.name, 'au');
    assert.equal(create.responseObject.metadata.uid, created.metadata.uid);
    assert.deepEqual(update.requestObject.data, { k: 'w' });
    assert.deepEqual(update.responseObject.data, { k: 'w' });
  } finally {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lean exchange: requests sharing one signal (a timeout window) are each aborted by it, and release what they hold', async () => {
  const { leanExchange } = await import('../../src/client/lean.ts');
  const ac = new AbortController();
  const closed: string[] = [];
  // a listener that never answers
  const listener = (req: any, res: any) => res.on('close', () => closed.push(req.url));
  let held = 0;
  const one = (path: string) => {
    held++;
    return leanExchange(listener as any, { method: 'GET', path, headers: Object.freeze({ Accept: 'application/json' }) as Record<string, string>, signal: ac.signal }, () => held--);
  };
  const a = one('/a');
  const b = one('/b');
  // one that answered before the abort is not touched by it
  const answered = leanExchange((_req: any, res: any) => res.end('ok'), { method: 'GET', path: '/c', headers: {}, signal: ac.signal }, () => {});
  assert.equal((await answered).status, 200);
  ac.abort(new Error('timed out'));
  for (const p of [a, b]) await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  assert.equal(held, 0);
  await eventually(() => closed.length === 2, 'the server saw both close');
  // a later request on the aborted signal fails at once, holding nothing
  await assert.rejects(one('/d'), (e: Error) => e.name === 'AbortError');
  assert.equal(held, 0);
});
