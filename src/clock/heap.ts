// A binary min-heap of timer entries ordered by due time, then by creation (seq): the one heap the
// virtual clock and the node pool's TimerQueue keep their timers in.
export interface Due {
  at: number;
  seq: number;
}

const less = (a: Due, b: Due): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class DueHeap<T extends Due> {
  readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The earliest entry (undefined when empty). */
  peek(): T | undefined {
    return this.items[0];
  }

  push(e: T): void {
    // Sift up by moving parents down into the hole, then put e where the hole ends.
    const h = this.items;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (less(parent, e)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  pop(): T | undefined {
    const h = this.items;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n) {
      // Sift the last entry down from the root: move the smaller child up into the hole.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && less(h[r], h[l]) ? r : l;
        if (!less(h[m], last)) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
