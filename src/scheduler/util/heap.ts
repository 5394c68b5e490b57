// A binary heap keyed by string, so items can be updated or removed in O(log n).
export class KeyedHeap<T> {
  private readonly items: { key: string; v: T }[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }
  has(key: string): boolean {
    return this.index.has(key);
  }
  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i].v;
  }
  peek(): T | undefined {
    return this.items[0]?.v;
  }

  /** Adds or replaces (and re-sorts) the item with this key. */
  push(key: string, v: T): void {
    const i = this.index.get(key);
    if (i !== undefined) {
      this.items[i].v = v;
      this.fix(i);
      return;
    }
    this.items.push({ key, v });
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top.v;
  }

  remove(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const v = this.items[i].v;
    this.removeAt(i);
    return v;
  }

  values(): T[] {
    return this.items.map((x) => x.v);
  }

  private removeAt(i: number): void {
    const last = this.items.length - 1;
    this.index.delete(this.items[i].key);
    if (i !== last) {
      this.items[i] = this.items[last];
      this.index.set(this.items[i].key, i);
    }
    this.items.pop();
    if (i < this.items.length) this.fix(i);
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private swap(i: number, j: number): void {
    const a = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = a;
    this.index.set(this.items[i].key, i);
    this.index.set(this.items[j].key, j);
  }

  private up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.items[i].v, this.items[p].v)) break;
      this.swap(i, p);
      i = p;
      moved = true;
    }
    return moved;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.items[l].v, this.items[m].v)) m = l;
      if (r < n && this.less(this.items[r].v, this.items[m].v)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
