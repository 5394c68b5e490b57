// DefaultBinder (POST pods/<name>/binding through the handle's binder) and DefaultPreemption, which
// here only explains that no victims were found (preemption itself is not implemented).
import type { BindPlugin, CycleState, PostFilterPlugin, PostFilterResult, Status } from '../framework/interface.ts';
import { errorStatus, unschedulable } from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';
import { fitErrorMessage } from '../framework/fiterror.ts';

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

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  postFilter(_s: CycleState, pod: PodInfo, filtered: Map<string, Status>, nodeCount: number): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('not eligible due to preemptionPolicy=Never.') };
    const statuses = new Map<string, Status>();
    for (const [node, st] of filtered) {
      statuses.set(node, {
        code: 'Unschedulable',
        reasons: [st.code === 'UnschedulableAndUnresolvable' ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod'],
      });
    }
    return { status: unschedulable('preemption: ' + fitErrorMessage(nodeCount, statuses)) };
  }
}
