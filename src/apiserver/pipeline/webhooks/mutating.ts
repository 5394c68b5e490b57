// MutatingAdmissionWebhook: every matching mutating webhook in order (configurations by name), each
// seeing the previous one's changes; JSONPatch answers applied to the object (then defaulted again);
// reinvocationPolicy IfNeeded re-runs a webhook once when a later one changed the object.
import { StatusError, internalError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/types.ts';
import { applyJsonPatch } from '../../patch/index.ts';
import { decodeJsonPatch } from '../../patch/jsonpatch.ts';
import { deepEqual } from '../../patch/json.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../index.ts';
import { callWebhook, type CallDeps } from './call.ts';
import { CallingWebhookError } from './errors.ts';
import { shouldCall, type MatchDeps, type Webhook } from './hooks.ts';
import { isExemptAdmissionConfiguration } from './match.ts';
import { fromInvocationVersion, toInvocationVersion, type Invocation } from './review.ts';
import { deepCopy } from '../../../api/core/json.ts';

export const MUTATING_PLUGIN = 'MutatingAdmissionWebhook';

/** Kubernetes' webhookReinvokeContext. */
class ReinvokeState {
  lastOutput: KubeObject | undefined;
  previouslyInvoked = new Set<string>();
  reinvoke = new Set<string>();
  requireReinvoking(): void {
    for (const uid of this.previouslyInvoked) this.reinvoke.add(uid);
    this.previouslyInvoked.clear();
  }
}

export interface MutatingDeps extends CallDeps, MatchDeps {
  hooks(): readonly Webhook[];
  logger: { warn(obj: object, msg: string): void };
}

/** Replaces obj's contents with next's (callers hold obj). */
function replaceContents(obj: KubeObject, next: KubeObject): void {
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, next);
}

/** Calls one mutating webhook and applies its patch; resolves whether the object changed. */
async function callMutating(deps: MutatingDeps, h: Webhook, a: AdmissionAttributes, inv: Invocation): Promise<boolean> {
  const answer = await callWebhook(deps, h, a, inv, true);
  if (answer.patch === undefined) return false;
  let ops: Record<string, unknown>[];
  try {
    ops = decodeJsonPatch(answer.patch);
  } catch (e) {
    throw new CallingWebhookError(h.name, `received undecodable patch in webhook response: ${(e as Error).message}`);
  }
  if (ops.length === 0) return false;
  if (!a.object) throw internalError(`admission webhook ${JSON.stringify(h.name)} attempted to modify the object, which is not supported for this operation`);
  const before = toInvocationVersion(inv, a.object)!;
  let patched: KubeObject;
  try {
    patched = applyJsonPatch(before, ops);
  } catch (e) {
    throw internalError((e as Error).message);
  }
  if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw internalError('the patch did not produce an object');
  const next = await fromInvocationVersion(inv, a.rt, patched);
  a.rt.defaults(next);
  const changed = !deepEqual(a.object, next);
  if (changed) {
    a.untyped = true;
    replaceContents(a.object, next);
  }
  a.annotate(`patch.webhook.admission.k8s.io/round_${a.reinvocation.isReinvoke ? 1 : 0}_index_${h.index}`, JSON.stringify({ configuration: h.configurationName, webhook: h.name, patch: ops, patchType: 'JSONPatch' }));
  return changed;
}

export function mutatingWebhookPlugin(deps: MutatingDeps): AdmissionPlugin {
  return {
    name: MUTATING_PLUGIN,
    // a patch it applies sets untyped (callMutating)
    typedMutation: true,
    admit(a) {
      if (isExemptAdmissionConfiguration(a.rt)) return;
      const hooks = deps.hooks();
      if (hooks.length === 0) return;
      return admitThrough(a, hooks);
    },
  };

  async function admitThrough(a: AdmissionAttributes, hooks: ReturnType<MutatingDeps['hooks']>): Promise<void> {
    const ctx = a.reinvocation;
    let state = ctx.values.get(MUTATING_PLUGIN) as ReinvokeState | undefined;
    if (!state) ctx.values.set(MUTATING_PLUGIN, (state = new ReinvokeState()));
    if (ctx.isReinvoke && !deepEqual(state.lastOutput, a.object)) state.requireReinvoking();
    const round = ctx.isReinvoke ? 1 : 0;
    try {
      for (const [i, h] of hooks.entries()) {
        const inv = await shouldCall(deps, h, a);
        if (!inv) continue;
        if (ctx.isReinvoke && !state.reinvoke.has(h.uid)) continue;
        let changed = false;
        let error: unknown;
        try {
          changed = await callMutating(deps, h, a, inv);
        } catch (err) {
          error = err;
        }
        a.annotate(`mutation.webhook.admission.k8s.io/round_${round}_index_${i}`, JSON.stringify({ configuration: h.configurationName, webhook: h.name, mutated: changed }));
        if (changed) {
          state.requireReinvoking();
          ctx.shouldReinvoke = true;
        }
        if (h.reinvocationPolicy === 'IfNeeded') state.previouslyInvoked.add(h.uid);
        if (error === undefined) continue;
        if (error instanceof CallingWebhookError) {
          if (h.failurePolicy === 'Ignore') {
            deps.logger.warn({ webhook: h.name, err: error.message }, 'Failed calling webhook, failing open');
            a.annotate(`failed-open.mutation.webhook.admission.k8s.io/round_${round}_index_${i}`, h.name);
            continue;
          }
          deps.logger.warn({ webhook: h.name, err: error.message }, 'Failed calling webhook, failing closed');
          throw error.toStatusError();
        }
        if (error instanceof StatusError) throw error;
        throw internalError(String((error as Error)?.message ?? error));
      }
    } finally {
      state.lastOutput = a.object ? deepCopy(a.object) : undefined;
    }
  }
}
