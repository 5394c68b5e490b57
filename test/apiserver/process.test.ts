// `kubesim apiserver` as a child process: /readyz, kubeconfig written, clean stop on SIGTERM, and a
// restart on the same data dir keeps every object and its resourceVersion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { req, configMap } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { kubeconfigFetch } from '../helpers/kubeconfig-fetch.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/kubesim.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startChild(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'apiserver', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' },
  });
  // The secure default: HTTPS with the data dir's CA (fetch does not know it: skip verification for the public /readyz).
  const base = `https://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`apiserver exited with ${child.exitCode}`);
    try {
      if (!fs.existsSync(path.join(dataDir, 'kubeconfig'))) return false;
      const f = kubeconfigFetch(path.join(dataDir, 'kubeconfig'));
      const ok = (await f(base + '/readyz')).status === 200;
      f.close();
      return ok;
    } catch {
      return false;
    }
  }, '/readyz', 20_000);
  return child;
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

test('kubesim apiserver: HTTPS by default, readyz, kubeconfig, SIGTERM, restart keeps objects, resourceVersions and the PKI', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const port = await freePort();
  let child = await startChild(port, dataDir);
  const base = kubeconfigFetch(path.join(dataDir, 'kubeconfig'));
  try {
    const kc = fs.readFileSync(path.join(dataDir, 'kubeconfig'), 'utf8');
    assert.match(kc, new RegExp(`server: https://127.0.0.1:${port}`));
    assert.match(kc, /current-context: kubesim/);
    assert.match(kc, /name: admin/);
    assert.match(kc, /client-certificate-data: /);
    const created = await req(base, 'POST', '/api/v1/namespaces/default/configmaps', configMap('persist', { a: '1' }));
    assert.equal(created.status, 201);
    const updated = await req(base, 'PUT', '/api/v1/namespaces/default/configmaps/persist', { ...created.body, data: { a: '2' } });
    assert.equal(updated.status, 200);
    const listBefore = await req(base, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(await stop(child), 0, 'clean exit on SIGTERM');

    const pkiBefore = ['ca.crt', 'ca.key', 'apiserver.crt', 'admin.crt'].map((f) => fs.readFileSync(path.join(dataDir, 'pki', f), 'utf8'));
    child = await startChild(port, dataDir);
    const pkiAfter = ['ca.crt', 'ca.key', 'apiserver.crt', 'admin.crt'].map((f) => fs.readFileSync(path.join(dataDir, 'pki', f), 'utf8'));
    assert.deepEqual(pkiAfter, pkiBefore, 'the generated PKI is reused on restart');
    const got = await req(base, 'GET', '/api/v1/namespaces/default/configmaps/persist');
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, updated.body);
    const listAfter = await req(base, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(listAfter.body.metadata.resourceVersion, listBefore.body.metadata.resourceVersion);
    const ns = await req(base, 'GET', '/api/v1/namespaces');
    assert.equal(ns.body.items.filter((n: any) => n.metadata.name === 'default').length, 1);
    // writes continue from the stored revision
    const next = await req(base, 'POST', '/api/v1/namespaces/default/configmaps', configMap('after'));
    assert.ok(Number(next.body.metadata.resourceVersion) > Number(updated.body.metadata.resourceVersion));
  } finally {
    base.close();
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('kubesim up: serves, prints the kubeconfig path and the kubectl command, stops on SIGINT', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'up', '--port', String(port), '--data-dir', dataDir, '--nodes', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  try {
    const kubeconfig = path.join(dataDir, 'kubeconfig');
    await eventually(() => out.includes(`kubectl --kubeconfig ${kubeconfig} get nodes`), 'the kubectl hint', 30_000);
    const f = kubeconfigFetch(kubeconfig);
    assert.equal((await f(`https://127.0.0.1:${port}/readyz`)).status, 200);
    f.close();
    assert.ok(fs.existsSync(kubeconfig));
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
