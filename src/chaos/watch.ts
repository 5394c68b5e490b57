// Check (c): watch invariants across reconnects, against the store's final revision order.
// Per watcher: every event of its keys after a session's `from` is delivered, in order, once
// (dropped / duplicated / unknown counted); resourceVersions never go back; a resumed session asks
// for exactly the last resourceVersion the watcher saw (events or bookmarks) — unless the previous
// session ended with 410 Gone, after which the client relists (as a reflector does) and watches
// from the list's resourceVersion: that list must hold exactly the store's state at its revision
// (bad relist otherwise), must not be older than what the watcher saw (went back), and the next
// session must start from it (bad resume). This is what checks a watcher across an API server
// restart, whose new watch cache answers 410 to a resume from before it started.
import { rv, type ReferenceEvent, type Relist, type WatcherHistory } from './history.ts';

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
  /** Lists after a 410 whose objects (key and resourceVersion) differ from the store's state at their revision. */
  badRelists: number;
  violations: string[];
}

const MAX_DETAILS = 50;

export function checkWatches(reference: readonly ReferenceEvent[], watchers: readonly WatcherHistory[]): WatchReport {
  const r: WatchReport = { watchers: watchers.length, sessions: 0, delivered: 0, dropped: 0, duplicated: 0, wentBack: 0, badResumes: 0, unknownEvents: 0, gone: 0, badRelists: 0, violations: [] };
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
      if (prev?.end === 'gone' && prev.relist && from !== rv(prev.relist.resourceVersion)) {
        r.badResumes++;
        note(`${w.name} session ${k}: watched from ${s.from || '(none)'} after a relist at ${prev.relist.resourceVersion}`);
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
      if (s.end === 'gone' && s.relist) {
        const at = rv(s.relist.resourceVersion);
        if (at < last) {
          r.wentBack++;
          note(`${w.name} session ${k}: relisted at ${at} after ${last}`);
        }
        for (const d of relistDiffs(mine, w.prefix, s.relist)) {
          r.badRelists++;
          note(`${w.name} session ${k}: relist at ${at}: ${d}`);
        }
        if (!(at < last)) last = at;
      }
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

/** How a relist differs from the store's state at its revision (the reference replayed up to it). */
export function relistDiffs(reference: readonly ReferenceEvent[], prefix: string, relist: Relist): string[] {
  const at = rv(relist.resourceVersion);
  const state = new Map<string, string>();
  for (const e of reference) {
    if (rv(e.resourceVersion) > at) break;
    if (e.type === 'DELETED') state.delete(e.key);
    else state.set(e.key, e.resourceVersion);
  }
  const listed = new Map(relist.items.filter((i) => i.key.startsWith(prefix)).map((i) => [i.key, i.resourceVersion]));
  const diffs: string[] = [];
  for (const [key, v] of listed) if (state.get(key) !== v) diffs.push(`${key} at ${v}, the store had ${state.get(key) ?? 'nothing'}`);
  for (const [key, v] of state) if (!listed.has(key)) diffs.push(`${key} missing, the store had it at ${v}`);
  return diffs;
}

function firstAfter(events: readonly ReferenceEvent[], revision: number): number {
  const i = events.findIndex((e) => rv(e.resourceVersion) > revision);
  return i < 0 ? events.length : i;
}

/** Total violations of a watch report (gone is not one). */
export function watchViolations(r: WatchReport): number {
  return r.dropped + r.duplicated + r.wentBack + r.badResumes + r.unknownEvents + r.badRelists;
}
