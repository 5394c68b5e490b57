// metav1.Time and metav1.MicroTime on the wire: any RFC 3339 spelling is read (fractional seconds,
// `+00:00`, lower-case `t`/`z`), and written back the one way Kubernetes writes it — Time as
// second-precision UTC `2006-01-02T15:04:05Z`, MicroTime with six fractional digits
// `2006-01-02T15:04:05.000000Z`. A malformed value is the decoder's error, worded as Go words it.

export const TIME_LAYOUT = '2006-01-02T15:04:05Z07:00';
export const MICRO_TIME_LAYOUT = '2006-01-02T15:04:05.999999999Z07:00';

export interface ParsedTime {
  /** Milliseconds since the epoch (whole seconds; the fraction is in `fraction`). */
  secondsMs: number;
  /** Fractional-second digits as sent ('' when none). */
  fraction: string;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Parses RFC 3339; returns the error text Go's time.Parse gives otherwise. */
export function parseRfc3339(value: string, layout = TIME_LAYOUT): ParsedTime | { error: string } {
  const m = RFC3339.exec(value);
  if (!m) return { error: layoutError(value, layout) };
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const bad = (what: string) => ({ error: `parsing time ${JSON.stringify(value)}: ${what} out of range` });
  if (mo < 1 || mo > 12) return bad('month');
  if (d < 1 || d > daysIn(y, mo)) return bad('day');
  if (h > 23) return bad('hour');
  if (mi > 59) return bad('minute');
  if (s > 59) return bad('second');
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return bad('time zone offset');
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, 0);
  return { secondsMs: utc.getTime() - offsetMin * 60_000, fraction: m[7] ?? '' };
}

/** `parsing time "x" as "<layout>": cannot parse "<rest>" as "<element>"`, as Go reports it. */
function layoutError(value: string, layout: string): string {
  const steps: [string, RegExp][] = [
    ['2006', /^\d{4}/],
    ['-', /^-/],
    ['01', /^\d{2}/],
    ['-', /^-/],
    ['02', /^\d{2}/],
    ['T', /^[Tt]/],
    ['15', /^\d{2}/],
    [':', /^:/],
    ['04', /^\d{2}/],
    [':', /^:/],
    ['05', /^\d{2}(\.\d+)?/],
    ['Z07:00', /^([Zz]|[+-]\d{2}:\d{2})/],
  ];
  const head = `parsing time ${JSON.stringify(value)}`;
  let rest = value;
  for (const [element, re] of steps) {
    const m = re.exec(rest);
    if (!m) return `${head} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(element)}`;
    rest = rest.slice(m[0].length);
  }
  return `${head}: extra text: ${JSON.stringify(rest)}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
}

/** metav1.Time as Kubernetes writes it: UTC, whole seconds (the fraction is dropped). */
export function formatTime(d: Date = new Date()): string {
  return isoSeconds(Math.floor(d.getTime() / 1000) * 1000) + 'Z';
}

/**
 * formatTime of an epoch-milliseconds value, remembering the last two seconds formatted: on hot
 * paths (a node pool's status writes, a metrics scrape's samples and the list's own time) the
 * values share a few seconds.
 */
const recent: [number, string][] = [
  [NaN, ''],
  [NaN, ''],
];
export function formatTimeMs(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (recent[0][0] === sec) return recent[0][1];
  if (recent[1][0] === sec) return recent[1][1];
  const text = isoSeconds(sec * 1000) + 'Z';
  recent[1] = recent[0];
  recent[0] = [sec, text];
  return text;
}

/** metav1.MicroTime as Kubernetes writes it: UTC, six fractional digits. */
export function formatMicroTime(d: Date = new Date()): string {
  const ms = d.getTime();
  const whole = Math.floor(ms / 1000) * 1000;
  return `${isoSeconds(whole)}.${String((ms - whole) * 1000).padStart(6, '0')}Z`;
}

/** A value sent for a Time (micro=false) or MicroTime field, in its canonical spelling. */
export function canonicalTime(value: string, micro: boolean): string | { error: string } {
  if (alreadyCanonical(value, micro)) return value;
  const seen = micro ? canonicalMicro : canonicalSeconds;
  const known = seen.get(value);
  if (known !== undefined) return known;
  const p = parseRfc3339(value, micro ? MICRO_TIME_LAYOUT : TIME_LAYOUT);
  if ('error' in p) return p;
  const base = isoSeconds(p.secondsMs);
  const c = micro ? `${base}.${p.fraction.slice(0, 6).padEnd(6, '0')}Z` : `${base}Z`;
  // every write canonicalizes the times it carries (creationTimestamp, managedFields, conditions):
  // the same few strings again and again
  if (seen.size >= CANONICAL_CACHE_SIZE) seen.clear();
  seen.set(value, c);
  return c;
}

/**
 * True when value is already the one spelling Kubernetes writes (`2006-01-02T15:04:05Z`, or with
 * exactly six fractional digits for MicroTime) and names a real instant: canonicalTime answers it
 * unchanged without parsing. Renew times and conditions are new strings at every write, so the
 * cache below misses on them.
 */
function alreadyCanonical(v: string, micro: boolean): boolean {
  if (v.length !== (micro ? 27 : 20)) return false;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84) return false; // - - T
  if (v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || v.charCodeAt(v.length - 1) !== 90) return false; // : : Z
  if (micro && v.charCodeAt(19) !== 46) return false; // .
  const digits = micro ? DIGITS_MICRO : DIGITS;
  for (let i = 0; i < digits.length; i++) {
    const c = v.charCodeAt(digits[i]);
    if (c < 48 || c > 57) return false;
  }
  const year = two(v, 0) * 100 + two(v, 2);
  const month = two(v, 5);
  const day = two(v, 8);
  return month >= 1 && month <= 12 && day >= 1 && (day <= 28 || day <= daysIn(year, month)) && two(v, 11) <= 23 && two(v, 14) <= 59 && two(v, 17) <= 59;
}
/** The two digits at i and i+1 as a number (a top-level function: a closure per call costs an allocation and tsx's __name). */
const two = (v: string, i: number) => (v.charCodeAt(i) - 48) * 10 + v.charCodeAt(i + 1) - 48;
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DIGITS_MICRO = [...DIGITS, 20, 21, 22, 23, 24, 25];

/** Recently canonicalized Time and MicroTime spellings (valid ones only), emptied when full. */
const CANONICAL_CACHE_SIZE = 4096;
const canonicalSeconds = new Map<string, string>();
const canonicalMicro = new Map<string, string>();
