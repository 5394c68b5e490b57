import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFieldSelector, parseFieldSelector, fieldSelectorToString, FieldSelectorError } from '../../src/api/fields.ts';
import { registry } from '../../src/api/registry.ts';

const pods = registry.byResource('', 'v1', 'pods')!;
const events = registry.byResource('', 'v1', 'events')!;
const deployments = registry.byResource('apps', 'v1', 'deployments')!;

const pod = (name: string, node: string, phase: string) => ({ metadata: { name, namespace: 'default' }, spec: { nodeName: node, restartPolicy: 'Always' }, status: { phase } });

test('field selectors parse =, ==, != and escapes', () => {
  assert.deepEqual(parseFieldSelector('a=b,c!=d,e==f').requirements, [
    { field: 'a', op: '=', value: 'b' },
    { field: 'c', op: '!=', value: 'd' },
    { field: 'e', op: '=', value: 'f' },
  ]);
  assert.deepEqual(parseFieldSelector('a=x\\,y').requirements, [{ field: 'a', op: '=', value: 'x,y' }]);
  assert.equal(fieldSelectorToString(parseFieldSelector('a=x\\,y,b!=z')), 'a=x\\,y,b!=z');
  assert.deepEqual(parseFieldSelector('').requirements, []);
  assert.throws(() => parseFieldSelector('novalue'), /invalid selector: 'novalue'; can't understand 'novalue'/);
});

test('pods match on spec.nodeName, status.phase and metadata fields', () => {
  const items = [pod('a', 'n1', 'Running'), pod('b', 'n2', 'Pending'), pod('c', '', 'Pending')];
  const cases: [string, string[]][] = [
    ['spec.nodeName=n1', ['a']],
    ['spec.nodeName=', ['c']],
    ['spec.nodeName!=', ['a', 'b']],
    ['status.phase=Pending', ['b', 'c']],
    ['status.phase!=Pending,metadata.name=a', ['a']],
    ['metadata.namespace=default', ['a', 'b', 'c']],
    ['metadata.name==b', ['b']],
    ['spec.restartPolicy=Always', ['a', 'b', 'c']],
  ];
  for (const [sel, want] of cases) {
    const f = compileFieldSelector(pods, sel);
    assert.deepEqual(items.filter(f).map((o) => o.metadata.name), want, sel);
  }
});

test('events match involvedObject.* fields', () => {
  const ev = { metadata: { name: 'e1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'x', namespace: 'default', uid: 'u1' }, reason: 'Scheduled', type: 'Normal', source: { component: 'default-scheduler' } };
  const f = compileFieldSelector(events, 'involvedObject.name=x,involvedObject.namespace=default,involvedObject.uid=u1');
  assert.equal(f(ev), true);
  assert.equal(compileFieldSelector(events, 'involvedObject.kind=Node')(ev), false);
  assert.equal(compileFieldSelector(events, 'source=default-scheduler,type=Normal,reason=Scheduled')(ev), true);
});

test('unsupported fields are rejected with the Kubernetes messages', () => {
  assert.throws(() => compileFieldSelector(pods, 'spec.foo=bar'), (e: Error) => e instanceof FieldSelectorError && e.message === 'field label not supported: spec.foo');
  assert.throws(
    () => compileFieldSelector(deployments, 'spec.replicas=1'),
    (e: Error) => e.message === '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
});

test('events.k8s.io/v1 events select on regarding.* and reportingController', () => {
  const ev = registry.byResource('events.k8s.io', 'v1', 'events')!;
  const e = { metadata: { name: 'e', namespace: 'default' }, regarding: { kind: 'Pod', name: 'x' }, reportingController: 'kubelet', type: 'Warning', reason: 'BackOff' };
  assert.equal(compileFieldSelector(ev, 'regarding.name=x,regarding.kind=Pod,reportingController=kubelet,type=Warning,reason=BackOff')(e), true);
  assert.throws(() => compileFieldSelector(ev, 'involvedObject.name=x'), /field label not supported: involvedObject.name/);
});
