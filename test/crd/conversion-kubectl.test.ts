// Real kubectl against a CRD converted by a webhook: objects applied at v1 are listed and read at
// v2 (`kubectl get crontabs.v2.stable.example.com`, v2's printer columns), applied at v2 and read
// back at v1; a failing webhook's error reaches the user as Kubernetes words it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, rows, startCluster, type Cluster } from '../kubectl/harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { cronTabCrd, startConversionServer, type ConversionServer } from './conversion-server.ts';

let c: Cluster;
let hook: ConversionServer;

before(async () => {
  if (!hasKubectl) return;
  c = await startCluster();
  hook = await startConversionServer();
});
after(async () => {
  await c?.close();
  await hook?.close();
});

const v1Yaml = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
  namespace: default
spec:
  cronSpec: "${spec}"
  image: busybox
`;

test('kubectl reads and applies a webhook-converted CRD at either version', { skip: !hasKubectl }, async () => {
  const crd = c.write('crd.json', JSON.stringify(cronTabCrd({ url: hook.url, caBundle: hook.pki.caBundle })));
  await c.ok(['apply', '--server-side', '-f', crd]);
  await c.ok(['wait', '--for', 'condition=established', '--timeout=10s', 'crd/crontabs.stable.example.com']);
  await eventually(async () => (await c.kubectl(['get', 'crontabs.v2.stable.example.com'])).code === 0, 'crontabs served', 10_000);
  assert.match(await c.ok(['apply', '--server-side', '-f', c.write('a.yaml', v1Yaml('a', '*/5 * * * *'))]), /crontab.stable.example.com\/a serverside-applied/);
  await c.ok(['create', '-f', c.write('b.yaml', v1Yaml('b', '0 * * * *'))]);

  const v2 = rows(await c.ok(['get', 'crontabs.v2.stable.example.com']));
  assert.deepEqual(v2[0], ['NAME', 'SCHEDULE']);
  assert.deepEqual(v2.slice(1).map((r) => [r[0], r.slice(1).join(' ')]), [['a', '*/5 * * * *'], ['b', '0 * * * *']]);
  assert.equal(await c.ok(['get', 'crontabs.v2.stable.example.com', 'a', '-o', 'jsonpath={.apiVersion} {.spec.schedule}']), 'stable.example.com/v2 */5 * * * *');
  assert.equal(await c.ok(['get', 'crontabs.v1.stable.example.com', 'a', '-o', 'jsonpath={.apiVersion} {.spec.cronSpec}']), 'stable.example.com/v1 */5 * * * *');
  assert.ok(hook.reviews.some((r) => r.desired === 'stable.example.com/v2' && r.objects.length === 2), 'the list went in one review');

  const v2Yaml = `apiVersion: stable.example.com/v2
kind: CronTab
metadata:
  name: c
  namespace: default
spec:
  schedule: "1 2 3 4 5"
  image: busybox
`;
  assert.match(await c.ok(['apply', '--server-side', '-f', c.write('c.yaml', v2Yaml)]), /crontab.stable.example.com\/c serverside-applied/);
  assert.equal(await c.ok(['get', 'crontabs.v1.stable.example.com', 'c', '-o', 'jsonpath={.spec.cronSpec}']), '1 2 3 4 5');

  hook.mode = 'fail';
  try {
    const r = await c.kubectl(['get', 'crontabs.v2.stable.example.com', 'a']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Internal error occurred: conversion webhook for stable.example.com\/v1, Kind=CronTab failed: the webhook is out to lunch/);
  } finally {
    hook.mode = 'ok';
  }
});
