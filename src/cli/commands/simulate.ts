// `kubesim simulate SCENARIO.yaml [--seed N] [--until 24h] [--speed max|Nx] [--report FILE.json]`:
// the whole cluster in one process on virtual time (src/simulate, docs/simulate.md); prints the
// per-interval table and the wall time against the virtual time, writes the JSON report.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatCompare, formatTable, loadSchedulerConfig, parseDuration, parseScenario, ScenarioError, simulate, toCsv, toSvg, type SchedulerConfigFile, type SimulationReport } from '../../simulate/index.ts';
import { fail } from '../component.ts';
import { defaultScenario, replayInput, snapshotInput, traceDuration, type InputFlags } from './simulate-inputs.ts';

interface Opts extends InputFlags {
  seed: string;
  until?: string;
  speed: string;
  report?: string;
  csv?: string;
  plot?: string;
  compare?: string[];
}

/** Each output file; under --compare one per configuration (`out.json` → `out.<config>.json`). */
function outName(file: string, config: string | undefined): string {
  if (!config) return file;
  const tag = config.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}.${tag}${file.slice(dot)}` : `${file}.${tag}`;
}

function printRun(report: SimulationReport, wallMs: number, timersFired: number): void {
  console.log(formatTable(report.intervals));
  for (const e of report.errors) console.error(`action at ${e.t}s (${e.action}) failed: ${e.error}`);
  for (const f of report.faults) if (f.error) console.error(`fault at ${f.t}s (${f.fault}) failed: ${f.error}`);
  for (const a of report.assertions) if (!a.ok) console.error(`assertion at ${a.t}s failed: ${a.expect} (${a.actual})`);
  const ratio = report.durationSeconds / Math.max(0.001, wallMs / 1000);
  console.log(`\n${report.durationSeconds} s of virtual time in ${(wallMs / 1000).toFixed(1)} s of wall time (${ratio.toFixed(0)}x real time, ${timersFired} timers fired)`);
}

const failures = (r: SimulationReport) => r.errors.length + r.assertions.filter((a) => !a.ok).length + r.faults.filter((f) => f.error).length;

/** max, or N / Nx (N times real time). */
export function parseSpeed(v: string): 'max' | number {
  if (v === 'max') return 'max';
  const m = /^(\d+(\.\d+)?)x?$/.exec(v);
  if (!m || !(Number(m[1]) > 0)) throw new Error(`--speed must be max or a positive factor like 60x (got "${v}")`);
  return Number(m[1]);
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('run a scenario (YAML; see docs/simulate.md) on a whole in-process cluster on virtual time')
    .argument('[scenario]', 'scenario file (optional with --from-snapshot or --replay)')
    .option('--seed <n>', 'seed of every random choice (uids, generated names, tie-breaks)', '1')
    .option('--until <duration>', "virtual time to run (default: the scenario's duration), e.g. 24h")
    .option('--speed <max|Nx>', 'max = as fast as possible; 60x = one virtual minute per second', 'max')
    .option('--report <file>', 'write the report as JSON to this file')
    .option('--from-snapshot <file>', 'restore a snapshot (kubesim snapshot save, or kubectl get -A -o yaml) before the run')
    .option('--replay <trace>', 'play back a trace recorded by kubesim record (its start state, then its changes at their times)')
    .option('--csv <file>', 'write the intervals as a CSV time series')
    .option('--plot <file.svg>', 'write an SVG plot of the main series')
    .option('--compare <configs...>', 'run once per KubeSchedulerConfiguration file and print a side-by-side table')
    .action(async (file: string | undefined, o: Opts) => {
      let scenario;
      let speed: 'max' | number;
      let until: number | undefined;
      const seed = Number(o.seed);
      let snapshot;
      let replay;
      let configs: (SchedulerConfigFile | undefined)[] = [undefined];
      try {
        if (o.compare?.length) configs = o.compare.map((f) => loadSchedulerConfig(readFileSync(f, 'utf8'), f));
      } catch (e) {
        fail((e as Error).message);
      }
      try {
        snapshot = snapshotInput(o);
        replay = replayInput(o);
        if (file === undefined && !snapshot && !replay) throw new Error('a scenario file (or --from-snapshot, --replay) is required');
        scenario = file === undefined ? defaultScenario(replay ? 'replay' : 'snapshot', replay ? traceDuration(replay) : undefined) : parseScenario(readFileSync(file, 'utf8'));
        speed = parseSpeed(o.speed);
        until = o.until === undefined ? undefined : parseDuration(o.until, '--until');
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got "${o.seed}")`);
      } catch (e) {
        fail(`${file ?? o.replay ?? o.fromSnapshot}: ${e instanceof ScenarioError ? e.message : (e as Error).message}`);
      }
      const runs: SimulationReport[] = [];
      for (const cfg of configs) {
        if (cfg) console.log(`\n== ${cfg.name}`);
        const { report, wallMs, timersFired } = await simulate(scenario, {
          seed,
          until,
          speed,
          schedulerConfig: cfg,
          snapshot,
          replay,
          onServing: speed === 'max' ? undefined : (url) => console.error(`API server (virtual time) at ${url}`),
        });
        printRun(report, wallMs, timersFired);
        if (report.snapshot) console.error(`snapshot: ${report.snapshot.nodes} nodes, ${report.snapshot.created} objects created, ${report.snapshot.existing} existing, ${report.snapshot.skipped} skipped, ${report.snapshot.errors.length} failed`);
        for (const e of report.snapshot?.errors ?? []) console.error(`snapshot: ${e.object}: ${e.error}`);
        if (o.report) writeFileSync(outName(o.report, cfg?.name), JSON.stringify(report, null, 2) + '\n');
        if (o.csv) writeFileSync(outName(o.csv, cfg?.name), toCsv(report.intervals));
        if (o.plot) writeFileSync(outName(o.plot, cfg?.name), toSvg(report.intervals, `${report.scenario} (seed ${report.seed}${cfg ? `, ${cfg.name}` : ''})`));
        runs.push(report);
      }
      if (configs[0]) console.log(`\n${formatCompare(runs.map((r) => ({ name: r.schedulerConfig!, summary: r.summary, failed: failures(r) })))}`);
      process.exitCode = runs.some((r) => failures(r) > 0) ? 1 : 0;
    });
}
