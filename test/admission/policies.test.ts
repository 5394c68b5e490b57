// ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding: CEL validations with object,
// oldObject, request, params and namespaceObject; Deny/Warn/Audit; failurePolicy; matching; and
// every malformed policy or binding refused with a 422 naming the field, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req, configMap, deployment } from '../apiserver/helpers.ts';
import { AR, CM, startServer, type Server } from './fixtures.ts';

const VAP = `${AR}/validatingadmissionpolicies`;
const VAPB = `${AR}/validatingadmissionpolicybindings`;
const DEP = '/apis/apps/v1/namespaces/default/deployments';

let s: Server;
let url: string;
before(async () => {
  s = await startServer();
  url = s.srv.url;
});
after(() => s.srv.close());

const deployRules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];

function policy(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { matchConstraints: { resourceRules: deployRules }, ...spec } };
}

function binding(name: string, policyName: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
}

/** Creates the policy and binding, runs fn, deletes both. */
async function withPolicy(p: ReturnType<typeof policy>, b: ReturnType<typeof binding>, fn: () => Promise<void>): Promise<void> {
  const cp = await req(url, 'POST', VAP, p);
  assert.equal(cp.status, 201, cp.text);
  const cb = await req(url, 'POST', VAPB, b);
  assert.equal(cb.status, 201, cb.text);
  try {
    await fn();
  } finally {
    await req(url, 'DELETE', `${VAPB}/${b.metadata.name}`);
    await req(url, 'DELETE', `${VAP}/${p.metadata.name}`);
  }
}

test('Deny: a failed validation refuses the request with Kubernetes\' message; nothing is written', async () => {
  const p = policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5' }] });
  await withPolicy(p, binding('max-replicas-binding', 'max-replicas'), async () => {
    const r = await req(url, 'POST', DEP, deployment('big', 6));
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    const inner = "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5";
    assert.equal(r.body.message, `deployments.apps "big" is forbidden: ${inner}`);
    assert.deepEqual(r.body.details.causes, [{ message: inner }]);
    assert.equal((await req(url, 'GET', `${DEP}/big`)).status, 404);
    assert.equal((await req(url, 'POST', DEP, deployment('small', 3))).status, 201);
    // updates are checked too, with oldObject at hand
    const cur = (await req(url, 'GET', `${DEP}/small`)).body;
    assert.equal((await req(url, 'PUT', `${DEP}/small`, { ...cur, spec: { ...cur.spec, replicas: 9 } })).status, 422);
  });
  assert.equal((await req(url, 'POST', DEP, deployment('big', 6))).status, 201, 'without the binding the policy does nothing');
});

test('message, messageExpression and reason shape the denial', async () => {
  const p = policy('msgs', {
    validations: [
      { expression: 'object.spec.replicas < 10', message: 'too many replicas' },
      { expression: "object.metadata.name != 'bad'", messageExpression: "'name ' + object.metadata.name + ' is not allowed'", reason: 'Forbidden' },
    ],
  });
  await withPolicy(p, binding('msgs-b', 'msgs'), async () => {
    const a = await req(url, 'POST', DEP, deployment('many', 12));
    assert.equal(a.status, 422);
    assert.match(a.body.message, /denied request: too many replicas$/);
    const b = await req(url, 'POST', DEP, deployment('bad', 1));
    assert.equal(b.status, 403);
    assert.equal(b.body.reason, 'Forbidden');
    assert.match(b.body.message, /denied request: name bad is not allowed$/);
  });
});

test('Warn and Audit do not refuse: Warn sends a Warning header', async () => {
  const p = policy('warned', { validations: [{ expression: 'object.spec.replicas <= 1', message: 'one replica please' }] });
  await withPolicy(p, binding('warned-b', 'warned', { validationActions: ['Warn', 'Audit'] }), async () => {
    const r = await req(url, 'POST', DEP, deployment('warn-me', 2));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('warning'), `299 - "Validation failed for ValidatingAdmissionPolicy 'warned' with binding 'warned-b': one replica please"`);
  });
});

