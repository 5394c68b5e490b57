// The CLI end to end. `kubesim up` keeps D/pki/sa.key, serves TokenRequest with it, and hands it to
// the controller-manager, whose token controller fills legacy token Secrets; the cluster CA it
// generated (D/pki/ca.crt) is published as kube-root-ca.crt. `kubesim apiserver` and
// `kubesim controller-manager` take the kube-apiserver / kube-controller-manager key flags. Both
// serve the secure default: the tests read the kubeconfigs kubesim writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client/index.ts';
import { up } from '../e2e/harness.ts';
import { SECRETS, SERVICEACCOUNTS, CONFIGMAPS } from '../../src/api/core/refs.ts';
import { eventually } from '../helpers/eventually.ts';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { tlsFetch } from '../helpers/kubeconfig-fetch.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('kubesim up: TokenRequest and the token controller share D/pki/sa.key', async () => {
  const c = await up(['--nodes', '0']);
  try {
    await c.client.resource(SERVICEACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci' } }, { namespace: 'default' });
    await c.client.resource(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ci-token', annotations: { 'kubernetes.io/service-account.name': 'ci' } }, type: 'kubernetes.io/service-account-token' } as any, { namespace: 'default' });
    const legacy: string = await eventually(async () => ((await c.client.resource(SECRETS).get('ci-token', { namespace: 'default' })) as any).data?.token, 'the token Secret filled', 30_000);
    const bound = await c.client.resource(SERVICEACCOUNTS).createSubresource('ci', 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }, { namespace: 'default' });
    // Only the CA from the kubeconfig: the bearer token is the credential.
    const kc = loadKubeconfig(c.kubeconfig);
    const tokenFetch = tlsFetch({ server: kc.server, ca: kc.ca });
    for (const token of [Buffer.from(legacy, 'base64').toString(), (bound as any).status.token]) {
      const r = await tokenFetch(`/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
      assert.equal(r.status, 201);
      assert.equal(((await r.json()) as any).status.userInfo.username, 'system:serviceaccount:default:ci');
    }
    tokenFetch.close();
    // The cluster CA kubesim up generated is published in every namespace.
    const ca = readFileSync(join(dirname(c.kubeconfig), 'pki', 'ca.crt'), 'utf8');
    const cm: any = await eventually(() => c.client.resource(CONFIGMAPS).get('kube-root-ca.crt', { namespace: 'default' }).catch(() => undefined), 'kube-root-ca.crt published', 30_000);
    assert.equal(cm.data['ca.crt'], ca);
  } finally {
    await c.close();
  }
});

test('kubesim apiserver and controller-manager as processes with the key flags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cli-tokens-'));
  const procs: ChildProcess[] = [];
  const start = (args: string[]) => {
    const p = spawn(process.execPath, [join(root, 'bin/kubesim.js'), ...args], { cwd: root, env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    return () => out;
  };
  try {
    const keyFile = join(dir, 'signing.key');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const apiOut = start(['apiserver', '--port', '0', '--data-dir', join(dir, 'data'), '--storage', 'memory', '--service-account-signing-key-file', keyFile, '--service-account-issuer', 'https://issuer.kubesim.test', '--service-account-issuer', 'https://old.kubesim.test']);
    const url = await eventually(() => /listening on (\S+)/.exec(apiOut())?.[1], 'the API server URL', 30_000, 100);
    assert.match(url, /^https:/);
    const kubeconfig = join(dir, 'data', 'kubeconfig');
    await eventually(() => existsSync(kubeconfig), 'D/kubeconfig written', 30_000, 100);
    const client = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
    const tokenFetch = tlsFetch({ server: client.server, ca: loadKubeconfig(kubeconfig).ca });
    try {
      await client.resource(SERVICEACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci' } }, { namespace: 'default' });
      const tr: any = await client.resource(SERVICEACCOUNTS).createSubresource('ci', 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }, { namespace: 'default' });
      const h = JSON.parse(Buffer.from(tr.status.token.split('.')[0], 'base64url').toString());
      const c = JSON.parse(Buffer.from(tr.status.token.split('.')[1], 'base64url').toString());
      assert.equal(h.alg, 'ES256');
      assert.equal(c.iss, 'https://issuer.kubesim.test');
      assert.deepEqual(tr.spec.audiences, ['https://issuer.kubesim.test', 'https://old.kubesim.test']);
      // The data dir got no generated key: the flag's key signs.
      assert.equal(existsSync(join(dir, 'data', 'pki', 'sa.key')), false);

      // Under its own identity (system:kube-controller-manager), as RBAC allows it.
      start(['controller-manager', '--kubeconfig', join(dir, 'data', 'controller-manager.kubeconfig'), '--leader-elect', 'false', '--controllers', 'serviceaccount-token', '--service-account-private-key-file', keyFile]);
      await client.resource(SECRETS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ci-token', annotations: { 'kubernetes.io/service-account.name': 'ci' } }, type: 'kubernetes.io/service-account-token' } as any, { namespace: 'default' });
      const legacy: string = await eventually(async () => ((await client.resource(SECRETS).get('ci-token', { namespace: 'default' })) as any).data?.token, 'the token Secret filled', 30_000);
      const r = await tokenFetch(`/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${Buffer.from(legacy, 'base64').toString()}` }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
      assert.equal(r.status, 201);
    } finally {
      client.close();
      tokenFetch.close();
    }
  } finally {
    for (const p of procs.reverse()) {
      if (p.exitCode !== null) continue;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
