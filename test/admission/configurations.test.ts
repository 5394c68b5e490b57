// MutatingWebhookConfiguration / ValidatingWebhookConfiguration objects: defaults, the table, and
// every malformed configuration refused with a 4xx Status naming the field, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req } from '../apiserver/helpers.ts';
import { MWC, VWC, configuration, hook, startServer, type Server } from './fixtures.ts';

let s: Server;
before(async () => {
  s = await startServer();
});
after(() => s.srv.close());

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const good = (extra: Record<string, unknown> = {}) => hook('a.example.com', 'https://127.0.0.1:8443/v', CA, extra);

test('defaults: failurePolicy Fail, matchPolicy Equivalent, selectors {}, timeout 10, scope *, reinvocation Never, service port 443', async () => {
  const svcHook = { ...good(), name: 'b.example.com', clientConfig: { service: { namespace: 'default', name: 'w' } } };
  const r = await req(s.srv.url, 'POST', MWC, configuration('MutatingWebhookConfiguration', 'defaults', [good(), svcHook]));
  assert.equal(r.status, 201, r.text);
  const [w, sw] = r.body.webhooks;
  assert.equal(w.failurePolicy, 'Fail');
  assert.equal(w.matchPolicy, 'Equivalent');
  assert.deepEqual(w.namespaceSelector, {});
  assert.deepEqual(w.objectSelector, {});
  assert.equal(w.timeoutSeconds, 10);
  assert.equal(w.reinvocationPolicy, 'Never');
  assert.equal(w.rules[0].scope, '*');
  assert.equal(sw.clientConfig.service.port, 443);
  assert.equal(r.body.metadata.generation, 1);
  const v = await req(s.srv.url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'defaults', [good()]));
  assert.equal(v.status, 201, v.text);
  assert.equal(v.body.webhooks[0].reinvocationPolicy, undefined);
  // the table kubectl get prints
  const t = await req(s.srv.url, 'GET', MWC, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.deepEqual(t.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Webhooks', 'Age']);
  assert.deepEqual(t.body.rows[0].cells.slice(0, 2), ['defaults', 2]);
});

interface Case {
  name: string;
  webhooks: unknown[];
  field: string;
  message: string;
  mutatingOnly?: boolean;
}

const cases: Case[] = [
  { name: 'name not qualified', webhooks: [good({ name: 'short' })], field: 'webhooks[0].name', message: 'Invalid value: "short": should be a domain with at least three segments separated by dots' },
  { name: 'name missing', webhooks: [good({ name: '' })], field: 'webhooks[0].name', message: 'Required value' },
  { name: 'duplicate names', webhooks: [good(), good()], field: 'webhooks[1].name', message: 'Duplicate value: "a.example.com"' },
  { name: 'sideEffects missing', webhooks: [good({ sideEffects: undefined })], field: 'webhooks[0].sideEffects', message: 'Required value: must specify one of None, NoneOnDryRun' },
  { name: 'sideEffects with effects', webhooks: [good({ sideEffects: 'Some' })], field: 'webhooks[0].sideEffects', message: 'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"' },
  { name: 'admissionReviewVersions missing', webhooks: [good({ admissionReviewVersions: [] })], field: 'webhooks[0].admissionReviewVersions', message: 'Required value: must specify one of v1, v1beta1' },
  { name: 'admissionReviewVersions unknown', webhooks: [good({ admissionReviewVersions: ['v2'] })], field: 'webhooks[0].admissionReviewVersions', message: 'Invalid value: ["v2"]: must include at least one of v1, v1beta1' },
  { name: 'failurePolicy', webhooks: [good({ failurePolicy: 'Maybe' })], field: 'webhooks[0].failurePolicy', message: 'Unsupported value: "Maybe": supported values: "Fail", "Ignore"' },
  { name: 'matchPolicy', webhooks: [good({ matchPolicy: 'Fuzzy' })], field: 'webhooks[0].matchPolicy', message: 'Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"' },
  { name: 'timeoutSeconds', webhooks: [good({ timeoutSeconds: 31 })], field: 'webhooks[0].timeoutSeconds', message: 'Invalid value: 31: the timeout value must be between 1 and 30 seconds' },
  { name: 'reinvocationPolicy', webhooks: [good({ reinvocationPolicy: 'Always' })], field: 'webhooks[0].reinvocationPolicy', message: 'Unsupported value: "Always": supported values: "IfNeeded", "Never"', mutatingOnly: true },
  { name: 'no clientConfig target', webhooks: [good({ clientConfig: {} })], field: 'webhooks[0].clientConfig', message: 'Required value: exactly one of url or service is required' },
  { name: 'http url', webhooks: [good({ clientConfig: { url: 'http://example.com/x' } })], field: 'webhooks[0].clientConfig.url', message: 'Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]' },
  { name: 'url with query', webhooks: [good({ clientConfig: { url: 'https://example.com/x?a=b' } })], field: 'webhooks[0].clientConfig.url', message: 'Invalid value: "a=b": query parameters are not permitted in the URL' },
  { name: 'service without namespace', webhooks: [good({ clientConfig: { service: { name: 'w' } } })], field: 'webhooks[0].clientConfig.service.namespace', message: 'Required value' },
  { name: 'service port', webhooks: [good({ clientConfig: { service: { name: 'w', namespace: 'd', port: 70000 } } })], field: 'webhooks[0].clientConfig.service.port', message: 'Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive' },
  { name: 'service path', webhooks: [good({ clientConfig: { service: { name: 'w', namespace: 'd', path: 'x' } } })], field: 'webhooks[0].clientConfig.service.path', message: 'Invalid value: "x": must start with a \'/\'' },
  { name: 'rule operations', webhooks: [good({ rules: [{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] })], field: 'webhooks[0].rules[0].operations[0]', message: 'Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"' },
  { name: 'rule without apiGroups', webhooks: [good({ rules: [{ operations: ['*'], apiVersions: ['v1'], resources: ['pods'] }] })], field: 'webhooks[0].rules[0].apiGroups', message: 'Required value' },
  { name: 'rule * with others', webhooks: [good({ rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['*', 'pods'] }] })], field: 'webhooks[0].rules[0].resources', message: 'Invalid value: ["*","pods"]: if \'*\' is present, must not specify other resources without subresources' },
  { name: 'rule scope', webhooks: [good({ rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Global' }] })], field: 'webhooks[0].rules[0].scope', message: 'Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"' },
  { name: 'namespaceSelector operator', webhooks: [good({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } })], field: 'webhooks[0].namespaceSelector.matchExpressions[0].operator', message: 'Invalid value: "Near": not a valid selector operator' },
  { name: 'matchConditions name', webhooks: [good({ matchConditions: [{ name: '', expression: 'true' }] })], field: 'webhooks[0].matchConditions[0].name', message: 'Required value' },
  { name: 'matchConditions expression', webhooks: [good({ matchConditions: [{ name: 'c', expression: ' ' }] })], field: 'webhooks[0].matchConditions[0].expression', message: 'Required value' },
  { name: 'wrong type', webhooks: [good({ timeoutSeconds: 'ten' })], field: 'webhooks[0].timeoutSeconds', message: 'Invalid value: "ten": webhooks[0].timeoutSeconds in body must be of type integer: "string"' },
];

for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
  const path = kind === 'MutatingWebhookConfiguration' ? MWC : VWC;
  for (const c of cases) {
    if (c.mutatingOnly && kind !== 'MutatingWebhookConfiguration') continue;
    test(`${kind}: ${c.name} → 422 naming ${c.field}`, async () => {
      const name = `bad-${c.name.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
      const r = await req(s.srv.url, 'POST', path, configuration(kind, name, c.webhooks));
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.reason, 'Invalid');
      const cause = r.body.details.causes.find((x: any) => x.field === c.field);
      assert.ok(cause, `no cause for ${c.field}: ${r.text}`);
      assert.equal(cause.message, c.message);
      assert.ok(r.body.message.startsWith(`${kind}.admissionregistration.k8s.io "${name}" is invalid: `) || r.body.message.startsWith(`${kind} "${name}" is invalid: `), r.body.message);
      assert.equal((await req(s.srv.url, 'GET', `${path}/${name}`)).status, 404, 'nothing written');
    });
  }
}

test('an update keeps what the stored configuration already had (side effects, generation bumps on webhook changes)', async () => {
  const r = await req(s.srv.url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'gen', [good()]));
  assert.equal(r.status, 201);
  const changed = { ...r.body, webhooks: [{ ...r.body.webhooks[0], timeoutSeconds: 5 }] };
  const u = await req(s.srv.url, 'PUT', `${VWC}/gen`, changed);
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.metadata.generation, 2);
  const bad = { ...u.body, webhooks: [{ ...u.body.webhooks[0], sideEffects: 'Unknown' }] };
  assert.equal((await req(s.srv.url, 'PUT', `${VWC}/gen`, bad)).status, 422);
});
