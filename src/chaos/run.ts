// Runs a scenario against a cluster through the client: a recorder workload of compare-and-set
// writes on fresh ConfigMaps, watchers that resume on their own, Deployments rolling out, a record
// of the kube-system Leases, and timed faults (./faults.ts, on ./targets.ts); then reads the final
// state and the store's event order (a fresh watch from the start) and runs the checkers: lost
// writes, linearizability, watch invariants, leader safety, convergence.
// Bounded: at most `operations` writes and `durationSeconds`, then everything stops.
import { StatusError } from '../api/errors.ts';
import type { KubeObject, Status } from '../api/types.ts';
import type { Client, ResourceClient } from '../client/index.ts';
import { HistoryRecorder, rv, type ReferenceEvent, type WatcherHistory } from './history.ts';
import { checkLinearizability, type LinearizabilityReport } from './linearizability.ts';
import { checkLostWrites, type FinalState, type LostWritesReport } from './lost-writes.ts';
import type { Scenario } from './scenario.ts';
import { checkWatches, watchViolations, type WatchReport } from './watch.ts';
import { faultImpact, scheduleFaults, type FaultRecord } from './faults.ts';
import { missingTarget, type CapturedHistory, type ChaosTargets } from './targets.ts';
import { checkLeaderSafety, type LeaderReport } from './leader.ts';
import { recordLeases, waitForLeaders } from './leases.ts';
import { convergenceViolations, deploymentWorkload, type ConvergenceReport } from './workload.ts';

export { PARTITION_ANNOTATION, type FaultRecord } from './faults.ts';
export const RUN_LABEL = 'kubesim.io/chaos-run';
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
/** Where the store keeps ConfigMaps (the etcd layout of Kubernetes): `<prefix><namespace>/<name>`. */
const CONFIGMAP_KEYS = '/registry/core/configmaps/';
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

