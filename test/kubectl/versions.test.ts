// The kubectl on these machines runs the bundled kubectl matching the server's minor version
// (1.27–1.33). A proxy in front of kubesim reports each minor in turn so every bundled kubectl
// (1.27/1.28 only ask for aggregated discovery v2beta1 and read /openapi/v2 as protobuf for apply)
// is exercised on discovery, get, apply,
// protobuf create, patch and explain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, hasKubectl, GUESTBOOK, type Cluster } from './harness.ts';

let c: Cluster;
let proxy: http.Server;
let minor = '32';
const skip = !hasKubectl;

before(async () => {
  c = await startCluster();
  const target = new URL(c.url);
  proxy = http.createServer((req, res) => {
    if (req.url?.startsWith('/version')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor, gitVersion: `v1.${minor}.0`, platform: 'linux/amd64' }));
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      r.on('error', () => res.destroy());
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    // kubectl may drop a connection mid-request: never let a socket error escape the test.
    up.on('error', () => res.destroy());
    req.on('error', () => up.destroy());
    res.on('error', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as any).port;
  writeFileSync(join(c.dir, 'kubeconfig'), (await import('../../src/apiserver/index.ts')).kubeconfigYaml(`http://127.0.0.1:${port}`));
});
after(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await c?.close();
});

for (const m of ['27', '28', '29', '30', '31', '33']) {
  test(`kubectl 1.${m}: discovery, get, apply, protobuf create, patch, explain`, { skip }, async () => {
    minor = m;
    const home = { HOME: join(c.dir, `home-${m}`) };
    const run = async (args: string[], stdin?: string) => {
      const r = await c.kubectl(args, { env: home, stdin });
      assert.equal(r.code, 0, `kubectl 1.${m} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    assert.match(await run(['version']), new RegExp(`Server Version: .*v1\\.${m}\\.0`));
    assert.match(await run(['api-resources']), /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    const ns = `v${m}`;
    await run(['create', 'namespace', ns]);
    await run(['apply', '-n', ns, '-f', `${GUESTBOOK}/redis-leader-deployment.yaml`]);
    assert.match(await run(['apply', '-n', ns, '-f', `${GUESTBOOK}/redis-leader-deployment.yaml`]), /unchanged/);
    await run(['create', 'deployment', 'web', '-n', ns, '--image=nginx', '--replicas=2']);
    await run(['patch', 'deployment', 'web', '-n', ns, '-p', '{"spec":{"replicas":3}}']);
    assert.match(await run(['get', 'deploy', '-n', ns]), /web\s+0\/3/);
    assert.equal((await c.get(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas, 3);
    assert.match(await run(['explain', 'deployment.spec.replicas']), /replicas/);
  });
}
