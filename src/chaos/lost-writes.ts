// Check (a): no acknowledged write lost. Every 2xx create/update/cas must be visible in the final
// state, or superseded by a later write of the same object: an acknowledged one (a write or delete
// with a higher resourceVersion), or one whose outcome the client never learnt (it may have won).
import { rv, type Operation } from './history.ts';

/** The objects read after the run: key → value and resourceVersion (absent = not found). */
export type FinalState = Map<string, { value?: string; resourceVersion: string }>;

export interface LostWrite {
  op: number;
  key: string;
  resourceVersion?: string;
  reason: string;
}

export interface LostWritesReport {
  acknowledged: number;
  visible: number;
  superseded: number;
  /** Superseded only by writes whose outcome is unknown (they must have taken effect). */
  supersededByUnknown: number;
  lost: number;
  violations: LostWrite[];
}

const WRITES = new Set(['create', 'update', 'cas']);

export function checkLostWrites(operations: readonly Operation[], final: FinalState): LostWritesReport {
  const report: LostWritesReport = { acknowledged: 0, visible: 0, superseded: 0, supersededByUnknown: 0, lost: 0, violations: [] };
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    if (op.kind === 'read') continue;
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  for (const [key, ops] of byKey) {
    const now = final.get(key);
    for (const w of ops) {
      if (!WRITES.has(w.kind) || w.outcome !== 'ok') continue;
      report.acknowledged++;
      const mine = rv(w.resourceVersion);
      if (now && (now.resourceVersion === w.resourceVersion || (Number.isNaN(mine) && now.value === w.value))) {
        if (now.value !== undefined && w.value !== undefined && now.value !== w.value) {
          report.lost++;
          report.violations.push({ op: w.id, key, resourceVersion: w.resourceVersion, reason: `visible at its resourceVersion with value ${JSON.stringify(now.value)}, wrote ${JSON.stringify(w.value)}` });
        } else report.visible++;
        continue;
      }
      const later = ops.filter((o) => o !== w && o.kind !== 'read' && (o.outcome === 'ok' ? rv(o.resourceVersion) > mine : o.outcome === 'unknown'));
      if (later.some((o) => o.outcome === 'ok')) {
        report.superseded++;
        continue;
      }
      // Only writes of unknown outcome can explain it: the final state must be newer than this write.
      const newer = now ? rv(now.resourceVersion) > mine : later.some((o) => o.kind === 'delete');
      if (later.length > 0 && newer) {
        report.supersededByUnknown++;
        continue;
      }
      report.lost++;
      report.violations.push({
        op: w.id,
        key,
        resourceVersion: w.resourceVersion,
        reason: now ? `final state is resourceVersion ${now.resourceVersion}, and no later write explains it` : 'object is gone, and no delete explains it',
      });
    }
  }
  return report;
}
