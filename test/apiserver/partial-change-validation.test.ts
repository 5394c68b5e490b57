// The checks of a write remember what they found of stored (frozen) members and of the request's
// own top-level members; an update that changes one part of an object, after writes that left the
// rest as stored, must still be rejected exactly as the same change is on a fresh object: same
// code, same Status (message, causes), and nothing stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, deployment } from './helpers.ts';

const path = '/apis/apps/v1/namespaces/default/deployments';

/** The answer to `change` applied to the current object (PUT, main resource or /status). */
async function put(url: string, name: string, sub: '' | '/status', change: (o: any) => void) {
  const cur = structuredClone((await req(url, 'GET', `${path}/${name}`)).body);
  change(cur);
  return req(url, 'PUT', `${path}/${name}${sub}`, cur);
}

const changes: { name: string; sub: '' | '/status'; change: (o: any) => void }[] = [
  { name: 'a status member mistyped below the top level', sub: '/status', change: (o) => (o.status = { replicas: 2, conditions: [{ type: 'Available', status: 5 }] }) },
  { name: 'a status member mistyped at its top level', sub: '/status', change: (o) => (o.status = { replicas: 'two' }) },
  { name: 'a negative replica count', sub: '', change: (o) => (o.spec.replicas = -1) },
  { name: 'an invalid label value', sub: '', change: (o) => (o.metadata.labels = { app: 'not valid!' }) },
  { name: 'a label mistyped', sub: '', change: (o) => (o.metadata.labels = { app: 5 }) },
  { name: 'a container image mistyped deep in the spec', sub: '', change: (o) => (o.spec.template.spec.containers[0].image = 5) },
  { name: 'a selector changed (immutable)', sub: '', change: (o) => (o.spec.selector = { matchLabels: { app: 'other' } }) },
];

test('an invalid change to one part of an object is rejected with the same Status after many writes that left the rest as stored', async () => {
  const srv = await startTestServer();
  try {
    for (const [i, c] of changes.entries()) {
      const fresh = `fresh-${i}`;
      const worn = `worn-${i}`;
      for (const n of [fresh, worn]) assert.equal((await req(srv.url, 'POST', path, deployment(n, 2))).status, 201);
      const first = await put(srv.url, fresh, c.sub, c.change);
      assert.equal(first.status, 422, `${c.name}: ${first.text}`);
      // valid writes of each part first: the stored members are carried over, checked, remembered
      for (let k = 0; k < 3; k++) {
        assert.equal((await put(srv.url, worn, '/status', (o) => (o.status = { replicas: 2, readyReplicas: k, observedGeneration: 1 }))).status, 200);
        assert.equal((await put(srv.url, worn, '', (o) => (o.metadata.annotations = { n: String(k) }))).status, 200);
      }
      const before = (await req(srv.url, 'GET', `${path}/${worn}`)).body;
      const later = await put(srv.url, worn, c.sub, c.change);
      assert.equal(later.status, 422, `${c.name}: ${later.text}`);
      const named = (s: any) => JSON.parse(JSON.stringify(s).replaceAll(fresh, 'NAME').replaceAll(worn, 'NAME'));
      assert.deepStrictEqual(named(later.body), named(first.body), c.name);
      assert.deepStrictEqual((await req(srv.url, 'GET', `${path}/${worn}`)).body, before, `${c.name}: nothing stored`);
    }
  } finally {
    await srv.close();
  }
});
