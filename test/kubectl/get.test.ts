// kubectl get: columns per kind, -o wide, -A, -l, --field-selector, --show-labels, --sort-by,
// output formats, get all, get -w, events and describe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startCluster, hasKubectl, rows, KUBECTL, type Cluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Cluster;
const skip = !hasKubectl;

function pod(name: string, ns: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } };
}

before(async () => {
  c = await startCluster();
  await c.http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  for (const p of [pod('web-1', 'default', { app: 'web' }, { nodeName: 'n1' }), pod('web-2', 'default', { app: 'web', tier: 'fe' }), pod('db-1', 'other', { app: 'db' })]) {
    const r = await c.http('POST', `/api/v1/namespaces/${p.metadata.namespace}/pods`, p);
    assert.equal(r.status, 201, r.text);
  }
  // web-1 runs on n1 with IP 10.0.0.5, ready, restarted twice.
  const cur = await c.get('/api/v1/namespaces/default/pods/web-1');
  cur.status = {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: true, restartCount: 2, started: true, state: { running: { startedAt: new Date().toISOString() } } }],
  };
  const st = await c.http('PUT', '/api/v1/namespaces/default/pods/web-1/status', cur);
  assert.equal(st.status, 200, st.text);
  await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } } });
  await c.http('POST', '/api/v1/namespaces/default/events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: cur.metadata.uid, apiVersion: 'v1' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web-1 to n1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    firstTimestamp: new Date().toISOString(),
    lastTimestamp: new Date().toISOString(),
    count: 1,
  });
});
after(async () => {
  await c?.close();
});

