// Admission webhooks end to end: HTTPS webhook servers on 127.0.0.1 with a CA made in the test;
// AdmissionReview requests as Kubernetes sends them; allow, deny, patch, warnings, failurePolicy,
// timeouts, selectors, matchPolicy, dry run and side effects, reinvocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req, configMap, deployment } from '../apiserver/helpers.ts';
import { makePki, type TestPki } from './certs.ts';
import { startWebhookServer, patchResponse, type WebhookServer } from './webhook-server.ts';
import { CM, MWC, VWC, configMapRule, configuration, hook, startServer, type Server } from './fixtures.ts';
import { objectKey } from '../../src/storage/index.ts';

let s: Server;
let pki: TestPki;
let wh: WebhookServer;
let url: string;
before(async () => {
  pki = makePki(['webhook.default.svc']);
  wh = await startWebhookServer(pki);
  s = await startServer();
  url = s.srv.url;
});
after(async () => {
  await s.srv.close();
  await wh.close();
});

/** Creates a configuration, runs fn, deletes it. */
async function withConfig(kind: 'Mutating' | 'Validating', webhooks: unknown[], fn: () => Promise<void>): Promise<void> {
  const path = kind === 'Mutating' ? MWC : VWC;
  const name = `cfg-${Math.random().toString(36).slice(2, 8)}`;
  const c = await req(url, 'POST', path, configuration(`${kind}WebhookConfiguration`, name, webhooks));
  assert.equal(c.status, 201, c.text);
  try {
    await fn();
  } finally {
    await req(url, 'DELETE', `${path}/${name}`);
  }
}

const seen = (p: string) => wh.seen.get(p) ?? [];