export interface ChaosReport {
  runId: string;
  durationMs: number;
  faults: FaultRecord[];
  operations: { total: number; ok: number; fail: number; unknown: number };
  lostWrites: LostWritesReport;
  linearizability: Omit<LinearizabilityReport, 'details'> & { failing: LinearizabilityReport['details'] };
  /** Skipped (with why) when the store's event order could not be read back. */
  watch: WatchReport | { skipped: string };
  leaders: LeaderReport;
  convergence: ConvergenceReport;
  violations: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const statusOf = (e: unknown): number | undefined => (e instanceof StatusError ? e.code : undefined);

export interface RunOptions {
  runId?: string;
  now?: () => number;
  /** What the faults act on besides the API (processes, proxies, the store). */
  targets?: ChaosTargets;
}

export async function runScenario(client: Client, s: Scenario, opts: RunOptions = {}): Promise<ChaosReport> {
  const targets = opts.targets ?? {};
  s.faults.forEach((f, i) => {
    const why = missingTarget(f, targets);
    if (why) throw new Error(`faults[${i}]: ${why}`);
  });
  const now = opts.now ?? (() => performance.now());
  const runId = opts.runId ?? Date.now().toString(36);
  const t0 = now();
  const rec = new HistoryRecorder(() => now() - t0);
  const cms = client.resource(CONFIGMAPS).inNamespace(s.namespace);
  const selector = `${RUN_LABEL}=${runId}`;
  const names = Array.from({ length: s.objects }, (_, i) => `chaos-${runId}-${i}`);
  const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  const valueOf = (o: KubeObject) => (o.data as Record<string, string> | undefined)?.v;
  const deadline = t0 + s.durationSeconds * 1000;

  const leases = recordLeases(client);
  const workload = deploymentWorkload(client, s.namespace, runId, s.deployments, s.replicas, RUN_LABEL);
  await workload.create();
  const start = await cms.list({ labelSelector: selector });
  const from = start.metadata?.resourceVersion ?? '0';
  // Across an API server restart the store's order is read from the data dir while it is down.
  const captured = targets.captureHistory?.(`${CONFIGMAP_KEYS}${s.namespace}/chaos-${runId}-`, rv(from));
  let stopping = false;
  const watchers = Array.from({ length: s.watchers }, (_, i) => watchLoop(cms, rec.watcher(`watcher-${i}`, `${s.namespace}/`), from, selector, 3 + i, rec, () => stopping));

  for (const name of names) {
    const value = `setup-${name}`;
    const op = rec.invoke('setup', `${s.namespace}/${name}`, 'create', { value });
    try {
      const o = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { [RUN_LABEL]: runId } }, data: { v: value } });
      rec.done(op, 201, { resourceVersion: o.metadata?.resourceVersion });
    } catch (e) {
      rec.done(op, statusOf(e));
    }
  }

  const faults = scheduleFaults(client.resource(NODES), s.faults, targets, () => now() - t0);
  const rollout = s.rolloutAtSeconds === undefined ? Promise.resolve() : sleep(Math.max(0, t0 + s.rolloutAtSeconds * 1000 - now())).then(() => workload.rollout());
  let issued = 0;
  const writer = async (c: number) => {
    for (let n = 0; issued < s.operations && now() < deadline; n++) {
      const round = issued++;
      if (s.operationsPerSecond > 0) await sleep(Math.max(0, t0 + (round * 1000) / s.operationsPerSecond - now()));
      const name = names[(c + n) % names.length];
      const key = `${s.namespace}/${name}`;
      const read = rec.invoke(`client-${c}`, key, 'read');
      let cur: KubeObject;
      try {
        cur = await cms.get(name);
        rec.done(read, 200, { read: valueOf(cur), resourceVersion: cur.metadata?.resourceVersion });
      } catch (e) {
        rec.done(read, statusOf(e));
        await sleep(50);
        continue;
      }
      const value = `client-${c}-${n}`;
      const cas = rec.invoke(`client-${c}`, key, 'cas', { value, expected: valueOf(cur) });
      try {
        const o = await cms.update({ ...cur, data: { v: value } });
        rec.done(cas, 200, { resourceVersion: o.metadata?.resourceVersion });
      } catch (e) {
        rec.done(cas, statusOf(e));
      }
    }
  };
  await Promise.all(Array.from({ length: s.clients }, (_, c) => writer(c)));
  // Faults still to come happen as scheduled (their end is within durationSeconds), then all heal.
  const lastFaultEnd = Math.max(0, ...s.faults.map((f) => (f.atSeconds + f.forSeconds) * 1000));
  if (now() - t0 < lastFaultEnd) await sleep(lastFaultEnd - (now() - t0) + 50);
  await faults.stop();
  await rollout;
  const healed = performance.now();
  const healedWall = Date.now();
  if (s.deployments > 0) await workload.converge(s.convergenceSeconds * 1000, healed);
  // Every leader Lease has a live holder again (a restarted component took over), then a second more of renewals.
  const leadersBack = await waitForLeaders(client, healedWall, Math.max(0, s.convergenceSeconds * 1000 - (performance.now() - healed)));
  await sleep(1000);
  await leases.stop();

  const end = await cms.list({ labelSelector: selector });
  const final: FinalState = new Map(end.items.map((o) => [keyOf(o), { value: valueOf(o), resourceVersion: o.metadata?.resourceVersion ?? '' }]));
  const lastRv = Math.max(0, ...end.items.map((o) => rv(o.metadata?.resourceVersion)));
  const reference = await referenceOrder(cms, from, selector, lastRv, keyOf, captured?.());
  // Give the watchers a few seconds to see the last write, then stop them.
  const caughtUp = (w: WatcherHistory) => w.sessions.some((x) => x.events.some((e) => rv(e.resourceVersion) >= lastRv));
  for (let i = 0; i < 50 && !rec.watchers.every(caughtUp); i++) await sleep(100);
  for (const w of rec.watchers) w.caughtUp = true;
  stopping = true;
  await Promise.all(watchers.map((w) => w.stop()));

  const ops = rec.operations;
  const lostWrites = checkLostWrites(ops, final);
  const lin = checkLinearizability(ops);
  const watch = typeof reference === 'string' ? { skipped: reference } : checkWatches(reference, rec.watchers);
  const { details, ...linCounts } = lin;
  const leaders: LeaderReport = { ...checkLeaderSafety(leases.records), noLeader: leadersBack.missing, recoveredAfterMs: leadersBack.afterMs };
  const convergence = workload.report;
  await workload.cleanup();
  return {
    runId,
    durationMs: Math.round(now() - t0),
    faults: faults.records.map((f) => ({ ...f, ...faultImpact(f, ops, faults.records) })),
    operations: { total: ops.length, ok: ops.filter((o) => o.outcome === 'ok').length, fail: ops.filter((o) => o.outcome === 'fail').length, unknown: ops.filter((o) => o.outcome === 'unknown').length },
    lostWrites,
    linearizability: { ...linCounts, failing: details.filter((d) => d.verdict !== 'linearizable') },
    watch,
    leaders,
    convergence,
    violations: lostWrites.lost + lin.violations + ('skipped' in watch ? 0 : watchViolations(watch)) + leaders.violations.length + leadersBack.missing.length + convergenceViolations(convergence),
  };
}

