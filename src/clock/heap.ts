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
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  pop(): T | undefined {
    const h = this.items;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
