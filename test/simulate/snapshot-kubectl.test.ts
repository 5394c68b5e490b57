// A snapshot of a real `kubesim up` cluster, made by `kubesim snapshot save` and by `kubectl get -A
// -o yaml`, loaded into `kubesim simulate` and into a new `kubesim up --from-snapshot`: the same
// object names, the same pods on the same nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasKubectl, up } from '../e2e/harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { parseSnapshot } from '../../src/snapshot/index.ts';
import { simulate } from '../../src/simulate/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kubesim = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    execFile(process.execPath, [join(root, 'bin/kubesim.js'), ...args], { cwd: root, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => res({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }));
  });

const digest = (pairs: string[]) => createHash('sha256').update([...pairs].sort().join('\n')).digest('hex').slice(0, 12);
const podsOn = (j: any) => j.items.filter((p: any) => p.metadata.namespace === 'shop').map((p: any) => `${p.metadata.namespace}/${p.metadata.name}=${p.spec.nodeName}`).sort();

test('kubesim snapshot save and kubectl get -A -o yaml of a live cluster load into simulate and up with the same names', { skip: !hasKubectl && 'no kubectl' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-snap-'));
  const saved = join(dir, 'snapshot.yaml');
  const listed = join(dir, 'kubectl.yaml');
  let before: string[];
  let nodes: string[];
  const c = await up(['--nodes', '2']);
  try {
    await c.kubectl(['create', 'namespace', 'shop']);
    await c.kubectl(['-n', 'shop', 'create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await c.kubectl(['-n', 'shop', 'create', 'configmap', 'settings', '--from-literal=mode=fast']);
    await eventually(async () => (await c.kubectlJson(['-n', 'shop', 'get', 'pods'])).items.filter((p: any) => p.status?.phase === 'Running').length === 3, '3 pods running', 60_000, 250);
    before = podsOn(await c.kubectlJson(['get', 'pods', '-A']));
    nodes = (await c.kubectlJson(['get', 'nodes'])).items.map((n: any) => n.metadata.name).sort();
    const r = await kubesim(['snapshot', 'save', '--kubeconfig', c.kubeconfig, saved]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\d+ objects written/);
    writeFileSync(listed, await c.kubectl(['get', 'namespaces,nodes,serviceaccounts,configmaps,services,deployments,replicasets,pods', '-A', '-o', 'yaml']));
  } finally {
    await c.close();
  }
  assert.equal(before.length, 3);

  for (const file of [saved, listed]) {
    const objects = parseSnapshot(readFileSync(file, 'utf8'));
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    for (const n of ['Deployment/shop/web', 'ConfigMap/shop/settings', `Node//${nodes[0]}`]) assert.ok(names.includes(n), `${file}: ${n}`);
    assert.deepEqual(objects.filter((o) => /Metrics$/.test(o.kind ?? "")).map((o) => o.kind), [], `${file}: read-only metrics are not state`);
    const { report } = await simulate({ name: 'snap', duration: 300_000, measure: 300_000, nodeGroups: [], scheduler: { policy: 'spread' }, actions: [], generators: [], faults: [], assertions: [] }, { snapshot: objects });
    assert.deepEqual(report.snapshot?.errors, [], file);
    const row = report.intervals[0];
    assert.equal(row.nodes, 2, file);
    assert.equal(row.podsPending, 0, file);
    assert.equal(row.podsRunning, 3, file);
    assert.equal(row.placementDigest, digest(before), `${file}: the same pods on the same nodes`);
  }

  // the CLI path, without a scenario
  const sim = await kubesim(['simulate', '--from-snapshot', saved, '--until', '5m']);
  assert.equal(sim.code, 0, sim.stderr);
  assert.match(sim.stderr, /snapshot: 2 nodes, \d+ objects created, \d+ existing, \d+ skipped, 0 failed/);

  // a new cluster from the snapshot: same nodes, same pods on them
  const d = await up(['--nodes', '0', '--from-snapshot', saved]);
  try {
    await eventually(async () => (await d.kubectlJson(['get', 'nodes'])).items.length === 2, 'the snapshot nodes registered', 60_000, 250);
    assert.deepEqual((await d.kubectlJson(['get', 'nodes'])).items.map((n: any) => n.metadata.name).sort(), nodes!);
    await eventually(async () => (await d.kubectlJson(['-n', 'shop', 'get', 'pods'])).items.filter((p: any) => p.status?.phase === 'Running').length === 3, 'the pods running again', 60_000, 250);
    assert.deepEqual(podsOn(await d.kubectlJson(['get', 'pods', '-A'])), before, 'the same pods on the same nodes');
    const rs = (await d.kubectlJson(['-n', 'shop', 'get', 'replicasets'])).items;
    assert.equal(rs.length, 1, 'the Deployment adopted its ReplicaSet: no second one');
    const dep = await d.kubectlJson(['-n', 'shop', 'get', 'deployment', 'web']);
    assert.equal(rs[0].metadata.ownerReferences[0].uid, dep.metadata.uid, 'owner uid remapped');
    assert.equal((await d.kubectlJson(['-n', 'shop', 'get', 'configmap', 'settings'])).data.mode, 'fast');
  } finally {
    await d.close();
  }
});
