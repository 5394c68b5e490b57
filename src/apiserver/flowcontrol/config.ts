// The APF configuration controller (apf_controller + the config ensurer): mirrors FlowSchemas and
// PriorityLevelConfigurations from the store, keeps the bootstrap objects (bootstrap.ts) and each
// FlowSchema's Dangling condition, and hands the filter a compiled snapshot that is rebuilt after a change.
import type { Logger } from 'pino';
import { CONDITION_DANGLING, FLOWCONTROL_GROUP } from '../../api/kinds/flowcontrol.ts';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix, objectKey, type Store, type Unsubscribe } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';
import { ensureBootstrap, FLOW_SCHEMAS, isBootstrapName, PRIORITY_LEVELS } from './bootstrap.ts';
import { compileSchema, sortSchemas, type CompiledSchema } from './classify.ts';
import { deepCopy } from '../../api/core/json.ts';

export interface Snapshot {
  schemas: readonly CompiledSchema[];
  levels: ReadonlyMap<string, KubeObject>;
}

/** The Dangling condition a FlowSchema should carry (status and wording as Kubernetes writes them). */
export function danglingCondition(level: string, exists: boolean): { type: string; status: string; reason: string; message: string } {
  return exists
    ? { type: CONDITION_DANGLING, status: 'False', reason: 'Found', message: 'This FlowSchema references an existing PriorityLevelConfiguration object' }
    : { type: CONDITION_DANGLING, status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(level)} but there is no such object` };
}

export class FlowControlConfig {
  private readonly schemas = new Map<string, KubeObject>();
  private readonly levels = new Map<string, KubeObject>();
  private snap: Snapshot | undefined;
  private readonly unwatch: Unsubscribe[] = [];
  private pending: NodeJS.Timeout | undefined;
  private readonly ensureQueue = new Map<string, { plural: string; name: string }>();
  private stopped = false;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly logger?: Logger,
    /** Called after every change of the configuration (the filter re-reads the snapshot). */
    private readonly onChange: () => void = () => {},
  ) {}

  async start(): Promise<void> {
    await ensureBootstrap(this.store, this.registry, this.logger);
    for (const [plural, map] of [[PRIORITY_LEVELS, this.levels], [FLOW_SCHEMAS, this.schemas]] as const) {
      const prefix = resourcePrefix(FLOWCONTROL_GROUP, plural);
      const { items, revision } = await this.store.list(prefix);
      for (const e of items) map.set(e.object.metadata.name!, e.object);
      this.unwatch.push(
        this.store.watch(
          prefix,
          revision,
          (ev) => {
            const name = ev.object.metadata.name!;
            if (ev.type === 'DELETED') map.delete(name);
            else map.set(name, ev.object);
            if (isBootstrapName(plural, name) && (ev.type === 'DELETED' || ev.type === 'MODIFIED')) this.ensureQueue.set(`${plural}/${name}`, { plural, name });
            this.changed();
          },
          (err) => this.logger?.warn({ err: String(err), plural }, 'flow control: configuration watch ended'),
        ),
      );
    }
    this.snap = undefined;
    await this.updateStatuses();
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unwatch.splice(0)) u();
    if (this.pending) clearTimeout(this.pending);
  }

  /** Waits for the controller's pending writes (tests). */
  async settled(): Promise<void> {
    while (this.pending) await new Promise((r) => setTimeout(r, 5));
    await this.work;
  }

  snapshot(): Snapshot {
    this.snap ??= {
      schemas: sortSchemas([...this.schemas.values()].map(compileSchema)),
      levels: new Map(this.levels),
    };
    return this.snap;
  }

  private changed(): void {
    this.snap = undefined;
    this.onChange();
    if (this.pending || this.stopped) return;
    // the controller's writes come after the burst of events that caused them
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.work = this.work.then(() => this.reconcile()).catch((err) => this.logger?.warn({ err: String(err) }, 'flow control: reconcile failed'));
    }, 10);
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const todo = [...this.ensureQueue.values()];
    this.ensureQueue.clear();
    for (const only of todo) await ensureBootstrap(this.store, this.registry, this.logger, only);
    await this.updateStatuses();
  }

  /** Writes each FlowSchema's Dangling condition where it changed. */
  private async updateStatuses(): Promise<void> {
    for (const fs of [...this.schemas.values()]) {
      if (this.stopped) return;
      const level = fs.spec?.priorityLevelConfiguration?.name ?? '';
      const want = danglingCondition(level, this.levels.has(level));
      const conds: any[] = Array.isArray(fs.status?.conditions) ? fs.status.conditions : [];
      const have = conds.find((c) => c?.type === CONDITION_DANGLING);
      if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
      const key = objectKey(FLOWCONTROL_GROUP, FLOW_SCHEMAS, undefined, fs.metadata.name!);
      const o = deepCopy(fs);
      const cond = { ...want, lastTransitionTime: have?.status === want.status ? have.lastTransitionTime : timestamp() };
      o.status = { ...(o.status ?? {}), conditions: [...conds.filter((c) => c?.type !== CONDITION_DANGLING), cond] };
      try {
        await this.store.update(key, o, Number(fs.metadata.resourceVersion));
      } catch (err) {
        this.logger?.debug({ err: String(err), name: fs.metadata.name }, 'flow control: status write lost a race');
      }
    }
  }
}
