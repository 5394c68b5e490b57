// Service addresses reserved in the store: one key per clusterIP and nodePort, made on create,
// released on delete / an update that drops them / a failed create, and the repair pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import type { KubeObject } from '../../src/api/types.ts';
import type { StoreEntry } from '../../src/storage/interface.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  addressKeys,
  IP_PREFIX,
  NODE_PORT_PREFIX,
  planRepair,
  repairReservations,
  reservationObject,
} from '../../src/apiserver/kinds/service-reservations.ts';

let srv: RunningApiServer;
const store = new MemoryStore();
before(async () => {
  srv = await startTestServer({ store });
});
after(() => srv.close());

const svcs = '/api/v1/namespaces/default/services';
const service = (name: string, spec: Record<string, any> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});
const has = async (key: string) => (await store.get(key)) !== undefined;

test('addressKeys: clusterIPs (not None) and nodePorts, one key each', () => {
  const cases: [string, KubeObject | undefined, string[]][] = [
    ['absent', undefined, []],
    ['headless', { metadata: {}, spec: { clusterIP: 'None', clusterIPs: ['None'] } }, []],
    ['clusterIP', { metadata: {}, spec: { clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] } }, [IP_PREFIX + '10.96.0.9']],
    [
      'NodePort, TCP and UDP on one port',
      { metadata: {}, spec: { clusterIPs: ['10.96.0.9'], ports: [{ nodePort: 30001 }, { nodePort: 30001, protocol: 'UDP' }, { port: 1 }] } },
      [IP_PREFIX + '10.96.0.9', NODE_PORT_PREFIX + '30001'],
    ],
  ];
  for (const [what, svc, keys] of cases) assert.deepEqual([...addressKeys(svc)], keys, what);
});

test('planRepair: reserves what Services hold, drops old orphans, keeps fresh ones', () => {
  const owner = { namespace: 'default', name: 'a', uid: 'u1' };
  const svc = { metadata: { namespace: 'default', name: 'a', uid: 'u1' }, spec: { clusterIPs: ['10.96.0.5'], ports: [{ nodePort: 30005 }] } };
  const now = Date.parse('2026-01-01T00:10:00Z');
  const entry = (key: string, o: typeof owner, created: string, rev = 7): StoreEntry => {
    const object = reservationObject(key, o);
    object.metadata.creationTimestamp = created;
    return { key, object, modRevision: rev, createRevision: rev };
  };
  const ip5 = IP_PREFIX + '10.96.0.5';
  const port = NODE_PORT_PREFIX + '30005';
  const orphan = IP_PREFIX + '10.96.0.6';
  const cases: [string, StoreEntry[], string[], string[]][] = [
    ['nothing reserved: both created', [], [ip5, port], []],
    ['all reserved', [entry(ip5, owner, '2026-01-01T00:00:00Z'), entry(port, owner, '2026-01-01T00:00:00Z')], [], []],
    ['old orphan deleted', [entry(ip5, owner, '2026-01-01T00:00:00Z'), entry(port, owner, '2026-01-01T00:00:00Z'), entry(orphan, { ...owner, name: 'gone' }, '2026-01-01T00:00:00Z')], [], [orphan]],
    ['fresh orphan kept (a create in flight)', [entry(ip5, owner, '2026-01-01T00:00:00Z'), entry(port, owner, '2026-01-01T00:00:00Z'), entry(orphan, { ...owner, name: 'b' }, '2026-01-01T00:09:50Z')], [], []],
    ['held under a stale owner: handed to the Service', [entry(ip5, { ...owner, uid: 'old' }, '2026-01-01T00:09:59Z'), entry(port, owner, '2026-01-01T00:00:00Z')], [ip5], [ip5]],
  ];
  for (const [what, reservations, create, del] of cases) {
    const plan = planRepair([svc], reservations, now, 60_000);
    assert.deepEqual(plan.create.map((c) => c.key).sort(), create.sort(), `${what}: create`);
    assert.deepEqual(plan.delete.map((d) => d.key).sort(), del.sort(), `${what}: delete`);
  }
});

