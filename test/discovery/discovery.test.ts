// Discovery and OpenAPI documents as kubectl reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/api/registry.ts';
import type { ResourceType } from '../../src/api/resource.ts';
import {
  answerDiscovery,
  aggregatedVersionOf,
  answerSelfSubjectAccessReview,
  answerSelfSubjectRulesReview,
  answerSelfSubjectReview,
  decodeSwaggerProtobuf,
  aggregatedFromResourceList,
  type ApiResourceEntry,
} from '../../src/apiserver/discovery/index.ts';
import { rt as deploymentType } from '../patch/fixtures.ts';

const podType: ResourceType = {
  ...deploymentType,
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  subresources: { status: true, binding: true, log: true, eviction: true },
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
};
const deployType: ResourceType = { ...deploymentType, subresources: { status: true, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas' } } };
const hpaV1: ResourceType = { ...deploymentType, group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', shortNames: ['hpa'], subresources: { status: true } };
const hpaV2: ResourceType = { ...hpaV1, version: 'v2' };
const registry = new Registry([podType, deployType, hpaV1, hpaV2]);

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const body = (a: { body: string | Buffer } | undefined) => JSON.parse(String(a!.body));

test('Accept negotiation picks the first aggregated version asked for', () => {
  assert.equal(aggregatedVersionOf(KUBECTL_ACCEPT), 'v2');
  assert.equal(aggregatedVersionOf('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(aggregatedVersionOf('application/json'), undefined);
});

test('aggregated /apis answers APIGroupDiscoveryList with the exact content type', () => {
  const a = answerDiscovery(registry, '/apis', KUBECTL_ACCEPT)!;
  assert.equal(a.status, 200);
  assert.equal(a.headers['Content-Type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const doc = body(a);
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  assert.deepEqual(doc.items.map((i: any) => i.metadata.name), ['apps', 'autoscaling', 'authorization.k8s.io', 'authentication.k8s.io']);
  const autoscaling = doc.items[1];
  assert.deepEqual(autoscaling.versions.map((v: any) => v.version), ['v2', 'v1'], 'preferred (v2) first');
  const deploy = doc.items[0].versions[0].resources[0];
  assert.equal(deploy.resource, 'deployments');
  assert.deepEqual(deploy.shortNames, ['deploy']);
  assert.deepEqual(deploy.categories, ['all']);
  assert.deepEqual(deploy.subresources.find((s: any) => s.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  const v2beta1 = answerDiscovery(registry, '/api', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')!;
  assert.equal(v2beta1.headers['Content-Type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  assert.equal(body(v2beta1).items[0].versions[0].resources[0].resource, 'pods');
});

test('legacy discovery: APIVersions, APIGroupList, APIGroup, APIResourceList with subresources', () => {
  assert.deepEqual(body(answerDiscovery(registry, '/api', 'application/json')).versions, ['v1']);
  const groups = body(answerDiscovery(registry, '/apis', 'application/json'));
  assert.equal(groups.kind, 'APIGroupList');
  assert.deepEqual(groups.groups.find((g: any) => g.name === 'autoscaling').preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  assert.equal(body(answerDiscovery(registry, '/apis/apps', 'application/json')).kind, 'APIGroup');
  const core = body(answerDiscovery(registry, '/api/v1', 'application/json'));
  assert.equal(core.groupVersion, 'v1');
  const names = core.resources.map((r: any) => r.name);
  assert.deepEqual(names, ['pods', 'pods/binding', 'pods/eviction', 'pods/log', 'pods/status']);
  const eviction = core.resources.find((r: any) => r.name === 'pods/eviction');
  assert.deepEqual([eviction.group, eviction.version, eviction.kind, eviction.verbs], ['policy', 'v1', 'Eviction', ['create']]);
  const apps = body(answerDiscovery(registry, '/apis/apps/v1', 'application/json'));
  assert.ok(apps.resources.some((r: any) => r.name === 'deployments/scale' && r.kind === 'Scale'));
  assert.equal(answerDiscovery(registry, '/apis/nope/v1', 'application/json'), undefined);
  assert.equal(answerDiscovery(registry, '/api/v1/pods', 'application/json'), undefined);
});

test('OpenAPI v3: index and a group-version document kubectl apply and explain can use', () => {
  const index = body(answerDiscovery(registry, '/openapi/v3', 'application/json'));
  assert.match(index.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
  const doc = body(answerDiscovery(registry, index.paths['apis/apps/v1'].serverRelativeURL, 'application/json'));
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  const schema = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  // Nested types are components referenced with allOf (kubectl explain prints their names).
  const deref = (x: any) => (x.allOf ? doc.components.schemas[x.allOf[0].$ref.replace('#/components/schemas/', '')] : x);
  const spec = deref(schema.properties.spec);
  const podSpec = deref(deref(spec.properties.template).properties.spec);
  assert.match(schema.properties.spec.allOf[0].$ref, /\.DeploymentSpec$/);
  assert.match(deref(spec.properties.template).properties.spec.allOf[0].$ref, /\.PodSpec$/);
  assert.equal(podSpec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.match(podSpec.properties.containers.items.allOf[0].$ref, /\.Container$/);
});

test('documents are computed once per registry', () => {
  const a = answerDiscovery(registry, '/openapi/v3/api/v1', 'application/json')!;
  const b = answerDiscovery(registry, '/openapi/v3/api/v1', 'application/json')!;
  assert.equal(a.body, b.body);
});

test('review resources (access, rules, self) are listed and answered', () => {
  const authz = body(answerDiscovery(registry, '/apis/authorization.k8s.io/v1', 'application/json'));
  assert.deepEqual(authz.resources.map((r: any) => r.name), ['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews']);
  assert.equal(body(answerDiscovery(registry, '/apis/authentication.k8s.io/v1', 'application/json')).resources[0].name, 'selfsubjectreviews');
  const rules = answerSelfSubjectRulesReview({ metadata: {}, spec: { namespace: 'kube-system' } });
  assert.deepEqual(rules.status.resourceRules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  assert.equal(rules.spec.namespace, 'kube-system');
  assert.deepEqual(answerSelfSubjectReview({ username: 'alice', groups: ['dev'] }).status, { userInfo: { username: 'alice', groups: ['dev'] } });
  const r = answerSelfSubjectAccessReview({ metadata: {}, spec: { resourceAttributes: { verb: 'create', resource: 'pods' } } });
  assert.equal(r.status.allowed, true);
  assert.equal(r.spec.resourceAttributes.verb, 'create');
});

test('OpenAPI v2: JSON for JSON clients, gnostic protobuf for kubectl 1.27/1.28 with GVK and fieldValidation on patch', () => {
  const json = body(answerDiscovery(registry, '/openapi/v2', 'application/json'));
  assert.equal(json.swagger, '2.0');
  const op = json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.match(json.definitions['io.k8s.api.apps.v1.Deployment'].properties.spec.$ref, /^#\/definitions\/.*\.DeploymentSpec$/);

  const pb = answerDiscovery(registry, '/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')!;
  assert.equal(pb.headers['Content-Type'], 'application/octet-stream');
  const doc = decodeSwaggerProtobuf(pb.body as Buffer);
  assert.equal(doc.swagger, '2.0');
  const item = doc.paths.path.find((p: any) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  const gvk = item.value.patch.vendor_extension.find((e: any) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(JSON.parse(gvk.value.yaml), { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(item.value.patch.parameters.some((p: any) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name === 'fieldValidation'));
  const deploy = doc.definitions.additional_properties.find((d: any) => d.name === 'io.k8s.api.apps.v1.Deployment');
  assert.ok(deploy.value.vendor_extension.some((e: any) => e.name === 'x-kubernetes-group-version-kind'));
});

test('an APIResourceList as aggregated resources: sub entries join their parent (made when not listed), as the aggregator converts them', () => {
  const metric = (name: string, namespaced: boolean): ApiResourceEntry => ({ name, singularName: '', namespaced, kind: 'MetricValueList', verbs: ['get'] });
  const sub = (subresource: string) => ({ subresource, responseKind: { group: '', version: '', kind: 'MetricValueList' }, verbs: ['get'] });
  const made = (resource: string, scope: string, subs: string[]) => ({ resource, responseKind: { group: '', version: '', kind: '' }, scope, singularResource: '', verbs: null, subresources: subs.map(sub) });
  const cases: { name: string; list: ApiResourceEntry[]; want: object[] }[] = [
    { name: 'empty', list: [], want: [] },
    {
      name: 'metric resources (custom.metrics.k8s.io)',
      list: [metric('deployments.apps/rps', true), metric('nodes/temp', false), metric('pods/rps', true), metric('pods/latency', true)],
      want: [made('deployments.apps', 'Namespaced', ['rps']), made('nodes', 'Cluster', ['temp']), made('pods', 'Namespaced', ['rps', 'latency'])],
    },
    {
      name: 'a listed parent keeps its own entry; a sub of another scope is left out',
      list: [
        { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'list'], shortNames: ['wd'] },
        { name: 'widgets/status', singularName: '', namespaced: true, group: 'x.io', version: 'v1', kind: 'Widget', verbs: ['get'] },
        { name: 'widgets/odd', singularName: '', namespaced: false, kind: 'Widget', verbs: ['get'] },
      ],
      want: [
        {
          resource: 'widgets',
          responseKind: { group: '', version: '', kind: 'Widget' },
          scope: 'Namespaced',
          singularResource: 'widget',
          verbs: ['get', 'list'],
          shortNames: ['wd'],
          subresources: [{ subresource: 'status', responseKind: { group: 'x.io', version: 'v1', kind: 'Widget' }, verbs: ['get'] }],
        },
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(aggregatedFromResourceList(c.list), c.want, c.name);
});

test("aggregated /apis lists data resources in place of the registry's, and answers the same document while they stay", () => {
  const data = new Map([['autoscaling/v2', [{ name: 'pods/rps', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] }]]]);
  const a = answerDiscovery(registry, '/apis', KUBECTL_ACCEPT, data)!;
  const autoscaling = body(a).items.find((i: any) => i.metadata.name === 'autoscaling');
  assert.deepEqual(autoscaling.versions[0].resources.map((r: any) => [r.resource, r.subresources.map((s: any) => s.subresource)]), [['pods', ['rps']]]);
  assert.equal(autoscaling.versions[1].resources[0].resource, 'horizontalpodautoscalers', 'other versions keep their kinds');
  assert.equal(answerDiscovery(registry, '/apis', KUBECTL_ACCEPT, new Map(data))!.body, a.body);
  assert.ok(answerDiscovery(registry, '/apis', KUBECTL_ACCEPT, new Map(data)) === answerDiscovery(registry, '/apis', KUBECTL_ACCEPT, new Map(data)), 'same lists: cached');
  const changed = new Map([['autoscaling/v2', [...data.get('autoscaling/v2')!, { name: 'pods/latency', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] }]]]);
  const b = body(answerDiscovery(registry, '/apis', KUBECTL_ACCEPT, changed));
  assert.deepEqual(b.items.find((i: any) => i.metadata.name === 'autoscaling').versions[0].resources[0].subresources.map((s: any) => s.subresource), ['rps', 'latency']);
  assert.ok(!body(answerDiscovery(registry, '/apis', KUBECTL_ACCEPT)).items.find((i: any) => i.metadata.name === 'autoscaling').versions[0].resources.some((r: any) => r.resource === 'pods'), 'without data: the registry');
});
