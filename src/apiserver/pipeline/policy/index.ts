// ValidatingAdmissionPolicy admission (Kubernetes' validating policy dispatcher): every policy with
// bindings whose matchConstraints and binding matchResources take the request is evaluated per
// param; failed validations Deny (the request's error), Warn (a Warning header) or Audit (an
// annotation) as the binding says; configuration errors follow the policy's failurePolicy.
import type { Logger } from 'pino';
import type { Authorize } from '../../../api/cel/authz.ts';
import { StatusError, type StatusReason } from '../../../api/errors.ts';
import { labelSelectorMatcher } from '../../../api/labels.ts';
import type { Registry } from '../../../api/registry.ts';
import type { ResourceType } from '../../../api/resource.ts';
import { apiVersionOf, parseApiVersion, type KubeObject } from '../../../api/types.ts';
import { objectKey, resourcePrefix, type Store } from '../../../storage/interface.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../index.ts';
import { requestAuthorizer } from '../cel-authorizer.ts';
import { PrefixInformer } from '../informer.ts';
import { isNamespaceRequest, requestNamespace } from '../webhooks/hooks.ts';
import { isExemptAdmissionConfiguration } from '../webhooks/match.ts';
import { celRequest, prepareInvocation, toInvocationVersion } from '../webhooks/review.ts';
import { compileBinding, compilePolicy, type Binding, type CompiledPolicy } from './compile.ts';
import { evaluatePolicy } from './evaluate.ts';
import { PolicyStatusController } from './status.ts';
import { matchResources } from './matching.ts';

export const POLICY_PLUGIN = 'ValidatingAdmissionPolicy';
const GROUP = 'admissionregistration.k8s.io';

export interface PolicyAdmissionDeps {
  store: Store;
  registry: Registry;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  logger: Logger;
  /** The API server's authorizer, for CEL's `authorizer` library; absent = every check is allowed. */
  authorize?: Authorize;
}

interface Denial {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
}

function reasonToCode(reason: string): number {
  switch (reason) {
    case 'Invalid':
      return 422;
    case 'RequestEntityTooLarge':
      return 413;
    default:
      return 403;
  }
}

/** The params a binding selects (CollectParams); [null] when the policy takes none. Throws Error with Kubernetes' words. */
async function collectParams(deps: PolicyAdmissionDeps, paramRt: ResourceType | undefined, b: Binding, a: AdmissionAttributes): Promise<(KubeObject | null)[]> {
  const ref = b.paramRef;
  if (!paramRt || !ref) return [null];
  let namespace: string | undefined;
  if (paramRt.namespaced) {
    namespace = ref.namespace || requestNamespace(a);
    if (!namespace) throw new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) throw new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  // params in paramKind's version (a CRD with a conversion webhook converts them in one call)
  const asParams = async (os: KubeObject[]) => {
    const convert = paramRt.conversion?.convert;
    if (convert) return convert(os, apiVersionOf(paramRt.group, paramRt.version));
    return paramRt.conversion ? os.map((o) => paramRt.conversion!.fromStorage(o)) : os;
  };
  let params: KubeObject[];
  if (ref.name) {
    const e = await deps.store.get(objectKey(paramRt.group, paramRt.plural, namespace, ref.name));
    params = e ? await asParams([e.object]) : [];
  } else if (ref.selector) {
    const sel = labelSelectorMatcher(ref.selector);
    const prefix = resourcePrefix(paramRt.group, paramRt.plural) + (namespace ? `${namespace}/` : '');
    params = await asParams((await deps.store.list(prefix)).items.map((e) => e.object).filter((o) => sel(o.metadata.labels)));
  } else throw new Error('one of name or selector must be provided');
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny') throw new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params;
}

/** What CEL's namespaceObject holds: the namespace's metadata, spec and status. */
function namespaceObject(ns: KubeObject | undefined): Record<string, unknown> | null {
  if (!ns) return null;
  const { managedFields: _m, ...metadata } = ns.metadata;
  return { metadata, spec: ns.spec ?? {}, status: ns.status ?? {} };
}

export interface PolicyAdmission {
  plugin: AdmissionPlugin;
  start(): Promise<void>;
  stop(): void;
}

