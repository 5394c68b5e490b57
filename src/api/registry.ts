// The kind registry: one ResourceType entry per kind (src/api/kinds/), looked up by
// resource (the wire path) or by kind (a body's apiVersion/kind).
import type { ResourceType } from './resource.ts';
import { kinds } from './kinds/index.ts';

export class Registry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly byGvk = new Map<string, ResourceType>();
  private entries: ResourceType[] = [];
  private gen = 0;

  constructor(types: readonly ResourceType[]) {
    for (const t of types) this.add(t);
  }

  /** Bumped by every add/remove: documents computed from the registry (discovery, OpenAPI) are valid for one generation. */
  get generation(): number {
    return this.gen;
  }

  /** Adds an entry, replacing the one with the same group/version/resource (a kind registered at run time). */
  add(t: ResourceType): void {
    const old = this.byGvr.get(`${t.group}/${t.version}/${t.plural}`);
    if (old) this.remove(old);
    this.entries.push(t);
    this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.byGvk.set(`${t.group}/${t.version}/${t.kind}`, t);
    this.gen++;
  }

  /** Removes an entry (a CRD's version no longer served). */
  remove(t: ResourceType): void {
    const i = this.entries.indexOf(t);
    if (i < 0) return;
    this.entries = this.entries.filter((x) => x !== t);
    if (this.byGvr.get(`${t.group}/${t.version}/${t.plural}`) === t) this.byGvr.delete(`${t.group}/${t.version}/${t.plural}`);
    if (this.byGvk.get(`${t.group}/${t.version}/${t.kind}`) === t) this.byGvk.delete(`${t.group}/${t.version}/${t.kind}`);
    this.gen++;
  }

  /** By wire path: group ("" = core), version, plural resource name. */
  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${plural}`);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byGvk.get(`${group}/${version}/${kind}`);
  }

  all(): readonly ResourceType[] {
    return this.entries;
  }

  /** Group-versions served, in registration order: [{group, version}]. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>();
    const out: { group: string; version: string }[] = [];
    for (const t of this.entries) {
      const k = `${t.group}/${t.version}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push({ group: t.group, version: t.version });
      }
    }
    return out;
  }
}

/** The registry of every built-in kind. */
export const registry = new Registry(kinds);