test('params: paramKind + paramRef (name, selector, parameterNotFoundAction)', async () => {
  const p = policy('limit', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max" }] });
  await withPolicy(p, binding('limit-b', 'limit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }), async () => {
    const none = await req(url, 'POST', DEP, deployment('no-params', 1));
    assert.equal(none.status, 422);
    assert.match(none.body.message, /ValidatingAdmissionPolicy 'limit' with binding 'limit-b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
    assert.equal((await req(url, 'POST', CM, configMap('limits', { max: '2' }))).status, 201);
    assert.equal((await req(url, 'POST', DEP, deployment('two', 2))).status, 201);
    const three = await req(url, 'POST', DEP, deployment('three', 3));
    assert.equal(three.status, 422);
    assert.match(three.body.message, /denied request: at most 2$/);
  });
  const bySelector = binding('sel-b', 'limit', { paramRef: { selector: { matchLabels: { kind: 'limit' } }, parameterNotFoundAction: 'Allow' } });
  await withPolicy(policy('limit', p.spec), bySelector, async () => {
    assert.equal((await req(url, 'POST', DEP, deployment('unlimited', 50))).status, 201, 'Allow: no params, no checks');
    await req(url, 'POST', CM, configMap('l1', { max: '4' }, { labels: { kind: 'limit' } }));
    await req(url, 'POST', CM, configMap('l2', { max: '8' }, { labels: { kind: 'limit' } }));
    assert.equal((await req(url, 'POST', DEP, deployment('four', 4))).status, 201);
    assert.equal((await req(url, 'POST', DEP, deployment('six', 6))).status, 422, 'every selected param must pass');
  });
});

test('request, namespaceObject, matchConditions and binding matchResources', async () => {
  await req(url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' } } });
  const p = policy('prod-names', {
    matchConditions: [{ name: 'creates', expression: "request.operation == 'CREATE'" }],
    validations: [{ expression: "namespaceObject.metadata.labels['env'] != 'prod' || object.metadata.name.startsWith('prod-')", message: 'prod names start with prod-' }],
  });
  const b = binding('prod-names-b', 'prod-names', { matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } } } });
  await withPolicy(p, b, async () => {
    const prodDep = '/apis/apps/v1/namespaces/prod/deployments';
    const r = await req(url, 'POST', prodDep, deployment('web', 1));
    assert.equal(r.status, 422);
    assert.match(r.body.message, /prod names start with prod-$/);
    assert.equal((await req(url, 'POST', prodDep, deployment('prod-web', 1))).status, 201);
    assert.equal((await req(url, 'POST', DEP, deployment('web-elsewhere', 1))).status, 201, 'the binding matches only prod namespaces');
  });
});

test('failurePolicy: an expression error denies (Fail) or is ignored (Ignore); excludeResourceRules and resourceNames', async () => {
  const broken = (fp: string) => policy('broken', { failurePolicy: fp, validations: [{ expression: 'object.spec.missing > 1' }] });
  await withPolicy(broken('Fail'), binding('broken-b', 'broken'), async () => {
    const r = await req(url, 'POST', DEP, deployment('errs', 1));
    assert.equal(r.status, 422);
    assert.match(r.body.message, /denied request: expression 'object.spec.missing > 1' resulted in error: no such key: missing$/);
  });
  await withPolicy(broken('Ignore'), binding('broken-b', 'broken'), async () => {
    assert.equal((await req(url, 'POST', DEP, deployment('errs-ignored', 1))).status, 201);
  });
  const named = policy('named', {
    matchConstraints: { resourceRules: [{ ...deployRules[0], resourceNames: ['guarded', 'excluded'] }], excludeResourceRules: [{ ...deployRules[0], resourceNames: ['excluded'] }] },
    validations: [{ expression: 'false', message: 'named' }],
  });
  await withPolicy(named, binding('named-b', 'named'), async () => {
    assert.equal((await req(url, 'POST', DEP, deployment('guarded', 1))).status, 422);
    assert.equal((await req(url, 'POST', DEP, deployment('excluded', 1))).status, 201);
    assert.equal((await req(url, 'POST', DEP, deployment('other', 1))).status, 201);
  });
});

test('tables and defaults', async () => {
  const p = await req(url, 'POST', VAP, policy('tabled', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }, { expression: 'true' }] }));
  assert.equal(p.status, 201, p.text);
  assert.equal(p.body.spec.failurePolicy, 'Fail');
  assert.equal(p.body.spec.matchConstraints.matchPolicy, 'Equivalent');
  assert.deepEqual(p.body.spec.matchConstraints.namespaceSelector, {});
  assert.equal(p.body.spec.matchConstraints.resourceRules[0].scope, '*');
  const b = await req(url, 'POST', VAPB, binding('tabled-b', 'tabled', { paramRef: { name: 'x', namespace: 'default', parameterNotFoundAction: 'Allow' } }));
  assert.equal(b.status, 201, b.text);
  const accept = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
  const pt = await req(url, 'GET', `${VAP}/tabled`, undefined, accept);
  assert.deepEqual(pt.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Validations', 'ParamKind', 'Age']);
  assert.deepEqual(pt.body.rows[0].cells.slice(0, 3), ['tabled', 2, 'v1/ConfigMap']);
  const bt = await req(url, 'GET', `${VAPB}/tabled-b`, undefined, accept);
  assert.deepEqual(bt.body.columnDefinitions.map((c: any) => c.name), ['Name', 'PolicyName', 'ParamRef', 'Age']);
  assert.deepEqual(bt.body.rows[0].cells.slice(0, 3), ['tabled-b', 'tabled', 'default/x']);
  await req(url, 'DELETE', `${VAPB}/tabled-b`);
  await req(url, 'DELETE', `${VAP}/tabled`);
});

