// Issue 11's kinds through the real kubectl: every manifest of the Kubernetes docs fixtures applies,
// the new kinds print Kubernetes' tables and explain their fields, `kubectl certificate approve|deny`
// works, `kubectl get all` lists the "all" category, and bad input names the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, hasKubectl, rows, type Cluster } from './harness.ts';

let c: Cluster;
const skip = !hasKubectl;
const FIXTURES = '/work/shared/fixtures/k8s-docs';

before(async () => {
  if (skip) return;
  c = await startCluster();
});
after(async () => {
  await c?.close();
});

test('kubectl apply -f accepts every manifest in the k8s-docs fixtures', { skip }, async () => {
  const files = ['guestbook', 'tutorials'].flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(FIXTURES, d, f)));
  assert.ok(files.length >= 10);
  for (const f of files) {
    const out = await c.ok(['apply', '-f', f]);
    assert.match(out, / created\n/, `${f}: ${out}`);
  }
  const pdb = await c.get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/zk-pdb');
  assert.equal(pdb.spec.maxUnavailable, 1);
  assert.ok((await c.get('/apis/apps/v1/namespaces/default/statefulsets/zk')).spec.volumeClaimTemplates.length === 1);
});

test('the new kinds print the columns Kubernetes prints, by their short names', { skip }, async () => {
  const pdb = rows(await c.ok(['get', 'pdb']));
  assert.deepEqual(pdb[0], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
  assert.deepEqual(pdb.find((r) => r[0] === 'zk-pdb')!.slice(0, 4), ['zk-pdb', 'N/A', '1', '0']);
  const pc = rows(await c.ok(['get', 'pc']));
  assert.deepEqual(pc[0], ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
  assert.deepEqual(pc.find((r) => r[0] === 'system-node-critical')!.filter((_, i) => i !== 3), ['system-node-critical', '2000001000', 'false', 'PreemptLowerPriority']);
  await c.ok(['apply', '-f', '-'], {
    stdin: [
      'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}',
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: a.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: frontend, port: {number: 80}}}}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {matchLabels: {app: guestbook}}}',
      'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: gvisor}\nhandler: runsc',
      'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: tpl}\ntemplate:\n  metadata: {labels: {app: t}}\n  spec: {containers: [{name: c, image: nginx}]}',
      'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: rev1}\ndata: {spec: {}}\nrevision: 3',
    ].join('\n---\n'),
  });
  const table = async (what: string) => rows(await c.ok(['get', what])).map((r) => r.filter((_, i) => r.length < 2 || i !== r.length - 1 || !/^\d+s$/.test(r[i])));
  assert.deepEqual((await table('ing'))[0], ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  assert.deepEqual(rows(await c.ok(['get', 'ing']))[1].slice(0, 4), ['web', 'nginx', 'a.example.com', '80']);
  assert.deepEqual(rows(await c.ok(['get', 'ingressclass']))[1].slice(0, 3), ['nginx', 'k8s.io/ingress-nginx', '<none>']);
  assert.deepEqual(rows(await c.ok(['get', 'netpol']))[1].slice(0, 2), ['deny', 'app=guestbook']);
  assert.deepEqual(rows(await c.ok(['get', 'runtimeclass']))[1].slice(0, 2), ['gvisor', 'runsc']);
  assert.deepEqual(rows(await c.ok(['get', 'podtemplates']))[0], ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS']);
  assert.deepEqual(rows(await c.ok(['get', 'podtemplates']))[1], ['tpl', 'c', 'nginx', 'app=t']);
  assert.deepEqual(rows(await c.ok(['get', 'controllerrevisions']))[1].slice(0, 3), ['rev1', '<none>', '3']);
});

test('kubectl explain describes the new kinds from the OpenAPI schemas', { skip }, async () => {
  assert.match(await c.ok(['explain', 'pdb.spec.maxUnavailable']), /An eviction is allowed if at most "maxUnavailable" pods/);
  assert.match(await c.ok(['explain', 'priorityclass.value']), /the integer value of this priority class/);
  assert.match(await c.ok(['explain', 'ingress.spec.rules']), /host rules used to configure the Ingress/);
  assert.match(await c.ok(['explain', 'csr.spec.signerName']), /requested signer/);
});

test('kubectl certificate approve and deny', { skip: skip || !existsSync('/usr/bin/openssl') }, async () => {
  const key = join(c.dir, 'k.pem');
  execFileSync('/usr/bin/openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', '/CN=alice', '-out', join(c.dir, 'r.csr')], { stdio: 'ignore' });
  const request = Buffer.from(readFileSync(join(c.dir, 'r.csr'))).toString('base64');
  for (const name of ['alice', 'bob']) {
    await c.ok(['apply', '-f', '-'], { stdin: `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: ${name}}\nspec:\n  request: ${request}\n  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 86400\n  usages: [client auth]\n` });
  }
  assert.match(await c.ok(['get', 'csr', 'alice']), /alice\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+system:admin\s+24h\s+Pending/);
  assert.match(await c.ok(['certificate', 'approve', 'alice']), /certificatesigningrequest\.certificates\.k8s\.io\/alice approved/);
  assert.match(await c.ok(['certificate', 'deny', 'bob']), /certificatesigningrequest\.certificates\.k8s\.io\/bob denied/);
  const out = await c.ok(['get', 'csr']);
  assert.match(out, /alice .*Approved/);
  assert.match(out, /bob .*Denied/);
  const again = await c.kubectl(['certificate', 'deny', 'alice']);
  assert.notEqual(again.code, 0);
});

test('kubectl get all lists the "all" category, as Kubernetes does', { skip }, async () => {
  const out = await c.ok(['get', 'all', '-A']);
  for (const kind of ['service/frontend', 'deployment.apps/frontend', 'daemonset.apps/fluentd-elasticsearch', 'statefulset.apps/zk', 'job.batch/pi', 'horizontalpodautoscaler.autoscaling/php-apache']) assert.ok(out.includes(kind), `${kind} in\n${out}`);
  assert.ok(!out.includes('poddisruptionbudget'), 'PDBs are not in "all"');
});

test('bad input through kubectl names the field and stores nothing', { skip }, async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: both}\nspec: {minAvailable: 1, maxUnavailable: 1}\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /minAvailable and maxUnavailable cannot be both set/);
  assert.equal(await c.get('/apis/policy/v1/namespaces/default/poddisruptionbudgets/both'), undefined);
  const p = await c.kubectl(['run', 'x', '--image=nginx', '--overrides={"spec":{"priorityClassName":"foo"}}']);
  assert.notEqual(p.code, 0);
  assert.match(p.stderr, /pods "x" is forbidden: no PriorityClass with name foo was found/);
});
