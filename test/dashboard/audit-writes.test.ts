// GET /debug/audit/writes: the audit log's last writes read back (what the dashboard's timeline shows
// beside each object's versions): only writes' ResponseComplete events, never their bodies,
// filtered by objectRef, authorized like any non-resource path; 404 when nothing is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { RecentWrites, type Policy } from '../../src/apiserver/audit/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-audit-writes-'));
let server: RunningApiServer;
const policy: Policy = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  rules: [{ level: 'RequestResponse', resources: [{ group: '', resources: ['secrets'] }] }, { level: 'None', users: ['quiet'] }, { level: 'Metadata' }],
};

before(async () => {
  server = await startApiServer({
    logger: pino({ level: 'silent' }),
    auditPolicyFile: policy,
    auditLogPath: join(dir, 'audit.log'),
    pipeline: {
      authenticators: [{ name: 'test', authenticate: (req) => ({ username: String(req.headers['x-user'] ?? 'alice'), groups: ['system:authenticated'] }) }],
      authorizers: [{ name: 'test', authorize: ({ user }) => (user.username === 'mallory' ? 'deny' : 'allow') }],
      admission: [{ name: 'Annotator', validate: (a) => a.annotate('example.com/checked', a.rt.plural) }],
    },
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, user = 'alice', type = 'application/json'): Promise<{ status: number; json: any }> {
  const r = await fetch(server.url + path, { method, headers: { 'x-user': user, 'content-type': type, 'user-agent': 'writer/1.0' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

test('an object\'s writes in order, with user, user agent, code and admission annotations, no bodies', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'a' }, data: { k: 'v' } })).status, 201);
  assert.equal((await call('PATCH', '/api/v1/namespaces/default/configmaps/a', { data: { k: 'w' } }, 'bob', 'application/merge-patch+json')).status, 200);
  await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'b' } });
  await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'q' } }, 'quiet');
  await call('GET', '/api/v1/namespaces/default/configmaps/a');
  await call('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's' }, stringData: { password: 'hunter2' } });
  const r = await call('GET', '/debug/audit/writes?resource=configmaps&namespace=default&name=a');
  assert.equal(r.status, 200);
  assert.equal(r.json.kind, 'EventList');
  assert.equal(r.json.apiVersion, 'audit.k8s.io/v1');
  assert.deepEqual(r.json.items.map((e: any) => [e.verb, e.user.username, e.userAgent, e.responseStatus.code, e.stage]), [['create', 'alice', 'writer/1.0', 201, 'ResponseComplete'], ['patch', 'bob', 'writer/1.0', 200, 'ResponseComplete']]);
  for (const e of r.json.items) {
    assert.equal(e.annotations['example.com/checked'], 'configmaps');
    assert.equal(e.annotations['authorization.k8s.io/decision'], 'allow');
    assert.equal(e.objectRef.name, 'a');
  }
  const all = await call('GET', '/debug/audit/writes?resource=configmaps');
  assert.deepEqual(all.json.items.map((e: any) => e.objectRef.name), ['a', 'a', 'b'], 'no reads, nothing the policy left out (level None)');
  const secret = await call('GET', '/debug/audit/writes?resource=secrets&name=s');
  assert.equal(secret.json.items.length, 1);
  assert.equal(JSON.stringify(secret.json).includes('hunter2'), false, 'request and response bodies are never kept');
  assert.equal('requestObject' in secret.json.items[0] || 'responseObject' in secret.json.items[0], false);
});

test('authorized like any non-resource path; POST refused; 404 when the server audits nothing', async () => {
  const denied = await call('GET', '/debug/audit/writes', undefined, 'mallory');
  assert.equal(denied.status, 403);
  assert.equal(denied.json.reason, 'Forbidden');
  assert.equal((await call('POST', '/debug/audit/writes', {})).status, 405);
  const plain = await startApiServer({ logger: pino({ level: 'silent' }) });
  try {
    const r = await fetch(`${plain.url}/debug/audit/writes`);
    assert.equal(r.status, 404);
    const body = (await r.json()) as { kind: string; message: string };
    assert.equal(body.kind, 'Status');
    assert.match(body.message, /auditing is off/);
  } finally {
    await plain.close();
  }
});

test('RecentWrites keeps the last writes\' ResponseComplete events only, oldest first', () => {
  const ring = new RecentWrites(3);
  const ev = (verb: string, name: string, stage = 'ResponseComplete') => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: name, stage, requestURI: '/', verb, user: {}, sourceIPs: [], objectRef: { resource: 'pods', namespace: 'ns', name }, requestObject: { x: 1 }, requestReceivedTimestamp: '', stageTimestamp: '' }) as any;
  const cases: [any, boolean][] = [
    [ev('create', 'p1'), true],
    [ev('get', 'p1'), false],
    [ev('create', 'p1', 'RequestReceived'), false],
    [ev('watch', 'p1'), false],
    [ev('update', 'p2'), true],
    [ev('patch', 'p3'), true],
    [ev('delete', 'p4'), true],
    [{ ...ev('create', 'x'), objectRef: undefined }, false],
  ];
  let kept = 0;
  for (const [e, keep] of cases) {
    ring.add(e);
    if (keep) kept++;
    assert.equal(ring.query({}).length, Math.min(3, kept), `${e.verb} ${e.stage}`);
  }
  assert.deepEqual(ring.query({}).map((w) => w.auditID), ['p2', 'p3', 'p4']);
  assert.deepEqual(ring.query({ name: 'p3' }).map((w) => w.verb), ['patch']);
  assert.deepEqual(ring.query({ namespace: 'other' }), []);
  assert.equal('requestObject' in ring.query({})[0], false);
});
