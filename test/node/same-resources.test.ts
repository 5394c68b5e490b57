// sameResources: whether a Node's stored capacity/allocatable already says the pool's resources
// (the node agent rewrites the NodeStatus when not). Table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameResources } from '../../src/node/nodeagent.ts';
import { nodeResources, nodeStatus } from '../../src/node/nodeobj.ts';

const want = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };

const cases: [string, Record<string, string> | undefined, boolean][] = [
  ['the same strings', { ...want }, true],
  ['the same quantities written otherwise', { cpu: '4000m', memory: '17179869184', pods: '110', 'ephemeral-storage': '100Gi' }, true],
  ['less cpu', { ...want, cpu: '3900m' }, false],
  ['other memory', { ...want, memory: '16G' }, false],
  ['a resource missing', { cpu: '4', memory: '16Gi', pods: '110' }, false],
  ['an extra resource', { ...want, 'nvidia.com/gpu': '1' }, false],
  ['no map at all', undefined, false],
];

for (const [name, stored, same] of cases) {
  test(`sameResources: ${name}`, () => assert.equal(sameResources(stored, want), same));
}

test('sameResources: two empty maps are the same', () => assert.equal(sameResources({}, {}), true));

test('nodeResources is what nodeStatus reports as capacity and allocatable', () => {
  const shape = { cpu: '8', memory: '32Gi', pods: 110, ephemeralStorage: '100Gi', kubeletPort: 10250, kubeletUrl: 'http://x', taints: [] } as any;
  const st = nodeStatus('n-0', 0, shape, 0);
  assert.deepEqual(st.capacity, nodeResources(shape));
  assert.deepEqual(st.allocatable, nodeResources(shape));
});
