// What security costs (issue 14's benchmark): two `kubesim apiserver` processes side by side, each
// with its own data dir and durable SQLite store: one secure by default (HTTPS, client certificates
// + a static token file, Node,RBAC authorization, API Priority and Fairness) and one `--insecure`
// (plain HTTP, every request system:admin, nothing authorized or classified). autocannon drives each
// from a process of its own (bench/drive.ts); the servers alternate case by case (and who goes first
// alternates too) so both see the same machine. Cases: GET of one ConfigMap, create of ConfigMaps with
// unique names, at 8 and 50 connections, `--seconds` each.
//
//   node --import tsx bench/security.ts [--seconds 10] [--connections 8,50] [--identities user,admin] [--cases get,create] [--warmup 2] [--cpu-prof DIR]
//
// --warmup S (default 2) drives S seconds of GETs at each server and identity before the cases, not
// measured: the figures are the servers' steady state, not their JIT warm-up.
//
// --cpu-prof DIR runs both servers under `node --cpu-prof` and leaves their profiles in DIR
// (DIR/secure/*.cpuprofile, DIR/insecure/*.cpuprofile), for relative shares per request stage.
//
// Secure identities:
//   user  — `bench-user`, a bearer token from --token-auth-file, no groups but system:authenticated,
//           allowed only by a RoleBinding (namespace bench) to a Role with get/create on configmaps:
//           the RBAC rule walk really runs (no system:masters short-cut) and APF classifies it into
//           global-default. This is the row the ratio is about.
//   admin — the written kubeconfig's client certificate (CN kubernetes-admin, O system:masters),
//           through autocannon's tlsOptions: x509 authentication, the RBAC super-user short-cut,
//           APF's exempt level.
// autocannon never verifies the server certificate (it sets rejectUnauthorized false), so TLS costs
// the handshake per connection and the record encryption, as for any client reusing its connections.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client, loadKubeconfig, type ResolvedKubeconfig } from '../src/client/index.ts';
import { ROOT, child, runDrive, stop, type Child, type DriveResult, type DriveSpec } from './drive.ts';
import { arg, until } from './util.ts';

const NS = 'bench';
const USER_TOKEN = 'bench-user-token-0123456789';
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { app: 'bench' } }, data: { payload: 'x'.repeat(900) } });

/** A process's CPU time so far (user + system, ms) from /proc; undefined where there is none. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

interface Server {
  name: string;
  proc: Child;
  kubeconfig: string;
}

function startServer(name: string, dir: string, args: string[], profileDir?: string): Server {
  const data = join(dir, name);
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : [];
  const proc = child([...prof, join(ROOT, 'bin/kubesim.js'), 'apiserver', '--port', '0', '--data-dir', data, ...args]);
  return { name, proc, kubeconfig: join(data, 'kubeconfig') };
}

/** Ready once its kubeconfig is written and /readyz answers through it. */
async function ready(s: Server): Promise<ResolvedKubeconfig> {
  await until(`${s.name} apiserver ready (kubeconfig written, /readyz 200)`, async () => {
    if (!existsSync(s.kubeconfig)) return false;
    const c = Client.fromKubeconfig(s.kubeconfig, { qps: Infinity });
    try {
      return (await c.requestBuffer({ path: '/readyz' })).status === 200;
    } finally {
      c.close();
    }
  }, 90_000, 100).catch((e) => {
    throw new Error(`${(e as Error).message}: ${s.proc.out()}`);
  });
  return loadKubeconfig(s.kubeconfig);
}

