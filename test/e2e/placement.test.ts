// `kubesim up --placement processes`: the API server in the `up` process, the scheduler,
// controller-manager and node pool as its child processes. kubectl with D/kubeconfig rolls out a
// Deployment; SIGTERM (and SIGKILL) of the parent leaves no process of the cluster behind; a
// component that dies ends `up` with a non-zero exit, and nothing is restarted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { alive } from '../helpers/process.ts';
import { descendants } from '../../src/process/index.ts';

const skip = !hasKubectl;

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

const exited = (c: UpCluster) => new Promise<[number | null, string | null]>((r) => (c.child.exitCode !== null || c.child.signalCode !== null ? r([c.child.exitCode, c.child.signalCode]) : c.child.once('exit', (code, sig) => r([code, sig]))));

/** The component processes of an `up`, once all three run. */
async function components(c: UpCluster): Promise<Record<string, number>> {
  return eventually(() => {
    const found: Record<string, number> = {};
    for (const pid of descendants(c.child.pid!)) {
      const m = / (scheduler|controller-manager|nodes) --kubeconfig /.exec(cmdline(pid));
      if (m) found[m[1]] = pid;
    }
    return Object.keys(found).length === 3 ? found : undefined;
  }, 'three component processes', 30_000, 200);
}

test('a Deployment of 3 rolls out through kubectl; SIGTERM to up stops every child', { skip }, async () => {
  const c = await up(['--placement', 'processes', '--nodes', '2']);
  try {
    const procs = await components(c);
    assert.match(await c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']), /deployment.apps\/web created/);
    await eventually(async () => (await c.kubectlJson(['get', 'deployment', 'web'])).status?.readyReplicas === 3, 'web has 3 Ready replicas', 90_000, 500);
    const nodes = (await c.kubectlJson(['get', 'nodes'])).items.map((n: any) => n.metadata.name).sort();
    assert.deepEqual(nodes, ['node-0', 'node-1']);

    const tree = descendants(c.child.pid!);
    assert.ok(Object.values(procs).every((p) => tree.includes(p)));
    c.child.kill('SIGTERM');
    const [code] = await exited(c);
    assert.equal(code, 0, 'up exits 0 after SIGTERM');
    // The components were waited for; tsx's esbuild service ends on its own once its parent is gone.
    await eventually(() => tree.filter(alive).length === 0, 'no child of up left after it exited', 15_000, 100);
  } finally {
    await c.close();
  }
});

test('SIGKILL to up: the children notice their parent is gone and exit', { skip }, async () => {
  const c = await up(['--placement', 'processes', '--nodes', '1']);
  try {
    const procs = Object.values(await components(c));
    c.child.kill('SIGKILL');
    await exited(c);
    await eventually(() => procs.every((p) => !alive(p)), 'every component process gone', 30_000, 200);
  } finally {
    await c.close();
  }
});

test('a component that dies is reported with its exit and up exits non-zero, not restarting it', { skip }, async () => {
  const c = await up(['--placement', 'processes', '--nodes', '1']);
  try {
    const procs = await components(c);
    process.kill(procs.scheduler, 'SIGKILL');
    const [code] = await exited(c);
    assert.equal(code, 1);
    assert.deepEqual(Object.values(procs).filter(alive), [], 'the others were stopped');
  } finally {
    await c.close();
  }
});
