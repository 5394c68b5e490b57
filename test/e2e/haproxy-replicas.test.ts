// Three `kubesim apiserver` replicas on one PostgreSQL (+ Redis Streams when redis-server is there)
// behind a real HAProxy on loopback; kubectl, a scheduler, a controller-manager and a node pool all
// talk to the HAProxy address. One replica is killed with kill -9 in the middle of a Deployment
// rollout: the rollout completes through the others and every acknowledged write is still there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/eventually.ts';
import { freePort, startPostgres, startRedis } from '../helpers/services.ts';
import { sharedPki } from '../helpers/shared-pki.ts';
import { KUBECTL, hasKubectl } from './harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const haproxy = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!haproxy) process.stdout.write('SKIP haproxy e2e: haproxy not found on PATH (apt-get install -y haproxy)\n');
if (!hasKubectl) process.stdout.write(`SKIP haproxy e2e: ${KUBECTL} not found\n`);
const pgServer = haproxy && hasKubectl ? await startPostgres() : undefined;
const redis = pgServer ? await startRedis() : undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-haproxy-'));
// One PKI for the replicas: HAProxy passes TLS through, any replica serves the same CA and accepts the same client certificates.
const pki = await sharedPki(dir);
const children: ChildProcess[] = [];
const logs = new Map<string, string>();

after(async () => {
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
  pki.fetch.close();
  await redis?.stop();
  await pgServer?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(name: string, cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  children.push(child);
  logs.set(name, '');
  const keep = (d: Buffer) => logs.set(name, (logs.get(name)! + d).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}
const kubesim = (name: string, args: string[]) => run(name, process.execPath, [path.join(root, 'bin/kubesim.js'), ...args]);
const allLogs = () => [...logs].map(([n, l]) => `--- ${n}\n${l}`).join('\n').slice(-8000);

/** HAProxy in TCP mode (watches are long-lived), /readyz health checks, a failed connect redispatched. */
function haproxyConfig(port: number, backends: number[]): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  retries 3',
    '  option redispatch',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend apiservers',
    'backend apiservers',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 300ms fall 2 rise 2 on-marked-down shutdown-sessions',
    ...backends.map((p, i) => `  server api${i} 127.0.0.1:${p} check check-ssl verify none`),
    '',
  ].join('\n');
}

function kubectl(kubeconfig: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((res, rej) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: dir }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, se) =>
      err ? rej(new Error(`kubectl ${args.join(' ')}: ${se || err.message}`)) : res(stdout),
    );
  });
}

const deployment = (image: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 6,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  });