test('allow: the AdmissionReview request carries what Kubernetes sends', async () => {
  wh.handle('/allow', () => ({ allowed: true }));
  await withConfig('Validating', [hook('allow.example.com', wh.url('/allow'), pki.caBundle)], async () => {
    const r = await req(url, 'POST', `${CM}?fieldManager=tester`, configMap('allowed', { a: 'b' }));
    assert.equal(r.status, 201, r.text);
    const rq = seen('/allow').at(-1);
    assert.match(rq.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(rq.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.deepEqual(rq.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.deepEqual(rq.requestKind, rq.kind);
    assert.deepEqual(rq.requestResource, rq.resource);
    assert.equal(rq.name, 'allowed');
    assert.equal(rq.namespace, 'default');
    assert.equal(rq.operation, 'CREATE');
    assert.equal(rq.userInfo.username, 'system:admin');
    assert.ok(rq.userInfo.groups.includes('system:masters'));
    assert.equal(rq.object.data.a, 'b');
    assert.equal(rq.oldObject, null);
    assert.equal(rq.dryRun, false);
    assert.deepEqual(rq.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'tester' });
    assert.equal(rq._query, 'timeout=10s');
  });
});

test('update and delete: oldObject, UpdateOptions, DeleteOptions', async () => {
  wh.handle('/ud', () => ({ allowed: true }));
  await req(url, 'POST', CM, configMap('ud', { v: '1' }));
  await withConfig('Validating', [hook('ud.example.com', wh.url('/ud'), pki.caBundle, { rules: [configMapRule(['UPDATE', 'DELETE'])] })], async () => {
    assert.equal((await req(url, 'PUT', `${CM}/ud`, configMap('ud', { v: '2' }))).status, 200);
    let rq = seen('/ud').at(-1);
    assert.equal(rq.operation, 'UPDATE');
    assert.equal(rq.oldObject.data.v, '1');
    assert.equal(rq.object.data.v, '2');
    assert.equal(rq.options.kind, 'UpdateOptions');
    assert.equal((await req(url, 'DELETE', `${CM}/ud`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 })).status, 200);
    rq = seen('/ud').at(-1);
    assert.equal(rq.operation, 'DELETE');
    assert.equal(rq.object, null);
    assert.equal(rq.oldObject.data.v, '2');
    assert.deepEqual(rq.options, { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0 });
  });
});

test('deny: the webhook\'s message and code; nothing is written', async () => {
  wh.handle('/deny', (rq) => (rq.name === 'plain' ? { allowed: false } : { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no configmaps today' } }));
  await withConfig('Validating', [hook('deny.example.com', wh.url('/deny'), pki.caBundle)], async () => {
    const r = await req(url, 'POST', CM, configMap('denied'));
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'admission webhook "deny.example.com" denied the request: no configmaps today');
    assert.equal(r.body.reason, 'Forbidden');
    const p = await req(url, 'POST', CM, configMap('plain'));
    assert.equal(p.status, 400, 'a denial without a code is a 400');
    assert.equal(p.body.message, 'admission webhook "deny.example.com" denied the request without explanation');
    assert.equal((await req(url, 'GET', `${CM}/denied`)).status, 404);
  });
});

test('patch: JSONPatch answers change the object; mutating webhooks run before validating ones; warnings reach the client', async () => {
  wh.handle('/mutate', () => patchResponse([{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }], { warnings: ['mutated by the test'] }));
  wh.handle('/check', (rq) => (rq.object.metadata.labels?.mutated === 'yes' ? { allowed: true, warnings: ['checked'], auditAnnotations: { seen: 'yes' } } : { allowed: false, status: { message: 'not mutated' } }));
  await withConfig('Mutating', [hook('mutate.example.com', wh.url('/mutate'), pki.caBundle)], () =>
    withConfig('Validating', [hook('check.example.com', wh.url('/check'), pki.caBundle)], async () => {
      const r = await req(url, 'POST', CM, configMap('patched'));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.metadata.labels.mutated, 'yes');
      assert.equal(r.headers.get('warning'), '299 - "mutated by the test", 299 - "checked"');
      const got = await req(url, 'GET', `${CM}/patched`);
      assert.equal(got.body.metadata.labels.mutated, 'yes');
    }),
  );
});

test('a patch that mistypes a member the write already type-checked: 422, nothing stored (the checks after admission look again)', async () => {
  const DEP = '/apis/apps/v1/namespaces/default/deployments';
  wh.handle('/mistype', () => patchResponse([{ op: 'replace', path: '/spec/replicas', value: 'three' }]));
  const created = await req(url, 'POST', DEP, deployment('typed', 2));
  assert.equal(created.status, 201, created.text);
  const rules = [{ operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }];
  await withConfig('Mutating', [hook('mistype.example.com', wh.url('/mistype'), pki.caBundle, { rules })], async () => {
    const cur = (await req(url, 'GET', `${DEP}/typed`)).body;
    const r = await req(url, 'PUT', `${DEP}/typed`, { ...cur, spec: { ...cur.spec, replicas: 3 } });
    assert.equal(r.status, 422, r.text);
    assert.match(r.body.message, /spec\.replicas/);
  });
  const stored = (await req(url, 'GET', `${DEP}/typed`)).body;
  assert.equal(stored.spec.replicas, 2);
  await req(url, 'DELETE', `${DEP}/typed`);
});

test('failurePolicy: Fail refuses with 500 "failed calling webhook"; Ignore lets the request through', async () => {
  const dead = 'https://127.0.0.1:1/dead';
  await withConfig('Validating', [hook('fail.example.com', dead, pki.caBundle)], async () => {
    const r = await req(url, 'POST', CM, configMap('fail-closed'));
    assert.equal(r.status, 500);
    assert.equal(r.body.reason, 'InternalError');
    assert.equal(r.body.message, 'Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: Post "https://127.0.0.1:1/dead?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
    assert.equal((await req(url, 'GET', `${CM}/fail-closed`)).status, 404);
  });
  await withConfig('Mutating', [hook('ignore.example.com', dead, pki.caBundle, { failurePolicy: 'Ignore' })], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('fail-open'))).status, 201);
  });
});

test('TLS: a certificate from another CA fails the call', async () => {
  const other = makePki();
  await withConfig('Validating', [hook('tls.example.com', wh.url('/allow'), other.caBundle)], async () => {
    const r = await req(url, 'POST', CM, configMap('bad-ca'));
    assert.equal(r.status, 500);
    assert.match(r.body.message, /failed calling webhook "tls.example.com": failed to call webhook: Post ".*": tls: failed to verify certificate: x509: certificate signed by unknown authority$/);
  });
});

