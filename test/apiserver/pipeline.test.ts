// The request pipeline's pluggable stages: authentication (401), rate limiting (429 + Retry-After),
// authorization (403 with Kubernetes' message), mutating and validating admission — in that order,
// and a rejected request writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, tooManyRequests } from '../../src/api/errors.ts';
import type { AdmissionPlugin, Authenticator, Authorizer, RateLimiter } from '../../src/apiserver/index.ts';
import { startTestServer, req, configMap } from './helpers.ts';

const CM = '/api/v1/namespaces/default/configmaps';

test('stages run in order and each can stop the request', async () => {
  const order: string[] = [];
  const authn: Authenticator = {
    name: 'token',
    authenticate(r) {
      order.push('authn');
      const h = r.headers.authorization;
      if (h === 'Bearer bad') throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      return h ? { username: h.slice(7), groups: ['system:authenticated'] } : undefined;
    },
  };
  let limited = false;
  const limiter: RateLimiter = {
    name: 'limit',
    admit() {
      order.push('ratelimit');
      if (limited) throw tooManyRequests('Too many requests, please try again later.', 2);
    },
  };
  const authz: Authorizer = {
    name: 'rbac-ish',
    authorize(a) {
      order.push('authz');
      return a.user.username === 'alice' || a.info.verb === 'list' ? 'allow' : 'deny';
    },
  };
  const admission: AdmissionPlugin = {
    name: 'TestAdmission',
    admit(a) {
      order.push(`admit:${a.operation}`);
      if (a.operation === 'CREATE' && a.object) (a.object.metadata.labels ??= {})['admitted-by'] = a.user.username;
    },
    validate(a) {
      order.push(`validate:${a.operation}`);
      if (a.object?.metadata.name === 'forbidden') throw new StatusError(403, 'Forbidden', 'configmaps "forbidden" is forbidden: denied by TestAdmission');
    },
  };
  const srv = await startTestServer({ pipeline: { authenticators: [authn], rateLimiters: [limiter], authorizers: [authz], admission: [admission] } });
  try {
    const as = (user: string) => ({ Authorization: `Bearer ${user}` });
    // no credentials recognized → 401
    const anon = await req(srv.url, 'GET', CM);
    assert.equal(anon.status, 401);
    assert.equal(anon.body.reason, 'Unauthorized');
    assert.equal((await req(srv.url, 'GET', CM, undefined, as('bad'))).status, 401);

    order.length = 0;
    const c = await req(srv.url, 'POST', CM, configMap('ok'), as('alice'));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.metadata.labels['admitted-by'], 'alice', 'mutating admission changed the object');
    assert.deepEqual(order, ['authn', 'ratelimit', 'authz', 'admit:CREATE', 'validate:CREATE']);

    const rv = (await req(srv.url, 'GET', CM, undefined, as('alice'))).body.metadata.resourceVersion;
    const denied = await req(srv.url, 'POST', CM, configMap('bob-cm'), as('bob'));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace "default"');
    const nope = await req(srv.url, 'POST', CM, configMap('forbidden'), as('alice'));
    assert.equal(nope.status, 403);
    assert.match(nope.body.message, /denied by TestAdmission/);
    assert.equal((await req(srv.url, 'GET', CM, undefined, as('alice'))).body.metadata.resourceVersion, rv, 'nothing written');

    // kubectl auth can-i: a SelfSubjectAccessReview answered from the authorizers
    const review = (verb: string) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb, resource: 'configmaps' } } });
    const yes = await req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review('create'), as('alice'));
    assert.equal(yes.status, 201, yes.text);
    assert.equal(yes.body.status.allowed, true);
    const no = await req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review('create'), as('bob'));
    assert.equal(no.body.status.allowed, false);

    const who = await req(srv.url, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, as('alice'));
    assert.equal(who.status, 201, who.text);
    assert.equal(who.body.status.userInfo.username, 'alice');
    const rules = await req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }, as('alice'));
    assert.equal(rules.status, 201, rules.text);
    assert.ok(Array.isArray(rules.body.status.resourceRules));

    limited = true;
    const tm = await req(srv.url, 'GET', CM, undefined, as('alice'));
    assert.equal(tm.status, 429);
    assert.equal(tm.body.reason, 'TooManyRequests');
    assert.equal(tm.headers.get('retry-after'), '2');
  } finally {
    await srv.close();
  }
});
