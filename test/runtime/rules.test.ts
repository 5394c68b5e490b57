// The process runtime's pure rules, table-driven: which containers run as processes, node's
// script argument, the downward API and $(VAR) expansion, path mapping, /proc parsing, probe thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { imageRepo, isNodeImage, nodeArgs, scriptIndex } from '../../src/node/process/command.ts';
import { expandVars, fieldRefValue, resourceFieldValue } from '../../src/node/process/fields.ts';
import { parseRss, parseStatTicks } from '../../src/node/process/procfs.ts';
import { ProbeCounter, probeSettings } from '../../src/node/process/probes.ts';

const { mapPath, unmapPath } = createRequire(import.meta.url)('../../src/node/process/paths.cjs');

test('Node.js images', () => {
  const cases: [string, string[], boolean][] = [
    ['node', [], true],
    ['node:20', [], true],
    ['node:20-alpine', [], true],
    ['docker.io/library/node:22', [], true],
    ['library/node', [], true],
    ['nginx', [], false],
    ['example.com/team/node:1', [], false],
    ['example.com/team/api:1', ['example.com/team/api'], true],
    ['example.com/team/api:2', ['example.com/team/api:1'], false],
    ['example.com/team/api:1', ['example.com/team/api:1'], true],
  ];
  for (const [image, extra, want] of cases) assert.equal(isNodeImage(image, extra), want, `${image} ${extra}`);
  assert.equal(imageRepo('docker.io/library/node:20@sha256:abc'), 'node');
});

test('command and args that run node', () => {
  const cases: [string[] | undefined, string[] | undefined, string[] | undefined][] = [
    [['node', '-e', 'x'], undefined, ['-e', 'x']],
    [['/usr/local/bin/node'], ['server.js'], ['server.js']],
    [['nodejs', 'a.js'], ['--flag'], ['a.js', '--flag']],
    [undefined, ['-e', 'x'], ['-e', 'x']],
    [undefined, ['server.js', '8080'], ['server.js', '8080']],
    [undefined, ['node', 'app.mjs'], ['app.mjs']],
    [undefined, ['npm', 'start'], undefined],
    [['sh', '-c', 'node x.js'], undefined, undefined],
    [undefined, undefined, undefined],
    [[], [], undefined],
  ];
  for (const [command, args, want] of cases) assert.deepEqual(nodeArgs(command, args), want, `${command} ${args}`);
});

test("the script among node's arguments", () => {
  const cases: [string[], number][] = [
    [['server.js'], 0],
    [['--inspect', 'server.js', 'a'], 1],
    [['-r', 'dotenv/config', 'server.js'], 2],
    [['--require=x', 'server.js'], 1],
    [['-e', 'code', 'arg'], -1],
    [['--print', '1'], -1],
    [['--', 'x.js'], 1],
    [['--max-old-space-size', '64', 'y.js'], 2],
    [['--trace-warnings'], -1],
  ];
  for (const [args, want] of cases) assert.equal(scriptIndex(args), want, args.join(' '));
});

test('$(VAR) expansion', () => {
  const vars = { A: 'x', B: 'y' };
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['$(A)-$(B)', 'x-y'],
    ['$(C)', '$(C)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['a$b', 'a$b'],
    ['$(A', '$(A'],
    ['$', '$'],
  ];
  for (const [s, want] of cases) assert.equal(expandVars(s, vars), want, s);
});

