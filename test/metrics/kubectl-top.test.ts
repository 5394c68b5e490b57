// `kubectl top nodes` and `kubectl top pods -A --containers --sort-by=...` with the real kubectl
// against the API server's metrics API and a node pool with known usage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { kubeconfigYaml, startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { eventually } from '../helpers/eventually.ts';

const KUBECTL = '/usr/bin/kubectl';
const quiet = pino({ level: 'silent' });
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const POD_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true };

let api: RunningApiServer;
let client: Client;
let pool: NodePool;
let dir: string;

function kubectl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(KUBECTL, args, { env: { PATH: process.env.PATH ?? '/usr/bin', HOME: join(dir, 'home'), KUBECONFIG: join(dir, 'kubeconfig') }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(String(stdout)),
    ),
  );
}

/**
 * kubectl top once the latest scrape has samples: under a loaded machine a 200 ms scrape can time
 * out, and a kubelet that did not answer loses its samples until the next one (metrics-server's rule).
 */
const top = (args: string[]) =>
  eventually(
    () =>
      kubectl(args).catch((e: Error) => {
        if (/metrics not available yet/.test(e.message)) return undefined;
        throw e;
      }),
    `kubectl ${args.join(' ')}`,
  );

/** Lines as lists of cells (kubectl's tabwriter pads with spaces). */
const rows = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}|\s+(?=\S)/).filter(Boolean));

const pod = (ns: string, name: string, node: string, containers: [string, string, string][]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, annotations: Object.fromEntries(containers.flatMap(([c, cpu, mem]) => [[`kubesim.io/cpu-pattern.${c}`, cpu], [`kubesim.io/memory-pattern.${c}`, mem]])) },
  spec: { nodeName: node, containers: containers.map(([c]) => ({ name: c, image: 'nginx' })) },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubesim-top-'));
  api = await startApiServer({ port: 0, logger: quiet, metricResolutionMs: 200 });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml(api.url));
  client = new Client({ server: api.url, qps: 0 });
  pool = await startNodePool({ client, count: 2, logger: quiet, timings: { pullMs: 10, createMs: 10, startMs: 10 } });
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  await client.resource(PODS).create(pod('default', 'busy', 'node-0', [['app', '250m', '64Mi'], ['side', '5m', '8Mi']]), { namespace: 'default' });
  await client.resource(PODS).create(pod('team', 'mid', 'node-1', [['app', '100m', '256Mi']]), { namespace: 'team' });
  await client.resource(PODS).create(pod('default', 'idle', 'node-1', [['app', '10m', '16Mi']]), { namespace: 'default' });
  await eventually(async () => ((await client.resource(POD_METRICS).list()).items.length === 3 ? true : undefined), 'metrics of the three pods');
});

after(async () => {
  await pool.stop();
  client.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl top nodes: usage and percentages of allocatable', { skip: !existsSync(KUBECTL) }, async () => {
  const out = rows(await top(['top', 'nodes']));
  assert.deepEqual(out[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
  // Each node: 100m and 512Mi of its own plus its pods' usage; 4 cores and 16Gi allocatable.
  assert.deepEqual(out.slice(1), [
    ['node-0', '355m', '8%', '584Mi', '3%'],
    ['node-1', '210m', '5%', '784Mi', '4%'],
  ]);
});

test('kubectl top pods -A --containers --sort-by=cpu|memory', { skip: !existsSync(KUBECTL) }, async () => {
  const byCpu = rows(await top(['top', 'pods', '-A', '--containers', '--sort-by=cpu']));
  assert.deepEqual(byCpu, [
    ['NAMESPACE', 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ['default', 'busy', 'app', '250m', '64Mi'],
    ['default', 'busy', 'side', '5m', '8Mi'],
    ['team', 'mid', 'app', '100m', '256Mi'],
    ['default', 'idle', 'app', '10m', '16Mi'],
  ]);
  const byMem = rows(await top(['top', 'pods', '-A', '--sort-by=memory']));
  assert.deepEqual(byMem, [
    ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ['team', 'mid', '100m', '256Mi'],
    ['default', 'busy', '255m', '72Mi'],
    ['default', 'idle', '10m', '16Mi'],
  ]);
  const one = rows(await top(['top', 'pod', 'busy']));
  assert.deepEqual(one, [
    ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ['busy', '255m', '72Mi'],
  ]);
});