export function policyAdmission(deps: PolicyAdmissionDeps): PolicyAdmission {
  const policies = new PrefixInformer(deps.store, resourcePrefix(GROUP, 'validatingadmissionpolicies'), compilePolicy, deps.logger);
  const bindings = new PrefixInformer(deps.store, resourcePrefix(GROUP, 'validatingadmissionpolicybindings'), compileBinding, deps.logger);
  // status.typeChecking of each policy (the status controller)
  const status = new PolicyStatusController(deps.store, deps.registry, deps.logger);
  let bindingSrc: readonly Binding[] | undefined;
  let byPolicy = new Map<string, Binding[]>();
  const bindingsOf = (policy: string) => {
    const all = bindings.list();
    if (all !== bindingSrc) {
      bindingSrc = all;
      byPolicy = new Map();
      for (const b of all) byPolicy.set(b.policyName, [...(byPolicy.get(b.policyName) ?? []), b]);
    }
    return byPolicy.get(policy) ?? [];
  };

  /** Synchronous when there is nothing to evaluate (no policy, or an exempt resource). */
  function validate(a: AdmissionAttributes): Promise<void> | undefined {
    if (isExemptAdmissionConfiguration(a.rt) || policies.list().length === 0) return undefined;
    return validateAll(a);
  }

  async function validateAll(a: AdmissionAttributes): Promise<void> {
    const denials: Denial[] = [];
    const failures: object[] = [];
    const configError = (p: CompiledPolicy, b: Binding | undefined, err: unknown) => {
      if (p.failurePolicy === 'Ignore') return;
      const why = err instanceof Error ? err.message : String(err);
      denials.push({ policy: p.name, binding: b?.name, message: b ? `failed to configure binding: ${why}` : `failed to configure policy: ${why}` });
    };
    for (const p of policies.list()) {
      const bs = bindingsOf(p.name);
      if (bs.length === 0) continue;
      let matched: ResourceType | undefined;
      try {
        matched = await matchResources(deps, p.matchConstraints, a, false);
      } catch (err) {
        configError(p, undefined, err);
        continue;
      }
      if (!matched) continue;
      let paramRt: ResourceType | undefined;
      if (p.paramKind) {
        const { group, version } = parseApiVersion(p.paramKind.apiVersion ?? '');
        paramRt = deps.registry.byKind(group, version, p.paramKind.kind ?? '');
        if (!paramRt) {
          configError(p, undefined, new Error(`failed to find resource referenced by paramKind: '${group ? `${group}/` : ''}${version}, Kind=${p.paramKind.kind}'`));
          continue;
        }
      }
      const annotations = new Map<string, string[]>();
      for (const b of bs) {
        let params: (KubeObject | null)[];
        try {
          if (b.matchResources && !(await matchResources(deps, b.matchResources, a, true))) continue;
          params = await collectParams(deps, paramRt, b, a);
        } catch (err) {
          configError(p, b, err);
          continue;
        }
        const nsName = isNamespaceRequest(a.rt) ? '' : (a.namespace ?? '');
        const ns = nsName ? namespaceObject(await deps.getNamespace(nsName)) : null;
        const inv = matched.conversion?.convert ? await prepareInvocation({ rt: matched }, a) : { rt: matched };
        const base = { object: toInvocationVersion(inv, a.object) ?? null, oldObject: toInvocationVersion(inv, a.oldObject) ?? null, request: celRequest(a, inv), namespaceObject: ns, authorizer: requestAuthorizer(deps.authorize, a) };
        for (const param of params) {
          const result = await evaluatePolicy(p, { ...base, params: param });
          for (const d of result.decisions) {
            if (d.action === 'error' && p.failurePolicy === 'Ignore') continue;
            const reason = d.action === 'deny' ? d.reason : undefined;
            for (const action of b.validationActions) {
              if (action === 'Deny') denials.push({ policy: p.name, binding: b.name, message: d.message, reason });
              else if (action === 'Warn') a.warn(`Validation failed for ValidatingAdmissionPolicy '${p.name}' with binding '${b.name}': ${d.message}`);
              else if (action === 'Audit') failures.push({ message: d.message, policy: p.name, binding: b.name, expressionIndex: d.index, validationActions: b.validationActions });
            }
          }
          for (const { key, value } of result.auditAnnotations) {
            const vs = annotations.get(key) ?? [];
            if (!vs.includes(value)) annotations.set(key, [...vs, value]);
          }
        }
      }
      for (const [key, vs] of annotations) a.annotate(`${p.name}/${key}`, vs.join(', '));
    }
    if (failures.length) a.annotate('validation.policy.admission.k8s.io/validation_failure', JSON.stringify(failures.slice(0, 50)));
    if (denials.length) throw denialError(a, denials[0]);
  }

  return {
    plugin: { name: POLICY_PLUGIN, validate },
    async start() {
      await Promise.all([policies.start(), bindings.start(), status.start()]);
    },
    stop() {
      policies.stop();
      bindings.stop();
      status.stop();
    },
  };
}

/** admission.NewForbidden with the policy's message, then the reason (default Invalid) and its code. */
function denialError(a: AdmissionAttributes, d: Denial): StatusError {
  const message = d.binding
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || '';
  const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
  const reason = d.reason || 'Invalid';
  return new StatusError(reasonToCode(reason), reason as StatusReason, `${qualified}${name ? ` "${name}"` : ''} is forbidden: ${message}`, {
    name: name || undefined,
    group: a.rt.group || undefined,
    kind: a.rt.plural,
    causes: [{ message }],
  });
}
