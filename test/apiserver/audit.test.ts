// Auditing: one audit.k8s.io/v1 Event per stage as the policy says, with the user, verb, objectRef,
// objects at Request/RequestResponse, responseStatus, annotations (admission, authorization), the
// Audit-Id header; None and omitStages; the log's rotation; the policy's rules (table).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { AuditLogWriter, backupName, backupsToRemove, evaluatePolicy, parsePolicy, type Policy } from '../../src/apiserver/audit/index.ts';
import { microTime } from '../../src/apiserver/audit/event.ts';
import { eventually } from '../helpers/eventually.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-audit-'));
const logPath = join(dir, 'audit.log');
let server: RunningApiServer;

const policy: Policy = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  rules: [
    { level: 'None', users: ['quiet'] },
    { level: 'RequestResponse', resources: [{ group: '', resources: ['configmaps'] }], omitManagedFields: true },
    { level: 'Metadata', resources: [{ group: '', resources: ['secrets'] }], omitStages: ['RequestReceived'] },
    { level: 'Request', verbs: ['watch'] },
    { level: 'Metadata' },
  ],
};

before(async () => {
  server = await startApiServer({
    auditPolicyFile: policy,
    auditLogPath: logPath,
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

function events(): any[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function call(method: string, path: string, body?: unknown, user = 'alice'): Promise<{ status: number; auditId: string; json: any }> {
  const r = await fetch(server.url + path, { method, headers: { 'x-user': user, 'content-type': 'application/json', 'user-agent': 'audit-test/1.0' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, auditId: r.headers.get('audit-id') ?? '', json: await r.json() };
}

const ofId = (id: string) => events().filter((e) => e.auditID === id);

test('a create at RequestResponse: one event per stage with user, verb, objectRef and both objects', async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited', managedFields: [{ manager: 'x' }] }, data: { k: 'v' } };
  const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm);
  assert.equal(r.status, 201);
  assert.match(r.auditId, /^[0-9a-f-]{36}$/, 'Audit-Id header');
  await eventually(() => ofId(r.auditId).length === 2, 'two events for the create', 10_000);
  const [received, complete] = ofId(r.auditId);
  assert.equal(received.stage, 'RequestReceived');
  assert.equal(complete.stage, 'ResponseComplete');
  for (const e of [received, complete]) {
    assert.equal(e.kind, 'Event');
    assert.equal(e.apiVersion, 'audit.k8s.io/v1');
    assert.equal(e.level, 'RequestResponse');
    assert.equal(e.verb, 'create');
    assert.equal(e.requestURI, '/api/v1/namespaces/default/configmaps');
    assert.deepEqual(e.user, { username: 'alice', groups: ['system:authenticated'] });
    assert.equal(e.userAgent, 'audit-test/1.0');
    assert.ok(e.sourceIPs.includes('127.0.0.1'));
    assert.match(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(e.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  }
  assert.equal(received.responseStatus, undefined);
  assert.equal(received.requestObject, undefined);
  assert.deepEqual(complete.objectRef, { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' });
  assert.deepEqual(complete.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(complete.requestObject.data, { k: 'v' });
  assert.equal(complete.requestObject.metadata.managedFields, undefined, 'omitManagedFields');
  assert.equal(complete.responseObject.metadata.name, 'audited');
  assert.ok(complete.responseObject.metadata.uid);
  assert.deepEqual(complete.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '', 'example.com/checked': 'configmaps' });
});

test('level None for a user writes nothing for them', async () => {
  const r = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, 'quiet');
  assert.equal(r.status, 200);
  assert.ok(r.auditId, 'the Audit-Id header is still sent');
  const marker = await call('GET', '/api/v1/namespaces/default/pods');
  await eventually(() => ofId(marker.auditId).length > 0, 'a later request is logged', 10_000);
  assert.deepEqual(ofId(r.auditId), []);
  assert.ok(!events().some((e) => e.user.username === 'quiet'));
});

test('omitStages, Metadata level (no objects), and errors carry status, reason and message', async () => {
  const r = await call('GET', '/api/v1/namespaces/default/secrets/missing');
  assert.equal(r.status, 404);
  await eventually(() => ofId(r.auditId).length > 0, 'the secret get is logged', 10_000);
  const evs = ofId(r.auditId);
  assert.deepEqual(evs.map((e) => e.stage), ['ResponseComplete'], 'RequestReceived omitted');
  assert.equal(evs[0].level, 'Metadata');
  assert.equal(evs[0].responseObject, undefined);
  assert.deepEqual(evs[0].responseStatus, { metadata: {}, status: 'Failure', message: 'secrets "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'secrets' }, code: 404 });
  assert.deepEqual(evs[0].objectRef, { resource: 'secrets', namespace: 'default', name: 'missing', apiVersion: 'v1' });
});

test('a denied request is annotated with the forbid decision', async () => {
  const r = await call('GET', '/api/v1/namespaces/default/pods', undefined, 'mallory');
  assert.equal(r.status, 403);
  await eventually(() => ofId(r.auditId).some((e) => e.stage === 'ResponseComplete'), 'the denial is logged', 10_000);
  const done = ofId(r.auditId).find((e) => e.stage === 'ResponseComplete');
  assert.equal(done.annotations['authorization.k8s.io/decision'], 'forbid');
  assert.equal(done.responseStatus.code, 403);
  assert.equal(done.responseStatus.reason, 'Forbidden');
});

test('a watch: RequestReceived, ResponseStarted once the headers are out, ResponseComplete at its end', async () => {
  const res = await new Promise<http.IncomingMessage>((resolve) => http.get(server.url + '/api/v1/namespaces/default/pods?watch=true', { headers: { 'x-user': 'alice' } }, resolve));
  const id = String(res.headers['audit-id']);
  await eventually(() => ofId(id).some((e) => e.stage === 'ResponseStarted'), 'ResponseStarted', 10_000);
  res.destroy();
  await eventually(() => ofId(id).some((e) => e.stage === 'ResponseComplete'), 'ResponseComplete', 10_000);
  const evs = ofId(id);
  assert.deepEqual(evs.map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  assert.equal(evs[0].verb, 'watch');
  assert.deepEqual(evs[1].responseStatus, { metadata: {}, code: 200 });
});

test('an unexpected error is a Panic event', async () => {
  server.pipeline.admission.push({ name: 'Boom', validate: (a) => { if (a.name === 'boom') throw new TypeError('kaput'); } });
  try {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'boom' } });
    assert.equal(r.status, 500);
    await eventually(() => ofId(r.auditId).some((e) => e.stage === 'Panic'), 'Panic', 10_000);
    const p = ofId(r.auditId).find((e) => e.stage === 'Panic');
    assert.equal(p.responseStatus.code, 500);
    assert.match(p.responseStatus.message, /kaput/);
    assert.ok(!ofId(r.auditId).some((e) => e.stage === 'ResponseComplete'));
  } finally {
    server.pipeline.admission.pop();
  }
});

test('rotation at the size limit: NAME-<timestamp>.EXT, at most maxBackups kept', async () => {
  const d = mkdtempSync(join(tmpdir(), 'kubesim-rotate-'));
  const path = join(d, 'audit.log');
  let t = Date.parse('2026-01-01T00:00:00Z');
  const w = new AuditLogWriter({ path, maxSizeMB: 1000 / (1024 * 1024), maxBackups: 2, now: () => new Date((t += 1000)) });
  const line = JSON.stringify({ pad: 'x'.repeat(90) }) + '\n'; // 101 bytes
  for (let i = 0; i < 41; i++) w.write(line);
  await w.close();
  const files = readdirSync(d).sort();
  assert.deepEqual(files, ['audit-2026-01-01T00-00-03.000.log', 'audit-2026-01-01T00-00-04.000.log', 'audit.log']);
  for (const f of files) assert.ok(readFileSync(join(d, f)).length <= 1000, `${f} within the limit`);
  assert.equal(readFileSync(join(d, 'audit.log'), 'utf8').split('\n').filter(Boolean).length, 5, '41 lines, 9 per file, the last 5 in the current');
  rmSync(d, { recursive: true, force: true });
  assert.equal(backupName('/var/log/audit.log', new Date('2026-03-04T05:06:07.089Z')), '/var/log/audit-2026-03-04T05-06-07.089.log');
  const now = new Date('2026-01-10T00:00:00Z');
  const old = ['audit-2026-01-01T00-00-00.000.log', 'audit-2026-01-08T00-00-00.000.log', 'audit-2026-01-09T00-00-00.000.log', 'other.log'];
  assert.deepEqual(backupsToRemove('/x/audit.log', old, 0, 3, now), ['audit-2026-01-01T00-00-00.000.log']);
  assert.deepEqual(backupsToRemove('/x/audit.log', old, 1, 0, now).sort(), ['audit-2026-01-01T00-00-00.000.log', 'audit-2026-01-08T00-00-00.000.log']);
});

test('policy rules match as Kubernetes matches them (table)', () => {
  const p = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    resources: [{ group: "", resources: ["configmaps"], resourceNames: ["controller-leader"] }]
  - level: Metadata
    resources: [{ group: "", resources: ["pods/log", "pods/status"] }]
  - level: RequestResponse
    resources: [{ group: "", resources: ["pods"] }]
  - level: Request
    resources: [{ group: "apps", resources: ["*/scale"] }]
  - level: None
    userGroups: ["system:nodes"]
    nonResourceURLs: ["/api*", "/version"]
  - level: Request
    namespaces: ["kube-system"]
    omitStages: [ResponseStarted]
  - level: Metadata
    resources: [{ group: "" }]
`);
  const alice = { username: 'alice', groups: ['system:authenticated'] };
  const node = { username: 'system:node:n1', groups: ['system:nodes'] };
  const r = (resource: string, extra: Record<string, string> = {}) => ({ group: '', resource, ...extra });
  const cases: [string, Parameters<typeof evaluatePolicy>[1], string][] = [
    ['named configmap', { user: alice, verb: 'get', path: '', resource: r('configmaps', { name: 'controller-leader', namespace: 'x' }) }, 'None'],
    ['other configmap', { user: alice, verb: 'get', path: '', resource: r('configmaps', { name: 'y', namespace: 'x' }) }, 'Metadata'],
    ['pods/log', { user: alice, verb: 'get', path: '', resource: r('pods', { subresource: 'log' }) }, 'Metadata'],
    ['pods', { user: alice, verb: 'create', path: '', resource: r('pods') }, 'RequestResponse'],
    ['pods/exec is not pods', { user: alice, verb: 'create', path: '', resource: r('pods', { subresource: 'exec', namespace: 'x' }) }, 'Metadata'],
    ['*/scale', { user: alice, verb: 'update', path: '', resource: { group: 'apps', resource: 'deployments', subresource: 'scale' } }, 'Request'],
    ['node discovery', { user: node, verb: 'get', path: '/apis/apps/v1' }, 'None'],
    ['node version', { user: node, verb: 'get', path: '/version' }, 'None'],
    ['alice version: no rule', { user: alice, verb: 'get', path: '/version' }, 'None'],
    ['kube-system apps', { user: alice, verb: 'get', path: '', resource: { group: 'apps', resource: 'deployments', namespace: 'kube-system' } }, 'Request'],
    ['other apps', { user: alice, verb: 'get', path: '', resource: { group: 'apps', resource: 'deployments', namespace: 'x' } }, 'None'],
  ];
  for (const [name, attrs, level] of cases) assert.equal(evaluatePolicy(p, attrs).level, level, name);
  assert.deepEqual(evaluatePolicy(p, cases[9][1]).omitStages.sort(), ['RequestReceived', 'ResponseStarted']);
  assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n'), /rules\[0\]\.level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"/);
  assert.equal(microTime(1767225600123456), '2026-01-01T00:00:00.123456Z');
});