test('timeouts: timeoutSeconds bounds the call (Fail → 500, Ignore → proceeds)', async () => {
  wh.raw('/slow', () => ({ status: 200, body: '{}', delayMs: 2500 }));
  await withConfig('Validating', [hook('slow.example.com', wh.url('/slow'), pki.caBundle, { timeoutSeconds: 1 })], async () => {
    const t0 = Date.now();
    const r = await req(url, 'POST', CM, configMap('slow'));
    assert.ok(Date.now() - t0 < 2400, 'answered before the webhook');
    assert.equal(r.status, 500);
    assert.equal(r.body.message, `Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${wh.url('/slow')}?timeout=1s": context deadline exceeded`);
  });
  await withConfig('Validating', [hook('slow.example.com', wh.url('/slow'), pki.caBundle, { timeoutSeconds: 1, failurePolicy: 'Ignore' })], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('slow-ignored'))).status, 201);
  });
});

test('invalid answers: a wrong uid or a patch from a validating webhook fail the call', async () => {
  wh.raw('/bad-uid', () => ({ status: 200, body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'nope', allowed: true } }) }));
  wh.handle('/v-patch', () => patchResponse([]));
  await withConfig('Validating', [hook('uid.example.com', wh.url('/bad-uid'), pki.caBundle)], async () => {
    const r = await req(url, 'POST', CM, configMap('bad-uid'));
    assert.equal(r.status, 500);
    assert.match(r.body.message, /failed calling webhook "uid.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "nope"$/);
  });
  await withConfig('Validating', [hook('vpatch.example.com', wh.url('/v-patch'), pki.caBundle)], async () => {
    const r = await req(url, 'POST', CM, configMap('v-patch'));
    assert.match(r.body.message, /received invalid webhook response: validating webhook may not return response.patch$/);
  });
});

test('namespaceSelector and objectSelector decide which requests a webhook sees', async () => {
  wh.handle('/sel', () => ({ allowed: false, status: { message: 'selected' } }));
  await req(url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guarded', labels: { guard: 'on' } } });
  await withConfig('Validating', [hook('ns.example.com', wh.url('/sel'), pki.caBundle, { namespaceSelector: { matchLabels: { guard: 'on' } } })], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('free'))).status, 201);
    assert.equal((await req(url, 'POST', '/api/v1/namespaces/guarded/configmaps', configMap('held'))).status, 400);
  });
  await withConfig('Validating', [hook('obj.example.com', wh.url('/sel'), pki.caBundle, { objectSelector: { matchExpressions: [{ key: 'checked', operator: 'Exists' }] } })], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('unlabelled'))).status, 201);
    const labelled = configMap('labelled', {}, { labels: { checked: 'true' } });
    assert.equal((await req(url, 'POST', CM, labelled)).status, 400);
  });
});

