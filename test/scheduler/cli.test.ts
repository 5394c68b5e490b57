// `kubesim scheduler` rejects a bad policy with a message and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('kubesim scheduler --policy with an unknown value exits 2 naming the allowed policies', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/kubesim.js'), 'scheduler', '--policy', 'fastest', '--kubeconfig', '/nonexistent'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--policy must be one of spread, binpack, round-robin \(got "fastest"\)/);
});

test('kubesim scheduler --config with a bad KubeSchedulerConfiguration exits 2 naming the field', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    const { kubeconfigYaml } = await import('../../src/apiserver/index.ts');
    fs.writeFileSync(kubeconfig, kubeconfigYaml('http://127.0.0.1:1'));
    const cfg = path.join(dir, 'sched.yaml');
    fs.writeFileSync(cfg, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n  percentageOfNodesToScore: 120\n');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/kubesim.js'), 'scheduler', '--kubeconfig', kubeconfig, '--config', cfg], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--config .*sched\.yaml: profiles\[0\]\.percentageOfNodesToScore: Invalid value: 120: not in valid range \[0-100\]/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
