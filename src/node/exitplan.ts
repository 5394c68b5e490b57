// Exit plans: when and how a simulated container instance exits, decided from its pod's
// annotations (exit-after, exit-code, oom-after, liveness-fail-after), its memory pattern against its
// limit, or the command convention (`true`, `false`, `sleep 5`, `sh -c "sleep 2; exit 3"`). This is the
// simulated container runtime's knowledge; the step engine only reads the plan.
import { containerSpec, restartPolicy, timing, type ContainerSim, type ExitPlan, type PodSim } from './podsim.ts';
import type { Profile } from './profile.ts';
import { valueOrZero } from '../api/quantity.ts';
import { parseDurationMs } from './units.ts';
import { usageModel, type Pattern } from './usage.ts';

/**
 * When and how a container exits: `kubesim.io/exit-after[.<c>]` / `kubesim.io/exit-code[.<c>]`,
 * else the command convention (`true`, `false`, `sleep N`, `sh -c "sleep 2; exit 3"`), else an
 * init container exits 0 after initRunMs; else it runs until stopped.
 */
export function exitPlan(sim: PodSim, c: ContainerSim, profile: Profile): ExitPlan | undefined {
  const ann = sim.pod.metadata.annotations ?? {};
  const after = ann[`kubesim.io/exit-after.${c.name}`] ?? ann['kubesim.io/exit-after'];
  const codeStr = ann[`kubesim.io/exit-code.${c.name}`] ?? ann['kubesim.io/exit-code'];
  const code = codeStr !== undefined && /^\d+$/.test(codeStr) ? parseInt(codeStr, 10) : undefined;
  const afterMs = parseDurationMs(after);
  const oom = oomAfter(sim, c);
  if (oom !== undefined && (afterMs === undefined || oom < afterMs)) return { afterMs: oom, code: 137, reason: 'OOMKilled' };
  if (afterMs !== undefined) return { afterMs, code: code ?? 0 };
  const live = parseDurationMs(ann[`kubesim.io/liveness-fail-after.${c.name}`] ?? ann['kubesim.io/liveness-fail-after']);
  if (live !== undefined) return { afterMs: live, code: 137, liveness: true };
  if (code !== undefined) return { afterMs: timing(sim, c, 'commandRunMs', profile), code };
  const spec = containerSpec(sim.pod, c);
  const argv = [...(spec?.command ?? []), ...(spec?.args ?? [])];
  const fromCommand = commandExit(argv, timing(sim, c, 'commandRunMs', profile));
  if (fromCommand) return fromCommand;
  if (c.init && !c.sidecar) return { afterMs: timing(sim, c, 'initRunMs', profile), code: 0 };
  // A batch pod (restartPolicy Never/OnFailure) with an explicit command we can't read, e.g. a Job's
  // `perl -Mbignum=bpi -wle 'print bpi(2000)'`: it computes something and succeeds.
  if (!c.sidecar && restartPolicy(sim) !== 'Always' && argv.length && !longRunning(argv)) {
    return { afterMs: timing(sim, c, 'commandRunMs', profile), code: 0 };
  }
  return undefined;
}

function longRunning(argv: string[]): boolean {
  const text = argv.join(' ');
  return /sleep\s+inf|tail\s+-f|while\s+(true|:)|^\S*(sh|bash|ash)$|serve|server|daemon/.test(text);
}

/**
 * When the container is OOM-killed: `kubesim.io/oom-after[.<c>]`, or when its memory pattern
 * (ramp, sine, square, const) first reaches its memory limit.
 */
export function oomAfter(sim: PodSim, c: ContainerSim): number | undefined {
  const ann = sim.pod.metadata.annotations ?? {};
  const explicit = parseDurationMs(ann[`kubesim.io/oom-after.${c.name}`] ?? ann['kubesim.io/oom-after']);
  if (explicit !== undefined) return explicit;
  const spec = containerSpec(sim.pod, c);
  const limit = spec?.resources?.limits?.memory;
  if (!limit) return undefined;
  const m = usageModel(sim.pod, spec, `${sim.uid}/${c.name}`);
  return crossing(m.memory, valueOrZero(limit));
}

/** First time (ms from start) a pattern reaches `limit`, or undefined. Random walks never do. */
function crossing(p: Pattern, limit: number): number | undefined {
  switch (p.kind) {
    case 'const':
      return p.v >= limit ? 0 : undefined;
    case 'step':
      return p.from >= limit ? 0 : p.to >= limit ? p.atMs : undefined;
    case 'ramp':
      if (p.from >= limit) return 0;
      return p.to >= limit ? Math.ceil(((limit - p.from) / (p.to - p.from)) * p.durationMs) : undefined;
    case 'square':
      return p.low >= limit ? 0 : p.high >= limit ? p.periodMs / 2 : undefined;
    case 'sine': {
      if (p.max < limit) return undefined;
      const mid = (p.min + p.max) / 2;
      const amp = (p.max - p.min) / 2;
      if (amp === 0) return mid >= limit ? 0 : undefined;
      const x = Math.min(1, Math.max(-1, (limit - mid) / amp));
      return Math.max(0, Math.ceil((Math.asin(x) / (2 * Math.PI)) * p.periodMs));
    }
    default:
      return undefined;
  }
}

/** The command convention: a container whose command visibly terminates says when and how. */
export function commandExit(argv: string[], runMs: number): ExitPlan | undefined {
  if (!argv.length) return undefined;
  const base = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const prog = base(argv[0]);
  if ((prog === 'sh' || prog === 'bash' || prog === 'ash') && argv[1] === '-c' && argv.length >= 3) return scriptExit(argv[2], runMs);
  return scriptExit(argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ').replace(/^\S*\//, ''), runMs);
}

function scriptExit(script: string, runMs: number): ExitPlan | undefined {
  const parts = script
    .split(/;|&&|\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return undefined;
  let ms = 0;
  let slept = false;
  let code = 0;
  for (const p of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^exit(?:\s+(\d+))?$/.exec(p))) return { afterMs: slept ? ms : runMs, code: m[1] ? parseInt(m[1], 10) : code };
    if ((m = /^sleep\s+(\d+(?:\.\d+)?[smh]?)$/.exec(p))) {
      ms += parseDurationMs(/[smh]$/.test(m[1]) ? m[1] : `${m[1]}s`) ?? 0;
      slept = true;
    } else if (p === 'true' || p === ':') code = 0;
    else if (p === 'false') {
      code = 1;
      break; // `false && ...` stops; `false; ...` we treat the same (simple model)
    } else if (/^echo(\s|$)/.test(p) || /^printf(\s|$)/.test(p) || /^date$/.test(p)) code = 0;
    else return undefined; // something we don't model: runs until stopped
  }
  return { afterMs: slept ? ms : runMs, code };
}
