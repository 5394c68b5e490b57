// A process's descendants, read from Linux's /proc (every thread's `children` list, recursively):
// what a benchmark sums resources over and what a test checks is gone. Empty elsewhere, or once the
// process has exited.
import { readdirSync, readFileSync } from 'node:fs';

/** Every descendant pid of `pid` (children first, then theirs), [] when /proc cannot tell. */
export function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) kids.push(...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    kids = [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}
