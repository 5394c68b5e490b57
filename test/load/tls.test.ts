// `kubesim load` never assumes plain http: against an API server on https that accepts only a
// bearer token (kubeconfig with certificate-authority-data and token), every call and the /metrics
// scrape go through the kubeconfig's TLS settings and credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StatusError } from '../../src/api/errors.ts';
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/controllers/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

test('load profile over https with a bearer token from the kubeconfig', { skip: !haveOpenssl && 'openssl not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-load-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=kubesim', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const pem = { key: readFileSync(key), cert: readFileSync(cert) };
  let rejected = 0;
  const srv = await startApiServer({
    port: 0,
    dataDir: dir,
    tls: { ...pem, ca: pem.cert },
    adminToken: 'load-token',
    pipeline: {
      authenticators: [
        {
          name: 'token',
          authenticate(req) {
            if (req.headers.authorization === 'Bearer load-token') return { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
            rejected++;
            throw new StatusError(401, 'Unauthorized', 'Unauthorized');
          },
        },
      ],
    },
  });
  const cmClient = new Client({ server: srv.url, ca: pem.cert, token: 'load-token', qps: Infinity });
  const cm = await startControllerManager({ client: cmClient, controllers: ['namespace', 'garbagecollector'], leaderElect: false });
  try {
    const report = join(dir, 'report.json');
    const r = await new Promise<{ code: number; out: string }>((res) =>
      execFile(process.execPath, [join(root, 'bin/kubesim.js'), 'load', '--kubeconfig', srv.kubeconfigPath!, '--profile', 'load', '--nodes', '1', '--qps', '10', '--duration', '2s', '--namespace-prefix', 'lt-tls', '--report', report], { cwd: root, timeout: 180_000 }, (err, stdout, stderr) =>
        res({ code: err ? ((err as any).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    assert.equal(r.code, 0, r.out);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    assert.match(rep.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(rep.calls.errors, 0, rep.calls.lastError);
    assert.ok(rep.calls.issued >= 10);
    assert.ok(rep.requests.server?.length > 0, `server rows: ${rep.requests.serverError}`);
    assert.deepEqual(rep.cleanup.remaining, []);
    assert.equal(rejected, 0, 'every request carried the token');
  } finally {
    await cm.stop();
    cmClient.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
