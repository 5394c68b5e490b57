// Built-in admission: Priority (plugin/pkg/admission/priority). A new pod's priorityClassName
// resolves to spec.priority and spec.preemptionPolicy (the globalDefault class, or 0 /
// PreemptLowerPriority, when it names none); an unknown class, or a priority / preemptionPolicy the
// user set that differs from the class's, is refused. Updates keep what create set. PriorityClass
// writes: only one class may be globalDefault.
import { StatusError } from '../../api/errors.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './index.ts';

const isPods = (rt: ResourceType) => rt.group === '' && rt.plural === 'pods';
const isPriorityClasses = (rt: ResourceType) => rt.group === 'scheduling.k8s.io' && rt.plural === 'priorityclasses';

/** The globalDefault class with the lowest value (getDefaultPriorityClass), if any. */
export function defaultPriorityClass(classes: KubeObject[]): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const pc of classes) if (pc.globalDefault === true && (!best || Number(pc.value ?? 0) < Number(best.value ?? 0))) best = pc;
  return best;
}

/**
 * Pure: sets a new pod's priorityClassName (when defaulted), priority and preemptionPolicy from the
 * classes; returns the reason it is refused (the text after `pods "x" is forbidden: `), or undefined.
 */
export function admitPodPriority(pod: KubeObject, classes: KubeObject[]): string | undefined {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  let priority = 0;
  let policy: string | undefined = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const dpc = defaultPriorityClass(classes);
    if (dpc) {
      spec.priorityClassName = dpc.metadata.name;
      priority = Number(dpc.value ?? 0);
      policy = dpc.preemptionPolicy as string | undefined;
    }
  } else {
    const pc = classes.find((c) => c.metadata.name === spec.priorityClassName);
    if (!pc) return `no PriorityClass with name ${spec.priorityClassName} was found`;
    priority = Number(pc.value ?? 0);
    policy = pc.preemptionPolicy as string | undefined;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    return `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`;
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy != null && spec.preemptionPolicy !== policy) {
      return `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`;
    }
    spec.preemptionPolicy = policy;
  }
  return undefined;
}

/** Pure: an update keeps the priority and preemptionPolicy create set when the body leaves them out. */
export function keepPodPriority(pod: KubeObject, old: KubeObject): void {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object' || !old.spec) return;
  if (spec.priority == null && old.spec.priority != null) spec.priority = old.spec.priority;
  if (spec.preemptionPolicy == null && old.spec.preemptionPolicy != null) spec.preemptionPolicy = old.spec.preemptionPolicy;
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
function forbiddenBy(a: AdmissionAttributes, why: string): StatusError {
  const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
  const name = a.name ?? a.object?.metadata?.name ?? '';
  return new StatusError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${why}`, { name, group: a.rt.group || undefined, kind: a.rt.plural });
}

export function priorityAdmission(listClasses: () => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'Priority',
    typedMutation: true,
    admit(a) {
      if (a.subresource || !isPods(a.rt) || !a.object) return;
      if (a.operation === 'UPDATE' && a.oldObject) return keepPodPriority(a.object, a.oldObject);
      if (a.operation !== 'CREATE') return;
      const pod = a.object;
      return listClasses().then((classes) => {
        const why = admitPodPriority(pod, classes);
        if (why) throw forbiddenBy(a, why);
      });
    },
    validate(a) {
      if (a.subresource || !isPriorityClasses(a.rt) || !a.object || a.object.globalDefault !== true) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const name = a.object.metadata.name;
      return listClasses().then((classes) => {
        // Another class already the default (an update of that class itself may keep it so).
        const others = classes.filter((c) => a.operation === 'CREATE' || c.metadata.name !== name);
        const dpc = defaultPriorityClass(others);
        if (dpc) throw forbiddenBy(a, `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`);
      });
    },
  };
}
