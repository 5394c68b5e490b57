import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { freeform, int, intOrString, list, map, num, obj, quantity, schemaAt, str, strictDecodingError, typeMismatches, unknownFields, wellTyped } from '../../src/api/schema.ts';
import type { Schema } from '../../src/api/resource.ts';

const pods = registry.byResource('', 'v1', 'pods')!;
const deployments = registry.byResource('apps', 'v1', 'deployments')!;

test('unknownFields reports the paths strict decoding names', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' }, creationTimestamp: null },
    spec: {
      containers: [{ name: 'c', imagee: 'nginx', resources: { requests: { cpu: '1', 'example.com/gpu': '1' } }, env: [{ name: 'A', valeu: 'x' }] }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      affinity: { nodeAffinity: { whatever: true } },
      bogus: 1,
    },
    status: { phase: 'Running' },
    extra: true,
  };
  assert.deepEqual(unknownFields(pods.schema, pod).sort(), ['extra', 'spec.bogus', 'spec.containers[0].env[0].valeu', 'spec.containers[0].imagee'].sort());
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x', portss: [] }] } }, strategy: { type: 'Recreate', rollingUpdat: {} } } };
  assert.deepEqual(unknownFields(deployments.schema, d), ['spec.template.spec.containers[0].portss', 'spec.strategy.rollingUpdat']);
  assert.deepEqual(unknownFields(pods.schema, { metadata: { name: 'ok' }, spec: { containers: [{ name: 'c', image: 'x' }] } }), []);
  // a path prefix (the metadata check of custom resources) leads every reported path
  assert.deepEqual(unknownFields(pods.schema.properties!.metadata, { name: 'm', labelz: {}, ownerReferences: [{ name: 'o', kindd: 'X' }] }, 'metadata'), ['metadata.labelz', 'metadata.ownerReferences[0].kindd']);
  assert.deepEqual(unknownFields(pods.schema.properties!.spec.properties!.containers, [{ name: 'c', imagee: 'x' }]), ['[0].imagee']);
});

