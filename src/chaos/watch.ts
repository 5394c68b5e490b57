// Check (c): watch invariants across reconnects, against the store's final revision order.
// Per watcher: every event of its keys after a session's `from` is delivered, in order, once
// (dropped / duplicated / unknown counted); resourceVersions never go back; a resumed session asks
// for exactly the last resourceVersion the watcher saw (events or bookmarks) — unless the previous
// session ended with 410 Gone, after which the client relists and may start anywhere.
import { rv, type ReferenceEvent, type WatcherHistory } from './history.ts';

export interface WatchReport {
  watchers: number;
  sessions: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** An event with a lower resourceVersion after a higher one (not a duplicate). */
  wentBack: number;
  /** A resumed session that did not start exactly after the last version seen. */
  badResumes: number;
  /** Events the reference does not have (phantoms, or a wrong key or type at that resourceVersion). */
  unknownEvents: number;
  /** Sessions that ended with 410 Gone (legitimate; counted for the report). */
  gone: number;
  violations: string[];
}

const MAX_DETAILS = 50;

export function checkWatches(reference: readonly ReferenceEvent[], watchers: readonly WatcherHistory[]): WatchReport {
  const r: WatchReport = { watchers: watchers.length, sessions: 0, delivered: 0, dropped: 0, duplicated: 0, wentBack: 0, badResumes: 0, unknownEvents: 0, gone: 0, violations: [] };
  const note = (msg: string) => {
    if (r.violations.length < MAX_DETAILS) r.violations.push(msg);
  };
  const ordered = [...reference].sort((a, b) => rv(a.resourceVersion) - rv(b.resourceVersion));
  for (const w of watchers) {
    const mine = ordered.filter((e) => e.key.startsWith(w.prefix));
    const seen = new Set<number>();
    let last = NaN;
    let pointer = 0;
    w.sessions.forEach((s, k) => {
      r.sessions++;
      const from = rv(s.from);
      const prev = w.sessions[k - 1];
      if (prev && prev.end !== 'gone' && !Number.isNaN(last) && from !== last) {
        r.badResumes++;
        note(`${w.name} session ${k}: resumed from ${s.from || '(none)'}, last seen ${last}`);
      }
      // Where this session's expected events start: after `from`, or at its first event when it asked for none.
      pointer = Number.isNaN(from) || from === 0 ? -1 : firstAfter(mine, from);
      for (const e of s.events) {
        const v = rv(e.resourceVersion);
        if (e.type === 'BOOKMARK') {
          if (v < last) {
            r.wentBack++;
            note(`${w.name} session ${k}: BOOKMARK ${v} after ${last}`);
          } else last = v;
          continue;
        }
        if (seen.has(v)) {
          r.duplicated++;
          note(`${w.name} session ${k}: ${e.type} ${e.key} at ${v} delivered again`);
          continue;
        }
        if (v < last) {
          r.wentBack++;
          note(`${w.name} session ${k}: ${e.type} ${e.key} at ${v} after ${last}`);
          continue;
        }
        const j = mine.findIndex((m, i) => i >= Math.max(pointer, 0) && rv(m.resourceVersion) === v);
        if (j < 0 || mine[j].key !== e.key || mine[j].type !== e.type) {
          r.unknownEvents++;
          note(`${w.name} session ${k}: ${e.type} ${e.key} at ${v} is not in the store's history`);
          continue;
        }
        if (pointer >= 0 && j > pointer) dropped(mine.slice(pointer, j), seen, `${w.name} session ${k}`);
        pointer = j + 1;
        seen.add(v);
        last = v;
        r.delivered++;
      }
      if (s.end === 'gone') r.gone++;
    });
    const lastSession = w.sessions.at(-1);
    if (w.caughtUp && lastSession && lastSession.end !== 'gone') {
      const start = pointer >= 0 ? pointer : Number.isNaN(last) ? mine.length : firstAfter(mine, last);
      if (start < mine.length) dropped(mine.slice(start), seen, `${w.name} (caught up)`);
    }
  }
  // Missed = not delivered in this stretch, nor earlier (a replay after a bad resume is counted as that).
  function dropped(stretch: readonly ReferenceEvent[], seen: Set<number>, where: string): void {
    const missed = stretch.filter((m) => !seen.has(rv(m.resourceVersion)));
    r.dropped += missed.length;
    for (const m of missed) note(`${where}: missed ${m.type} ${m.key} at ${m.resourceVersion}`);
  }
  return r;
}

function firstAfter(events: readonly ReferenceEvent[], revision: number): number {
  const i = events.findIndex((e) => rv(e.resourceVersion) > revision);
  return i < 0 ? events.length : i;
}

/** Total violations of a watch report (gone is not one). */
export function watchViolations(r: WatchReport): number {
  return r.dropped + r.duplicated + r.wentBack + r.badResumes + r.unknownEvents;
}
