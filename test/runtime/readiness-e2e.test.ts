// A failing readiness probe takes a real pod out of rotation: an echo Deployment of 3 runtime pods
// behind a Service (deployment, replicaset, endpoints and endpointslice controllers in-process); a
// file makes one pod's /healthz answer 503 → it turns NotReady, its EndpointSlice endpoint is
// ready=false, it leaves the Endpoints' addresses, and requests through the API server's service
// proxy reach only the two others; removing the file brings it back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startControllerManager, type ControllerManager } from '../../src/controllers/index.ts';
import { eventually, PODS, quiet, runtimeCluster } from './helpers.ts';

let c: Awaited<ReturnType<typeof runtimeCluster>>;
let cm: ControllerManager;
let dir: string;

const PROGRAM = `const fs = require('fs'), path = require('path');
require('http').createServer((q, s) => {
  if (q.url === '/healthz') { s.statusCode = fs.existsSync(path.join(process.env.UNREADY_DIR, process.env.POD_NAME)) ? 503 : 200; return s.end(); }
  s.end(process.env.POD_NAME + '\\n');
}).listen(8080)`;

const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };
const SLICES = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };

before(async () => {
  c = await runtimeCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-ready-'));
  cm = await startControllerManager({ client: c.client, leaderElect: false, controllers: ['deployment', 'replicaset', 'endpoints', 'endpointslice'], logger: quiet });
  await c.client.resource(DEPLOYMENTS).create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'echo' } },
      template: {
        metadata: { labels: { app: 'echo' } },
        spec: {
          nodeName: 'node-0',
          containers: [{
            name: 'echo', image: 'node:20', command: ['node', '-e', PROGRAM],
            ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'UNREADY_DIR', value: dir }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
          }],
        },
      },
    },
  });
  await c.client.resource(SERVICES).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
});

after(async () => {
  await cm?.stop();
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readyAddresses(): Promise<string[]> {
  const ep: any = await c.client.resource(ENDPOINTS).get('echo', { namespace: 'default' }).catch(() => undefined);
  return (ep?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.targetRef?.name)).sort();
}

async function sliceReadiness(): Promise<Record<string, boolean>> {
  const list: any = await c.client.resource(SLICES).list({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=echo' });
  const out: Record<string, boolean> = {};
  for (const s of list.items) for (const e of s.endpoints ?? []) out[e.targetRef?.name] = e.conditions?.ready === true;
  return out;
}

async function answers(n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await c.client.raw({ path: '/api/v1/namespaces/default/services/echo:80/proxy/' });
    let text = '';
    for await (const chunk of r.body) text += chunk;
    assert.equal(r.status, 200, text);
    seen.add(text.trim());
  }
  return seen;
}

test('a pod whose readiness fails leaves rotation and comes back when ready again', { timeout: 120_000 }, async () => {
  await eventually(async () => ((await readyAddresses()).length === 3 ? true : undefined), 'three ready endpoints', 60_000, 300);
  const pods = ((await c.client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=echo' })) as any).items.map((p: any) => p.metadata.name).sort();
  assert.deepEqual([...(await answers(60))].sort(), pods);

  const [victim, ...others] = pods;
  writeFileSync(path.join(dir, victim), '');
  await eventually(async () => ((await readyAddresses()).join() === others.join() ? true : undefined), `${victim} out of the Endpoints`, 30_000, 300);
  await eventually(async () => {
    const r = await sliceReadiness();
    return r[victim] === false && others.every((o: string) => r[o] === true) ? true : undefined;
  }, `${victim} ready=false in the EndpointSlice`, 30_000, 300);
  const pod: any = await c.client.resource(PODS).get(victim, { namespace: 'default' });
  assert.equal(pod.status.conditions.find((x: any) => x.type === 'Ready')?.status, 'False');
  assert.deepEqual([...(await answers(60))].sort(), others, 'no proxied request reaches the unready pod');

  unlinkSync(path.join(dir, victim));
  await eventually(async () => ((await readyAddresses()).length === 3 ? true : undefined), `${victim} back`, 30_000, 300);
  assert.deepEqual([...(await answers(60))].sort(), pods);
});
