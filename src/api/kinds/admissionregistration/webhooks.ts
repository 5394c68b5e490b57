// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration:
// schema, defaults (pkg/apis/admissionregistration/v1/defaults.go), validation and table columns.
import { duplicate, notSupported, type FieldError } from '../../errors.ts';
import type { Schema } from '../../resource.ts';
import type { KubeObject } from '../../types.ts';
import { age, ageColumn, col, defineKind } from '../../meta.ts';
import { bytes, int, list, mergeList, obj, str } from '../../schema.ts';
import { labelSelectorSchema } from '../common.ts';
import {
  FAILURE_POLICIES,
  MATCH_POLICIES,
  NO_SIDE_EFFECT_CLASSES,
  REINVOCATION_POLICIES,
  SIDE_EFFECT_CLASSES,
  requiredWhy,
  validateAdmissionReviewVersions,
  validateClientConfig,
  validateEnumField,
  validateFullyQualifiedName,
  validateMatchConditions,
  validateRuleWithOperations,
  validateSelector,
  validateTimeoutSeconds,
} from './validation.ts';
import { matchConditionCheck } from './cel-check.ts';

export const GROUP = 'admissionregistration.k8s.io';

export const ruleWithOperationsSchema: Schema = obj('RuleWithOperations is a tuple of Operations and Resources.', {
  operations: list('Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations.', str(), { listType: 'atomic' }),
  apiGroups: list('APIGroups is the API groups the resources belong to. \'*\' is all groups.', str(), { listType: 'atomic' }),
  apiVersions: list('APIVersions is the API versions the resources belong to. \'*\' is all versions.', str(), { listType: 'atomic' }),
  resources: list("Resources is a list of resources this rule applies to. 'pods/status' means the status subresource of pods; '*' means all resources, but not subresources; '*/*' means all resources and their subresources.", str(), { listType: 'atomic' }),
  scope: str('scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".'),
});

export const matchConditionSchema: Schema = obj('MatchCondition represents a condition which must by fulfilled for a request to be sent to a webhook.', {
  name: str('Name is an identifier for this match condition, used for strategic merging of MatchConditions, as well as providing an identifier for logging purposes.'),
  expression: str('Expression represents the expression which will be evaluated by CEL. Must evaluate to bool.'),
});

const clientConfigSchema = obj('WebhookClientConfig contains the information to make a TLS connection with the webhook.', {
  url: str('`url` gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.'),
  service: obj('ServiceReference holds a reference to Service.legacy.k8s.io', {
    namespace: str('`namespace` is the namespace of the service.'),
    name: str('`name` is the name of the service.'),
    path: str('`path` is an optional URL path which will be sent in any request to this service.'),
    port: int('If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility.'),
  }),
  caBundle: bytes('`caBundle` is a PEM encoded CA bundle which will be used to validate the webhook\'s server certificate. If unspecified, system trust roots on the apiserver are used.'),
});

function webhookSchema(mutating: boolean): Schema {
  return obj(`${mutating ? 'MutatingWebhook' : 'ValidatingWebhook'} describes an admission webhook and the resources and operations it applies to.`, {
    name: str('The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io.'),
    clientConfig: clientConfigSchema,
    rules: list('Rules describes what operations on what resources/subresources the webhook cares about.', ruleWithOperationsSchema, { listType: 'atomic' }),
    failurePolicy: str('FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.'),
    matchPolicy: str('matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent".'),
    namespaceSelector: { ...labelSelectorSchema, description: 'NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector.' },
    objectSelector: { ...labelSelectorSchema, description: 'ObjectSelector decides whether to run the webhook based on if the object has matching labels.' },
    sideEffects: str('SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun.'),
    timeoutSeconds: int('TimeoutSeconds specifies the timeout for this webhook. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.'),
    admissionReviewVersions: list('AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects.', str(), { listType: 'atomic' }),
    ...(mutating ? { reinvocationPolicy: str('reinvocationPolicy indicates whether this webhook should be called multiple times as part of a single admission evaluation. Allowed values are "Never" and "IfNeeded". Defaults to "Never".') } : {}),
    matchConditions: mergeList('MatchConditions is a list of conditions that must be met for a request to be sent to this webhook.', matchConditionSchema, 'name'),
  });
}

/** v1 defaults of one webhook (SetDefaults_*Webhook, _Rule, _ServiceReference). */
function defaultWebhook(w: any, mutating: boolean): void {
  if (!w || typeof w !== 'object') return;
  w.failurePolicy ??= 'Fail';
  w.matchPolicy ??= 'Equivalent';
  w.namespaceSelector ??= {};
  w.objectSelector ??= {};
  w.timeoutSeconds ??= 10;
  if (mutating) w.reinvocationPolicy ??= 'Never';
  for (const r of Array.isArray(w.rules) ? w.rules : []) if (r && typeof r === 'object') r.scope ??= '*';
  const svc = w.clientConfig?.service;
  if (svc && typeof svc === 'object') svc.port ??= 443;
}

