// `kubesim up --placement processes`: the argv each component process gets from up's flags and the
// data dir, which child output lines pass through as logs, and the placement's validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentArgs, isLogLine, type ComponentFlags } from '../../src/cluster/placement.ts';
import { startCluster } from '../../src/cluster/index.ts';
import { componentKubeconfigPath } from '../../src/process/index.ts';

function dataDir(files: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'kubesim-placement-'));
  mkdirSync(join(d, 'pki'));
  for (const f of files) writeFileSync(join(d, f), 'x');
  return d;
}

test('componentArgs: each component with its own kubeconfig, the PKI files present, up\'s flags', () => {
  const cases: { name: string; files: string[]; flags: Partial<ComponentFlags>; want: Record<string, string[]> }[] = [
    {
      name: 'secure data dir: own kubeconfigs, controller keys from pki/',
      files: ['kubeconfig', 'scheduler.kubeconfig', 'controller-manager.kubeconfig', 'node-pool.kubeconfig', 'pki/sa.key', 'pki/ca.crt', 'pki/ca.key'],
      flags: { nodes: 5, policy: 'binpack', nodeMonitorGracePeriodSeconds: 15, hpaTolerance: 0.2 },
      want: {
        'controller-manager': ['controller-manager', '--kubeconfig', 'D/controller-manager.kubeconfig', '--node-monitor-grace-period', '15', '--horizontal-pod-autoscaler-tolerance', '0.2', '--service-account-private-key-file', 'D/pki/sa.key', '--root-ca-file', 'D/pki/ca.crt', '--cluster-signing-cert-file', 'D/pki/ca.crt', '--cluster-signing-key-file', 'D/pki/ca.key'],
        scheduler: ['scheduler', '--kubeconfig', 'D/scheduler.kubeconfig', '--policy', 'binpack'],
        nodes: ['nodes', '--kubeconfig', 'D/node-pool.kubeconfig', '--count', '5'],
      },
    },
    {
      name: '--insecure data dir: the admin kubeconfig, no keys; --nodes 0 starts no pool',
      files: ['kubeconfig'],
      flags: { nodes: 0, policy: 'spread', defaultTolerationSeconds: 2 },
      want: {
        'controller-manager': ['controller-manager', '--kubeconfig', 'D/kubeconfig', '--default-toleration-seconds', '2'],
        scheduler: ['scheduler', '--kubeconfig', 'D/kubeconfig', '--policy', 'spread'],
      },
    },
    {
      name: 'a signing key file given to up signs for the controller-manager; ca.crt without ca.key signs no CSRs',
      files: ['pki/ca.crt'],
      flags: { nodes: 1, policy: 'round-robin', serviceAccountSigningKeyFile: '/keys/sa.pem' },
      want: {
        'controller-manager': ['controller-manager', '--kubeconfig', 'D/kubeconfig', '--service-account-private-key-file', '/keys/sa.pem', '--root-ca-file', 'D/pki/ca.crt'],
        scheduler: ['scheduler', '--kubeconfig', 'D/kubeconfig', '--policy', 'round-robin'],
        nodes: ['nodes', '--kubeconfig', 'D/kubeconfig', '--count', '1'],
      },
    },
  ];
  for (const c of cases) {
    const d = dataDir(c.files);
    try {
      const got = Object.fromEntries(componentArgs({ dataDir: d, nodes: 3, policy: 'spread', ...c.flags }).map(([k, a]) => [k, a.map((x) => x.replace(d, 'D'))]));
      assert.deepEqual(got, c.want, c.name);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }
});

test('componentKubeconfigPath falls back to D/kubeconfig', () => {
  const d = dataDir(['scheduler.kubeconfig']);
  try {
    assert.equal(componentKubeconfigPath(d, 'scheduler'), join(d, 'scheduler.kubeconfig'));
    assert.equal(componentKubeconfigPath(d, 'nodes'), join(d, 'kubeconfig'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('isLogLine: pino JSON lines pass through, everything else is logged', () => {
  const cases: [string, boolean][] = [
    ['{"level":30,"time":1,"msg":"scheduler started"}', true],
    ['{"level":"info"}', false],
    ['{"level":30', false],
    ['3 nodes ready (node-0 .. node-2); kubelet server http://127.0.0.1:1', false],
    ['', false],
  ];
  for (const [line, want] of cases) assert.equal(isLogLine(line), want, line);
});

test('an unknown --placement is refused before anything starts', async () => {
  await assert.rejects(startCluster({ port: 0, dataDir: '/nonexistent/never-made', nodes: 1, policy: 'spread', placement: 'threads' as never }), /--placement must be one of single, processes \(got "threads"\)/);
});
