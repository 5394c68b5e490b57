// A sorted set of strings in blocks of at most 2·B keys: insert and remove move at most a block,
// not the whole array (a plain sorted array costs O(n) memmove per create at 100k pods).
const B = 512;

export class SortedKeys {
  private blocks: string[][] = [];
  size = 0;

  /** Builds from keys already sorted and unique. */
  static fromSorted(keys: string[]): SortedKeys {
    const s = new SortedKeys();
    for (let i = 0; i < keys.length; i += B) s.blocks.push(keys.slice(i, i + B));
    s.size = keys.length;
    return s;
  }

  insert(key: string): void {
    if (!this.blocks.length) {
      this.blocks.push([key]);
      this.size = 1;
      return;
    }
    const bi = this.blockFor(key);
    const block = this.blocks[bi];
    const i = bound(block, key, true);
    if (block[i] === key) return;
    block.splice(i, 0, key);
    this.size++;
    if (block.length > 2 * B) this.blocks.splice(bi, 1, block.slice(0, B), block.slice(B));
  }

  remove(key: string): void {
    if (!this.blocks.length) return;
    const bi = this.blockFor(key);
    const block = this.blocks[bi];
    const i = bound(block, key, true);
    if (block[i] !== key) return;
    block.splice(i, 1);
    this.size--;
    if (!block.length) this.blocks.splice(bi, 1);
  }

  /** Number of keys < key (inclusive) or ≤ key (!inclusive): the position a scan would start at. */
  rank(key: string, inclusive: boolean): number {
    let n = 0;
    for (const block of this.blocks) {
      if (block[block.length - 1] < key || (!inclusive && block[block.length - 1] === key)) n += block.length;
      else return n + bound(block, key, inclusive);
    }
    return n;
  }

  /** Keys from the given rank on, ascending. */
  *from(rank: number): Generator<string> {
    let bi = 0;
    while (bi < this.blocks.length && rank >= this.blocks[bi].length) rank -= this.blocks[bi++].length;
    for (; bi < this.blocks.length; bi++, rank = 0) {
      const block = this.blocks[bi];
      for (let i = rank; i < block.length; i++) yield block[i];
    }
  }

  *[Symbol.iterator](): Generator<string> {
    yield* this.from(0);
  }

  /** The block that holds key or where it belongs: the first whose last key is ≥ key, else the last. */
  private blockFor(key: string): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.blocks[mid];
      if (b[b.length - 1] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** First index in sorted `keys` whose key is ≥ k (inclusive) or > k. */
export function bound(keys: string[], k: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k || (!inclusive && keys[mid] === k)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
