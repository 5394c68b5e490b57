// Start-up for operator tests (envtest takes 5–15 s): `kubesim apiserver` as its own process on a
// fresh data dir until /readyz answers 200, then a just-created CRD until a GET of its plural
// succeeds (the small servicemonitors CRD and the 830 KB prometheuses one), and the same through
// real kubectl (`kubectl apply --server-side` then `kubectl get <plural>` until it succeeds).
//
//   node --import tsx bench/crd.ts [--runs 5]
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeconfigFetch } from '../test/helpers/kubeconfig-fetch.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const FIXTURES = '/work/shared/fixtures/crds';
const KUBECTL = '/usr/bin/kubectl';
const ROOT = new URL('..', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

// The secure default: mutual TLS with the kubeconfig the API server writes (once it exists).
let api: ReturnType<typeof kubeconfigFetch> | undefined;
const ok = async (url: string) => (await api!(url)).status === 200;

function kubectl(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => execFile(KUBECTL, args, { env: { ...process.env, ...env } }, (err) => resolve(err ? 1 : 0)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  readyz: number;
  small: number;
  large: number;
  kubectl?: number;
}

async function once(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/kubesim.js'), 'apiserver', '--port', String(port), '--data-dir', dir], { stdio: 'ignore' });
  try {
    await until(async () => {
      if (!existsSync(join(dir, 'kubeconfig'))) return false;
      api ??= kubeconfigFetch(join(dir, 'kubeconfig'));
      return ok(`${base}/readyz`);
    });
    const readyz = performance.now() - t0;
    const served = async (file: string, plural: string) => {
      const crd = parse(readFileSync(join(FIXTURES, file), 'utf8'));
      const t = performance.now();
      const r = await api!(`${base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(crd) });
      if (r.status !== 201) throw new Error(`create ${file}: ${r.status} ${await r.text()}`);
      await until(() => ok(`${base}/apis/monitoring.coreos.com/v1/namespaces/default/${plural}`));
      return performance.now() - t;
    };
    const small = await served('monitoring.coreos.com_servicemonitors.yaml', 'servicemonitors');
    const large = await served('monitoring.coreos.com_prometheuses.yaml', 'prometheuses');
    let kubectlMs: number | undefined;
    if (existsSync(KUBECTL)) {
      const env = { KUBECONFIG: join(dir, 'kubeconfig'), HOME: join(dir, 'home') };
      const t = performance.now();
      if ((await kubectl(['apply', '--server-side', '-f', join(FIXTURES, 'monitoring.coreos.com_podmonitors.yaml')], env)) !== 0) throw new Error('kubectl apply failed');
      while ((await kubectl(['get', 'podmonitors'], env)) !== 0) await new Promise((r) => setTimeout(r, 5));
      kubectlMs = performance.now() - t;
    }
    return { readyz, small, large, kubectl: kubectlMs };
  } finally {
    api?.close();
    api = undefined;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`runs: ${RUNS}`);
console.log(`kubesim apiserver, fresh data dir → /readyz 200:            ${fmt(runs.map((r) => r.readyz))}`);
console.log(`CRD created → GET of its plural succeeds (servicemonitors):   ${fmt(runs.map((r) => r.small))}`);
console.log(`CRD created → GET of its plural succeeds (830 KB prometheuses): ${fmt(runs.map((r) => r.large))}`);
if (runs[0].kubectl !== undefined) console.log(`kubectl apply --server-side → kubectl get podmonitors succeeds: ${fmt(runs.map((r) => r.kubectl!))}`);
