// Two `kubesim apiserver` processes on one PostgreSQL: the default/kubernetes Endpoints and
// EndpointSlices list both; one killed with kill -9 leaves them within its lease duration.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/eventually.ts';
import { sharedPki } from '../helpers/shared-pki.ts';
import { freePort, startPostgres } from '../helpers/services.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pgServer = await startPostgres();
const children: ChildProcess[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-ep-leases-'));
// One PKI for the replicas (the secure default serves HTTPS with client certificates).
const pki = await sharedPki(dir);
after(async () => {
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : undefined)));
  await pgServer?.stop();
  pki.fetch.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startReplica(i: number, storage: string): Promise<{ url: string; port: number; child: ChildProcess }> {
  const port = await freePort();
  const args = [path.join(root, 'bin/kubesim.js'), 'apiserver', '--port', String(port), '--data-dir', path.join(dir, `r${i}`), ...pki.args, '--storage', storage, '--endpoint-lease-duration', '2s'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await eventually(() => out.includes('listening on') || child.exitCode !== null, `replica ${i} listening`, 30_000, 50);
  assert.equal(child.exitCode, null, `replica ${i} exited: ${out}`);
  return { url: `https://127.0.0.1:${port}`, port, child };
}

const get = async (base: string, p: string) => (await (await pki.fetch(base + p)).json()) as any;
const endpointPorts = (ep: any) => (ep.subsets ?? []).flatMap((s: any) => s.ports.map((p: any) => p.port)).sort();
const slicePorts = (l: any) => l.items.filter((s: any) => s.metadata.labels?.['kubernetes.io/service-name'] === 'kubernetes').flatMap((s: any) => s.ports.map((p: any) => p.port)).sort();

test('the kubernetes Endpoints list every live API server; a killed one leaves within the lease duration', { skip: !pgServer && 'postgres not found' }, async () => {
  const storage = `${pgServer!.url}?schema=epleases&pool_size=4`;
  const a = await startReplica(0, storage);
  const b = await startReplica(1, storage);
  const both = [a.port, b.port].sort();
  for (const r of [a, b]) {
    await eventually(async () => JSON.stringify(endpointPorts(await get(r.url, '/api/v1/namespaces/default/endpoints/kubernetes'))) === JSON.stringify(both), `both replicas in the Endpoints seen on ${r.port}`, 10_000, 100);
    await eventually(async () => JSON.stringify(slicePorts(await get(r.url, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices'))) === JSON.stringify(both), `both replicas in the EndpointSlices on ${r.port}`, 10_000, 100);
  }
  const leases = await get(a.url, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  assert.equal(leases.items.filter((l: any) => l.metadata.labels?.['apiserver.kubernetes.io/identity'] === 'kube-apiserver').length, 2);

  const killedAt = Date.now();
  b.child.kill('SIGKILL');
  await eventually(async () => JSON.stringify(endpointPorts(await get(a.url, '/api/v1/namespaces/default/endpoints/kubernetes'))) === JSON.stringify([a.port]), 'the killed replica gone from the Endpoints', 10_000, 100);
  const gone = Date.now() - killedAt;
  // lease 2 s + one renew interval (2/3 s) of the survivor, plus slack for a loaded machine
  assert.ok(gone < 4_500, `left after ${gone} ms`);
  await eventually(async () => JSON.stringify(slicePorts(await get(a.url, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices'))) === JSON.stringify([a.port]), 'the killed replica gone from the EndpointSlices', 5_000, 100);
});