test('strictDecodingError is the 400 Kubernetes answers', () => {
  const e = strictDecodingError('Pod', 'v1', ['spec.containers[0].imagee']);
  assert.equal(e.code, 400);
  assert.equal(e.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"');
});

test('schemas carry strategic-merge-patch keys and descriptions', () => {
  const at = (path: string) => schemaAt(pods.schema, path.split('.'));
  const mk = (path: string) => [at(path)?.['x-kubernetes-patch-merge-key'], at(path)?.['x-kubernetes-patch-strategy']];
  assert.deepEqual(mk('spec.containers'), ['name', 'merge']);
  assert.deepEqual(mk('spec.initContainers'), ['name', 'merge']);
  assert.deepEqual(mk('spec.ephemeralContainers'), ['name', 'merge']);
  assert.deepEqual(mk('spec.containers.env'), ['name', 'merge']);
  assert.deepEqual(mk('spec.containers.ports'), ['containerPort', 'merge']);
  assert.deepEqual(mk('spec.containers.volumeMounts'), ['mountPath', 'merge']);
  assert.deepEqual(mk('spec.volumes'), ['name', 'merge,retainKeys']);
  assert.deepEqual(mk('spec.imagePullSecrets'), ['name', 'merge']);
  assert.deepEqual(mk('spec.hostAliases'), ['ip', 'merge']);
  assert.deepEqual(mk('spec.topologySpreadConstraints'), ['topologyKey', 'merge']);
  assert.deepEqual(mk('spec.tolerations'), [undefined, undefined]);
  assert.deepEqual(mk('status.conditions'), ['type', 'merge']);
  assert.deepEqual(mk('metadata.ownerReferences'), ['uid', 'merge']);
  assert.deepEqual(mk('metadata.finalizers'), [undefined, 'merge']);
  const svc = registry.byResource('', 'v1', 'services')!;
  assert.deepEqual(schemaAt(svc.schema, ['spec', 'ports'])?.['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(schemaAt(deployments.schema, ['spec', 'strategy'])?.['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.match(at('spec.containers')?.description ?? '', /List of containers belonging to the pod/);
  assert.ok(at('spec.containers.image')?.description);
});

test('every kind has a schema with descriptions for its top-level fields', () => {
  for (const t of registry.all()) {
    assert.equal(t.schema.type, 'object', t.plural);
    assert.ok(t.schema.description, `${t.plural} description`);
    for (const [k, s] of Object.entries(t.schema.properties ?? {})) assert.ok(s.description, `${t.group}/${t.plural}.${k} description`);
  }
});

test('wrongly typed fields: typeMismatches, the decoder-style 400, and validate() rejects them without defaulting', async () => {
  const { typeMismatches, decodeTypeError } = await import('../../src/api/schema.ts');
  const d: any = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default', labels: { a: 1 } }, spec: { replicas: '3', strategy: 'fast', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: '80' }] }] } } } };
  const ms = typeMismatches(deployments.schema, d);
  assert.deepEqual(ms.map((m) => `${m.path}:${m.expected}:${m.actual}`), ['metadata.labels.a:string:number', 'spec.replicas:integer:string', 'spec.strategy:object:string', 'spec.template.spec.containers[0].ports[0].containerPort:integer:string']);
  assert.equal(decodeTypeError('Deployment', 'v1', ms[1]).message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int32');
  deployments.defaults(d); // must not throw on a string strategy
  assert.equal(d.spec.strategy, 'fast');
  const errs = deployments.validate(d);
  assert.equal(errs[1].field, 'spec.replicas');
  assert.equal(errs[1].detail, 'Invalid value: "3": spec.replicas in body must be of type integer: "string"');
  assert.deepEqual(typeMismatches(pods.schema, { metadata: { name: 'p', creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: [{ containerPort: 80 }] }] } }), []);
});

test('wellTyped agrees with typeMismatches on every shape (types, maps, lists, free-form, keys Object.prototype answers for)', () => {
  const schema: Schema = obj('x', {
    n: int(),
    f: num(),
    s: str(),
    q: quantity(),
    ios: intOrString(),
    m: map('m', int()),
    l: list('l', obj('i', { a: str() })),
    free: freeform(),
    nested: obj('n', { deep: obj('d', { v: int() }) }),
    ['__proto__']: int(),
  });
  const withProto = (v: unknown) => JSON.parse(`{"__proto__": ${JSON.stringify(v)}}`);
  const cases: [string, unknown][] = [
    ['all fit', { n: 1, f: 1.5, s: 'a', q: 1.5, ios: '10%', m: { a: 1 }, l: [{ a: 'x' }], free: { anything: [1, 'x'] }, nested: { deep: { v: 2 } } }],
    ['a float for an int', { n: 1.5 }],
    ['a float for int-or-string', { ios: 1.5 }],
    ['a float quantity', { q: 0.25 }],
    ['a string for a number', { f: '1' }],
    ['a map value mistyped', { m: { a: 'one' } }],
    ['a list item mistyped', { l: [{ a: 1 }] }],
    ['a list for an object', { nested: [] }],
    ['deep mistype', { nested: { deep: { v: 'x' } } }],
    ['null and unknown members', { n: null, unknown: { x: 1 }, s: undefined }],
    ['keys Object.prototype answers for', { constructor: 1, toString: 'x', hasOwnProperty: [1] }],
    ['a member named __proto__, fitting', withProto(3)],
    ['a member named __proto__, mistyped', withProto('three')],
    ['a map with such keys', { m: { constructor: 'x', toString: 2 } }],
    ['not an object', 'x'],
  ];
  for (const [name, v] of cases) {
    assert.equal(wellTyped(schema, v), typeMismatches(schema, v).length === 0, name);
  }
  // members that are no schema objects (a hand-built or odd custom schema) answer as the schema's own did
  const odd = { type: 'object', properties: { a: undefined, b: null, c: true, d: false }, additionalProperties: int() } as unknown as Schema;
  for (const v of [{ a: 'x' }, { a: 1 }, { b: 'x' }, { c: 'x' }, { d: 'x' }, { e: 'x' }, { e: 2 }]) {
    assert.equal(wellTyped(odd, v), typeMismatches(odd, v).length === 0, JSON.stringify(v));
  }
  assert.equal(wellTyped(schema, cases[0][1]), true);
  assert.equal(wellTyped(schema, withProto('three')), false);
});