test('three API servers behind HAProxy: the cluster works through it and survives kill -9 of one mid-rollout', { skip: !pgServer && 'haproxy, kubectl or postgres missing', timeout: 240_000 }, async () => {
  const storage = `${pgServer!.url}?schema=haproxy&pool_size=6`;
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const replicas = ports.map((p, i) =>
    kubesim(`api${i}`, ['apiserver', '--port', String(p), '--data-dir', path.join(dir, `r${i}`), ...pki.args, '--storage', storage, ...(redis ? ['--events', redis.url] : []), '--endpoint-lease-duration', '3s']),
  );
  for (const p of ports) await eventually(async () => (await pki.fetch(`https://127.0.0.1:${p}/readyz`).catch(() => undefined))?.status === 200, `replica ${p} ready`, 60_000, 100);
  const lb = await freePort();
  fs.writeFileSync(path.join(dir, 'haproxy.cfg'), haproxyConfig(lb, ports));
  run('haproxy', haproxy!, ['-f', path.join(dir, 'haproxy.cfg'), '-db']);
  const kc = pki.kubeconfig(`https://127.0.0.1:${lb}`);
  await eventually(async () => (await kubectl(kc, ['get', '--raw', '/readyz'], 5_000).catch(() => '')) === 'ok', 'kubectl through HAProxy', 30_000, 200);

  // The whole cluster through the HAProxy address.
  // Each component with its own identity, through the HAProxy address.
  const lbUrl = `https://127.0.0.1:${lb}`;
  kubesim('scheduler', ['scheduler', '--kubeconfig', pki.kubeconfig(lbUrl, 'scheduler')]);
  kubesim('controller-manager', ['controller-manager', '--kubeconfig', pki.kubeconfig(lbUrl, 'controller-manager')]);
  kubesim('nodes', ['nodes', '--kubeconfig', pki.kubeconfig(lbUrl, 'node-pool'), '--count', '3', '--heartbeat', '2']);
  await eventually(async () => (await kubectl(kc, ['get', 'nodes', '-o', 'name'], 10_000).catch(() => '')).trim().split('\n').filter(Boolean).length === 3, '3 nodes registered', 60_000, 500);
  const eps = JSON.parse(await kubectl(kc, ['get', 'endpoints', 'kubernetes', '-o', 'json']));
  assert.deepEqual(eps.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort(), [...ports].sort(), 'every replica in the kubernetes Endpoints');

  fs.writeFileSync(path.join(dir, 'web-v1.json'), deployment('nginx:1.0'));
  await kubectl(kc, ['apply', '-f', path.join(dir, 'web-v1.json')]);
  await kubectl(kc, ['rollout', 'status', 'deployment/web', '--timeout=120s']).catch((e) => {
    throw new Error(`${e.message}\n${allLogs()}`);
  });

  // Acknowledged writes keep coming through HAProxy while a replica dies.
  const acknowledged: string[] = [];
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const name = `ack-${i}`;
      const r = await pki.fetch(`https://127.0.0.1:${lb}/api/v1/namespaces/default/configmaps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }),
      }).catch(() => undefined);
      if (r?.status === 201) acknowledged.push(name);
      await r?.text().catch(() => undefined);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();

  fs.writeFileSync(path.join(dir, 'web-v2.json'), deployment('nginx:2.0'));
  await kubectl(kc, ['apply', '-f', path.join(dir, 'web-v2.json')]);
  await eventually(async () => {
    const d = JSON.parse(await kubectl(kc, ['get', 'deployment', 'web', '-o', 'json'], 10_000));
    return (d.status?.updatedReplicas ?? 0) >= 1 && (d.status?.updatedReplicas ?? 0) < 6;
  }, 'the rollout under way', 60_000, 100);
  replicas[0].kill('SIGKILL');
  process.stdout.write('# killed replica 0 mid-rollout\n');
  await kubectl(kc, ['rollout', 'status', 'deployment/web', '--timeout=150s'], 160_000).catch((e) => {
    throw new Error(`${e.message}\n${allLogs()}`);
  });
  const d = JSON.parse(await kubectl(kc, ['get', 'deployment', 'web', '-o', 'json']));
  assert.equal(d.status.updatedReplicas, 6);
  assert.equal(d.status.availableReplicas, 6);
  const pods = JSON.parse(await kubectl(kc, ['get', 'pods', '-l', 'app=web', '-o', 'json']));
  const running = pods.items.filter((p: any) => !p.metadata.deletionTimestamp && p.spec.containers[0].image === 'nginx:2.0' && p.status.phase === 'Running');
  assert.equal(running.length, 6, 'six new pods running');

  await new Promise((r) => setTimeout(r, 500));
  writing = false;
  await writer;
  assert.ok(acknowledged.length > 10, `writes acknowledged: ${acknowledged.length}`);
  process.stdout.write(`# ${acknowledged.length} writes acknowledged through HAProxy, checked after the kill\n`);
  const cms = JSON.parse(await kubectl(kc, ['get', 'configmaps', '-o', 'json']));
  const have = new Set(cms.items.map((c: any) => c.metadata.name));
  const lost = acknowledged.filter((n) => !have.has(n));
  assert.deepEqual(lost, [], 'every acknowledged write is there');
  // The dead replica leaves the kubernetes Endpoints within its lease.
  await eventually(async () => {
    const e = JSON.parse(await kubectl(kc, ['get', 'endpoints', 'kubernetes', '-o', 'json'], 10_000));
    return JSON.stringify(e.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort()) === JSON.stringify(ports.slice(1).sort());
  }, 'the killed replica gone from the Endpoints', 15_000, 200);
});
