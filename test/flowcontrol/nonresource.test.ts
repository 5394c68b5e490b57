// Non-resource requests (/healthz, /metrics, /apis, /version, /openapi/v2) classified by their path and
// verb (the lowercased HTTP method) against FlowSchemas' nonResourceRules, as Kubernetes' RequestInfo
// and APF matching do: tables over the bootstrap schemas and the URL rule, then through the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { classify, compileSchema, digestOf, matchesNonResourceURL, sortSchemas } from '../../src/apiserver/flowcontrol/classify.ts';
import { MANDATORY_FLOW_SCHEMAS, SUGGESTED_FLOW_SCHEMAS } from '../../src/apiserver/flowcontrol/bootstrap.ts';
import { nonResourceRequestInfo, parseResourcePath, type RequestInfo } from '../../src/apiserver/routing.ts';
import { startApiServer, type Authenticator, type RunningApiServer, type UserInfo } from '../../src/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { req } from '../apiserver/helpers.ts';

const schemas = sortSchemas(
  [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS].map((b, i) => compileSchema({ apiVersion: 'x', kind: 'FlowSchema', metadata: { name: b.name, uid: `uid-${i}` }, spec: b.spec })),
);
const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const u = (username: string, ...groups: string[]): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] });
const admin = u('kubernetes-admin', 'system:masters');
const alice = u('alice');

test('non-resource requests: the schema Kubernetes chooses for the path, verb and user', () => {
  const cases: [string, UserInfo, string, string, string][] = [
    ['a probe of /healthz by anonymous', anonymous, 'GET', '/healthz', 'probes'],
    ['a probe of /readyz by a user', alice, 'GET', '/readyz', 'probes'],
    ['a probe of /livez by a kubelet', u('system:node:n1', 'system:nodes'), 'GET', '/livez', 'probes'],
    ['a per-check probe (/healthz covers what is below it)', anonymous, 'GET', '/healthz/etcd', 'probes'],
    ['POST /healthz is no probe', alice, 'POST', '/healthz', 'global-default'],
    ['HEAD /healthz is no probe (verb head)', alice, 'HEAD', '/healthz', 'global-default'],
    ['/metrics by system:masters', admin, 'GET', '/metrics', 'exempt'],
    ['/metrics by a kubelet', u('system:node:n1', 'system:nodes'), 'GET', '/metrics', 'system-nodes'],
    ['/apis by a user', alice, 'GET', '/apis', 'global-default'],
    ['/api by anonymous', anonymous, 'GET', '/api', 'global-default'],
    ['/version by anonymous', anonymous, 'GET', '/version', 'global-default'],
    ['/openapi/v2 by an app service account', u('system:serviceaccount:prod:web', 'system:serviceaccounts'), 'GET', '/openapi/v2', 'service-accounts'],
    ['/apis/apps/v1 discovery by the controller-manager', u('system:kube-controller-manager'), 'GET', '/apis/apps/v1', 'kube-controller-manager'],
  ];
  for (const [what, user, method, path, want] of cases) {
    const info = nonResourceRequestInfo(method, path);
    assert.equal(info.verb, method.toLowerCase(), `${what}: verb`);
    assert.equal(classify(schemas, digestOf(user, info))?.name, want, what);
  }
});

test('resource requests keep their digest: the target, never a path', () => {
  const info = parseResourcePath('GET', '/api/v1/namespaces/prod/pods/web/log', false) as RequestInfo;
  assert.deepEqual(digestOf(alice, info), { user: alice, verb: 'get', resource: { apiGroup: '', resource: 'pods', subresource: 'log', namespace: 'prod' } });
  assert.equal(classify(schemas, digestOf(admin, info))?.name, 'exempt');
  assert.equal(classify(schemas, digestOf(alice, info))?.name, 'global-default');
  assert.equal(classify(schemas, digestOf(anonymous, parseResourcePath('GET', '/api/v1/nodes', false) as RequestInfo))?.name, 'global-default');
});

