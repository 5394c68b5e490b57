// `kubesim apiserver` with kube-apiserver's audit, encryption and timeout flags: the flags parse,
// requests are audited to the file, secrets are stored encrypted, bad flag values stop the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/services.ts';
import { Client } from '../../src/client/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/kubesim.js');

test('kubesim apiserver --audit-policy-file --audit-log-path --encryption-provider-config --request-timeout', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-flags-'));
  const port = await freePort();
  const log = path.join(dir, 'audit.log');
  const args = ['apiserver', '--port', String(port), '--data-dir', path.join(dir, 'd'), '--request-timeout', '30s'];
  args.push('--audit-policy-file', path.join(root, 'examples/security/audit-policy.yaml'), '--audit-log-path', log, '--audit-log-maxsize', '1', '--audit-log-maxbackup', '2');
  // The example's aesgcm provider for secrets, and secretbox for configmaps.
  const example = fs.readFileSync(path.join(root, 'examples/security/encryption-config.yaml'), 'utf8');
  const box = `  - resources: [configmaps]\n    providers:\n      - secretbox:\n          keys:\n            - name: box1\n              secret: ${Buffer.alloc(32, 7).toString('base64')}\n`;
  fs.writeFileSync(path.join(dir, 'encryption.yaml'), `${example.trimEnd()}\n${box}`);
  args.push('--encryption-provider-config', path.join(dir, 'encryption.yaml'));
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  // Secure by default: the test talks to it through the kubeconfig it writes (CA, admin certificate).
  const kubeconfig = path.join(dir, 'd', 'kubeconfig');
  let client: Client | undefined;
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`apiserver exited with ${child.exitCode}`);
      if (!fs.existsSync(kubeconfig)) return false;
      client ??= Client.fromKubeconfig(kubeconfig);
      return (await client.requestBuffer({ path: '/readyz' }).catch(() => undefined))?.status === 200;
    }, '/readyz', 30_000);
    const r = await client!.requestBuffer({ method: 'POST', path: '/api/v1/namespaces/default/secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } } });
    assert.equal(r.status, 201);
    const cm = await client!.requestBuffer({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'plain-value' } } });
    assert.equal(cm.status, 201);
    const back = await client!.requestBuffer({ path: '/api/v1/namespaces/default/configmaps/c' });
    assert.equal(JSON.parse(back.body.toString()).data.k, 'plain-value');
    const id = r.headers['audit-id'];
    assert.ok(id, 'an Audit-Id header');
    await eventually(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(`"auditID":"${id}"`), 'the create is audited', 15_000);
  } finally {
    client?.close();
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
  const db = new Database(path.join(dir, 'd', 'kubesim.db'), { readonly: true });
  const row = db.prepare('SELECT value FROM current WHERE key = ?').get('/registry/core/secrets/default/s') as { value: string };
  const cmRow = db.prepare('SELECT value FROM current WHERE key = ?').get('/registry/core/configmaps/default/c') as { value: string };
  db.close();
  assert.match(JSON.parse(row.value).value, /^k8s:enc:aesgcm:v1:key1:/);
  assert.match(JSON.parse(cmRow.value).value, /^k8s:enc:secretbox:v1:box1:/);
  assert.ok(!cmRow.value.includes('plain-value'));
  // A bad value stops the start with the flag's name.
  const bad = spawnSync(process.execPath, [bin, 'apiserver', '--port', '0', '--data-dir', path.join(dir, 'e'), '--request-timeout', 'soon'], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--request-timeout must be a duration/);
  fs.rmSync(dir, { recursive: true, force: true });
});
