// @kubernetes/client-node 1.4's typed verbs on the security kinds, against a whole kubesim cluster
// with Node,RBAC authorization: create, read, replace with the object as read (the client re-serializes
// dates and drops or adds empty fields: the server must accept it unchanged), delete — Role,
// ClusterRole with aggregationRule, RoleBinding, ClusterRoleBinding, FlowSchema,
// PriorityLevelConfiguration, CertificateSigningRequest (approved via /approval, then signed for an
// ECDSA key, and the certificate used); and
// SelfSubjectAccessReview and TokenRequest (serviceaccounts/token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startClientCluster, type ClientCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { makeKeyCSR } from '../tokens/pki.ts';

let c: ClientCluster;
let kc: k8s.KubeConfig;
let rbac: k8s.RbacAuthorizationV1Api;
let flow: k8s.FlowcontrolApiserverV1Api;
let certs: k8s.CertificatesV1Api;
let authz: k8s.AuthorizationV1Api;
let core: k8s.CoreV1Api;
const namespace = 'default';

before(async () => {
  c = await startClientCluster(1, { apiServer: { authorizationModes: ['Node', 'RBAC'] }, enablePriorityAndFairness: true });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfigPath);
  rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  flow = kc.makeApiClient(k8s.FlowcontrolApiserverV1Api);
  certs = kc.makeApiClient(k8s.CertificatesV1Api);
  authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  core = kc.makeApiClient(k8s.CoreV1Api);
});
after(async () => {
  await c?.stop();
});

/** The client's model objects (class instances) as plain JSON values. */
const plain = (o: unknown) => JSON.parse(JSON.stringify(o));
const notFound = (e: any) => e.code === 404;

test('Role and RoleBinding: create, read, replace unchanged, replace changed, delete', async () => {
  const role = await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } });
  assert.ok(role.metadata?.creationTimestamp instanceof Date);
  const read = await rbac.readNamespacedRole({ name: 'pod-reader', namespace });
  const same = await rbac.replaceNamespacedRole({ name: 'pod-reader', namespace, body: read });
  assert.deepEqual(plain(same.rules), [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  same.rules![0].resourceNames = ['web'];
  const changed = await rbac.replaceNamespacedRole({ name: 'pod-reader', namespace, body: same });
  assert.deepEqual(changed.rules?.[0].resourceNames, ['web']);

  const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }];
  await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name: 'alice-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects } });
  const rb = await rbac.readNamespacedRoleBinding({ name: 'alice-reads', namespace });
  const rb2 = await rbac.replaceNamespacedRoleBinding({ name: 'alice-reads', namespace, body: rb });
  assert.deepEqual(plain(rb2.subjects), subjects);
  rb2.subjects!.push({ kind: 'ServiceAccount', name: 'default', namespace });
  const rb3 = await rbac.replaceNamespacedRoleBinding({ name: 'alice-reads', namespace, body: rb2 });
  assert.equal(rb3.subjects?.length, 2);
  // roleRef is immutable, as in Kubernetes.
  rb3.roleRef.name = 'other';
  await assert.rejects(rbac.replaceNamespacedRoleBinding({ name: 'alice-reads', namespace, body: rb3 }), (e: any) => e.code === 422);
  await rbac.deleteNamespacedRoleBinding({ name: 'alice-reads', namespace });
  await rbac.deleteNamespacedRole({ name: 'pod-reader', namespace });
  await assert.rejects(rbac.readNamespacedRole({ name: 'pod-reader', namespace }), notFound);
});

