// The kubeconfig kubesim writes for an https API server with an admin token: our Client loads it
// (certificate-authority-data, token) and talks to the server over verified TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { startApiServer } from '../../src/apiserver/index.ts';
import { registry } from '../../src/api/registry.ts';
import { Client, loadKubeconfig } from '../../src/client/index.ts';

test('Client.fromKubeconfig reads the kubeconfig of an https kubesim (CA data + token)', { skip: spawnSync('openssl', ['version']).status !== 0 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr.toString());
  const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
  const key = fs.readFileSync(path.join(dir, 'key.pem'));
  const server = await startApiServer({ port: 0, dataDir: path.join(dir, 'data'), tls: { key, cert, ca: cert }, adminToken: 'sekret', logger: pino({ level: 'silent' }) });
  const namespaces = registry.byResource('', 'v1', 'namespaces')!;
  try {
    const kc = loadKubeconfig(server.kubeconfigPath!);
    assert.equal(kc.server, server.url);
    assert.equal(kc.token, 'sekret');
    assert.ok(kc.ca && kc.ca.equals(cert));
    const client = Client.fromKubeconfig(server.kubeconfigPath!, { qps: 0 });
    const list = await client.resource(namespaces).list();
    assert.ok(list.items.some((n) => n.metadata.name === 'default'));
    client.close();
    // without the CA the server's certificate is refused
    const noCa = new Client({ server: server.url, token: 'sekret', qps: 0 });
    await assert.rejects(noCa.resource(namespaces).list(), /self[- ]signed|unable to verify/i);
    noCa.close();
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
