// The parts as separate processes: `kubesim apiserver` and two `kubesim controller-manager`s against
// it. One leads (kube-system/kube-controller-manager Lease) and reconciles; when it stops, the standby
// takes over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { eventually } from '../helpers/eventually.ts';


const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'kubesim-'));
const kubeconfig = join(dir, 'data', 'kubeconfig');
const children: ChildProcess[] = [];
let client: Client;

function kubesim(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin/kubesim.js'), ...args], { cwd: root, env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

const RS = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true, kind: 'ReplicaSet' };
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };
const cmArgs = (id: string) => ['controller-manager', '--kubeconfig', join(dir, 'data', 'controller-manager.kubeconfig'), '--identity', id, '--lease-duration', '3', '--renew-deadline', '2', '--retry-period', '0.5', '--controllers', 'replicaset,garbagecollector'];

before(async () => {
  kubesim(['apiserver', '--port', '0', '--data-dir', join(dir, 'data')]);
  await eventually(() => existsSync(kubeconfig) && /server: http/.test(readFileSync(kubeconfig, 'utf8')), 'kubeconfig written', 30_000, 100);
  client = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
  await eventually(async () => (await client.raw({ path: '/readyz' })).status === 200, 'API server ready', 30_000, 100);
});
after(async () => {
  client?.close();
  for (const c of children.reverse()) await stopChild(c);
  rmSync(dir, { recursive: true, force: true });
});

test('two controller-managers: one leads and reconciles; the standby takes over when it stops', async () => {
  const a = kubesim(cmArgs('cm-a'));
  const leader = await eventually(async () => (await client.resource(LEASES).get('kube-controller-manager', { namespace: 'kube-system' })).spec?.holderIdentity, 'a leader', 30_000, 200);
  assert.equal(leader, 'cm-a');
  const b = kubesim(cmArgs('cm-b'));
  await client.resource(RS).create(
    { metadata: { name: 'proc' }, spec: { replicas: 2, selector: { matchLabels: { app: 'proc' } }, template: { metadata: { labels: { app: 'proc' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } as KubeObject,
    { namespace: 'default' },
  );
  await eventually(async () => (await client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=proc' })).items.length === 2, 'pods from the leader', 30_000, 200);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=proc' })).items.length, 2, 'the standby created nothing');

  await stopChild(a);
  await eventually(async () => (await client.resource(LEASES).get('kube-controller-manager', { namespace: 'kube-system' })).spec?.holderIdentity === 'cm-b', 'cm-b leads', 30_000, 200);
  await client.resource(RS).patch('proc', { spec: { replicas: 3 } }, { namespace: 'default', type: 'merge' });
  await eventually(async () => (await client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=proc' })).items.length === 3, 'the new leader scales', 30_000, 200);
  void b;
});