test('ClusterRole with aggregationRule (filled by its controller) and ClusterRoleBinding', async () => {
  const selector = { matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } };
  await rbac.createClusterRole({ body: { metadata: { name: 'monitoring' }, aggregationRule: { clusterRoleSelectors: [selector] } } });
  await rbac.createClusterRole({
    body: { metadata: { name: 'monitoring-endpoints', labels: selector.matchLabels }, rules: [{ apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch'] }] },
  });
  const filled = await eventually(async () => {
    const r = await rbac.readClusterRole({ name: 'monitoring' });
    return r.rules?.some((x) => x.resources?.includes('endpoints')) ? r : undefined;
  }, 'the aggregation controller fills monitoring');
  assert.ok(filled.aggregationRule?.clusterRoleSelectors?.[0].matchLabels);
  const same = await rbac.replaceClusterRole({ name: 'monitoring', body: filled });
  assert.deepEqual(plain(same.aggregationRule), plain(filled.aggregationRule));
  const leaf = await rbac.readClusterRole({ name: 'monitoring-endpoints' });
  leaf.rules![0].verbs.push('delete');
  await rbac.replaceClusterRole({ name: 'monitoring-endpoints', body: leaf });
  await eventually(async () => (await rbac.readClusterRole({ name: 'monitoring' })).rules?.[0].verbs.includes('delete'), 'the aggregate follows its source');

  const crb = await rbac.createClusterRoleBinding({
    body: { metadata: { name: 'bob-monitoring' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'monitoring' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }] },
  });
  const crbRead = await rbac.readClusterRoleBinding({ name: 'bob-monitoring' });
  const crbSame = await rbac.replaceClusterRoleBinding({ name: 'bob-monitoring', body: crbRead });
  assert.equal(crbSame.metadata?.uid, crb.metadata?.uid);
  await rbac.deleteClusterRoleBinding({ name: 'bob-monitoring' });
  await rbac.deleteClusterRole({ name: 'monitoring' });
  await rbac.deleteClusterRole({ name: 'monitoring-endpoints' });
  await assert.rejects(rbac.readClusterRole({ name: 'monitoring' }), notFound);
});

test('PriorityLevelConfiguration and FlowSchema (flowcontrol.apiserver.k8s.io/v1): defaults, replace unchanged, status', async () => {
  const pl = await flow.createPriorityLevelConfiguration({
    body: { metadata: { name: 'batch' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 20 } } } } },
  });
  assert.equal(pl.spec?.limited?.lendablePercent, 0, 'defaulted as Kubernetes does');
  const plRead = await flow.readPriorityLevelConfiguration({ name: 'batch' });
  const plSame = await flow.replacePriorityLevelConfiguration({ name: 'batch', body: plRead });
  assert.deepEqual(plain(plSame.spec), plain(plRead.spec));
  plSame.spec!.limited!.nominalConcurrencyShares = 7;
  assert.equal((await flow.replacePriorityLevelConfiguration({ name: 'batch', body: plSame })).spec?.limited?.nominalConcurrencyShares, 7);

  const fs = await flow.createFlowSchema({
    body: {
      metadata: { name: 'batch-jobs' },
      spec: {
        priorityLevelConfiguration: { name: 'batch' },
        matchingPrecedence: 5000,
        distinguisherMethod: { type: 'ByUser' },
        rules: [{ subjects: [{ kind: 'User', user: { name: 'batch-bot' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] }] }],
      },
    },
  });
  assert.equal(fs.spec?.priorityLevelConfiguration.name, 'batch');
  const fsRead = await eventually(async () => {
    const r = await flow.readFlowSchema({ name: 'batch-jobs' });
    return r.status?.conditions?.some((x) => x.type === 'Dangling') ? r : undefined;
  }, 'the FlowSchema gets its Dangling condition');
  assert.equal(fsRead.status?.conditions?.find((x) => x.type === 'Dangling')?.status, 'False');
  const fsSame = await flow.replaceFlowSchema({ name: 'batch-jobs', body: fsRead });
  assert.deepEqual(plain(fsSame.spec), plain(fsRead.spec));
  fsSame.spec!.matchingPrecedence = 4000;
  assert.equal((await flow.replaceFlowSchema({ name: 'batch-jobs', body: fsSame })).spec?.matchingPrecedence, 4000);
  // The default objects read and replace unchanged too.
  const catchAll = await flow.readPriorityLevelConfiguration({ name: 'catch-all' });
  await flow.replacePriorityLevelConfiguration({ name: 'catch-all', body: catchAll });
  const exempt = await flow.readFlowSchema({ name: 'exempt' });
  await flow.replaceFlowSchema({ name: 'exempt', body: exempt });
  await flow.deleteFlowSchema({ name: 'batch-jobs' });
  await flow.deletePriorityLevelConfiguration({ name: 'batch' });
  await assert.rejects(flow.readFlowSchema({ name: 'batch-jobs' }), notFound);
});