const webhooksOf = (o: KubeObject | undefined): any[] => (Array.isArray(o?.webhooks) ? (o!.webhooks as any[]) : []);

/** Options that relax checks for configurations stored before the rule existed (as Kubernetes' update validation). */
interface HookOptions {
  requireNoSideEffects: boolean;
  requireRecognizedVersion: boolean;
  requireUniqueNames: boolean;
  checkMatchConditions: boolean;
}

function optionsFor(old: KubeObject | undefined): HookOptions {
  if (!old) return { requireNoSideEffects: true, requireRecognizedVersion: true, requireUniqueNames: true, checkMatchConditions: true };
  const oldHooks = webhooksOf(old);
  const names = oldHooks.map((h) => h?.name);
  return {
    requireNoSideEffects: oldHooks.every((h) => NO_SIDE_EFFECT_CLASSES.includes(h?.sideEffects)),
    requireRecognizedVersion: oldHooks.every((h) => !Array.isArray(h?.admissionReviewVersions) || h.admissionReviewVersions.length === 0 || h.admissionReviewVersions.some((v: string) => v === 'v1' || v === 'v1beta1')),
    requireUniqueNames: new Set(names).size === names.length,
    checkMatchConditions: true,
  };
}

function validateWebhook(h: any, f: string, mutating: boolean, o: HookOptions): FieldError[] {
  const errs: FieldError[] = [...validateFullyQualifiedName(`${f}.name`, h?.name)];
  (Array.isArray(h?.rules) ? h.rules : []).forEach((r: any, i: number) => errs.push(...validateRuleWithOperations(r, `${f}.rules[${i}]`)));
  errs.push(...validateEnumField(`${f}.failurePolicy`, h?.failurePolicy, FAILURE_POLICIES));
  errs.push(...validateEnumField(`${f}.matchPolicy`, h?.matchPolicy, MATCH_POLICIES));
  const allowedSideEffects = o.requireNoSideEffects ? NO_SIDE_EFFECT_CLASSES : SIDE_EFFECT_CLASSES;
  if (h?.sideEffects === undefined || h?.sideEffects === null) errs.push(requiredWhy(`${f}.sideEffects`, `must specify one of ${allowedSideEffects.join(', ')}`));
  else if (!allowedSideEffects.includes(h.sideEffects)) errs.push(notSupported(`${f}.sideEffects`, h.sideEffects, allowedSideEffects));
  errs.push(...validateTimeoutSeconds(`${f}.timeoutSeconds`, h?.timeoutSeconds));
  errs.push(...validateSelector(`${f}.namespaceSelector`, h?.namespaceSelector));
  errs.push(...validateSelector(`${f}.objectSelector`, h?.objectSelector));
  if (mutating) errs.push(...validateEnumField(`${f}.reinvocationPolicy`, h?.reinvocationPolicy, REINVOCATION_POLICIES));
  errs.push(...validateClientConfig(`${f}.clientConfig`, h?.clientConfig ?? {}));
  if (o.checkMatchConditions) errs.push(...validateMatchConditions(`${f}.matchConditions`, h?.matchConditions, matchConditionCheck));
  return errs;
}

function validateConfiguration(o: KubeObject, old: KubeObject | undefined, mutating: boolean): FieldError[] {
  const opts = optionsFor(old);
  // Unchanged match conditions of a stored configuration are not compiled again.
  if (old && JSON.stringify(webhooksOf(o).map((h) => h?.matchConditions)) === JSON.stringify(webhooksOf(old).map((h) => h?.matchConditions))) opts.checkMatchConditions = false;
  const errs: FieldError[] = [];
  const names = new Set<string>();
  webhooksOf(o).forEach((h, i) => {
    const f = `webhooks[${i}]`;
    errs.push(...validateWebhook(h, f, mutating, opts));
    errs.push(...validateAdmissionReviewVersions(`${f}.admissionReviewVersions`, h?.admissionReviewVersions, opts.requireRecognizedVersion));
    if (opts.requireUniqueNames && h?.name) {
      if (names.has(h.name)) errs.push(duplicate(`${f}.name`, h.name));
      names.add(h.name);
    }
  });
  return errs;
}

function webhookConfigurationKind(mutating: boolean) {
  const kind = mutating ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration';
  return defineKind({
    group: GROUP,
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    categories: ['api-extensions'],
    namespaced: false,
    description: `${kind} describes the configuration of and admission webhook that accept or reject and ${mutating ? 'may change the object' : 'object without changing it'}.`,
    fields: {
      webhooks: mergeList('Webhooks is a list of webhooks and the affected resources and operations.', webhookSchema(mutating), 'name'),
    },
    defaults: (o) => webhooksOf(o).forEach((w) => defaultWebhook(w, mutating)),
    validate: (o, old) => validateConfiguration(o, old, mutating),
    strategy: { specFields: ['webhooks'] },
    columns: [col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration.'), ageColumn],
    cells: (o, now) => [webhooksOf(o).length, age(o, now)],
  });
}

export const mutatingWebhookConfiguration = webhookConfigurationKind(true);
export const validatingWebhookConfiguration = webhookConfigurationKind(false);