test('fieldRef and resourceFieldRef values', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { b: '2', a: '1' }, annotations: { 'x/y': 'z' } }, spec: { nodeName: 'node-3' } };
  const f = { pod, podIP: '10.128.0.5', hostIP: '10.0.0.2' };
  const cases: [string, string | undefined][] = [
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u1'],
    ["metadata.labels['a']", '1'],
    ["metadata.annotations['x/y']", 'z'],
    ['metadata.labels', 'a="1"\nb="2"'],
    ['spec.nodeName', 'node-3'],
    ['spec.serviceAccountName', 'default'],
    ['status.podIP', '10.128.0.5'],
    ['status.hostIP', '10.0.0.2'],
    ['spec.bogus', undefined],
  ];
  for (const [path, want] of cases) assert.equal(fieldRefValue(f as any, path), want, path);
  const spec = { resources: { limits: { cpu: '1500m', memory: '256Mi' }, requests: { cpu: '250m' } } };
  const alloc = { cpu: '4', memory: '16Gi' };
  const res: [any, any, string | undefined][] = [
    [spec, { resource: 'limits.cpu' }, '2'],
    [spec, { resource: 'limits.cpu', divisor: '1m' }, '1500'],
    [spec, { resource: 'requests.cpu', divisor: '1m' }, '250'],
    [spec, { resource: 'limits.memory', divisor: '1Mi' }, '256'],
    [spec, { resource: 'limits.memory' }, String(256 * 2 ** 20)],
    [{}, { resource: 'limits.memory', divisor: '1Gi' }, '16'],
    [{}, { resource: 'limits.cpu' }, '4'],
    [{}, { resource: 'requests.memory' }, '0'],
    [spec, { resource: 'bogus' }, undefined],
  ];
  for (const [s, ref, want] of res) assert.equal(resourceFieldValue(s, ref, alloc), want, JSON.stringify(ref));
});

test('paths under a mountPath map onto its directory, and back', () => {
  const mounts = [
    ['/app/config', '/data/p/volumes/cfg'],
    ['/app', '/data/p/volumes/app'],
  ];
  const cases: [string, string][] = [
    ['/app/server.js', '/data/p/volumes/app/server.js'],
    ['/app', '/data/p/volumes/app'],
    ['/app/config/x.json', '/data/p/volumes/cfg/x.json'],
    ['/app/../etc/passwd', '/app/../etc/passwd'],
    ['/application', '/application'],
    ['relative/x', 'relative/x'],
    ['/tmp/x', '/tmp/x'],
  ];
  for (const [p, want] of cases) assert.equal(mapPath(mounts, p), want, p);
  assert.equal(unmapPath(mounts, '/data/p/volumes/app/sub'), '/app/sub');
  assert.equal(unmapPath(mounts, '/data/p/volumes/cfg'), '/app/config');
  assert.equal(unmapPath(mounts, '/elsewhere'), '/elsewhere');
});

test('/proc readings', () => {
  const stat = '4242 (node my app) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 30 10 7 0 123 456 789';
  assert.equal(parseStatTicks(stat), 200);
  assert.equal(parseRss('Name:\tnode\nVmRSS:\t   51200 kB\nThreads: 7\n'), 51200 * 1024);
  assert.equal(parseRss('Name:\tnode\n'), undefined);
});

test('probe thresholds and defaults', () => {
  assert.deepEqual(probeSettings({}), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  const c = new ProbeCounter({ ...probeSettings({}), successThreshold: 2, failureThreshold: 2 });
  const seq = [true, true, false, true, false, false, true, true].map((ok) => (c.record(ok), c.state));
  assert.deepEqual(seq, [undefined, true, true, true, true, false, false, true]);
});

test('a running container whose postStart hook has not returned is reported being created', async () => {
  const { buildPodStatus } = await import('../../src/node/podstatus.ts');
  const pod: any = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'node:20' }] } };
  const container = (over: any) => ({ name: 'app', image: 'node:20', init: false, sidecar: false, state: 'Running', enteredAt: 0, startedAt: 0, ready: false, restartCount: 0, backoffMs: 0, containerID: 'kubesim://x', ...over });
  const cases: [string, any, any, boolean, string][] = [
    ['hook running', { hookPending: true }, { waiting: { reason: 'ContainerCreating' } }, false, 'Pending'],
    ['hook returned', { ready: true }, { running: { startedAt: '1970-01-01T00:00:00Z' } }, true, 'Running'],
  ];
  for (const [what, over, state, started, phase] of cases) {
    const sim: any = { uid: 'u', namespace: 'default', name: 'p', pod, containers: [container(over)], startTime: 0, hostIP: '10.0.0.1', conditions: {} };
    const st = buildPodStatus(sim);
    assert.deepEqual(st.containerStatuses[0].state, state, what);
    assert.equal(st.containerStatuses[0].started, started, what);
    assert.equal(st.containerStatuses[0].ready, started, what);
    assert.equal(st.phase, phase, what);
  }
});
