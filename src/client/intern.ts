// One copy of the strings many cached objects repeat (issue 19: several processes each keep every
// pod in informers). JSON.parse makes a new string for every value longer than 10 characters (V8
// internalizes shorter ones itself): each pod's image, imageID, toleration keys, owner name and uid,
// schedulerName, terminationMessagePath... are copies of what the other pods hold.

/** Longer strings are rarely repeated (annotations, last-applied configurations): left as they are. */
const MAX_INTERNED_LENGTH = 256;
/** V8's JSON.parse already shares values this short. */
const MIN_INTERNED_LENGTH = 11;

/**
 * A table of canonical strings in two generations: a string seen again is kept; one not seen for
 * two generations (a deleted pod's uid) is dropped, so the table stays bounded and holds what is in use.
 */
export class StringTable {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  constructor(private readonly generation = 100_000) {}

  intern(s: string): string {
    const c = this.current.get(s);
    if (c !== undefined) return c;
    const p = this.previous.get(s) ?? s;
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(s, p);
    return p;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/** The table informers share in this process. */
export const sharedStrings = new StringTable();

/** The canonical copy of v: the previous version's string when equal (no lookup), else the table's. */
function pick(v: string, was: unknown, table: StringTable): string {
  return was === v ? (was as string) : table.intern(v);
}

const internable = (v: string) => v.length >= MIN_INTERNED_LENGTH && v.length <= MAX_INTERNED_LENGTH;

/**
 * Replaces, in place, the string values of a freshly decoded object with equal canonical copies:
 * those of `previous` (the same object's cached version, walked alongside) where they are equal,
 * else the table's. Values are unchanged (equal strings), so only memory differs. Returns obj.
 */
export function internStrings<T>(obj: T, previous?: unknown, table: StringTable = sharedStrings): T {
  if (obj !== null && typeof obj === 'object') walk(obj as Record<string, unknown>, previous, table);
  return obj;
}

function walk(o: Record<string, unknown> | unknown[], old: unknown, table: StringTable): void {
  const was = old !== null && typeof old === 'object' ? (old as Record<string, unknown>) : undefined;
  if (Array.isArray(o)) {
    const wasArr = Array.isArray(was) ? was : undefined;
    for (let i = 0; i < o.length; i++) {
      const v = o[i];
      if (typeof v === 'string') {
        if (internable(v)) o[i] = pick(v, wasArr?.[i], table);
      }
      else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, wasArr?.[i], table);
    }
    return;
  }
  for (const k in o) {
    const v = o[k];
    // (=== compares strings by value: the canonical copy is assigned whether or not it is another)
    if (typeof v === 'string') {
      if (internable(v)) o[k] = pick(v, was?.[k], table);
    } else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, was?.[k], table);
  }
}
