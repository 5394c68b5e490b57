// Two `kubesim apiserver` processes on one PostgreSQL (and on one etcd) creating 200 NodePort Services at once: every
// Service gets its own clusterIP and nodePort, as the addresses are reserved in the shared store.
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
import { etcdMissing, startEtcd } from './etcd-harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pgServer = await startPostgres();
if (etcdMissing()) process.stdout.write('SKIP etcd service allocation test: no `etcd` binary on PATH\n');
const etcd = etcdMissing() ? undefined : await startEtcd(1);
const children: ChildProcess[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-svc-alloc-'));
// One PKI for the replicas (the secure default serves HTTPS with client certificates).
const pki = await sharedPki(dir);
after(async () => {
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : undefined)));
  await pgServer?.stop();
  await etcd?.close();
  pki.fetch.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startReplica(i: number | string, storage: string): Promise<string> {
  const port = await freePort();
  const args = [path.join(root, 'bin/kubesim.js'), 'apiserver', '--port', String(port), '--data-dir', path.join(dir, `r${i}`), ...pki.args, '--storage', storage];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await eventually(() => out.includes('listening on') || child.exitCode !== null, `replica ${i} listening`, 30_000, 50);
  assert.equal(child.exitCode, null, `replica ${i} exited: ${out}`);
  return `https://127.0.0.1:${port}`;
}

test('two API servers on one PostgreSQL: 200 concurrent Services, 200 distinct clusterIPs and nodePorts', { skip: !pgServer && 'postgres not found' }, async () => {
  await twoReplicas200Services(`${pgServer!.url}?schema=svcalloc&pool_size=8`, 'pg');
});

test('two API servers on one etcd: 200 concurrent Services, 200 distinct clusterIPs and nodePorts', { skip: !etcd && 'etcd not found' }, async () => {
  await twoReplicas200Services(`etcd://${etcd!.endpoints[0].replace(/^http:\/\//, '')}`, 'etcd');
});

async function twoReplicas200Services(storage: string, tag: string): Promise<void> {
  const urls = [await startReplica(`${tag}0`, storage), await startReplica(`${tag}1`, storage)];
  const results = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const res = await pki.fetch(`${urls[i % 2]}/api/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] } }),
      });
      return { status: res.status, body: (await res.json()) as any };
    }),
  );
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  const ips = new Set(results.map((r) => r.body.spec.clusterIP));
  const ports = new Set(results.map((r) => r.body.spec.ports[0].nodePort));
  assert.equal(ips.size, 200, 'distinct clusterIPs');
  assert.equal(ports.size, 200, 'distinct nodePorts');
  assert.ok(!ips.has('10.96.0.1'));
  // What both replicas list agrees with what was answered.
  for (const u of urls) {
    const list = await eventually(async () => {
      const l = (await (await pki.fetch(`${u}/api/v1/namespaces/default/services`)).json()) as any;
      return l.items.length === 201 && l;
    }, `201 services on ${u}`, 20_000, 100);
    const listed = new Set(list.items.filter((s: any) => s.metadata.name !== 'kubernetes').map((s: any) => s.spec.clusterIP));
    assert.deepEqual([...listed].sort(), [...ips].sort());
  }
}
