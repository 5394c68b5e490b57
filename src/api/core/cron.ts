// CronJob schedules (robfig/cron ParseStandard as Kubernetes uses it): five fields or a
// descriptor (@yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly, @every <duration>),
// day-of-month and day-of-week OR-ed as in Vixie cron, evaluated in an IANA time zone (default UTC,
// as the kube-controller-manager runs). The calendar arithmetic is the `croner` library's.
import { Cron } from 'croner';

export interface Schedule {
  /** The first schedule time strictly after `afterMs`, or undefined if there is none. */
  next(afterMs: number): number | undefined;
  /** The latest schedule time at or before `atMs`, or undefined (also for @every, which has no fixed times). */
  previous(atMs: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Go's time.LoadLocation error for a bad name: "unknown time zone X". */
export function timeZoneError(tz: string): string | undefined {
  if (tz === '' || tz === 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone ${tz}`;
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (positive values), in ms; undefined when malformed. */
export function parseGoDuration(d: string): number | undefined {
  if (d === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let ms = 0;
  let i = 0;
  while (i < d.length) {
    re.lastIndex = i;
    const m = re.exec(d);
    if (!m) return undefined;
    ms += Number(m[1]) * UNIT_MS[m[2]];
    i = re.lastIndex;
  }
  return i > 0 ? ms : undefined;
}

/** The five fields a schedule stands for, an @every interval (ms), or robfig's parse error text. */
export function scheduleFields(schedule: string): { fields: string } | { everyMs: number } | { error: string } {
  // robfig/cron reads a leading TZ=/CRON_TZ= zone (validation forbids it; the zone goes in spec.timeZone).
  const s = schedule.trim().replace(/^(CRON_)?TZ=\S+\s*/, '');
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const d = s.slice('@every '.length);
      const ms = parseGoDuration(d);
      if (ms === undefined) return { error: `failed to parse duration ${s}: time: invalid duration "${d}"` };
      // cron.Every: at least a second, whole seconds.
      return { everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000) };
    }
    const f = DESCRIPTORS[s];
    return f ? { fields: f } : { error: `unrecognized descriptor: ${s}` };
  }
  const parts = s.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) return { error: `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]` };
  return { fields: parts.join(' ') };
}

/** Parses a schedule in a time zone; returns the schedule or the parse error text. */
export function parseSchedule(schedule: string, timeZone?: string): Schedule | { error: string } {
  const f = scheduleFields(schedule);
  if ('error' in f) return f;
  const tzErr = timeZone ? timeZoneError(timeZone) : undefined;
  if (tzErr) return { error: tzErr };
  if ('everyMs' in f) {
    // ConstantDelaySchedule: the next time is `every` after the given one (at whole seconds).
    const every = f.everyMs;
    return { next: (after) => Math.floor(after / 1000) * 1000 + every, previous: () => undefined };
  }
  let cron: Cron;
  try {
    cron = new Cron(f.fields, { paused: true, mode: '5-part', domAndDow: false, timezone: timeZone || 'UTC' });
  } catch (e) {
    return { error: String((e as Error).message ?? e).replace(/^CronPattern: /, '') };
  }
  return {
    next: (after) => cron.nextRun(new Date(after))?.getTime() ?? undefined,
    previous: (at) => cron.previousRuns(1, new Date(at + 1))[0]?.getTime(),
  };
}

export const isScheduleError = (s: Schedule | { error: string }): s is { error: string } => 'error' in s;

/** A time as RFC 3339 in a zone (Go's t.In(loc).Format(time.RFC3339)): 2026-01-01T09:00:00+01:00. */
export function formatInZone(ms: number, timeZone?: string): string {
  const tz = timeZone || 'UTC';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
  const off = offMin === 0 ? 'Z' : `${offMin < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offMin) / 60)).padStart(2, '0')}:${String(Math.abs(offMin) % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}
