// DefaultBinder: POST pods/<name>/binding through the binder the scheduler provides.
import type { BindPlugin, CycleState, Status } from '../framework/interface.ts';
import { errorStatus } from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';

export type Binder = (pod: PodInfo, nodeName: string) => Promise<void>;

export class DefaultBinder implements BindPlugin {
  readonly name = 'DefaultBinder';
  constructor(private readonly binder?: Binder) {}
  async bind(_s: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    if (!this.binder) return errorStatus('no binder configured');
    try {
      await this.binder(pod, nodeName);
      return null;
    } catch (e) {
      return errorStatus((e as Error).message);
    }
  }
}
