// Keeps docs/architecture.md's layering true: each folder of src/ imports only the layers it may, and
// one component never reaches into another's files (a controller into another controller's folder,
// a scheduler plugin into another plugin); what they share lives in a shared module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

/** layer → the layers of ours it may import (itself always allowed). */
export const allowed: Record<string, string[]> = {
  // The logger setup: imports nothing of ours; every other layer may import it.
  log: [],
  // Time and chance (Clock, VirtualClock, Random): imports nothing of ours; every layer may import it.
  clock: [],
  api: ['log', 'clock'],
  storage: ['api', 'log', 'clock'],
  apiserver: ['api', 'storage', 'log', 'clock'],
  client: ['api', 'log', 'clock'],
  // The frame the long-running components run in (HTTP, leader election, stop).
  component: ['api', 'client', 'log', 'clock'],
  scheduler: ['api', 'client', 'log', 'component', 'clock'],
  controllers: ['api', 'client', 'log', 'component', 'clock'],
  node: ['api', 'client', 'log', 'component', 'clock'],
  // kubesim's components as child processes (spawn, stop by pid, exit with the parent): nothing of ours.
  process: [],
  cluster: ['api', 'storage', 'apiserver', 'client', 'scheduler', 'controllers', 'node', 'log', 'component', 'clock', 'snapshot', 'process'],
  // `kubesim simulate`: the cluster composed in one process on a virtual clock, scenarios, reports.
  simulate: ['cluster', 'api', 'client', 'log', 'clock', 'snapshot'],
  // Snapshots and traces of a cluster (save, plan, restore; record): through the client only.
  snapshot: ['api', 'client', 'log', 'clock'],
  // Chaos runs and their checkers: talk to the cluster through the client only.
  chaos: ['api', 'client', 'log', 'clock', 'process'],
  load: ['api', 'client', 'log', 'clock'],
  cli: ['cluster', 'client', 'api', 'log', 'component', 'chaos', 'load', 'clock', 'simulate', 'snapshot', 'process'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(n) ? [p] : [];
  });
}

/** The src/-relative paths a file imports, from its relative import specifiers. */
export function importedPaths(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    .filter((s) => s.startsWith('.'));
  return specs.map((s) => relative(src, resolve(dirname(file), s)));
}

/** The src/ layers a file imports. */
export function importedLayers(file: string, text: string): string[] {
  return importedPaths(file, text).map((p) => p.split(sep)[0]);
}

/**
 * The component a src/-relative path belongs to, where a layer is made of components that must not
 * import each other: each controller folder (util is shared), each scheduler plugin file.
 */
export function componentOf(path: string): string | undefined {
  const parts = path.split(sep);
  if (parts[0] === 'controllers' && parts.length > 2 && parts[1] !== 'util') return `controllers/${parts[1]}`;
  if (parts[0] === 'scheduler' && parts[1] === 'plugins' && parts.length === 3) return `scheduler/plugins/${parts[2].replace(/\.ts$/, '')}`;
  return undefined;
}

test('every src layer imports only the layers ARCHITECTURE.md allows', () => {
  const violations: string[] = [];
  for (const layer of readdirSync(src)) {
    if (!statSync(join(src, layer)).isDirectory()) continue;
    assert.ok(layer in allowed, `src/${layer} is not a known layer; add it to the layering rules`);
    for (const f of files(join(src, layer))) {
      for (const used of importedLayers(f, readFileSync(f, 'utf8'))) {
        if (used !== layer && !allowed[layer].includes(used)) violations.push(`${relative(root, f)} imports src/${used}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('src/log imports nothing of ours, and the component frame no component', () => {
  assert.deepEqual(allowed.log, []);
  assert.deepEqual(allowed.clock, []);
  for (const c of ['scheduler', 'controllers', 'node', 'cluster', 'cli']) assert.ok(!allowed.component.includes(c), c);
});

test('the layering check catches a forbidden import', () => {
  const fake = join(src, 'scheduler', 'x.ts');
  assert.deepEqual(importedLayers(fake, "import { Store } from '../storage/interface.ts';"), ['storage']);
  assert.ok(!allowed.scheduler.includes('storage'));
});

test("no component imports another component's files", () => {
  const violations: string[] = [];
  for (const f of files(src)) {
    const own = componentOf(relative(src, f));
    if (!own) continue;
    for (const used of importedPaths(f, readFileSync(f, 'utf8'))) {
      const other = componentOf(used);
      if (other && other !== own) violations.push(`${relative(root, f)} imports src/${used}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the component check catches a controller importing another controller', () => {
  const fake = join(src, 'controllers', 'job', 'plan.ts');
  const [used] = importedPaths(fake, "import { podsToDelete } from '../replicaset/plan.ts';");
  assert.equal(componentOf(used), 'controllers/replicaset');
  assert.equal(componentOf(relative(src, fake)), 'controllers/job');
  assert.equal(componentOf(join('controllers', 'util', 'pod.ts')), undefined);
  assert.equal(componentOf(join('scheduler', 'plugins', 'nodebasics.ts')), 'scheduler/plugins/nodebasics');
});
