// `kubesim up` (TLS, Node,RBAC): a runtime pod's kube-api-access volume holds a token from the node
// pool's TokenRequest and the cluster CA; the program calls https://$KUBERNETES_SERVICE_HOST with
// them and RBAC answers 403 for system:serviceaccount:default:default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, up, type UpCluster } from '../e2e/harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl && 'no /usr/bin/kubectl';
let c: UpCluster;
before(async () => {
  if (!skip) c = await up();
});
after(async () => {
  await c?.close();
});

const SCRIPT = `
const fs = require('fs'), https = require('https');
const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const req = https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: '/api/v1/namespaces/default/pods', ca: fs.readFileSync(dir + '/ca.crt'), headers: { authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') } }, (res) => {
  let b = '';
  res.on('data', (d) => (b += d));
  res.on('end', () => console.log('RESULT ' + res.statusCode + ' ' + JSON.parse(b).message));
});
req.on('error', (e) => console.log('ERROR ' + e.message));
setInterval(() => {}, 1000);
`;

test('kubesim up: a runtime pod calls the API server with its ServiceAccount token', { skip }, async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sa-call', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', SCRIPT] }] } };
  await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
  const line = await eventually(async () => {
    const out = await c.kubectl(['logs', 'sa-call']).catch(() => '');
    return out.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  }, 'the program called the API server', 90_000, 500);
  assert.equal(line, 'RESULT 403 pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
});