test('CertificateSigningRequest: create, replace unchanged, approve via /approval, signed by kube-apiserver-client, delete', async () => {
  const { csr, key } = makeKeyCSR('carol', ['dev'], { type: 'ec', curve: 'P-256' });
  const request = Buffer.from(csr).toString('base64');
  const created = await certs.createCertificateSigningRequest({
    body: { metadata: { name: 'carol' }, spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 } },
  });
  assert.equal(created.spec.username, 'kubernetes-admin', 'the requester is recorded');
  const read = await certs.readCertificateSigningRequest({ name: 'carol' });
  const same = await certs.replaceCertificateSigningRequest({ name: 'carol', body: read });
  assert.deepEqual(plain(same.spec.groups), plain(read.spec.groups));
  same.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'approved by the test' }] };
  const approved = await certs.replaceCertificateSigningRequestApproval({ name: 'carol', body: same });
  assert.equal(approved.status?.conditions?.[0].type, 'Approved');
  const signed = await eventually(async () => {
    const r = await certs.readCertificateSigningRequest({ name: 'carol' });
    return r.status?.certificate ? r : undefined;
  }, 'the signer issues the certificate');
  assert.match(Buffer.from(signed.status!.certificate!, 'base64').toString(), /-----BEGIN CERTIFICATE-----/);
  // The signed object, as read, goes back through replace (spec and status untouched).
  await certs.replaceCertificateSigningRequest({ name: 'carol', body: signed });
  await certs.deleteCertificateSigningRequest({ name: 'carol' });
  await assert.rejects(certs.readCertificateSigningRequest({ name: 'carol' }), notFound);
  // The ECDSA certificate authenticates as carol in dev.
  const asCarol = new k8s.KubeConfig();
  asCarol.loadFromOptions({
    clusters: [{ name: 'c', server: kc.getCurrentCluster()!.server, caData: kc.getCurrentCluster()!.caData }],
    users: [{ name: 'carol', certData: signed.status!.certificate!, keyData: Buffer.from(key).toString('base64') }],
    contexts: [{ name: 'carol', cluster: 'c', user: 'carol' }],
    currentContext: 'carol',
  });
  const who = await asCarol.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  assert.equal(who.status?.userInfo?.username, 'carol');
  assert.ok(who.status?.userInfo?.groups?.includes('dev'));
});

test('SelfSubjectAccessReview and TokenRequest (serviceaccounts/token)', async () => {
  const ssar = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb: 'delete', resource: 'secrets' } } } });
  assert.equal(ssar.status?.allowed, true);
  const nonResource = await authz.createSelfSubjectAccessReview({ body: { spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } } });
  assert.equal(nonResource.status?.allowed, true);

  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'robot' } } });
  const tr = await core.createNamespacedServiceAccountToken({ name: 'robot', namespace, body: { spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 } } });
  assert.ok(tr.status?.token && tr.status.token.split('.').length === 3, 'a JWT');
  assert.ok(tr.status.expirationTimestamp instanceof Date);
  // The token authenticates as the ServiceAccount, whose review says what RBAC allows it (nothing here).
  const sa = new k8s.KubeConfig();
  sa.loadFromOptions({
    clusters: [{ name: 'c', server: kc.getCurrentCluster()!.server, caData: kc.getCurrentCluster()!.caData }],
    users: [{ name: 'robot', token: tr.status.token }],
    contexts: [{ name: 'robot', cluster: 'c', user: 'robot' }],
    currentContext: 'robot',
  });
  const asRobot = await sa.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb: 'list', resource: 'secrets' } } } });
  assert.equal(asRobot.status?.allowed, false);
  const whoami = await sa.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  assert.equal(whoami.status?.userInfo?.username, 'system:serviceaccount:default:robot');
  await assert.rejects(sa.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace }), (e: any) => e.code === 403);
  await core.deleteNamespacedServiceAccount({ name: 'robot', namespace });
});

