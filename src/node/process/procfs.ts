// CPU and memory of a real process, read from Linux's /proc: utime+stime (clock ticks, 100 per
// second on Linux) from /proc/<pid>/stat and the resident set (VmRSS) from /proc/<pid>/status.
// Elsewhere (no /proc) the reading is undefined and the container shows no usage.
import { readFileSync } from 'node:fs';

const CLK_TCK = 100;

export interface ProcReading {
  /** Cumulative CPU time, nanoseconds. */
  cpuNanos: number;
  /** Resident set size, bytes. */
  rss: number;
}

/** utime + stime of a /proc/<pid>/stat line, in clock ticks (the command in parentheses may hold spaces). */
export function parseStatTicks(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** VmRSS of a /proc/<pid>/status text, bytes. */
export function parseRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const ticks = parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rss = parseRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (ticks === undefined || rss === undefined) return undefined;
    return { cpuNanos: (ticks * 1e9) / CLK_TCK, rss };
  } catch {
    return undefined;
  }
}
