// The storage faults of an API server in another process (`kubesim apiserver|up
// --storage-faults-file F`): a JSON object of StoreFaults in F, which that server re-reads within
// 0.1 s of a change. The file is replaced atomically (write, then rename), so it never reads half.
import { renameSync, writeFileSync } from 'node:fs';
import type { StoreFaults } from './scenario.ts';
import type { ChaosTargets } from './targets.ts';

export function faultsFileTarget(file: string): NonNullable<ChaosTargets['store']> {
  let current: StoreFaults = {};
  const write = (f: StoreFaults) => {
    current = f;
    writeFileSync(`${file}.tmp`, JSON.stringify(f) + '\n');
    renameSync(`${file}.tmp`, file);
  };
  return { set: (f) => write({ ...current, ...f }), clear: () => write({}) };
}
