// Issue 16's e2e, second part (the first: echo.test.ts), all on a `kubesim up` cluster (HTTPS, its
// kubeconfig) with real kubectl: a failing readiness probe — switched on by `kubectl exec` in one pod —
// takes that pod out of a Service's rotation; `kubectl port-forward svc/echo` reaches a pod behind
// it; a program that exits 1 goes to CrashLoopBackOff with a growing back-off; one that allocates past
// its limit is OOMKilled; `kubectl logs -f` streams a program's output until it exits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { up, hasKubectl, KUBECTL, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl && 'no /usr/bin/kubectl';
let c: UpCluster;
const home = mkdtempSync(join(tmpdir(), 'kubesim-home-')); // kubectl's cache, not the user's
const env = { ...process.env, HOME: home };
before(async () => {
  if (!skip) c = await up();
});
after(async () => {
  await c?.close();
  rmSync(home, { recursive: true, force: true });
});

// /healthz answers 503 once /state/unready exists (an emptyDir: each pod has its own).
const ECHO = `const fs = require('fs');
require('http').createServer((q, s) => {
  if (q.url === '/healthz') { s.statusCode = fs.existsSync('/state/unready') ? 503 : 200; return s.end(); }
  s.end(process.env.POD_NAME + '\\n');
}).listen(8080)`;
const MANIFEST = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'echo' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'echo' } },
        template: {
          metadata: { labels: { app: 'echo' } },
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'node:20',
                command: ['node', '-e', ECHO],
                ports: [{ name: 'http', containerPort: 8080 }],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
                volumeMounts: [{ name: 'state', mountPath: '/state' }],
              },
            ],
            volumes: [{ name: 'state', emptyDir: {} }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } },
  ],
};

async function ready(): Promise<string[]> {
  const ep = await c.kubectlJson(['get', 'endpoints', 'echo']);
  return (ep.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.targetRef?.name)).sort();
}

async function answeredBy(n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add((await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/echo:80/proxy/'])).trim());
  return seen;
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });
}

test('a failing readiness probe takes a pod out of rotation; port-forward svc/echo reaches a pod', { skip, timeout: 240_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(MANIFEST) });
  const pods = await eventually(async () => {
    const r = await ready();
    return r.length === 3 ? r : undefined;
  }, 'three ready endpoints', 90_000, 500);
  const [out, ...stay] = pods;
  await c.kubectl(['exec', out, '--', 'node', '-e', "require('fs').writeFileSync('/state/unready', '')"]);
  await eventually(async () => ((await ready()).join() === stay.join() ? true : undefined), `${out} leaves the endpoints`, 60_000, 500);
  const pod = await c.kubectlJson(['get', 'pod', out]);
  assert.equal(pod.status.conditions.find((x: any) => x.type === 'Ready').status, 'False');
  const seen = await answeredBy(40);
  assert.deepEqual([...seen].sort(), stay, 'only the ready pods answer');

  const pf: ChildProcess = spawn(KUBECTL, ['--kubeconfig', c.kubeconfig, 'port-forward', 'svc/echo', ':80'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let text = '';
    pf.stdout!.on('data', (d) => (text += d));
    pf.stderr!.on('data', (d) => (text += d));
    const port = await eventually(() => Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(text)?.[1]) || undefined, 'port-forward started', 30_000, 100);
    const answer = (await get(port)).trim();
    assert.ok(pods.includes(answer), `answered by ${answer}`);
  } finally {
    pf.kill('SIGINT');
  }
});

test('exit 1: CrashLoopBackOff with a growing back-off; past its memory limit: OOMKilled', { skip, timeout: 240_000 }, async () => {
  const pods = [
    // kubesim.io/backoff-base: the kubelet's 10 s first back-off, shortened for the test
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash', annotations: { 'kubesim.io/backoff-base': '1s' } }, spec: { containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', 'console.log("bye"); process.exit(1)'] }] } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'oom' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', 'const a = []; setInterval(() => a.push(Buffer.alloc(8 << 20, 1)), 20)'], resources: { limits: { memory: '96Mi' } } }] },
    },
  ];
  await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) });
  // every version of the pod's status through a watch (polling with kubectl can miss the 1 s
  // back-off's waiting state on a loaded machine: one `kubectl get` may take longer than that)
  const backoffs = new Set<string>();
  const jsonpath = '{.status.containerStatuses[0].state.waiting.reason} {.status.containerStatuses[0].state.waiting.message}{"\\n"}';
  const w: ChildProcess = spawn(KUBECTL, ['--kubeconfig', c.kubeconfig, 'get', 'pod', 'crash', '-w', '-o', `jsonpath=${jsonpath}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  w.stdout!.on('data', (d) => {
    seen += d;
    for (const m of seen.matchAll(/^CrashLoopBackOff back-off (\S+) restarting failed container=app/gm)) backoffs.add(m[1]);
  });
  try {
    await eventually(() => (backoffs.has('1s') && backoffs.has('2s') ? true : undefined), 'back-off 1s, then 2s', 90_000, 200);
  } finally {
    w.kill('SIGINT');
  }
  const crash = (await c.kubectlJson(['get', 'pod', 'crash'])).status.containerStatuses[0];
  assert.equal(crash.lastState.terminated.exitCode, 1);
  assert.equal(crash.lastState.terminated.reason, 'Error');
  assert.equal(await c.kubectl(['logs', 'crash', '--previous']), 'bye\n');
  const t = await eventually(async () => (await c.kubectlJson(['get', 'pod', 'oom'])).status?.containerStatuses?.[0]?.state?.terminated, 'oom ended', 60_000, 300);
  assert.equal(t.reason, 'OOMKilled');
  assert.equal(t.exitCode, 137);
});

test('kubectl logs -f streams a program until it exits', { skip, timeout: 120_000 }, async () => {
  const script = 'let i = 0; const t = setInterval(() => { console.log("line " + ++i); if (i === 6) { clearInterval(t); setTimeout(() => process.exit(0), 100); } }, 500)';
  await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'counter' }, spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', script] }] } }) });
  await eventually(async () => ((await c.kubectlJson(['get', 'pod', 'counter'])).status?.phase === 'Running' ? true : undefined), 'counter Running', 60_000, 100);
  const lf: ChildProcess = spawn(KUBECTL, ['--kubeconfig', c.kubeconfig, 'logs', '-f', 'counter'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  lf.stdout!.on('data', (d) => chunks.push(String(d)));
  const code = await new Promise((r) => lf.on('close', r));
  assert.equal(code, 0);
  assert.equal(chunks.join(''), 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n');
  assert.ok(chunks.length >= 2, 'streamed in more than one piece');
});
