// What a real program sees of its pod spec: env and envFrom (ConfigMap, Secret, fieldRef,
// resourceFieldRef, $(VAR)), workingDir, and volumes (configMap, secret, downwardAPI, emptyDir)
// at their mountPaths — `node /app/server.js` with /app from a ConfigMap runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, fast, getPod, kubeletLog, nodePod, PODS, quiet, runtimeCluster } from './helpers.ts';
import { cluster } from '../node/helpers.ts';
import { DispatchingRuntime, ProcessRuntime, SimulatedRuntime, startNodePool } from '../../src/node/index.ts';
import { clientSource } from '../../src/node/process/index.ts';

const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const SECRETS = { group: '', version: 'v1', plural: 'secrets', namespaced: true };

const server = `
const fs = require('fs');
console.log('cwd', process.cwd());
console.log('argv1', process.argv[1]);
console.log('env', process.env.GREETING, process.env.CFG_MODE, process.env.MEM_MI, process.env.CPU, process.env.TOKEN, process.env.NODE);
console.log('data', fs.readFileSync('/app/data.txt', 'utf8'), fs.readFileSync('data.txt', 'utf8'), fs.existsSync('/app/nope'));
console.log('labels', fs.readFileSync('/etc/podinfo/labels', 'utf8').replace(/\\n/g, ' '));
console.log('secret', fs.readFileSync('/etc/secret/token', 'utf8'));
fs.writeFileSync('/scratch/out.txt', 'x');
console.log('scratch', fs.readdirSync('/scratch').join(','));
console.log('lib', require('/app/lib.js').x, require('./lib.js').x);
fs.promises.readFile('/app/data.txt', 'utf8').then((d) => console.log('promises', d));
`;

test('a ConfigMap-mounted program sees its env, workingDir and volumes', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(CONFIGMAPS).create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app', namespace: 'default' },
      data: { 'server.js': server, 'lib.js': 'exports.x = 42;', 'data.txt': 'from-configmap', MODE: 'production' },
    });
    await c.client.resource(SECRETS).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { token: Buffer.from('s3cret').toString('base64') },
    });
    await c.client.resource(PODS).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cfg', namespace: 'default', labels: { app: 'web', tier: 'front' } },
      spec: {
        nodeName: 'node-0',
        restartPolicy: 'Never',
        containers: [
          {
            name: 'app',
            image: 'node:20-alpine',
            command: ['node', '/app/server.js'],
            workingDir: '/app',
            envFrom: [{ configMapRef: { name: 'app' }, prefix: 'CFG_' }],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'GREETING', value: 'hello-$(POD_NAME)-$$(NOT)' },
              { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            ],
            resources: { limits: { memory: '256Mi', cpu: '1500m' } },
            volumeMounts: [
              { name: 'app', mountPath: '/app' },
              { name: 'podinfo', mountPath: '/etc/podinfo' },
              { name: 'secret', mountPath: '/etc/secret' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
        volumes: [
          { name: 'app', configMap: { name: 'app' } },
          { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'secret', secret: { secretName: 's' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    });
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'cfg');
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 'pod done');
    const log = await kubeletLog(c.pool, 'cfg');
    assert.equal(p.status.phase, 'Succeeded', log);
    assert.deepEqual(log.trim().split('\n'), [
      'cwd /app',
      'argv1 /app/server.js',
      'env hello-cfg-$(NOT) production 256 2 s3cret node-0',
      'data from-configmap from-configmap false',
      'labels app="web" tier="front"',
      'secret s3cret',
      'scratch out.txt',
      'lib 42 42',
      'promises from-configmap',
    ]);
  } finally {
    await c.close();
  }
});

test('a missing ConfigMap fails the start: CreateContainerConfigError, the message in the log', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nocfg', namespace: 'default' },
      spec: { nodeName: 'node-0', restartPolicy: 'Never', containers: [{ name: 'app', image: 'node', command: ['node', '-e', '1'], envFrom: [{ configMapRef: { name: 'absent' } }] }] },
    });
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'nocfg');
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 'pod Failed');
    assert.equal(p.status.containerStatuses[0].state.terminated.reason, 'CreateContainerConfigError');
    assert.match(await kubeletLog(c.pool, 'nocfg'), /configmap "absent" not found/);
  } finally {
    await c.close();
  }
});

test("a ConfigMap update reaches the running program's mounted files", async () => {
  const base = await cluster();
  const runtime = new DispatchingRuntime(new ProcessRuntime({ config: clientSource(base.client), volumeSyncMs: 200 }), new SimulatedRuntime());
  const pool = await startNodePool({ client: base.client, count: 1, logger: quiet, timings: fast, containerRuntime: runtime });
  try {
    await base.client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live', namespace: 'default' }, data: { msg: 'one' } });
    const watcher = 'const fs = require("fs"); let last; setInterval(() => { const m = fs.readFileSync("/config/msg", "utf8"); if (m !== last) console.log((last = m)); }, 50)';
    const p = nodePod('watcher', watcher, { volumes: [{ name: 'cfg', configMap: { name: 'live' } }] }, { volumeMounts: [{ name: 'cfg', mountPath: '/config' }] });
    await base.client.resource(PODS).create(p);
    await eventually(async () => ((await kubeletLog(pool, 'watcher')) === 'one\n' ? true : undefined), 'first content');
    await base.client.resource(CONFIGMAPS).patch('live', { data: { msg: 'two' } }, { namespace: 'default' });
    await eventually(async () => ((await kubeletLog(pool, 'watcher')) === 'one\ntwo\n' ? true : undefined), 'updated content', 10_000);
  } finally {
    await pool.stop();
    await base.close();
  }
});

test('an ES module program imports from its mount by absolute path', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(CONFIGMAPS).create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'esm', namespace: 'default' },
      data: { 'main.mjs': 'import { x } from "/app/lib.mjs"; const { y } = await import("./lib.mjs"); console.log("esm", x, y);', 'lib.mjs': 'export const x = 7, y = 8;' },
    });
    const p = nodePod('esm', '', { restartPolicy: 'Never', volumes: [{ name: 'app', configMap: { name: 'esm' } }] }, { command: ['node', '/app/main.mjs'], volumeMounts: [{ name: 'app', mountPath: '/app' }] });
    await c.client.resource(PODS).create(p);
    await eventually(async () => ((await getPod(c.client, 'esm')).status?.phase === 'Succeeded' ? true : undefined), 'Succeeded');
    assert.equal(await kubeletLog(c.pool, 'esm'), 'esm 7 8\n');
  } finally {
    await c.close();
  }
});