/** One watcher: watch, resume from the last version seen when the stream ends, relist after 410. */
function watchLoop(cms: ResourceClient, w: WatcherHistory, from: string, labelSelector: string, timeoutSeconds: number, rec: HistoryRecorder, stopping: () => boolean) {
  let stream: { close(): void } | undefined;
  const done = (async () => {
    while (!stopping()) {
      const sess = rec.session(w, from);
      try {
        const st = await cms.watch({ labelSelector, resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds });
        stream = st;
        if (stopping()) st.close();
        for await (const ev of st) {
          if (ev.type === 'ERROR') {
            if ((ev.object as Status).code === 410) sess.end = 'gone';
            break;
          }
          const o = ev.object as KubeObject;
          const v = o.metadata?.resourceVersion ?? '';
          rec.event(sess, ev.type, ev.type === 'BOOKMARK' ? '' : `${o.metadata?.namespace}/${o.metadata?.name}`, v);
          from = v;
        }
      } catch (e) {
        if (statusOf(e) === 410) sess.end = 'gone';
        else await sleep(200);
      }
      if (sess.end === 'gone') {
        // As a reflector: list, then watch from the list's resourceVersion (the check compares the list with the store).
        const list = await cms.list({ labelSelector }).catch(() => undefined);
        if (list?.metadata?.resourceVersion) {
          from = list.metadata.resourceVersion;
          rec.relisted(sess, { resourceVersion: from, items: list.items.map((o) => ({ key: `${o.metadata?.namespace}/${o.metadata?.name}`, resourceVersion: o.metadata?.resourceVersion ?? '' })) });
        }
      } else sess.end = 'closed';
    }
  })();
  return {
    stop: async () => {
      stream?.close();
      await done;
    },
  };
}

/**
 * The store's order of this run's events: what was read from the data dir while the API server was
 * down (restarts), then a fresh watch from there (from the start without restarts) until the last write.
 */
async function referenceOrder(cms: ResourceClient, from: string, labelSelector: string, lastRv: number, keyOf: (o: KubeObject) => string, captured?: CapturedHistory): Promise<ReferenceEvent[] | string> {
  if (captured?.error) return `reading the event order back from the data dir: ${captured.error}`;
  if (captured?.revision === undefined) return readReference(cms, from, labelSelector, lastRv, keyOf);
  const earlier: ReferenceEvent[] = captured.events.map((e) => ({ type: e.type, key: e.key.slice(CONFIGMAP_KEYS.length), resourceVersion: String(e.revision) }));
  const later = await readReference(cms, String(captured.revision), labelSelector, lastRv, keyOf);
  return typeof later === 'string' ? later : [...earlier, ...later];
}

