// Cost of the resource model on the write path: what the API server runs per pod create/update
// (unknown-field walk, defaults, prepareForCreate, validation) and per table row.
// Run: node --import tsx bench/api.ts
import { registry } from '../src/api/registry.ts';
import { unknownFields } from '../src/api/schema.ts';
import { parseSelector, matches } from '../src/api/labels.ts';
import { compileFieldSelector } from '../src/api/fields.ts';

const pods = registry.byResource('', 'v1', 'pods')!;
const base: any = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u', labels: { app: 'web', tier: 'a' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: 'b' }], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] },
};

function measure(name: string, ms: number, f: () => void): void {
  for (let i = 0; i < 200; i++) f(); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) f();
    n += 100;
  }
  const dt = performance.now() - t0;
  console.log(`${name.padEnd(40)} ${Math.round((n / dt) * 1000).toLocaleString('en-US').padStart(10)} ops/s  ${((dt / n) * 1000).toFixed(1).padStart(7)} µs/op`);
}

const ms = process.argv.includes('--quick') ? 300 : 1000;
const created = structuredClone(base);
pods.defaults(created);
pods.strategy.prepareForCreate!(created);
const sel = parseSelector('app=web,tier in (a,b),!legacy');
const fsel = compileFieldSelector(pods, 'spec.nodeName=,status.phase=Pending');

console.log(`node ${process.version}, ${ms} ms per figure`);
measure('pod create (clone+unknown+defaults+prep+validate)', ms, () => {
  const o = structuredClone(base);
  unknownFields(pods.schema, o);
  pods.defaults(o);
  pods.strategy.prepareForCreate!(o);
  pods.validate(o);
});
measure('pod update (clone+defaults+prep+validate x2)', ms, () => {
  const o = structuredClone(created);
  o.spec.containers[0].image = 'nginx:2';
  pods.defaults(o);
  pods.strategy.prepareForUpdate!(o, created);
  pods.validate(o, created);
  pods.strategy.validateUpdate!(o, created);
});
measure('pod table row', ms, () => pods.table.cells(created, new Date()));
measure('label selector match (3 requirements)', ms, () => matches(sel, created.metadata.labels));
measure('field selector match (2 fields)', ms, () => fsel(created));
