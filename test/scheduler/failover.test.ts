// Two `kubesim scheduler` processes compete for the kube-system/kube-scheduler Lease: only the
// leader schedules; when it is killed, the other takes over and keeps scheduling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { LEASES } from '../../src/client/index.ts';
import { cluster, eventually, EVENTS, NODES, PODS } from './helpers.ts';
import { node, pod } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function startChild(kubeconfig: string, identity: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin/kubesim.js'),
      'scheduler',
      '--kubeconfig', kubeconfig,
      '--leader-elect=true',
      '--lease-duration', '2',
      '--renew-deadline', '1.5',
      '--retry-period', '0.4',
      '--identity', identity,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } },
  );
  child.stderr!.on('data', () => {});
  return child;
}

test('failover: kill the leading scheduler process, the standby takes over and keeps scheduling', async () => {
  const c = await cluster();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(c.api.url));
  const children: ChildProcess[] = [];
  const holder = async () => ((await c.client.resource(LEASES).get('kube-scheduler', { namespace: 'kube-system' })) as any).spec?.holderIdentity;
  const scheduledBy = async (name: string) => {
    const evs = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[];
    return evs.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === name)?.reportingInstance;
  };
  try {
    await c.client.resource(NODES).create(node('n1'));
    const a = startChild(kubeconfig, 'sched-a');
    children.push(a);
    await eventually(async () => (await holder()) === 'sched-a', 'sched-a leads', 30_000, 100);
    const b = startChild(kubeconfig, 'sched-b');
    children.push(b);

    await c.client.resource(PODS).create(pod('before'), { namespace: 'default' });
    assert.equal(await eventually(() => scheduledBy('before'), 'before scheduled', 20_000), 'sched-a');
    // Give the standby time to start; it must not take the lease from a live leader.
    await eventually(async () => (b.exitCode === null ? 'running' : undefined), 'standby running');
    assert.equal(await holder(), 'sched-a');

    a.kill('SIGKILL'); // no clean release: the standby waits for the lease to expire
    await eventually(async () => (await holder()) === 'sched-b', 'sched-b takes the lease', 30_000, 100);
    await c.client.resource(PODS).create(pod('after'), { namespace: 'default' });
    assert.equal(await eventually(() => scheduledBy('after'), 'after scheduled', 20_000), 'sched-b');
    const after = await c.client.resource(PODS).get('after', { namespace: 'default' });
    assert.equal(after.spec?.nodeName, 'n1');
  } finally {
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await Promise.all(children.map((ch) => (ch.exitCode === null && ch.signalCode === null ? new Promise((r) => ch.once('exit', r)) : undefined)));
    await c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
