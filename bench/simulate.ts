// issue 21's done-when run: a day of a 1,000-node cluster on virtual time
// (examples/scenarios/day-1000-nodes.yaml). Prints the per-interval table, the wall time, the
// speed-up ratio (virtual seconds / wall seconds; the goal is ≥ 1,440×, i.e. 24 h in ≤ 60 s) and
// the timers fired; --until runs a prefix (e.g. 30m with `node --cpu-prof` to see where time goes);
// --mix true adds the request mix and the timers fired per virtual minute (simulate-mix.ts).
//
//   node --import tsx bench/simulate.ts [--scenario FILE] [--until 24h] [--seed 1] [--report FILE] [--progress false] [--mix true [--mix-after 10m] [--mix-profile FILE] [--mix-heap-profile FILE]]
//
// It runs with the V8 young generation `kubesim simulate` gets (src/process/heapflags.ts: re-executed
// with --max-semi-space-size=128 unless node was given one; `node --max-semi-space-size=16 ...` measures
// V8's default).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { reexecWithYoungGeneration } from '../src/process/heapflags.ts';

const child = reexecWithYoungGeneration('simulate');
if (child) await child;
// Loaded only in the process that runs (not in the one that re-executes).
const { formatTable, parseDuration, parseScenario, simulate } = await import('../src/simulate/index.ts');
const { Mix } = await import('./simulate-mix.ts');
const { arg } = await import('./util.ts');
const newSpaceSize = () => getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')?.space_size ?? 0;

const file = arg('scenario', fileURLToPath(new URL('../examples/scenarios/day-1000-nodes.yaml', import.meta.url)));
const scenario = parseScenario(readFileSync(file, 'utf8'));
const untilArg = arg('until', '');
const until = untilArg ? parseDuration(untilArg, '--until') : scenario.duration;
const seed = Number(arg('seed', '1'));
const report = arg('report', '');

const wall0 = Date.now();
const cpu0 = process.cpuUsage();
// Garbage-collection pauses by kind (V8's young-generation scavenges vs full mark-compacts), and the
// young generation the run got (new space's size; see src/process/heapflags.ts).
const gc = new Map<string, { n: number; ms: number }>();
const GC_KINDS: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
    const g = gc.get(kind) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += e.duration;
    gc.set(kind, g);
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
let newSpaceMax = 0;
const progress = arg('progress', 'true') !== 'false';
// --mix true: the request mix and the timers fired per virtual minute, counted from --mix-after on
// (--mix-profile FILE: a CPU profile of that stretch only; --mix-heap-profile FILE: what it allocated).
const mix = arg('mix', 'false') === 'true' ? new Mix(parseDuration(arg('mix-after', '10m'), '--mix-after'), arg('mix-profile', '') || undefined, arg('mix-heap-profile', '') || undefined) : undefined;
const { report: r, wallMs, timersFired } = await simulate(scenario, {
  seed,
  until,
  clock: mix?.clock,
  wrapTransport: mix?.wrap,
  // One line per interval on stderr: how far a long run got, at what wall time.
  onInterval: progress
    ? (row) => {
        newSpaceMax = Math.max(newSpaceMax, newSpaceSize());
        const c = process.cpuUsage(cpu0);
        console.error(`[${((Date.now() - wall0) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s cpu, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB] ${row.time}: ${row.nodesReady}/${row.nodes} ready, ${row.podsRunning} running, ${row.podsPending} pending`);
      }
    : undefined,
});
const cpu = process.cpuUsage(cpu0);
console.log(formatTable(r.intervals));
for (const a of r.assertions) if (!a.ok) console.log(`assertion at ${a.t}s failed: ${a.expect} (${a.actual})`);
const virtualS = until / 1000;
console.log(
  `\n${scenario.name}: ${virtualS} s of virtual time in ${(wallMs / 1000).toFixed(1)} s of wall time ` +
    `(${(virtualS / (wallMs / 1000)).toFixed(0)}x real time; goal 1440x), ${timersFired} timers fired, ` +
    `cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, ` +
    `total incl. start/stop ${((Date.now() - wall0) / 1000).toFixed(1)} s`,
);
gcObserver.disconnect();
newSpaceMax = Math.max(newSpaceMax, newSpaceSize());
console.log(
  `gc: ${[...gc].map(([k, g]) => `${g.n} ${k} ${(g.ms / 1000).toFixed(1)} s`).join(', ')}; new space up to ${(newSpaceMax / 2 ** 20).toFixed(0)} MiB ` +
    `(--max-semi-space-size ${process.execArgv.find((a) => a.startsWith('--max-semi-space-size'))?.split('=')[1] ?? 'default'})`,
);
await mix?.print();
if (report) writeFileSync(report, JSON.stringify(r, null, 2) + '\n');
process.exit(0);
