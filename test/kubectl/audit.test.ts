// Auditing end to end: kubectl against a server with the Kubernetes documentation's audit policy
// (examples/security/audit-policy.yaml): a pod create is logged at RequestResponse (RequestReceived
// omitted by the policy), a secret read at Metadata, discovery (/api*) not at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, hasKubectl, type Cluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Cluster;
let dir: string;
let log: string;
const skip = !hasKubectl;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'kubesim-audit-e2e-'));
  log = join(dir, 'audit.log');
  c = await startCluster({ auditPolicyFile: join(import.meta.dirname, '../../examples/security/audit-policy.yaml'), auditLogPath: log });
});
after(async () => {
  await c?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const events = (): any[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

test('kubectl run / get secret: one event per stage the policy keeps, with user, verb and objects', { skip }, async () => {
  await c.ok(['run', 'web', '--image=nginx']);
  await c.ok(['create', 'secret', 'generic', 's1', '--from-literal=a=b']);
  await c.ok(['get', 'secret', 's1']);
  await eventually(() => events().some((e) => e.objectRef?.resource === 'secrets' && e.verb === 'get'), 'the secret get is logged', 15_000);
  const evs = events();
  const create = evs.filter((e) => e.objectRef?.resource === 'pods' && e.verb === 'create');
  assert.deepEqual(create.map((e) => e.stage), ['ResponseComplete'], 'RequestReceived omitted by the policy');
  const [pod] = create;
  assert.equal(pod.level, 'RequestResponse');
  assert.equal(pod.user.username, 'system:admin');
  assert.match(pod.userAgent, /^kubectl/);
  assert.deepEqual(pod.objectRef, { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1' });
  assert.equal(pod.requestObject.spec.containers[0].image, 'nginx');
  assert.equal(pod.responseObject.metadata.name, 'web');
  assert.equal(pod.responseStatus.code, 201);
  assert.equal(pod.annotations['authorization.k8s.io/decision'], 'allow');
  const secretCreate = evs.find((e) => e.objectRef?.resource === 'secrets' && e.verb === 'create');
  assert.equal(secretCreate.level, 'Metadata');
  assert.equal(secretCreate.requestObject, undefined, 'no secret data in the log at Metadata');
  assert.ok(!JSON.stringify(evs).includes(Buffer.from('b').toString('base64') + '"'), 'secret values are not logged');
  assert.ok(!evs.some((e) => e.requestURI.startsWith('/api') && !e.objectRef), 'discovery (/api*) is not logged for authenticated users');
});
