// compose.yaml and the Dockerfile, checked without a container engine (none runs on this machine):
// the compose file parses, has the services the README names, every kubesim service's command is a
// valid `kubesim` invocation (the subcommand's --help exits 0 and lists every flag used), HAProxy's
// config is valid for `haproxy -c` and the Dockerfile installs production dependencies as non-root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const compose = parse(fs.readFileSync(path.join(root, 'compose.yaml'), 'utf8'), { merge: true });
const services: Record<string, any> = compose.services;
const kubesimServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

test('compose.yaml: PostgreSQL, Redis, two API servers, HAProxy, two schedulers, two controller-managers, 100 nodes', () => {
  const bySub = (sub: string) => kubesimServices.filter(([, s]) => s.command[0] === sub).map(([n]) => n);
  assert.match(services.postgres.image, /^postgres:/);
  assert.match(services.redis.image, /^redis:/);
  assert.match(services.haproxy.image, /^haproxy:/);
  assert.equal(bySub('apiserver').length, 2);
  assert.equal(bySub('scheduler').length, 2);
  assert.equal(bySub('controller-manager').length, 2);
  const nodes = kubesimServices.filter(([, s]) => s.command[0] === 'nodes');
  assert.equal(nodes.length, 1);
  const cmd: string[] = nodes[0][1].command;
  assert.equal(cmd[cmd.indexOf('--count') + 1], '100');
  for (const [name, s] of kubesimServices) {
    if (s.command[0] === 'apiserver') {
      assert.match(s.command.join(' '), /--storage postgres:\/\/postgres@postgres:5432\/.* --events redis:\/\/redis:6379/, name);
      const ip = s.command[s.command.indexOf('--advertise-address') + 1];
      assert.equal(s.networks.kubesim.ipv4_address, ip, `${name} advertises its own address`);
    } else {
      const identity = s.command[0] === 'nodes' ? 'node-pool' : s.command[0];
      assert.equal(s.command[s.command.indexOf('--kubeconfig') + 1], `/etc/kubesim/${identity}.kubeconfig`, `${name} goes through its own identity's kubeconfig`);
    }
  }
  const elected = kubesimServices.filter(([, s]) => s.command[0] === 'scheduler' || s.command[0] === 'controller-manager');
  const ids = elected.map(([, s]) => s.command[s.command.indexOf('--identity') + 1]);
  assert.ok(elected.every(([, s]) => s.command.includes('--identity')));
  assert.equal(new Set(ids).size, ids.length, 'leader election identities are distinct');
});

test('every kubesim service command is a valid kubesim invocation', () => {
  const help = new Map<string, string>();
  for (const [name, s] of kubesimServices) {
    const sub: string = s.command[0];
    if (!help.has(sub)) {
      const r = spawnSync(process.execPath, [path.join(root, 'bin/kubesim.js'), sub, '--help'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `kubesim ${sub} --help: ${r.stderr}`);
      help.set(sub, r.stdout);
    }
    for (const flag of (s.command as string[]).filter((a) => a.startsWith('--'))) {
      assert.ok(help.get(sub)!.includes(`${flag} `) || help.get(sub)!.includes(`${flag}\n`), `${name}: kubesim ${sub} has no ${flag}`);
    }
  }
});

test('the kubeconfigs the components mount point at HAProxy with a token of tokens.csv; its config is valid and lists every API server', () => {
  const cfgText = fs.readFileSync(path.join(root, 'deploy/compose/haproxy.cfg'), 'utf8');
  const bind = /bind \*:(\d+)/.exec(cfgText)![1];
  const tokens = fs.readFileSync(path.join(root, 'deploy/compose/tokens.csv'), 'utf8');
  for (const [file, user] of [['kubeconfig', 'kubernetes-admin'], ['scheduler.kubeconfig', 'system:kube-scheduler'], ['controller-manager.kubeconfig', 'system:kube-controller-manager'], ['node-pool.kubeconfig', 'system:kubesim:node-pool']]) {
    const kc = parse(fs.readFileSync(path.join(root, 'deploy/compose', file), 'utf8'));
    assert.equal(kc.clusters[0].cluster.server, `https://haproxy:${bind}`, file);
    assert.ok(tokens.split('\n').some((l) => l.startsWith(`${kc.users[0].user.token},${user},`)), `${file}: a token of ${user}`);
  }
  for (const [name, s] of kubesimServices.filter(([, s]) => s.command[0] === 'apiserver')) {
    assert.match(cfgText, new RegExp(`server ${name} ${name}:${s.command[s.command.indexOf('--port') + 1]} check check-ssl verify none`));
  }
  let haproxy: string | undefined;
  try {
    haproxy = execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    haproxy = undefined;
  }
  if (!haproxy) {
    process.stdout.write('SKIP haproxy -c: haproxy not found on PATH\n');
    return;
  }
  const r = spawnSync(haproxy, ['-c', '-f', path.join(root, 'deploy/compose/haproxy.cfg')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('Dockerfile: Node 20 slim, npm ci --omit=dev, non-root, the kubesim entry point', () => {
  const df = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  assert.match(df, /^FROM node:20[-\w.]*slim/m);
  assert.match(df, /^RUN npm ci --omit=dev/m);
  const user = /^USER (\S+)/m.exec(df)?.[1];
  assert.ok(user && user !== 'root' && user !== '0', 'runs as a non-root user');
  const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(df)![1]);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.deepEqual(entry, ['node', pkg.bin.kubesim]);
  // What the entry point loads at run time is a production dependency (the image has no devDependencies).
  assert.ok(pkg.dependencies.tsx, 'tsx is a production dependency');
  for (const dir of ['bin', 'src', 'web']) assert.match(df, new RegExp(`^COPY ${dir} `, 'm'));
});