test('nonResourceURLs: "*", the exact path, or what is below it', () => {
  const cases: [string, string, boolean][] = [
    ['*', '/anything', true],
    ['/healthz', '/healthz', true],
    ['/healthz', '/healthz/etcd', true],
    ['/healthz', '/healthzz', false],
    ['/healthz/*', '/healthz/etcd', true],
    ['/healthz/*', '/healthz', false],
    ['/foo/*', '/foo/bar', true],
    ['/foo/*', '/foo/bar/baz', true],
    ['/foo/*', '/foobar', false],
    ['/foo/*', '/foo', false],
    ['/hea', '/healthz', false],
    ['/hea/*', '/healthz', false],
    ['/', '/anything', true],
  ];
  for (const [url, path, want] of cases) assert.equal(matchesNonResourceURL(url, path), want, `${url} vs ${path}`);
});

const USERS: Record<string, UserInfo> = { 'admin-token': admin, 'alice-token': alice };
const tokens: Authenticator = { name: 'test-tokens', authenticate: (r: IncomingMessage) => USERS[(r.headers.authorization ?? '').replace(/^Bearer /, '')] };
const as = (who: string) => ({ Authorization: `Bearer ${who}-token` });
const FC = '/apis/flowcontrol.apiserver.k8s.io/v1';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ enablePriorityAndFairness: true, pipeline: { authenticators: [tokens] } });
  const created = await req(server.url, 'POST', `${FC}/flowschemas`, {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: 'foo-paths' },
    spec: {
      priorityLevelConfiguration: { name: 'workload-low' },
      matchingPrecedence: 500,
      distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: [{ kind: 'Group', group: { name: 'system:authenticated' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/foo/*'] }] }],
    },
  }, as('admin'));
  assert.equal(created.status, 201, created.text);
});
after(() => server.close());

test('through the server: X-Kubernetes-PF-FlowSchema-UID names the schema of the non-resource request', async () => {
  const uids: Record<string, string> = {};
  for (const name of ['exempt', 'probes', 'global-default', 'foo-paths']) uids[name] = (await req(server.url, 'GET', `${FC}/flowschemas/${name}`, undefined, as('admin'))).body.metadata.uid;
  const cases: [string, string, string, string][] = [
    ['/healthz by anonymous (a public path, still classified)', '', '/healthz', 'probes'],
    ['/readyz by a user', 'alice', '/readyz', 'probes'],
    ['/livez with a credential nobody knows (served as anonymous)', 'nobody', '/livez', 'probes'],
    ['/version by anonymous', '', '/version', 'global-default'],
    ['/metrics by system:masters', 'admin', '/metrics', 'exempt'],
    ['/apis by a user', 'alice', '/apis', 'global-default'],
    ['/foo/bar by a user (the custom /foo/* rule)', 'alice', '/foo/bar', 'foo-paths'],
    ['/foobar by the same user (not below /foo/)', 'alice', '/foobar', 'global-default'],
    ['/foo/bar again (the cache keeps paths apart)', 'alice', '/foo/bar', 'foo-paths'],
    ['a resource request by the same user', 'alice', '/api/v1/namespaces/default/configmaps', 'global-default'],
    ['a resource request by system:masters', 'admin', '/api/v1/namespaces/default/configmaps', 'exempt'],
  ];
  // the new schema reaches the classifier once the configuration controller has seen it
  await eventually(async () => (await fetch(`${server.url}/foo/bar`, { headers: as('alice') })).headers.get('x-kubernetes-pf-flowschema-uid') === uids['foo-paths'], 'foo-paths in use');
  for (const [what, who, path, want] of cases) {
    const r = await fetch(`${server.url}${path}`, { headers: who ? as(who) : {} });
    await r.arrayBuffer();
    assert.equal(r.headers.get('x-kubernetes-pf-flowschema-uid'), uids[want], what);
    if (path === '/healthz' || path === '/readyz' || path === '/livez' || path === '/version') assert.equal(r.status, 200, `${what}: served`);
  }
});
