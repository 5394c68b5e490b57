// ValidatingAdmissionWebhook: every matching validating webhook, called in parallel; the first
// refusal (in webhook order) stops the request; failurePolicy Ignore lets a failed call pass.
import { StatusError, internalError } from '../../../api/errors.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../index.ts';
import { callWebhook, type CallDeps } from './call.ts';
import { CallingWebhookError } from './errors.ts';
import { shouldCall, type MatchDeps, type Webhook } from './hooks.ts';
import { isExemptAdmissionConfiguration } from './match.ts';
import type { Invocation } from './review.ts';

export const VALIDATING_PLUGIN = 'ValidatingAdmissionWebhook';

export interface ValidatingDeps extends CallDeps, MatchDeps {
  hooks(): readonly Webhook[];
  logger: { warn(obj: object, msg: string): void };
}

export function validatingWebhookPlugin(deps: ValidatingDeps): AdmissionPlugin {
  return {
    name: VALIDATING_PLUGIN,
    validate(a) {
      if (isExemptAdmissionConfiguration(a.rt)) return;
      const hooks = deps.hooks();
      if (hooks.length === 0) return;
      return validateThrough(a, hooks);
    },
  };

  async function validateThrough(a: AdmissionAttributes, hooks: ReturnType<ValidatingDeps['hooks']>): Promise<void> {
    const relevant: [number, Webhook, Invocation][] = [];
    for (const [i, h] of hooks.entries()) {
      const inv = await shouldCall(deps, h, a);
      if (inv) relevant.push([i, h, inv]);
    }
    const outcomes = await Promise.all(
      relevant.map(async ([i, h, inv]): Promise<StatusError | undefined> => {
        try {
          await callWebhook(deps, h, a, inv, false);
          return undefined;
        } catch (err) {
          if (err instanceof CallingWebhookError) {
            if (h.failurePolicy === 'Ignore') {
              deps.logger.warn({ webhook: h.name, err: err.message }, 'Failed calling webhook, failing open');
              a.annotate(`failed-open.validating.webhook.admission.k8s.io/round_0_index_${i}`, h.name);
              return undefined;
            }
            deps.logger.warn({ webhook: h.name, err: err.message }, 'Failed calling webhook, failing closed');
            return err.toStatusError();
          }
          return err instanceof StatusError ? err : internalError(String((err as Error)?.message ?? err));
        }
      }),
    );
    const first = outcomes.find((o) => o !== undefined);
    if (first) throw first;
  }
}