test('rules: subresources (deployments/status) and scope', async () => {
  wh.handle('/status', () => ({ allowed: true }));
  const dep = '/apis/apps/v1/namespaces/default/deployments';
  const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sub' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  assert.equal((await req(url, 'POST', dep, body)).status, 201);
  const rule = { operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/status'], scope: 'Namespaced' };
  await withConfig('Validating', [hook('status.example.com', wh.url('/status'), pki.caBundle, { rules: [rule] })], async () => {
    const before = seen('/status').length;
    const cur = (await req(url, 'GET', `${dep}/sub`)).body;
    assert.equal((await req(url, 'PUT', `${dep}/sub`, { ...cur, spec: { ...cur.spec, replicas: 2 } })).status, 200);
    assert.equal(seen('/status').length, before, 'a main-resource update is not a status write');
    const cur2 = (await req(url, 'GET', `${dep}/sub`)).body;
    assert.equal((await req(url, 'PUT', `${dep}/sub/status`, { ...cur2, status: { replicas: 1 } })).status, 200);
    const rq = seen('/status').at(-1);
    assert.equal(rq.subResource, 'status');
    assert.equal(rq.requestSubResource, 'status');
  });
  await withConfig('Validating', [hook('cluster.example.com', wh.url('/status'), pki.caBundle, { rules: [{ ...rule, resources: ['*/*'], scope: 'Cluster' }] })], async () => {
    const before = seen('/status').length;
    const cur = (await req(url, 'GET', `${dep}/sub/status`)).body;
    assert.equal((await req(url, 'PUT', `${dep}/sub/status`, cur)).status, 200);
    assert.equal(seen('/status').length, before, 'a namespaced object is out of a Cluster rule');
  });
});

test('matchPolicy: Equivalent calls a webhook for the same resource in another version, with the matched kind', async () => {
  wh.handle('/hpa', () => ({ allowed: true }));
  const rule = { operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v2'], resources: ['horizontalpodautoscalers'] };
  const hpaV1 = (name: string) => ({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } });
  const path = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
  await withConfig('Validating', [hook('exact.example.com', wh.url('/hpa'), pki.caBundle, { rules: [rule], matchPolicy: 'Exact' })], async () => {
    const before = seen('/hpa').length;
    assert.equal((await req(url, 'POST', path, hpaV1('exact'))).status, 201);
    assert.equal(seen('/hpa').length, before);
  });
  await withConfig('Validating', [hook('equiv.example.com', wh.url('/hpa'), pki.caBundle, { rules: [rule] })], async () => {
    assert.equal((await req(url, 'POST', path, hpaV1('equivalent'))).status, 201);
    const rq = seen('/hpa').at(-1);
    assert.deepEqual(rq.kind, { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' });
    assert.deepEqual(rq.requestKind, { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' });
    assert.equal(rq.object.apiVersion, 'autoscaling/v2');
  });
});

test('dry run: side-effect-free webhooks see dryRun; a stored webhook with side effects refuses the dry run', async () => {
  wh.handle('/dry', () => ({ allowed: true }));
  await withConfig('Validating', [hook('dry.example.com', wh.url('/dry'), pki.caBundle, { sideEffects: 'NoneOnDryRun' })], async () => {
    const r = await req(url, 'POST', `${CM}?dryRun=All`, configMap('dry'));
    assert.equal(r.status, 201, r.text);
    assert.equal(seen('/dry').at(-1).dryRun, true);
    assert.deepEqual(seen('/dry').at(-1).options.dryRun, ['All']);
    assert.equal((await req(url, 'GET', `${CM}/dry`)).status, 404);
  });
  // v1 refuses new webhooks with side effects; one stored earlier (written straight to the backend) still exists
  const legacy = configuration('ValidatingWebhookConfiguration', 'legacy', [{ ...hook('some.example.com', wh.url('/dry'), pki.caBundle, { sideEffects: 'Some' }), failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10 }]);
  const key = objectKey('admissionregistration.k8s.io', 'validatingwebhookconfigurations', undefined, 'legacy');
  await s.backend.create(key, { ...legacy, metadata: { name: 'legacy', uid: 'u-legacy', creationTimestamp: new Date().toISOString() } });
  try {
    await until(async () => (await req(url, 'GET', `${VWC}/legacy`)).status === 200);
    const r = await req(url, 'POST', `${CM}?dryRun=All`, configMap('dry-some'));
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'admission webhook "some.example.com" does not support dry run');
    assert.equal((await req(url, 'POST', CM, configMap('wet-some'))).status, 201, 'a real write calls it');
  } finally {
    await req(url, 'DELETE', `${VWC}/legacy`);
  }
});

test('reinvocationPolicy IfNeeded: a webhook runs again when a later one changed the object', async () => {
  wh.handle('/first', (rq) => (rq.object.metadata.labels?.first ? { allowed: true } : patchResponse([{ op: 'add', path: '/metadata/labels', value: { ...(rq.object.metadata.labels ?? {}), first: 'x' } }])));
  wh.handle('/second', (rq) => patchResponse([{ op: 'add', path: '/metadata/labels/second', value: 'y' }]));
  const first = hook('first.example.com', wh.url('/first'), pki.caBundle, { reinvocationPolicy: 'IfNeeded' });
  const second = hook('second.example.com', wh.url('/second'), pki.caBundle);
  await withConfig('Mutating', [first, second], async () => {
    const n1 = seen('/first').length;
    const n2 = seen('/second').length;
    const r = await req(url, 'POST', CM, configMap('reinvoked'));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.metadata.labels, { first: 'x', second: 'y' });
    assert.equal(seen('/first').length - n1, 2, 'first ran again after second changed the object');
    assert.equal(seen('/second').length - n2, 1, 'second (Never) ran once');
    assert.equal(seen('/first').at(-1).object.metadata.labels.second, 'y');
  });
});

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('clientConfig.service: a Service without selector and manual Endpoints at 127.0.0.1 reach the webhook on the host', async () => {
  wh.handle('/svc', () => ({ allowed: false, status: { message: 'via service' } }));
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'webhook' }, spec: { ports: [{ name: 'https', port: 443, targetPort: wh.port }] } };
  assert.equal((await req(url, 'POST', '/api/v1/namespaces/default/services', svc)).status, 201);
  const eps = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'webhook' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: wh.port }] }] };
  assert.equal((await req(url, 'POST', '/api/v1/namespaces/default/endpoints', eps)).status, 201);
  const viaService = (name: string, svcName: string, path = '/svc') => ({ ...hook(name, '', pki.caBundle), clientConfig: { service: { namespace: 'default', name: svcName, path }, caBundle: pki.caBundle } });
  await withConfig('Validating', [viaService('svc.example.com', 'webhook')], async () => {
    const r = await req(url, 'POST', CM, configMap('via-svc'));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.message, 'admission webhook "svc.example.com" denied the request: via service');
  });
  const stored = (await req(url, 'GET', VWC)).body;
  assert.equal(stored.items.length, 0);
  await withConfig('Validating', [viaService('missing.example.com', 'missing')], async () => {
    const r = await req(url, 'POST', CM, configMap('no-svc'));
    assert.equal(r.status, 500);
    assert.equal(r.body.message, 'Internal error occurred: failed calling webhook "missing.example.com": failed to call webhook: Post "https://missing.default.svc:443/svc?timeout=10s": service "missing" not found');
  });
  const empty = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty' }, spec: { ports: [{ port: 443 }] } };
  await req(url, 'POST', '/api/v1/namespaces/default/services', empty);
  await req(url, 'POST', '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'empty' }, subsets: [] });
  await withConfig('Validating', [viaService('empty.example.com', 'empty')], async () => {
    const r = await req(url, 'POST', CM, configMap('no-eps'));
    assert.match(r.body.message, /Post "https:\/\/empty.default.svc:443\/svc\?timeout=10s": no endpoints available for service "empty"$/);
  });
});

