// The conversion webhook's answer checks (apiextensions-apiserver's webhook converter), table-driven,
// and the converter itself against a real webhook: v1beta1 reviews, objects already in the desired
// version not sent, order kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConverted, convertedObjectsOf, webhookConverter } from '../../src/apiserver/crd/conversion.ts';
import { Registry } from '../../src/api/registry.ts';
import { MemoryStore } from '../../src/storage/index.ts';
import { StatusError } from '../../src/api/errors.ts';
import { cronTab, cronTabCrd, startConversionServer } from './conversion-server.ts';

const ok = (extra: Record<string, unknown> = {}) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: 'u1', result: { status: 'Success' }, convertedObjects: [], ...extra } });

test('ConversionReview answers: what is refused and how it is worded', () => {
  const cases: [string, string, unknown, string | number][] = [
    ['a good v1 answer', 'v1', ok({ convertedObjects: [{}] }), 1],
    ['wrong kind', 'v1', { ...ok(), kind: 'AdmissionReview' }, 'expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got apiextensions.k8s.io/v1, Kind=AdmissionReview'],
    ['no response', 'v1', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }, 'no response provided'],
    ['another uid', 'v1', ok({ uid: 'u2' }), 'expected response.uid="u1", got "u2"'],
    ['a failure with a message', 'v1', ok({ result: { status: 'Failure', message: 'cannot convert' } }), 'cannot convert'],
    ['a failure without one', 'v1', ok({ result: { status: 'Failure' } }), "response.result.status was 'Failure', not 'Success'"],
    ['v1beta1: neither kind nor uid checked', 'v1beta1', { response: { uid: 'other', result: { status: 'Success' }, convertedObjects: [{}, {}] } }, 2],
  ];
  for (const [what, version, review, want] of cases) {
    try {
      const out = convertedObjectsOf(version, 'u1', review);
      assert.equal(out.length, want, what);
    } catch (err) {
      assert.equal((err as Error).message, want, what);
    }
  }
});

test('converted objects: identity kept, metadata restored but for labels and annotations', () => {
  const original = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion: '5', labels: { a: '1' } }, spec: { cronSpec: 'x' } };
  const good = { apiVersion: 'stable.example.com/v2', kind: 'CronTab', metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion: '99', labels: { a: '2' }, annotations: { n: 'y' } }, spec: { schedule: 'x' } };
  const out = checkConverted(original as any, good, 'stable.example.com/v2');
  assert.deepEqual(out.metadata, { name: 'a', namespace: 'ns', uid: 'u', resourceVersion: '5', labels: { a: '2' }, annotations: { n: 'y' } });
  assert.deepEqual(out.spec, { schedule: 'x' });
  const cases: [string, (o: any) => void, string][] = [
    ['apiVersion', (o) => (o.apiVersion = 'stable.example.com/v1'), 'invalid groupVersion (expected stable.example.com/v2, received stable.example.com/v1)'],
    ['kind', (o) => (o.kind = 'Other'), 'invalid kind (expected CronTab, received Other)'],
    ['name', (o) => (o.metadata.name = 'b'), 'must have the same name: a != b'],
    ['namespace', (o) => (o.metadata.namespace = 'other'), 'must have the same namespace: ns != other'],
    ['uid', (o) => (o.metadata.uid = 'v'), 'must have the same UID: u != v'],
    ['label value type', (o) => (o.metadata.labels = { a: 1 }), 'metadata.labels[a] must be a string, but is number in converted object'],
    ['an invalid label', (o) => (o.metadata.labels = { 'bad key!': 'x' }), 'metadata.labels: Invalid value: "bad key!"'],
  ];
  for (const [what, f, want] of cases) {
    const c = structuredClone(good);
    f(c);
    assert.throws(() => checkConverted(original as any, c, 'stable.example.com/v2'), (err: Error) => err.message.startsWith(want), what);
  }
  const dropped = structuredClone(good) as any;
  delete dropped.metadata.labels;
  assert.equal(checkConverted(original as any, dropped, 'stable.example.com/v2').metadata.labels, undefined, 'labels the webhook dropped are gone');
});

test('the converter: v1beta1 reviews, only objects needing conversion sent, order kept', async () => {
  const hook = await startConversionServer();
  try {
    const crd = cronTabCrd({ url: hook.url, caBundle: hook.pki.caBundle });
    crd.spec.conversion.webhook.conversionReviewVersions = ['v9', 'v1beta1', 'v1'];
    const convert = webhookConverter({ store: new MemoryStore(), registry: new Registry([]) }, crd);
    const objs = [cronTab('v1', 'a', '1'), cronTab('v2', 'b', '2'), cronTab('v1', 'c', '3')];
    for (const o of objs) o.metadata.uid = `uid-${o.metadata.name}`;
    const out = await convert(objs, 'stable.example.com/v2');
    assert.deepEqual(out.map((o) => [o.metadata.name, o.apiVersion, o.spec.schedule]), [['a', 'stable.example.com/v2', '1'], ['b', 'stable.example.com/v2', '2'], ['c', 'stable.example.com/v2', '3']]);
    assert.equal(out[1], objs[1], 'the object already at v2 is not sent');
    assert.deepEqual(hook.reviews, [{ desired: 'stable.example.com/v2', objects: ['stable.example.com/v1', 'stable.example.com/v1'] }]);
    assert.equal(await convert([], 'stable.example.com/v1').then((x) => x.length), 0);
    assert.equal(hook.reviews.length, 1, 'nothing to convert calls nobody');
    crd.spec.conversion.webhook.conversionReviewVersions = ['v9'];
    await assert.rejects(webhookConverter({ store: new MemoryStore(), registry: new Registry([]) }, crd)(objs, 'stable.example.com/v2'), (err: unknown) => err instanceof StatusError && err.code === 500 && /no supported conversion review versions/.test(err.message));
  } finally {
    await hook.close();
  }
});