/** The store's order of this run's events: a fresh watch from the start until the last write. */
async function readReference(cms: ResourceClient, from: string, labelSelector: string, lastRv: number, keyOf: (o: KubeObject) => string): Promise<ReferenceEvent[] | string> {
  const events: ReferenceEvent[] = [];
  if (lastRv <= rv(from)) return events;
  try {
    const st = await cms.watch({ labelSelector, resourceVersion: from, timeoutSeconds: 10 });
    for await (const ev of st) {
      if (ev.type === 'ERROR') return `reading the event order back: ${(ev.object as Status).message}`;
      if (ev.type === 'BOOKMARK') continue;
      const o = ev.object as KubeObject;
      events.push({ type: ev.type, key: keyOf(o), resourceVersion: o.metadata?.resourceVersion ?? '' });
      if (rv(o.metadata?.resourceVersion) >= lastRv) {
        st.close();
        return events;
      }
    }
    return 'reading the event order back: the watch ended before the last write';
  } catch (e) {
    return `reading the event order back: ${(e as Error).message}`;
  }
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const secs = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

/** The report as a table for the terminal. */
export function formatReport(r: ChaosReport): string {
  const lines = [`chaos run ${r.runId}: ${secs(r.durationMs)}, ${r.operations.total} requests (${r.operations.ok} ok, ${r.operations.fail} refused, ${r.operations.unknown} unknown)`, ''];
  const w0 = Math.max(36, ...r.faults.map((f) => f.fault.length + 2));
  lines.push(`${pad('FAULT', w0)}${pad('AT', 8)}${pad('HEALED', 8)}${pad('DETECT', 8)}${pad('RECOVER', 9)}ERROR`);
  for (const f of r.faults) lines.push(`${pad(f.fault, w0)}${pad(secs(f.at), 8)}${pad(secs(f.healedAt), 8)}${pad(secs(f.detectedAfterMs), 8)}${pad(secs(f.recoveredAfterMs), 9)}${f.error ?? ''}`);
  if (r.faults.length === 0) lines.push('(none)');
  const lw = r.lostWrites;
  const lin = r.linearizability;
  lines.push('', `${pad('CHECK', 22)}${pad('VIOLATIONS', 12)}DETAIL`);
  lines.push(`${pad('acknowledged writes', 22)}${pad(lw.lost, 12)}${lw.acknowledged} acknowledged: ${lw.visible} visible, ${lw.superseded} superseded, ${lw.supersededByUnknown} superseded by unknown outcomes, ${lw.lost} lost`);
  lines.push(`${pad('linearizability', 22)}${pad(lin.violations, 12)}${lin.objects} objects: ${lin.linearizable} linearizable, ${lin.violations} not, ${lin.unknown} unknown (search budget)`);
  const w = r.watch;
  if ('skipped' in w) lines.push(`${pad('watch', 22)}${pad('-', 12)}skipped: ${w.skipped}`);
  else
    lines.push(
      `${pad('watch', 22)}${pad(watchViolations(w), 12)}${w.watchers} watchers, ${w.sessions} sessions, ${w.delivered} events: ${w.dropped} dropped, ${w.duplicated} duplicated, ${w.wentBack} went back, ${w.badResumes} bad resumes, ${w.unknownEvents} unknown, ${w.gone} 410s, ${w.badRelists} bad relists`,
    );
  const ld = r.leaders;
  lines.push(`${pad('leader safety', 22)}${pad(ld.violations.length + (ld.noLeader?.length ?? 0), 12)}${ld.leases} leases, ${ld.records} versions, ${ld.holders} holders, ${ld.transitions} changes of holder, ${ld.violations.length} overlapping terms; ${ld.noLeader?.length ? `no leader: ${ld.noLeader.join(', ')}` : `leaders live ${secs(ld.recoveredAfterMs)} after the last fault`}`);
  const c = r.convergence;
  if (c.deployments === 0) lines.push(`${pad('convergence', 22)}${pad('-', 12)}no Deployments in the scenario`);
  else
    lines.push(
      `${pad('convergence', 22)}${pad(convergenceViolations(c), 12)}${c.converged}/${c.deployments} Deployments ready${c.convergedAfterMs === undefined ? ' (deadline passed)' : ` ${secs(c.convergedAfterMs)} after the last fault`}${c.rolledOut ? ', rolled out' : ''}, ${c.orphanedPods} orphaned pods`,
    );
  for (const v of [...ld.violations.map((v) => `leader: ${v.detail}`), ...c.pending.map((p) => `not converged: ${p}`), ...c.errors.map((e) => `workload: ${e}`), ...lw.violations.map((v) => `lost: op ${v.op} ${v.key}: ${v.reason}`), ...lin.failing.map((d) => `linearizability: ${d.key} ${d.verdict}`), ...('skipped' in w ? [] : w.violations)].slice(0, 20)) lines.push(`  ${v}`);
  lines.push('', r.violations === 0 ? 'OK: no violations' : `FAIL: ${r.violations} violations`);
  return lines.join('\n');
}
