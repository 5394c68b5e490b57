// pods/eviction (pkg/registry/core/pod/storage/eviction.go): a delete through the
// PodDisruptionBudget door. A terminal, pending or terminating pod is deleted at once; otherwise the
// one PDB selecting the pod must allow a disruption — the eviction decrements disruptionsAllowed and
// records the pod in status.disruptedPods, or answers 429 (kubectl drain waits and retries). The pod
// gets the DisruptionTarget condition before its delete.
import { StatusError, conflict, internalError, notFound } from '../../api/errors.ts';
import { isPodReady } from '../../api/core/podready.ts';
import { labelSelectorAsSelector, matches, type LabelSelector } from '../../api/labels.ts';
import { PDB_CONDITION } from '../../api/kinds/pdb.ts';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix } from '../../storage/interface.ts';
import { sendJson, successStatus } from '../respond.ts';
import { deleteObject, parseDeleteOptions, type DeleteOptions } from '../rest/delete.ts';
import { checkName, readObject } from '../rest/handlers.ts';
import { checkBodyIdentity, timestamp } from '../rest/objectmeta.ts';
import { getEntry } from '../rest/read.ts';
import { admissionAttrs, isDryRun, type Scope } from '../rest/scope.ts';
import { admitValidating } from '../pipeline/run.ts';
import { guaranteedUpdate } from '../rest/write.ts';
import { deepCopy } from '../../api/core/json.ts';

