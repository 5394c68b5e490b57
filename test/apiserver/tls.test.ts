// HTTPS: startApiServer with a key pair serves TLS and writes a kubeconfig that trusts its CA and
// carries the admin token; real kubectl and the fetch API work through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { startTestServer } from './helpers.ts';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

test('TLS: https serving, kubeconfig with certificate-authority-data and token', { skip: !haveOpenssl && 'openssl not installed' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=kubesim', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const pem = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  const srv = await startTestServer({ dataDir: dir, tls: { ...pem, ca: pem.cert }, adminToken: 'secret-token' });
  try {
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const kc = fs.readFileSync(srv.kubeconfigPath!, 'utf8');
    assert.match(kc, /server: https:\/\/127\.0\.0\.1:/);
    assert.match(kc, /certificate-authority-data: /);
    assert.match(kc, /token: secret-token/);
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${srv.url}/readyz`, { ca: pem.cert }, (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve(t));
      }).on('error', reject);
    });
    assert.equal(body, 'ok');
    if (fs.existsSync('/usr/bin/kubectl')) {
      // async: the server runs in this process
      const { stdout: out } = await promisify(execFile)('/usr/bin/kubectl', ['--kubeconfig', srv.kubeconfigPath!, 'get', 'ns', '-o', 'name'], { env: { ...process.env, HOME: dir } });
      assert.match(out, /namespace\/kube-system/);
    }
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