/** The namespace, the GET target, and (secure) the Role and RoleBinding that let bench-user in. */
async function seed(kubeconfig: string, rbac: boolean): Promise<void> {
  const c = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
  try {
    await c.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    await c.request({ method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps`, body: configMap('cm-0') });
    if (!rbac) return;
    const rbacPath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}`;
    await c.request({ method: 'POST', path: `${rbacPath}/roles`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'configmap-writer', namespace: NS }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create'] }] } });
    await c.request({ method: 'POST', path: `${rbacPath}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bench-user', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-writer' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bench-user' }] } });
  } finally {
    c.close();
  }
}

/** bench-user can GET the ConfigMap (once the RoleBinding is seen) and is refused elsewhere: proof RBAC decides. */
async function checkUser(kc: ResolvedKubeconfig): Promise<string> {
  const c = new Client({ server: kc.server, ca: kc.ca, token: USER_TOKEN, qps: Infinity });
  try {
    await until('bench-user may GET the ConfigMap', async () => (await c.requestBuffer({ path: `/api/v1/namespaces/${NS}/configmaps/cm-0` })).status === 200, 30_000, 100);
    // The client throws a StatusError for a non-2xx answer: its code is the status.
    const status = (path: string) => c.requestBuffer({ path }).then((r) => r.status, (e: { code?: number }) => e.code ?? 0);
    const secrets = await status(`/api/v1/namespaces/${NS}/secrets`);
    const other = await status('/api/v1/namespaces/default/configmaps/x');
    if (secrets !== 403 || other !== 403) throw new Error(`bench-user should be refused secrets and other namespaces, got ${secrets}, ${other}`);
    return `bench-user: GET configmaps/${NS} 200, list secrets 403, get configmaps in default 403`;
  } finally {
    c.close();
  }
}

interface Target {
  label: string;
  url: string;
  headers: Record<string, string>;
  tls?: DriveSpec['tls'];
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '10'));
  const connections = arg('connections', '8,50').split(',').map(Number);
  const identities = arg('identities', 'user,admin').split(',').filter((x) => x === 'user' || x === 'admin');
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-sec-'));
  const load0 = os.loadavg();
  const conditions = `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${seconds} s per case`;
  console.log(`conditions: ${conditions}`);

  mkdirSync(join(dir, 'secure'), { recursive: true });
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, `${USER_TOKEN},bench-user,bench-user-uid\n`);
  const profileDir = arg('cpu-prof', '') || undefined;
  const servers = [startServer('secure', dir, ['--token-auth-file', tokens], profileDir), startServer('insecure', dir, ['--insecure'], profileDir)];
  try {
    const [skc, ikc] = [await ready(servers[0]), await ready(servers[1])];
    if (!skc.server.startsWith('https:') || !skc.cert) throw new Error(`the secure server should serve https with a client-certificate kubeconfig: ${skc.server}`);
    await seed(servers[0].kubeconfig, true);
    await seed(servers[1].kubeconfig, false);
    console.log(`secure:   ${skc.server} (apiserver --token-auth-file F: HTTPS, x509 + token authn, Node,RBAC, APF)`);
    console.log(`insecure: ${ikc.server} (apiserver --insecure)`);
    console.log(await checkUser(skc));

    const insecure: Target = { label: 'insecure', url: ikc.server, headers: {} };
    const secure = identities.map((id): Target =>
      id === 'user'
        ? { label: 'secure, bench-user (token, RBAC Role, global-default)', url: skc.server, headers: { authorization: `Bearer ${USER_TOKEN}` }, tls: {} }
        : { label: 'secure, admin (client cert, system:masters, exempt)', url: skc.server, headers: {}, tls: { cert: skc.cert!.toString(), key: skc.key!.toString() } },
    );
    const wanted = arg('cases', 'get,create').split(',');
    const cases = [
      { id: 'get', name: 'GET one ConfigMap', method: 'GET' as const, path: `/api/v1/namespaces/${NS}/configmaps/cm-0` },
      { id: 'create', name: 'create ConfigMap (durable, unique names)', method: 'POST' as const, path: `/api/v1/namespaces/${NS}/configmaps` },
    ].filter((c) => wanted.includes(c.id));
    // Warm-up, not measured: each server's request path compiled (JIT) and its heap grown before the
    // first case, so that the first case of a server is not its warm-up (without it, whichever target
    // runs first against a fresh server pays for it: bench-user's 8-connection GETs did).
    const warmup = Number(arg('warmup', '2'));
    if (warmup > 0) {
      for (const t of [insecure, ...secure]) await runDrive({ url: t.url, method: 'GET', path: cases.find((c) => c.id === 'get')?.path ?? `/api/v1/namespaces/${NS}/configmaps/cm-0`, connections: 8, seconds: warmup, headers: t.headers, tls: t.tls });
      console.log(`warm-up: ${warmup} s of GETs at 8 connections per server and identity before the cases (--warmup 0: none)`);
    }
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const lat = (x: number) => String(Math.round(x * 100) / 100);
    // The server's CPU time per answered request (user + system, from /proc): steadier than req/s on a
    // shared machine, and what the ratio comes to once the server is the bottleneck.
    console.log(`\n| case | connections | server | req/s | p50 / p99 ms | secure/insecure | server CPU µs/req | non-2xx + errors |`);
    console.log(`|---|---:|---|---:|---:|---:|---:|---:|`);
    let turn = 0;
    for (const conns of connections) {
      for (const c of cases) {
        const run = (t: Target, i: number) =>
          runDrive({ url: t.url, method: c.method, path: c.path, connections: conns, seconds, headers: t.headers, tls: t.tls, createTemplate: c.method === 'POST' ? configMap(`new-${i}-${conns}`) : undefined });
        // Alternate who goes first, case by case.
        const order = [insecure, ...secure];
        if (turn++ % 2 === 1) order.reverse();
        const results = new Map<Target, DriveResult>();
        const cpuUs = new Map<Target, number>();
        for (const t of order) {
          const pid = (t === insecure ? servers[1] : servers[0]).proc.proc.pid;
          const c0 = cpuMs(pid);
          results.set(t, await run(t, [insecure, ...secure].indexOf(t)));
          const c1 = cpuMs(pid);
          cpuUs.set(t, c0 === undefined || c1 === undefined ? NaN : ((c1 - c0) * 1000) / Math.max(1, results.get(t)!.ok));
        }
        const base = results.get(insecure)!;
        for (const t of [insecure, ...secure]) {
          const r = results.get(t)!;
          const ratio = t === insecure ? '–' : `${(base.rps > 0 ? r.rps / base.rps : NaN).toFixed(2)}×`;
          console.log(`| ${c.name} | ${conns} | ${t.label} | ${f(r.rps)} | ${lat(r.p50)} / ${lat(r.p99)} | ${ratio} | ${cpuUs.get(t)!.toFixed(0)} | ${r.non2xx + r.errors} |`);
        }
      }
    }
    console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    await Promise.all(servers.map((s) => stop(s.proc)));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