const badPolicies: [string, Record<string, unknown>, string, string][] = [
  ['no validations', { validations: [] }, 'spec.validations', 'Required value: validations or auditAnnotations must contain at least one item'],
  ['empty expression', { validations: [{ expression: ' ' }] }, 'spec.validations[0].expression', 'Required value: expression is not specified'],
  ['expression does not compile', { validations: [{ expression: 'object.spec.replicas <=' }] }, 'spec.validations[0].expression', ''],
  ['expression not bool', { validations: [{ expression: "'yes'" }] }, 'spec.validations[0].expression', 'Invalid value: "\'yes\'": must evaluate to bool'],
  ['reason', { validations: [{ expression: 'true', reason: 'Teapot' }] }, 'spec.validations[0].reason', 'Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"'],
  ['message with line break', { validations: [{ expression: 'true', message: 'a\nb' }] }, 'spec.validations[0].message', 'Invalid value: "a\\nb": message must not contain line breaks'],
  ['failurePolicy', { failurePolicy: 'Sometimes', validations: [{ expression: 'true' }] }, 'spec.failurePolicy', 'Unsupported value: "Sometimes": supported values: "Fail", "Ignore"'],
  ['no resourceRules', { matchConstraints: {}, validations: [{ expression: 'true' }] }, 'spec.matchConstraints.resourceRules', 'Required value'],
  ['rule operations', { matchConstraints: { resourceRules: [{ ...deployRules[0], operations: [] }] }, validations: [{ expression: 'true' }] }, 'spec.matchConstraints.resourceRules[0].operations', 'Required value'],
  ['paramKind kind', { paramKind: { apiVersion: 'v1' }, validations: [{ expression: 'true' }] }, 'spec.paramKind.kind', 'Required value'],
  ['variable name', { variables: [{ name: '1x', expression: 'true' }], validations: [{ expression: 'true' }] }, 'spec.variables[0].name', 'Invalid value: "1x": name is not a valid CEL identifier'],
];

for (const [name, spec, field, message] of badPolicies) {
  test(`ValidatingAdmissionPolicy: ${name} → 422 naming ${field}`, async () => {
    const r = await req(url, 'POST', VAP, policy('bad', spec));
    assert.equal(r.status, 422, r.text);
    const cause = r.body.details.causes.find((c: any) => c.field === field);
    assert.ok(cause, `no cause for ${field}: ${r.text}`);
    if (message) assert.equal(cause.message, message);
    assert.equal((await req(url, 'GET', `${VAP}/bad`)).status, 404);
  });
}

const badBindings: [string, Record<string, unknown>, string, string][] = [
  ['no policyName', { policyName: '' }, 'spec.policyName', 'Required value'],
  ['no actions', { validationActions: [] }, 'spec.validationActions', 'Required value: at least one validation action is required'],
  ['Deny and Warn', { validationActions: ['Deny', 'Warn'] }, 'spec.validationActions', 'Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'],
  ['unknown action', { validationActions: ['Block'] }, 'spec.validationActions[0]', 'Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"'],
  ['paramRef without target', { paramRef: { parameterNotFoundAction: 'Deny' } }, 'spec.paramRef', 'Required value: one of name or selector must be specified'],
  ['paramRef name and selector', { paramRef: { name: 'a', selector: {}, parameterNotFoundAction: 'Deny' } }, 'spec.paramRef.name', 'Forbidden: name and selector are mutually exclusive'],
  ['paramRef action', { paramRef: { name: 'a' } }, 'spec.paramRef.parameterNotFoundAction', 'Required value'],
  ['matchResources policy', { matchResources: { matchPolicy: 'Loose' } }, 'spec.matchResouces.matchPolicy', 'Unsupported value: "Loose": supported values: "Equivalent", "Exact"'],
];

for (const [name, spec, field, message] of badBindings) {
  test(`ValidatingAdmissionPolicyBinding: ${name} → 422 naming ${field}`, async () => {
    const r = await req(url, 'POST', VAPB, binding('bad-b', 'p', spec));
    assert.equal(r.status, 422, r.text);
    const cause = r.body.details.causes.find((c: any) => c.field === field);
    assert.ok(cause, `no cause for ${field}: ${r.text}`);
    assert.equal(cause.message, message);
    assert.equal((await req(url, 'GET', `${VAPB}/bad-b`)).status, 404);
  });
}
