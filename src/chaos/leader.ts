// Leader safety from a recorded Lease history: no two holders of a Lease's leadership at
// overlapping times. A holder's term runs from its acquireTime until its last renewTime plus
// leaseDurationSeconds; a candidate may only take the Lease over once that has passed (client-go's
// leader election waits leaseDuration from when it last saw the record change, so the new holder's
// acquireTime is at or after the old holder's last renewTime + leaseDuration). A holder that
// released the Lease (holderIdentity empty) ended its term then. Times are the holders' own
// clocks (MicroTime in the record): skew between holders shows up here as an overlap.

/** One version of a Lease as a watcher saw it. */
export interface LeaseRecord {
  /** namespace/name */
  lease: string;
  resourceVersion: string;
  holder: string;
  acquireTime?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

export interface LeaderViolation {
  lease: string;
  previous: string;
  next: string;
  /** How long the terms overlap (ms). */
  overlapMs: number;
  detail: string;
}

export interface LeaderReport {
  leases: number;
  /** Versions looked at. */
  records: number;
  /** Changes of holder (releases not counted). */
  transitions: number;
  /** Distinct identities that held a Lease. */
  holders: number;
  violations: LeaderViolation[];
  /** Leader Leases with no live holder by the deadline after the last fault (a liveness violation each). */
  noLeader?: string[];
  /** ms from the last fault's end until every leader Lease had a live holder. */
  recoveredAfterMs?: number;
}

const t = (s?: string) => (s ? Date.parse(s) : NaN);

/** Pure: the records in the order the store wrote them (by resourceVersion per Lease). */
export function checkLeaderSafety(records: readonly LeaseRecord[], toleranceMs = 0): LeaderReport {
  const byLease = new Map<string, LeaseRecord[]>();
  for (const r of records) byLease.set(r.lease, [...(byLease.get(r.lease) ?? []), r]);
  const report: LeaderReport = { leases: byLease.size, records: records.length, transitions: 0, holders: new Set(records.filter((r) => r.holder).map((r) => `${r.lease} ${r.holder}`)).size, violations: [] };
  for (const [lease, list] of byLease) {
    // Deduplicated (several watchers, resumed watches) and in the store's order.
    const seen = new Map(list.map((r) => [r.resourceVersion, r]));
    const ordered = [...seen.values()].sort((a, b) => Number(a.resourceVersion) - Number(b.resourceVersion));
    let term: { holder: string; lastRenew: number; duration: number } | undefined;
    for (const r of ordered) {
      if (!r.holder) {
        term = undefined; // released
        continue;
      }
      const renew = t(r.renewTime);
      if (term && term.holder === r.holder) {
        if (Number.isFinite(renew)) term.lastRenew = Math.max(term.lastRenew, renew);
        term.duration = r.leaseDurationSeconds ?? term.duration;
        continue;
      }
      if (term) {
        report.transitions++;
        const expiry = term.lastRenew + term.duration * 1000;
        const acquired = Number.isFinite(t(r.acquireTime)) ? t(r.acquireTime) : renew;
        if (Number.isFinite(acquired) && Number.isFinite(expiry) && acquired + toleranceMs < expiry) {
          report.violations.push({
            lease,
            previous: term.holder,
            next: r.holder,
            overlapMs: expiry - acquired,
            detail: `${lease}: ${r.holder} acquired at ${new Date(acquired).toISOString()} (rv ${r.resourceVersion}) while ${term.holder}'s lease ran until ${new Date(expiry).toISOString()}`,
          });
        }
      }
      term = { holder: r.holder, lastRenew: Number.isFinite(renew) ? renew : t(r.acquireTime), duration: r.leaseDurationSeconds ?? 0 };
    }
  }
  return report;
}