test('status subresources, patches, selectors and rules reviews on the security kinds', async () => {
  // FlowSchema status through its own subresource: the read object goes back unchanged.
  const exempt = await flow.readFlowSchemaStatus({ name: 'exempt' });
  const st = await flow.replaceFlowSchemaStatus({ name: 'exempt', body: exempt });
  assert.equal(st.status?.conditions?.find((x) => x.type === 'Dangling')?.status, 'False');
  const plStatus = await flow.readPriorityLevelConfigurationStatus({ name: 'global-default' });
  await flow.replacePriorityLevelConfigurationStatus({ name: 'global-default', body: plStatus });

  // Strategic merge and JSON patches on RBAC objects (rules have no merge key: the list is replaced).
  const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
  await rbac.createClusterRole({ body: { metadata: { name: 'patched', labels: { team: 'a' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } });
  const p1 = await rbac.patchClusterRole({ name: 'patched', body: { rules: [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }] } }, strategic);
  assert.deepEqual(plain(p1.rules), [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }]);
  const p2 = await rbac.patchClusterRole({ name: 'patched', body: [{ op: 'add', path: '/rules/0/verbs/-', value: 'watch' }] }, jsonPatch);
  assert.deepEqual(p2.rules?.[0].verbs, ['list', 'watch']);
  const listed = await rbac.listClusterRole({ labelSelector: 'team=a' });
  assert.deepEqual(listed.items.map((r) => r.metadata?.name), ['patched']);
  await rbac.deleteClusterRole({ name: 'patched' });

  // Roles in a namespace, deleted as a collection.
  for (const n of ['r1', 'r2']) await rbac.createNamespacedRole({ namespace, body: { metadata: { name: n, labels: { batch: 'x' } }, rules: [] } });
  const empty = await rbac.readNamespacedRole({ name: 'r1', namespace });
  await rbac.replaceNamespacedRole({ name: 'r1', namespace, body: empty });
  await rbac.deleteCollectionNamespacedRole({ namespace, labelSelector: 'batch=x' });
  assert.equal((await rbac.listNamespacedRole({ namespace, labelSelector: 'batch=x' })).items.length, 0);

  // SelfSubjectRulesReview: the admin may do everything.
  const rules = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  assert.ok(rules.status?.resourceRules.some((r) => r.verbs.includes('*') && r.resources?.includes('*')));
  assert.equal(rules.status?.incomplete, false);

  // CSR status through /status (the signer's subresource) and a deny through /approval.
  const { csr } = makeKeyCSR('frank', [], { type: 'ec', curve: 'P-256' });
  await certs.createCertificateSigningRequest({ body: { metadata: { name: 'frank' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: 'example.com/manual', usages: ['client auth'] } } });
  const f = await certs.readCertificateSigningRequest({ name: 'frank' });
  f.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'NotToday', message: 'denied by the test' }] };
  const denied = await certs.replaceCertificateSigningRequestApproval({ name: 'frank', body: f });
  assert.equal(denied.status?.conditions?.[0].type, 'Denied');
  const fs = await certs.readCertificateSigningRequestStatus({ name: 'frank' });
  await certs.replaceCertificateSigningRequestStatus({ name: 'frank', body: fs });
  await certs.deleteCertificateSigningRequest({ name: 'frank' });
});

test('TokenRequest bound to a pod: the token names the pod', async () => {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bound' } } });
  const pod = await core.createNamespacedPod({ namespace, body: { metadata: { name: 'holder' }, spec: { serviceAccountName: 'bound', containers: [{ name: 'c', image: 'nginx' }] } } });
  const tr = await core.createNamespacedServiceAccountToken({
    name: 'bound',
    namespace,
    body: { spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'holder', uid: pod.metadata!.uid } } },
  });
  const claims = JSON.parse(Buffer.from(tr.status!.token.split('.')[1], 'base64url').toString());
  assert.equal(claims['kubernetes.io'].pod.name, 'holder');
  assert.equal(claims['kubernetes.io'].serviceaccount.name, 'bound');
  assert.equal(tr.spec.boundObjectRef?.name, 'holder');
  await core.deleteNamespacedPod({ name: 'holder', namespace, gracePeriodSeconds: 0 });
  await core.deleteNamespacedServiceAccount({ name: 'bound', namespace });
});