test('a Service reserves its clusterIP and nodePort; delete releases them', async () => {
  const r = await req(srv.url, 'POST', svcs, service('np', { type: 'NodePort' }));
  assert.equal(r.status, 201, r.text);
  const ipKey = IP_PREFIX + r.body.spec.clusterIP;
  const portKey = NODE_PORT_PREFIX + r.body.spec.ports[0].nodePort;
  const ip = (await store.get(ipKey))!.object;
  assert.equal(ip.kind, 'IPAddress');
  assert.deepEqual(ip.spec!.parentRef, { group: '', resource: 'services', namespace: 'default', name: 'np' });
  assert.ok(await has(portKey));
  assert.equal((await req(srv.url, 'DELETE', `${svcs}/np`)).status, 200);
  await eventually(async () => !(await has(ipKey)) && !(await has(portKey)), 'the reservations released');
});

test('an update to ClusterIP releases the nodePort; a dry run reserves nothing', async () => {
  const r = await req(srv.url, 'POST', svcs, service('np2', { type: 'NodePort' }));
  assert.equal(r.status, 201, r.text);
  const portKey = NODE_PORT_PREFIX + r.body.spec.ports[0].nodePort;
  const body = structuredClone(r.body);
  body.spec.type = 'ClusterIP';
  delete body.spec.ports[0].nodePort;
  const u = await req(srv.url, 'PUT', `${svcs}/np2`, body);
  assert.equal(u.status, 200, u.text);
  await eventually(async () => !(await has(portKey)), 'the nodePort released');
  assert.ok(await has(IP_PREFIX + r.body.spec.clusterIP), 'the clusterIP stays');
  const dry = await req(srv.url, 'POST', `${svcs}?dryRun=All`, service('dry'));
  assert.equal(dry.status, 201, dry.text);
  assert.equal(await has(IP_PREFIX + dry.body.spec.clusterIP), false);
});

test('a failed create (the name exists) releases what it reserved', async () => {
  assert.equal((await req(srv.url, 'POST', svcs, service('dup'))).status, 201);
  const again = await req(srv.url, 'POST', svcs, service('dup', { clusterIP: '10.100.0.77' }));
  assert.equal(again.status, 409, again.text);
  await eventually(async () => !(await has(IP_PREFIX + '10.100.0.77')), 'the reservation released');
});

test('an address reserved in the store (another API server) is taken', async () => {
  await store.create(IP_PREFIX + '10.100.0.88', reservationObject(IP_PREFIX + '10.100.0.88', { namespace: 'other', name: 'x', uid: 'u' }));
  const r = await req(srv.url, 'POST', svcs, service('wants-88', { clusterIP: '10.100.0.88' }));
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.message, /failed to allocate IP 10\.100\.0\.88: provided IP is already allocated/);
  assert.equal((await req(srv.url, 'GET', `${svcs}/wants-88`)).status, 404);
});

test('the repair pass: missing reservations made, old orphans deleted', async () => {
  const r = await req(srv.url, 'POST', svcs, service('rep'));
  const ipKey = IP_PREFIX + r.body.spec.clusterIP;
  await store.delete(ipKey);
  await store.create(IP_PREFIX + '10.100.0.99', reservationObject(IP_PREFIX + '10.100.0.99', { namespace: 'default', name: 'gone', uid: 'u' }));
  await repairReservations(store, '/registry/core/services/', 60_000, Date.now() + 120_000);
  assert.ok(await has(ipKey), 'recreated');
  assert.equal(await has(IP_PREFIX + '10.100.0.99'), false, 'orphan deleted');
  assert.ok(await has(IP_PREFIX + '10.96.0.1'), 'the kubernetes Service address is reserved too');
});
