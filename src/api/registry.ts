// The kind registry: one ResourceType entry per kind (src/api/kinds/), looked up by
// resource (the wire path) or by kind (a body's apiVersion/kind).
import type { ResourceType } from './resource.ts';
import { kinds } from './kinds/index.ts';

export class Registry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly byGvk = new Map<string, ResourceType>();
  private readonly entries: ResourceType[] = [];

  constructor(types: ResourceType[]) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    this.entries.push(t);
    this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.byGvk.set(`${t.group}/${t.version}/${t.kind}`, t);
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
