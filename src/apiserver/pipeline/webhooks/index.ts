// Admission webhooks: MutatingAdmissionWebhook and ValidatingAdmissionWebhook over the
// admissionregistration.k8s.io/v1 webhook configurations, read from informer-style caches.
import type { Logger } from 'pino';
import type { Registry } from '../../../api/registry.ts';
import type { KubeObject } from '../../../api/types.ts';
import { resourcePrefix, type Store } from '../../../storage/interface.ts';
import type { AdmissionPlugin } from '../index.ts';
import { PrefixInformer } from '../informer.ts';
import type { Authorize } from '../../../api/cel/authz.ts';
import { matchConditionsCompiler } from './conditions.ts';
import { compileConfiguration, type ConditionCompiler, type Webhook } from './hooks.ts';
import { mutatingWebhookPlugin } from './mutating.ts';
import { validatingWebhookPlugin } from './validating.ts';

export { MUTATING_PLUGIN } from './mutating.ts';
export { VALIDATING_PLUGIN } from './validating.ts';
export type { ConditionCompiler, ConditionMatcher } from './hooks.ts';

const GROUP = 'admissionregistration.k8s.io';

export interface WebhookAdmissionDeps {
  store: Store;
  registry: Registry;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  logger: Logger;
  /** Compiles matchConditions (CEL). */
  compileConditions?: ConditionCompiler;
  /** The API server's authorizer, for CEL's `authorizer` in matchConditions; absent = every check is allowed. */
  authorize?: Authorize;
}

export interface WebhookAdmission {
  mutating: AdmissionPlugin;
  validating: AdmissionPlugin;
  /** Lists and watches the configurations; resolves once the caches are filled. */
  start(): Promise<void>;
  stop(): void;
}

export function webhookAdmission(deps: WebhookAdmissionDeps): WebhookAdmission {
  const informer = (plural: string) => new PrefixInformer(deps.store, resourcePrefix(GROUP, plural), (o) => compileConfiguration(o, deps.compileConditions ?? matchConditionsCompiler(deps.authorize)), deps.logger);
  const mutatingConfigs = informer('mutatingwebhookconfigurations');
  const validatingConfigs = informer('validatingwebhookconfigurations');
  const flat = (inf: PrefixInformer<Webhook[]>) => {
    let src: readonly Webhook[][] | undefined;
    let out: Webhook[] = [];
    return () => {
      const lists = inf.list();
      if (lists !== src) {
        src = lists;
        out = lists.flat();
      }
      return out;
    };
  };
  const base = { store: deps.store, registry: deps.registry, getNamespace: deps.getNamespace, logger: deps.logger };
  return {
    mutating: mutatingWebhookPlugin({ ...base, hooks: flat(mutatingConfigs) }),
    validating: validatingWebhookPlugin({ ...base, hooks: flat(validatingConfigs) }),
    async start() {
      await Promise.all([mutatingConfigs.start(), validatingConfigs.start()]);
    },
    stop() {
      mutatingConfigs.stop();
      validatingConfigs.stop();
    },
  };
}
