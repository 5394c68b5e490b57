// RoundRobin: the feasible node that comes next, in name order, after the last one chosen gets
// the full score; the others get 0. Reserve advances the cursor.
import type { NodeInfo } from '../cache.ts';
import { MAX_NODE_SCORE, type CycleState, type NodeScore, type ReservePlugin, type ScorePlugin, type Status } from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';

export class RoundRobin implements ScorePlugin, ReservePlugin {
  readonly name = 'RoundRobin';
  private last = '';

  score(_s: CycleState, _p: PodInfo, _n: NodeInfo): number {
    return 0;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): void {
    // Order: names after the cursor first, then wrap around; the first in that order wins.
    let best: NodeScore | undefined;
    const rank = (n: string) => (n > this.last ? 0 : 1);
    for (const s of scores) {
      s.score = 0;
      if (!best || rank(s.name) < rank(best.name) || (rank(s.name) === rank(best.name) && s.name < best.name)) best = s;
    }
    if (best) best.score = MAX_NODE_SCORE;
  }

  reserve(_s: CycleState, _p: PodInfo, nodeName: string): Status | null {
    this.last = nodeName;
    return null;
  }

  unreserve(): void {}
}
