// Small unit helpers for the node agent (quantities are api/quantity.ts's; durations as written in
// annotations are api/duration.ts's parseDurationMs, hashes api/core/hash.ts's): Go's
// time.Duration String() format used in kubelet event messages ("1.2s", "850ms", "1m2.5s"), RFC 3339.
import { hash32 } from '../api/core/hash.ts';

export { hash32 } from '../api/core/hash.ts';
export { parseDurationMs } from '../api/duration.ts';

/** Go's time.Duration.String() for a millisecond duration (truncated to ms). */
export function goDuration(ms: number): string {
  ms = Math.trunc(ms);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  const secStr = `${trimZeros(sec.toFixed(3))}s`;
  if (h) return `${h}h${m}m${secStr}`;
  if (m) return `${m}m${secStr}`;
  return secStr;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** RFC 3339 with second precision, as metav1.Time serializes (src/api/time.ts). */
export { formatTimeMs as rfc3339 } from '../api/time.ts';

/** RFC 3339 with nanosecond-style precision, for log timestamps (kubelet's timestamps=true). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // ...HH:MM:SS.mmmZ
  return iso.replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** A hex digest of length n built from hash32 rounds (ids look like runtime ids; not cryptographic). */
export function hexId(seed: string, n = 64): string {
  let out = '';
  for (let i = 0; out.length < n; i++) out += hash32(`${i}:${seed}`).toString(16).padStart(8, '0');
  return out.slice(0, n);
}
