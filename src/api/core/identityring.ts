// A memo of the last few objects by identity: a small ring looked through with ===, for values
// met again soon after they are first seen (a write's checks of its body, an event's watchers).
// Cheaper than a WeakMap for objects that are garbage right after: a WeakMap entry costs an
// identity hash, an insert and young-generation ephemeron work per object. An entry pushed out by
// newer ones is forgotten (the caller works it out again).

export class IdentityRing<K extends object, V> {
  private readonly keys: (K | undefined)[];
  private readonly values: (V | undefined)[];
  private next = 0;

  constructor(size: number) {
    this.keys = new Array(size).fill(undefined);
    this.values = new Array(size).fill(undefined);
  }

  get(k: K): V | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return this.values[i];
    return undefined;
  }

  /** Sets k's value: in its slot when k is held, else in the oldest slot. */
  set(k: K, v: V): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === k) {
        this.values[i] = v;
        return;
      }
    }
    keys[this.next] = k;
    this.values[this.next] = v;
    this.next = (this.next + 1) % keys.length;
  }

  delete(k: K): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === k) {
        keys[i] = undefined;
        this.values[i] = undefined;
      }
    }
  }
}
