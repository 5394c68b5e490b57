// Costs of the kubectl-compatibility pieces on the request path: patch types, managedFields
// tracking, protobuf decoding, Table conversion, discovery/OpenAPI (cached).
// Run: node --import tsx bench/kubectl-compat.ts [--quick]
import { readFileSync } from 'node:fs';
import { registry } from '../src/api/registry.ts';
import { applyPatch, trackUpdate } from '../src/apiserver/patch/index.ts';
import { decodeProtobuf } from '../src/apiserver/protobuf/index.ts';
import { toTable } from '../src/apiserver/table.ts';
import { answerDiscovery } from '../src/apiserver/discovery/index.ts';
import type { KubeObject } from '../src/api/types.ts';

const seconds = process.argv.includes('--quick') ? 0.3 : 1;

function bench(name: string, fn: () => void): void {
  for (let i = 0; i < 200; i++) fn(); // warm up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    fn();
    n++;
  }
  const ms = performance.now() - t0;
  console.log(`| ${name} | ${Math.round((n / ms) * 1000).toLocaleString('en-US')} | ${((ms * 1000) / n).toFixed(1)} |`);
}

const podRt = registry.byResource('', 'v1', 'pods')!;
const deployRt = registry.byResource('apps', 'v1', 'deployments')!;
const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u', resourceVersion: '10', labels: { app: 'web', tier: 'fe' }, creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: {
    nodeName: 'n1',
    containers: [
      { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      { name: 'side', image: 'busybox', args: ['sleep', '1000'] },
    ],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0 }] },
};
const setImage = JSON.stringify({ spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }], containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });
const protoDeploy = readFileSync(new URL('../test/protobuf/fixtures/deployment.bin', import.meta.url));
const pods = Array.from({ length: 500 }, (_, i) => ({ ...pod, metadata: { ...pod.metadata, name: `web-${i}` } }));
const now = new Date();

console.log(`node ${process.version}, ${seconds} s per figure\n`);
console.log('| operation | ops/s | µs/op |\n|---|---:|---:|');
bench('strategic merge patch (set image) of a 2-container pod', () => applyPatch('strategic', pod, setImage, podRt));
bench('merge patch (label) of a pod', () => applyPatch('merge', pod, '{"metadata":{"labels":{"x":"y"}}}', podRt));
bench('JSON patch (2 ops) of a pod', () => applyPatch('json', pod, '[{"op":"replace","path":"/spec/nodeName","value":"n2"},{"op":"add","path":"/metadata/labels/x","value":"y"}]', podRt));
bench('merge patch + managedFields (fieldManager set)', () => applyPatch('merge', pod, '{"metadata":{"labels":{"x":"y"}}}', podRt, { fieldManager: 'kubectl-label' }));
bench('trackUpdate on create of a pod', () => trackUpdate(undefined, structuredClone(pod), podRt, 'kubectl-create'));
bench('server-side apply of a pod (re-apply, no change)', () => applyPatch('apply', pod, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', labels: { app: 'web' } } }), podRt, { fieldManager: 'kubectl' }));
bench('decode protobuf Deployment (kubectl create deployment)', () => decodeProtobuf(protoDeploy));
bench('toTable 500 pods', () => toTable(podRt, pods, { now }));
bench('discovery /apis aggregated (cached)', () => answerDiscovery(registry, '/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'));
bench('OpenAPI /openapi/v3/apis/apps/v1 (cached)', () => answerDiscovery(registry, '/openapi/v3/apis/apps/v1', 'application/json'));
void deployRt;
