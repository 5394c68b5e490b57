// Least privilege for kubesim's components: the API server with RBAC and a token authenticator;
// the controller-manager, scheduler and node pool each with their own identity (as COMMON.md names
// them). A Deployment of 3 replicas comes up Ready without a single denial; the scheduler's
// identity cannot read Secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startApiServer, type Authorizer, type UserInfo } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/controllers/index.ts';
import { startScheduler } from '../../src/scheduler/index.ts';
import { startNodePool } from '../../src/node/index.ts';
import { isStatusError } from '../../src/api/errors.ts';
import { eventually } from '../helpers/eventually.ts';
import { testAuthenticator } from './helpers.ts';

const IDENTITIES: Record<string, UserInfo> = {
  admin: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
  cm: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
  sched: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
  nodes: { username: 'system:kubesim:node-pool', groups: ['system:kubesim:node-pools', 'system:authenticated'] },
};

test('controller-manager, scheduler and node pool run a Deployment under their own identities with no 403', async () => {
  const logger = pino({ level: 'silent' });
  const api = await startApiServer({ authorizationModes: ['Node', 'RBAC'], logger, pipeline: { authenticators: [testAuthenticator(IDENTITIES)] } });
  // Record every request the authorizers refuse.
  const denials: string[] = [];
  const inner = [...api.pipeline.authorizers];
  const recorder: Authorizer = {
    name: 'recorder',
    async authorize(a) {
      for (const z of inner) {
        const d = await z.authorize(a);
        if (d !== 'noOpinion') {
          if (d === 'deny') denials.push(`${a.user.username} ${a.info.verb} ${a.info.nonResource ? a.info.path : `${a.info.group}/${a.info.resource}${a.info.subresource ? '/' + a.info.subresource : ''} ns=${a.info.namespace ?? ''} name=${a.info.name ?? ''}`}`);
          return d;
        }
      }
      denials.push(`${a.user.username} ${a.info.verb} ${a.info.nonResource ? a.info.path : `${a.info.group}/${a.info.resource}${a.info.subresource ? '/' + a.info.subresource : ''} ns=${a.info.namespace ?? ''} name=${a.info.name ?? ''}`}`);
      return 'noOpinion';
    },
    rules: inner.find((z) => z.rules)?.rules,
  };
  api.pipeline.authorizers.splice(0, api.pipeline.authorizers.length, recorder);
  const client = (token: string, userAgent: string) => new Client({ server: api.url, token, qps: Infinity, userAgent });
  const admin = client('admin', 'test');
  const clients = [admin];
  const stops: (() => Promise<void>)[] = [];
  const dbg = process.env.RBAC_DEBUG ? setInterval(() => console.error('DENIALS', [...new Set(denials)].join('\n')), 5000) : undefined;
  try {
    const cmClient = client('cm', 'kubesim-controller-manager');
    const schedClient = client('sched', 'kubesim-scheduler');
    const nodeClient = client('nodes', 'kubesim-node-pool');
    clients.push(cmClient, schedClient, nodeClient);
    stops.push((await startControllerManager({ client: cmClient, logger, hpaSyncPeriodSeconds: 1 })).stop);
    stops.push((await startScheduler({ client: schedClient, leaderElect: true, logger })).stop);
    stops.push((await startNodePool({ client: nodeClient, count: 2, logger })).stop);

    const labels = { app: 'web' };
    await admin.resource({ group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' }).create(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
      { namespace: 'default' },
    );
    const pods = admin.resource({ group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' });
    await eventually(
      async () => {
        const l = await pods.list({ namespace: 'default', labelSelector: 'app=web' });
        const ready = l.items.filter((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === 3;
      },
      '3 Ready pods',
      60_000,
    ).catch((e) => {
      throw new Error(`${e.message}; denials: ${[...new Set(denials)].join('\n')}`);
    });
    // the HPA reads the scale subresource and the metrics API, and writes its status
    const hpas = admin.resource({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' });
    await hpas.create(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
      },
      { namespace: 'default' },
    );
    await eventually(async () => ((await hpas.get('web', { namespace: 'default' })).status as any)?.currentReplicas === 3, 'HPA status written', 60_000);
    // deleting the Deployment: the garbage collector and the nodes take the pods away
    await admin.resource({ group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' }).delete('web', { namespace: 'default' });
    await eventually(async () => (await pods.list({ namespace: 'default', labelSelector: 'app=web' })).items.length === 0, 'pods gone', 60_000);
    // the scheduler's identity reads no Secrets
    const secrets = schedClient.resource({ group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' });
    const err = await secrets.list({ namespace: 'default' }).then(() => undefined, (e) => e);
    assert.ok(isStatusError(err, 403), `scheduler listing secrets: ${err}`);
    assert.equal(err.message, 'secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" in the namespace "default"');
    const expected = 'system:kube-scheduler list /secrets ns=default name=';
    assert.deepEqual(
      denials.filter((d) => d !== expected),
      [],
      'no component was refused anything',
    );
  } finally {
    if (dbg) clearInterval(dbg);
    for (const s of stops.reverse()) await s().catch(() => {});
    for (const c of clients) c.close();
    await api.close();
  }
});