test('get pods prints the Kubernetes columns; -o wide adds IP NODE NOMINATED NODE READINESS GATES', { skip }, async () => {
  const out = rows(await c.ok(['get', 'pods']));
  assert.deepEqual(out[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  const web1 = out.find((r) => r[0] === 'web-1')!;
  assert.deepEqual(web1.slice(0, 4), ['web-1', '1/1', 'Running', '2']);
  assert.deepEqual(out.find((r) => r[0] === 'web-2')!.slice(0, 4), ['web-2', '0/1', 'Pending', '0']);
  const wide = rows(await c.ok(['get', 'pods', '-o', 'wide']));
  assert.deepEqual(wide[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
  assert.deepEqual(wide.find((r) => r[0] === 'web-1')!.slice(5), ['10.0.0.5', 'n1', '<none>', '<none>']);
});

test('-A adds NAMESPACE from the row metadata; --show-labels adds LABELS', { skip }, async () => {
  const all = rows(await c.ok(['get', 'pods', '-A']));
  assert.equal(all[0][0], 'NAMESPACE');
  assert.ok(all.some((r) => r[0] === 'other' && r[1] === 'db-1'));
  const labels = rows(await c.ok(['get', 'pods', '--show-labels']));
  assert.equal(labels[0].at(-1), 'LABELS');
  assert.equal(labels.find((r) => r[0] === 'web-2')!.at(-1), 'app=web,tier=fe');
});

test('-l and --field-selector filter on the server', { skip }, async () => {
  const names = async (args: string[]) => (await c.ok(['get', 'pods', '-o', 'name', ...args])).trim().split('\n').filter(Boolean);
  assert.deepEqual(await names(['-l', 'tier=fe']), ['pod/web-2']);
  assert.deepEqual(await names(['-l', 'app in (web),tier!=fe']), ['pod/web-1']);
  assert.deepEqual(await names(['--field-selector', 'status.phase=Running']), ['pod/web-1']);
  assert.deepEqual(await names(['--field-selector', 'spec.nodeName=n1']), ['pod/web-1']);
  assert.deepEqual(await names(['-A', '--field-selector', 'metadata.namespace=other']), ['pod/db-1']);
  const bad = await c.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /field label not supported: spec\.bogus/);
});

test('--sort-by (includeObject=Object) orders rows', { skip }, async () => {
  const out = rows(await c.ok(['get', 'pods', '-A', '--sort-by=.metadata.name']));
  assert.deepEqual(out.slice(1).map((r) => r[1]), ['db-1', 'web-1', 'web-2']);
  const byRestarts = rows(await c.ok(['get', 'pods', '--sort-by=.status.containerStatuses[0].restartCount']));
  assert.equal(byRestarts.at(-1)![0], 'web-1');
});

test('-o yaml, json, name, jsonpath, custom-columns', { skip }, async () => {
  const y = await c.ok(['get', 'pod', 'web-1', '-o', 'yaml']);
  assert.match(y, /^apiVersion: v1\nkind: Pod\n/);
  assert.match(y, /podIP: 10\.0\.0\.5/);
  const j = JSON.parse(await c.ok(['get', 'pods', '-o', 'json']));
  assert.equal(j.kind, 'List');
  assert.deepEqual(j.items.map((p: any) => p.metadata.name).sort(), ['web-1', 'web-2']);
  assert.equal((await c.ok(['get', 'pod', 'web-1', '-o', 'name'])).trim(), 'pod/web-1');
  assert.equal(await c.ok(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase};{end}']), 'web-1=Running;web-2=Pending;');
  const cc = rows(await c.ok(['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName']));
  assert.deepEqual(cc, [['NAME', 'NODE'], ['web-1', 'n1'], ['web-2', '<none>']]);
});

test('columns of other kinds: nodes, namespaces, deployments, replicasets, services, configmaps, leases, jobs, hpa', { skip }, async () => {
  const header = async (args: string[]) => rows(await c.ok(['get', ...args]))[0];
  const nodes = rows(await c.ok(['get', 'nodes']));
  assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  assert.equal(nodes[1][2], 'control-plane');
  assert.deepEqual(await header(['ns']), ['NAME', 'STATUS', 'AGE']);
  await c.ok(['create', 'deployment', 'd1', '--image=nginx', '--replicas=2']);
  assert.deepEqual(await header(['deploy']), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.deepEqual(rows(await c.ok(['get', 'deploy', 'd1']))[1].slice(0, 4), ['d1', '0/2', '0', '0']);
  await c.http('POST', '/apis/apps/v1/namespaces/default/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs1' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  assert.deepEqual(await header(['rs']), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  await c.ok(['create', 'service', 'clusterip', 's1', '--tcp=80:8080']);
  const svc = rows(await c.ok(['get', 'svc', 's1']));
  assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.match(svc[1][2], /^\d+\.\d+\.\d+\.\d+$/, 'a cluster IP is allocated');
  assert.equal(svc[1][4], '80/TCP');
  await c.ok(['create', 'configmap', 'cm1', '--from-literal=a=1', '--from-literal=b=2']);
  assert.deepEqual(rows(await c.ok(['get', 'cm', 'cm1']))[1].slice(0, 2), ['cm1', '2']);
  await c.http('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1' }, spec: { holderIdentity: 'me' } });
  const leases = rows(await c.ok(['get', 'leases']));
  assert.deepEqual(leases[0], ['NAME', 'HOLDER', 'AGE']);
  assert.deepEqual(leases[1].slice(0, 2), ['l1', 'me']);
  await c.ok(['create', 'job', 'j1', '--image=busybox', '--', 'true']);
  assert.deepEqual((await header(['jobs'])).slice(0, 3), ['NAME', 'STATUS', 'COMPLETIONS']);
  await c.http('POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h1' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd1' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
  });
  assert.deepEqual(await header(['hpa']), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
  assert.deepEqual(rows(await c.ok(['get', 'hpa', 'h1']))[1].slice(0, 2), ['h1', 'Deployment/d1']);
});

test('columns of daemonsets, statefulsets, endpoints, serviceaccounts, secrets, events.k8s.io events', { skip }, async () => {
  const header = async (args: string[]) => rows(await c.ok(['get', ...args]))[0];
  const tpl = { metadata: { labels: { k: 'v' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const made = await Promise.all([
    c.http('POST', '/apis/apps/v1/namespaces/default/daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds1' }, spec: { selector: { matchLabels: { k: 'v' } }, template: tpl } }),
    c.http('POST', '/apis/apps/v1/namespaces/default/statefulsets', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts1' }, spec: { serviceName: 's', selector: { matchLabels: { k: 'v' } }, template: tpl } }),
    c.http('POST', '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ep1' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }),
    c.http('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      eventTime: new Date().toISOString().replace('Z', '000Z'),
      reportingController: 'kubesim.io/test',
      reportingInstance: 'test',
      action: 'Testing',
      reason: 'Tested',
      type: 'Normal',
      note: 'hello',
      regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
    }),
  ]);
  for (const r of made) assert.equal(r.status, 201, r.text);
  await c.ok(['create', 'serviceaccount', 'robot']);
  await c.ok(['create', 'secret', 'generic', 'sec', '--from-literal=a=b']);
  assert.deepEqual(await header(['ds']), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
  assert.deepEqual(await header(['sts']), ['NAME', 'READY', 'AGE']);
  assert.deepEqual(rows(await c.ok(['get', 'ep', 'ep1']))[1].slice(0, 2), ['ep1', '10.0.0.1:80']);
  assert.deepEqual(await header(['sa', 'robot']), ['NAME', 'SECRETS', 'AGE']);
  assert.deepEqual(rows(await c.ok(['get', 'secret', 'sec']))[1].slice(0, 3), ['sec', 'Opaque', '1']);
  const ev = rows(await c.ok(['get', 'events.events.k8s.io']));
  assert.deepEqual(ev[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  assert.ok(ev.some((r) => r.includes('Tested') && r.includes('hello')));
});

test('get all lists the resources in the "all" category', { skip }, async () => {
  const out = await c.ok(['get', 'all']);
  assert.match(out, /pod\/web-1/);
  assert.match(out, /deployment\.apps\/d1/);
});

test('get events prints LAST SEEN TYPE REASON OBJECT MESSAGE; describe shows the pod and its events', { skip }, async () => {
  const ev = rows(await c.ok(['get', 'events']));
  assert.deepEqual(ev[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  assert.deepEqual(ev[1].slice(1), ['Normal', 'Scheduled', 'pod/web-1', 'Successfully assigned default/web-1 to n1']);
  const d = await c.ok(['describe', 'pod', 'web-1']);
  assert.match(d, /Name:\s+web-1/);
  assert.match(d, /Node:\s+n1/);
  assert.match(d, /IP:\s+10\.0\.0\.5/);
  assert.match(d, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
  assert.match(d, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/web-1 to n1/);
});

test('get events -w: the events so far, then a row per new Event (events are read from the store, not the watch cache)', { skip }, async () => {
  const event = (name: string, message: string) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'ew-1', namespace: 'default', apiVersion: 'v1' },
    reason: 'Pulled',
    message,
    type: 'Normal',
    source: { component: 'kubelet' },
    firstTimestamp: new Date().toISOString(),
    lastTimestamp: new Date().toISOString(),
    count: 1,
  });
  assert.equal((await c.http('POST', '/api/v1/namespaces/default/events', event('ew-1.1', 'first pull'))).status, 201);
  const child = spawn(KUBECTL, ['get', 'events', '-w', '--field-selector', 'involvedObject.name=ew-1'], { env: { PATH: process.env.PATH, HOME: `${c.dir}/home`, KUBECONFIG: `${c.dir}/kubeconfig` } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    await eventually(() => /Pulled\s+pod\/ew-1\s+first pull/.test(out), 'ew-1.1 listed', 15_000);
    assert.equal((await c.http('POST', '/api/v1/namespaces/default/events', event('ew-1.2', 'second pull'))).status, 201);
    await eventually(() => /Pulled\s+pod\/ew-1\s+second pull/.test(out), 'ew-1.2 from the watch', 15_000);
    assert.doesNotMatch(out, /Scheduled/, 'the field selector holds on the watch');
  } finally {
    child.kill('SIGKILL');
  }
});

test('get -w prints the table, then a row per change (Table watch events)', { skip }, async () => {
  const child = spawn(KUBECTL, ['get', 'pods', '-w', '-l', 'app=watched'], { env: { PATH: process.env.PATH, HOME: `${c.dir}/home`, KUBECONFIG: `${c.dir}/kubeconfig` } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    await c.http('POST', '/api/v1/namespaces/default/pods', pod('w-1', 'default', { app: 'watched' }));
    await eventually(() => /w-1\s+0\/1\s+Pending/.test(out), 'w-1 listed', 15_000);
    await c.http('POST', '/api/v1/namespaces/default/pods', pod('w-2', 'default', { app: 'watched' }));
    await eventually(() => /w-2\s+0\/1\s+Pending/.test(out), 'w-2 from the watch', 15_000);
    assert.equal((out.match(/^NAME\s+READY/gm) ?? []).length, 1, 'one header');
  } finally {
    child.kill('SIGKILL');
  }
});
