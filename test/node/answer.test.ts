// Simulated containers with declared containerPorts answer HTTP at the pod's IP alias while they
// run (src/node/answer.ts): reached through the API server's pod proxy; silent once deleted, past
// the listener limit, or without ports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { answerText, answeredPorts } from '../../src/node/answer.ts';
import { cluster, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof cluster>>;
let pool: NodePool;

before(async () => {
  c = await cluster();
  pool = await startNodePool({ client: c.client, count: 1, logger: quiet, simulatedHttp: 2, timings: { pullMs: 20, createMs: 10, startMs: 10 } });
});

after(async () => {
  await pool.stop();
  await c.close();
});

test('answeredPorts: declared TCP ports of the container; none for hostNetwork pods', () => {
  const table: [any, any, number[]][] = [
    [{ spec: {} }, { ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 8080, protocol: 'TCP' }] }, [80, 8080]],
    [{ spec: {} }, {}, []],
    [{ spec: {} }, { ports: [{ containerPort: 0 }, { containerPort: 70000 }, { containerPort: 'x' }] }, []],
    [{ spec: { hostNetwork: true } }, { ports: [{ containerPort: 80 }] }, []],
  ];
  for (const [p, spec, want] of table) assert.deepEqual(answeredPorts(p, spec), want);
  assert.equal(answerText({ namespace: 'ns', name: 'p', node: 'n' }, 'c', 80, 'GET', '/x'), 'pod=p namespace=ns node=n container=c port=80 GET /x\n');
});

async function proxied(path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${c.api.url}/api/v1/namespaces/default/pods/${path}`);
  return { status: r.status, text: await r.text() };
}

const withPort = (name: string, port: number) => pod(name, 'node-0', { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: port }] }] });

test('a running simulated pod answers on its containerPort, naming pod and node; deleted, it stops', async () => {
  await c.client.resource(PODS).create(withPort('hello', 8080));
  const r = await eventually(async () => {
    const x = await proxied('hello:8080/proxy/some/path?q=1');
    return x.status === 200 ? x : undefined;
  }, 'the simulated pod answers');
  assert.equal(r.text, 'pod=hello namespace=default node=node-0 container=app port=8080 GET /some/path?q=1\n');
  assert.equal((await proxied('hello:8081/proxy/')).status, 503, 'an undeclared port is not served');
  await c.client.resource(PODS).delete('hello', { namespace: 'default', gracePeriodSeconds: 0 });
  await eventually(async () => (await proxied('hello:8080/proxy/')).status === 404, 'gone');
});

test('past the listener limit a pod stays silent; pods without ports take none', async () => {
  await c.client.resource(PODS).create(pod('quiet', 'node-0'));
  await c.client.resource(PODS).create(withPort('one', 80));
  await c.client.resource(PODS).create(withPort('two', 80));
  await eventually(async () => (await proxied('one/proxy/')).status === 200 && (await proxied('two/proxy/')).status === 200, 'two answer');
  await c.client.resource(PODS).create(withPort('three', 80));
  await eventually(async () => (await c.client.resource(PODS).get('three', { namespace: 'default' })).status?.phase === 'Running', 'three Running');
  const r = await proxied('three/proxy/');
  assert.equal(r.status, 503, r.text);
  assert.match(r.text, /connection refused/);
});
