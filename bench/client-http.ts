// CPU of the REST client per request over HTTPS (issue 19: the node pool's HTTPS client is 35-40%
// of its CPU). The server is a child process answering every request with a canned Lease (no API
// server work), so the figure is the client's own: process.cpuUsage() µs per request of this
// process, with C requests in flight on the keep-alive agent, as the pool's Lease renewals do.
//
//   node --import tsx bench/client-http.ts [--n 20000] [--concurrency 50] [--http] [--profile F.cpuprofile]
//
// 2026-12-02 (load average 5-7, A/B back to back, the client with a CA, certificate and key as
// the components' kubeconfigs carry): main 241 and 201 µs per request, after the one-name agent
// (src/client/httptransport.ts) 169 and 152 µs. What is left: TLS writev ~29% of the samples
// (encryption and the syscall), node's http client and agent, JSON.stringify/parse.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '../src/client/index.ts';
import { LEASES } from '../src/api/core/refs.ts';
import { arg } from './util.ts';

const N = Number(arg('n', '20000'));
const C = Number(arg('concurrency', '50'));
const HTTP = process.argv.includes('--http');
const PROFILE = arg('profile', '');

const lease = (i: number) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: `node-${i}`, namespace: 'kube-node-lease', uid: '3f1c1c0e-8a4e-4d9b-9a59-3c5d2f0b7a10', resourceVersion: String(1000 + i), creationTimestamp: '2026-12-01T00:00:00Z', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: `node-${i}`, uid: '9d1f7a2e-4b3c-4e5f-8a9b-0c1d2e3f4a5b' }] },
  spec: { holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: '2026-12-01T00:00:10.123456Z' },
});

if (process.argv[2] === '--serve') {
  // the child: an https (or http) server answering every request with the Lease it was sent
  const [, , , dir, useHttp] = process.argv;
  const mod = useHttp === 'http' ? await import('node:http') : await import('node:https');
  const opts = useHttp === 'http' ? {} : { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  const server = (mod as typeof import('node:https')).createServer(opts, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks) : Buffer.from(JSON.stringify(lease(0)));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Audit-Id': '5c1f0e8e-2b7a-4a51-9d3c-7c0e6b1d2f3a' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'client-http-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const child = fork(new URL(import.meta.url).pathname, ['--serve', dir, HTTP ? 'http' : 'https'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    // a client certificate and key, as the components' kubeconfigs carry (the server does not ask for it)
  const client = new Client({ server: `${HTTP ? 'http' : 'https'}://127.0.0.1:${port}`, ca: readFileSync(path.join(dir, 'cert.pem')), cert: readFileSync(path.join(dir, 'cert.pem')), key: readFileSync(path.join(dir, 'key.pem')), qps: Infinity });
  const leases = client.resource(LEASES).inNamespace('kube-node-lease');
  const held = Array.from({ length: 1000 }, (_, i) => lease(i));
  const run = async (n: number) => {
    let next = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < n) {
          const i = next++ % held.length;
          held[i] = (await leases.update(held[i] as never)) as never;
        }
      }),
    );
    const c = process.cpuUsage(c0);
    return { us: (c.user + c.system) / n, rate: n / ((performance.now() - t0) / 1000) };
  };
  await run(Math.min(N, 5000)); // warm-up
  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const r = await run(N);
  if (session) writeFileSync(PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile));
  console.log(`client-http: node ${process.version}, ${os.cpus().length} cores, loadavg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${HTTP ? 'http' : 'https'}, ${N} Lease updates, ${C} in flight`);
  console.log(`  client CPU ${r.us.toFixed(1)} µs per request (${Math.round(r.rate)} requests/s)`);
  client.close();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
