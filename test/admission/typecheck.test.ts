// ValidatingAdmissionPolicy type checking: status.typeChecking.expressionWarnings for expressions
// that do not compile against the kinds matchConstraints names (and paramKind), worded as cel-go
// words them; observedGeneration follows the spec; wildcard rules are not checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req } from '../apiserver/helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { AR, startServer, type Server } from './fixtures.ts';

const VAP = `${AR}/validatingadmissionpolicies`;
let s: Server;
before(async () => {
  s = await startServer();
});
after(() => s.srv.close());

const rules = (groups: string[], resources: string[]) => [{ apiGroups: groups, apiVersions: ['v1'], operations: ['CREATE'], resources }];

function policy(name: string, resourceRules: unknown[], validations: unknown[], paramKind?: unknown) {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { matchConstraints: { resourceRules }, validations, ...(paramKind ? { paramKind } : {}) } };
}

async function checked(name: string, generation = 1): Promise<any> {
  return eventually(async () => {
    const r = await req(s.srv.url, 'GET', `${VAP}/${name}`);
    return r.body?.status?.observedGeneration === generation ? r.body : undefined;
  }, `${name} type-checked at generation ${generation}`);
}

test('expressions are type-checked against the matched kinds and paramKind', async () => {
  const p = policy(
    'replicas',
    rules(['apps'], ['deployments', 'deployments/scale']),
    [
      { expression: 'object.spec.replicas <= 5', messageExpression: '"replicas: " + string(object.spec.replicas)' },
      { expression: 'object.spec.replicaz > 1' },
      { expression: 'object.metadata.name == 1', messageExpression: 'object.spec.nope' },
      { expression: 'object.spec.template.spec.containers.all(c, c.image.startsWith("registry/"))' },
      { expression: "params.data.max == '3' && has(object.metadata.labels)" },
      { expression: 'params.datum == 1' },
    ],
    { apiVersion: 'v1', kind: 'ConfigMap' },
  );
  assert.equal((await req(s.srv.url, 'POST', VAP, p)).status, 201);
  const got = await checked('replicas');
  const D = 'apps/v1, Kind=Deployment';
  assert.deepEqual(got.status.typeChecking.expressionWarnings, [
    { fieldRef: 'spec.validations[1].expression', warning: `${D}: ERROR: <input>:1:12: undefined field 'replicaz'\n | object.spec.replicaz > 1\n | ...........^\n` },
    { fieldRef: 'spec.validations[2].expression', warning: `${D}: ERROR: <input>:1:22: found no matching overload for '_==_' applied to '(string, int)'\n | object.metadata.name == 1\n | .....................^\n` },
    { fieldRef: 'spec.validations[2].messageExpression', warning: `${D}: ERROR: <input>:1:12: undefined field 'nope'\n | object.spec.nope\n | ...........^\n` },
    { fieldRef: 'spec.validations[5].expression', warning: `${D}: ERROR: <input>:1:7: undefined field 'datum'\n | params.datum == 1\n | ......^\n` },
  ]);

  // fixing the spec: a new generation, checked again, no warnings
  const fixed = structuredClone(got);
  fixed.spec.validations = [{ expression: 'object.spec.replicas <= 5' }];
  const put = await req(s.srv.url, 'PUT', `${VAP}/replicas`, fixed);
  assert.equal(put.status, 200, put.text);
  const again = await checked('replicas', put.body.metadata.generation);
  assert.deepEqual(again.status.typeChecking, {});
});

test('several kinds: one warning naming each kind it fails for; wildcards are not checked', async () => {
  const p = policy('two', rules([''], ['configmaps', 'secrets']), [{ expression: "object.data.all(k, object.data[k] != '')" }, { expression: 'object.immutable == "yes"' }]);
  assert.equal((await req(s.srv.url, 'POST', VAP, p)).status, 201);
  const got = await checked('two');
  assert.equal(got.status.typeChecking.expressionWarnings.length, 1);
  const w = got.status.typeChecking.expressionWarnings[0];
  assert.equal(w.fieldRef, 'spec.validations[1].expression');
  assert.equal(
    w.warning,
    ['/v1, Kind=ConfigMap', '/v1, Kind=Secret'].map((k) => `${k}: ERROR: <input>:1:18: found no matching overload for '_==_' applied to '(bool, string)'\n | object.immutable == "yes"\n | .................^\n`).join('\n'),
  );

  const wild = policy('wild', [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE'], resources: ['*'] }], [{ expression: 'object.spec.replicaz > 1' }]);
  assert.equal((await req(s.srv.url, 'POST', VAP, wild)).status, 201);
  assert.deepEqual((await checked('wild')).status.typeChecking, {});
});