test('webhooks are not called for the configuration kinds themselves', async () => {
  wh.handle('/all', () => ({ allowed: false, status: { message: 'everything denied' } }));
  const all = hook('all.example.com', wh.url('/all'), pki.caBundle, { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] });
  await withConfig('Validating', [all], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('blocked'))).status, 400);
    const other = await req(url, 'POST', MWC, configuration('MutatingWebhookConfiguration', 'other', []));
    assert.equal(other.status, 201, other.text);
    assert.equal((await req(url, 'DELETE', `${MWC}/other`)).status, 200);
  });
});

test('matchConditions (CEL): false skips the webhook; an evaluation error follows failurePolicy', async () => {
  wh.handle('/mc', () => ({ allowed: false, status: { message: 'matched' } }));
  const mc = (name: string, expression: string, extra: Record<string, unknown> = {}) => hook(name, wh.url('/mc'), pki.caBundle, { matchConditions: [{ name: 'only-mc', expression }], ...extra });
  await withConfig('Validating', [mc('mc.example.com', 'object.metadata.name.startsWith("mc-") && request.userInfo.username == "system:admin"')], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('plain-mc'))).status, 201);
    const r = await req(url, 'POST', CM, configMap('mc-held'));
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'admission webhook "mc.example.com" denied the request: matched');
  });
  await withConfig('Validating', [mc('mcerr.example.com', 'object.data.missing == "x"')], async () => {
    const r = await req(url, 'POST', CM, configMap('mc-error'));
    assert.equal(r.status, 403);
    assert.equal(r.body.message, `configmaps "mc-error" is forbidden: expression 'object.data.missing == "x"' resulted in error: no such key: missing`);
  });
  await withConfig('Validating', [mc('mcign.example.com', 'object.data.missing == "x"', { failurePolicy: 'Ignore' })], async () => {
    assert.equal((await req(url, 'POST', CM, configMap('mc-ignored'))).status, 201);
  });
  const bad = await req(url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'bad-cel', [mc('badcel.example.com', 'object.metadata.name +')]));
  assert.equal(bad.status, 422);
  assert.equal(bad.body.details.causes[0].field, 'webhooks[0].matchConditions[0].expression');
  assert.match(bad.body.details.causes[0].message, /^Invalid value: "object.metadata.name \+": compilation failed: /);
  const params = await req(url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'bad-cel', [mc('params.example.com', 'params.x == 1')]));
  assert.equal(params.status, 422, 'webhook conditions have no params');
});
