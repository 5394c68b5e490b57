// The ValidatingAdmissionPolicy status controller (kube-controller-manager's
// validatingadmissionpolicy-status-controller, run in the API server here as the CRD controllers
// are): for each policy whose generation it has not seen, type-checks its expressions against the
// kinds matchConstraints names and paramKind (src/api/cel/typecheck.ts) and writes
// status.observedGeneration and status.typeChecking.expressionWarnings.
import type { Logger } from 'pino';
import type { Registry } from '../../../api/registry.ts';
import type { ResourceType } from '../../../api/resource.ts';
import { typeCheckPolicy, type CheckedKind } from '../../../api/cel/typecheck.ts';
import { parseApiVersion, type KubeObject } from '../../../api/types.ts';
import { objectKey, resourcePrefix, StorageError, type Store, type Unsubscribe } from '../../../storage/interface.ts';
import { deepCopy } from '../../../api/core/json.ts';

const GROUP = 'admissionregistration.k8s.io';
const PLURAL = 'validatingadmissionpolicies';
const MAX_TYPES = 10;

const gvkOf = (rt: ResourceType) => `${rt.group}/${rt.version}, Kind=${rt.kind}`;

/** typesToCheck: the kinds the resourceRules name without wildcards (subresources skipped), sorted by group, version, kind. */
export function kindsToCheck(registry: Registry, spec: any): ResourceType[] {
  const found = new Map<string, ResourceType>();
  for (const rule of spec?.matchConstraints?.resourceRules ?? []) {
    const groups: string[] = rule?.apiGroups ?? [];
    const versions: string[] = rule?.apiVersions ?? [];
    if (groups.some((g) => g.includes('*')) || versions.some((v) => v.includes('*'))) continue;
    const resources = ((rule?.resources ?? []) as string[]).filter((r) => !/[*/]/.test(r));
    for (const g of [...groups].sort())
      for (const v of [...versions].sort())
        for (const r of [...resources].sort()) {
          const rt = registry.byResource(g, v, r);
          if (!rt) continue;
          found.set(gvkOf(rt), rt);
          if (found.size === MAX_TYPES) return sortKinds([...found.values()]);
        }
  }
  return sortKinds([...found.values()]);
}

function sortKinds(rts: ResourceType[]): ResourceType[] {
  const key = (rt: ResourceType) => [rt.group, rt.version, rt.kind];
  return rts.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}

/** The status a policy should have (its type-checking warnings at its generation). */
export function policyStatus(registry: Registry, policy: KubeObject): Record<string, unknown> {
  const spec = policy.spec as any;
  const kinds: CheckedKind[] = kindsToCheck(registry, spec).map((rt) => ({ gvk: gvkOf(rt), schema: rt.schema }));
  let params;
  if (spec?.paramKind) {
    const { group, version } = parseApiVersion(spec.paramKind.apiVersion ?? '');
    params = registry.byKind(group, version, spec.paramKind.kind ?? '')?.schema;
  }
  const warnings = typeCheckPolicy({ validations: spec?.validations, hasParams: !!spec?.paramKind }, kinds, params);
  return { ...(policy.status as object), observedGeneration: policy.metadata.generation, typeChecking: warnings.length ? { expressionWarnings: warnings } : {} };
}

export class PolicyStatusController {
  private unsubscribe?: Unsubscribe;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const prefix = resourcePrefix(GROUP, PLURAL);
    const page = await this.store.list(prefix);
    for (const e of page.items) this.enqueue(e.object.metadata.name!);
    this.unsubscribe = this.store.watch(prefix, page.revision, (ev) => {
      if (ev.type !== 'DELETED') this.enqueue(ev.object.metadata.name!);
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  /** Resolves once every check queued so far is written (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(name: string): void {
    this.queue = this.queue.then(() => this.sync(name)).catch((err) => this.logger.warn({ err, policy: name }, 'policy type checking failed'));
  }

  private async sync(name: string): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.stopped; attempt++) {
      const key = objectKey(GROUP, PLURAL, undefined, name);
      const e = await this.store.get(key);
      if (!e) return;
      const p = e.object;
      if (p.metadata.deletionTimestamp || (p.status as any)?.observedGeneration === p.metadata.generation) return;
      try {
        await this.store.update(key, { ...deepCopy(p), status: policyStatus(this.registry, p) }, e.modRevision);
        return;
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'Conflict')) throw err;
      }
    }
  }
}