const PDB_GROUP = 'policy';
const PDB_PLURAL = 'poddisruptionbudgets';
/** MaxDisruptedPodSize: evictions the disruption controller has not confirmed yet, at most. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

/** canIgnorePDB: the pod already disrupts nothing (finished, never started, or already going). */
export function canIgnorePdb(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** getPodDisruptionBudgets: the PDBs whose (non-empty, valid) selector matches the pod's labels. */
export function pdbsForPod(pod: KubeObject, pdbs: KubeObject[]): KubeObject[] {
  return pdbs.filter((pdb) => {
    if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
    const ls = pdb.spec?.selector as LabelSelector | undefined;
    if (!ls || (Object.keys(ls.matchLabels ?? {}).length === 0 && (ls.matchExpressions ?? []).length === 0)) return false;
    try {
      return matches(labelSelectorAsSelector(ls), pod.metadata.labels ?? {});
    } catch {
      return false; // an invalid selector matches nothing
    }
  });
}

/** The 429 refusals, with the DisruptionBudget cause Kubernetes sends. */
function tooManyRequests(retryAfterSeconds: number, cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', EVICTION_REFUSED, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });
}

/** Pure checkAndDecrement: the PDB after one more disruption of podName at now, or the refusal. */
export function decrementBudget(pdb: KubeObject, podName: string, now: string, dryRun: boolean): KubeObject {
  const name = pdb.metadata.name ?? '';
  const st = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(10, `The disruption budget ${name} is still being processed by the server.`);
  const forbidden = (why: string) => new StatusError(403, 'Forbidden', `poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, { name, group: PDB_GROUP, kind: PDB_PLURAL });
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(0, `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  const next = deepCopy(pdb) as KubeObject;
  const ns = (next.status ??= {});
  ns.disruptionsAllowed = allowed - 1;
  if (ns.disruptionsAllowed === 0) {
    const conds: any[] = (ns.conditions ??= []);
    const c = conds.find((x) => x?.type === PDB_CONDITION.type);
    const want = { type: PDB_CONDITION.type, status: 'False', reason: PDB_CONDITION.insufficientPods, message: '', observedGeneration: ns.observedGeneration ?? 0 };
    if (!c) conds.push({ ...want, lastTransitionTime: now });
    else Object.assign(c, want, c.status === 'False' ? {} : { lastTransitionTime: now });
  }
  if (!dryRun) ns.disruptedPods = { ...(ns.disruptedPods ?? {}), [podName]: now };
  return next;
}

export async function handleEviction(s: Scope): Promise<number> {
  const name = s.info.name!;
  const ev = await readObject(s);
  checkBodyIdentity(ev, s.rt, s.info.namespace, [
    { apiVersion: 'policy/v1', kind: 'Eviction' },
    { apiVersion: 'policy/v1beta1', kind: 'Eviction' },
  ]);
  checkName(ev, name);
  const opts = parseDeleteOptions(s.query, (ev as any).deleteOptions);
  const pod = (await getEntry(s, name)).object;
  // Admission sees the eviction as a CREATE of pods/eviction (NodeRestriction: a node evicts only its own pods).
  await admitValidating(s.core.pipeline, admissionAttrs(s, 'CREATE', ev, undefined, name, opts.dryRun));
  if (!canIgnorePdb(pod)) await checkBudget(s, pod, opts);
  if (!opts.dryRun) await markDisruptionTarget(s, name, opts);
  await deleteObject(s, name, opts);
  sendJson(s.res, 201, { ...successStatus(), code: 201 });
  return 201;
}

/** Lets the eviction go ahead, or throws the refusal; may pin the delete to the pod's resourceVersion. */
async function checkBudget(s: Scope, pod: KubeObject, opts: DeleteOptions): Promise<void> {
  const pdbRt = s.core.registry.byResource(PDB_GROUP, 'v1', PDB_PLURAL);
  if (!pdbRt) return;
  const all = (await s.core.store.listPage(`${resourcePrefix(PDB_GROUP, PDB_PLURAL)}${pod.metadata.namespace}/`, {})).items;
  const pdbs = pdbsForPod(pod, all);
  if (pdbs.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  if (pdbs.length === 0) return;
  const pdb = pdbs[0];
  const ready = isPodReady(pod);
  const st = pdb.status ?? {};
  const unhealthyMayGo =
    !ready && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0));
  if (unhealthyMayGo) {
    // The pod must not have become ready (and counted) since it was judged.
    opts.preconditions = { ...(opts.preconditions ?? {}), resourceVersion: opts.preconditions?.resourceVersion ?? pod.metadata.resourceVersion };
    return;
  }
  const scope: Scope = { ...s, rt: pdbRt, info: { ...s.info, resource: PDB_PLURAL, subresource: 'status', name: pdb.metadata.name } };
  await guaranteedUpdate(
    scope,
    pdb.metadata.name!,
    async (cur) => {
      if (!cur) throw notFound(PDB_PLURAL, pdb.metadata.name!, PDB_GROUP);
      return { object: decrementBudget(cur, pod.metadata.name!, timestamp(), opts.dryRun) };
    },
    opts.dryRun || isDryRun(s.query),
  );
}

/**
 * addConditionAndDeletePod: DisruptionTarget=True (EvictionByEvictionAPI) on the latest pod (the
 * delete's preconditions checked against it), the precondition then moved to the version written.
 */
async function markDisruptionTarget(s: Scope, name: string, opts: DeleteOptions): Promise<void> {
  const pre = opts.preconditions;
  const r = await guaranteedUpdate(
    { ...s, info: { ...s.info, subresource: 'status' } },
    name,
    async (cur) => {
      if (!cur) throw notFound(s.rt.plural, name, s.rt.group);
      if ((pre?.uid && pre.uid !== cur.metadata.uid) || (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion)) {
        throw conflict(s.rt.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      if (cur.metadata.deletionTimestamp || ((cur.status?.conditions as any[]) ?? []).some((c) => c?.type === 'DisruptionTarget' && c.status === 'True')) return { object: cur };
      const pod = deepCopy(cur) as KubeObject;
      const conds: any[] = ((pod.status ??= {}).conditions ?? []).filter((c: any) => c?.type !== 'DisruptionTarget');
      conds.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(new Date(s.core.clock.now())), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
      pod.status.conditions = conds;
      return { object: pod };
    },
    false,
  );
  if (pre?.resourceVersion) opts.preconditions = { ...pre, resourceVersion: r.object.metadata.resourceVersion };
}
