// admissionregistration.k8s.io validation shared by the webhook configurations and the policies, with
// Kubernetes' messages (pkg/apis/admissionregistration/validation, k8s.io/apiserver/pkg/util/webhook).
import { duplicate, invalidValue, notSupported, required, type FieldError } from '../../errors.ts';
import { validateLabelSelector } from '../../labels.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidPortNum } from '../../validation.ts';

/** field.Required with a detail ("Required value: <why>"). */
export function requiredWhy(field: string, why: string): FieldError {
  return why ? { field, type: 'FieldValueRequired', detail: `Required value: ${why}` } : required(field);
}

export const FAILURE_POLICIES = ['Fail', 'Ignore'];
export const MATCH_POLICIES = ['Equivalent', 'Exact'];
export const SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
/** What a new (or previously side-effect-free) configuration may declare. */
export const NO_SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun'];
export const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
export const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
export const SCOPES = ['*', 'Cluster', 'Namespaced'];
export const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

const hasWildcard = (xs: unknown[]) => xs.includes('*');
const asList = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** IsFullyQualifiedName: a DNS subdomain with at least three dot-separated segments (webhook names). */
export function validateFullyQualifiedName(field: string, name: unknown): FieldError[] {
  if (typeof name !== 'string' || name === '') return [required(field)];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [invalidValue(field, name, errs.join(','))];
  if (name.split('.').length < 3) return [invalidValue(field, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

/** resources of a rule: subresources allowed (`pods/status`, `*\/scale`, `*\/*`). */
function validateResources(resources: unknown[], f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(f));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((rs, i) => {
    const r = String(rs ?? '');
    if (r === '') return void errs.push(required(`${f}[${i}]`));
    if (r === '*/*') doubleWildcard = true;
    if (r === '*') singleWildcard = true;
    const slash = r.indexOf('/');
    if (slash < 0) {
      withoutSub = r !== '*';
      return;
    }
    const res = r.slice(0, slash);
    const sub = r.slice(slash + 1);
    if (withWildcardSub.has(res)) errs.push(invalidValue(`${f}[${i}]`, r, `if '${res}/*' is present, must not specify ${r}`));
    if (subWithWildcardRes.has(sub)) errs.push(invalidValue(`${f}[${i}]`, r, `if '*/${sub}' is present, must not specify ${r}`));
    if (sub === '*') withWildcardSub.add(res);
    if (res === '*') subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalidValue(f, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) errs.push(invalidValue(f, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

/** RuleWithOperations at `f` (webhook rules, policy resourceRules). */
export function validateRuleWithOperations(rule: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = asList(rule?.operations);
  if (ops.length === 0) errs.push(required(`${f}.operations`));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(invalidValue(`${f}.operations`, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(`${f}.operations[${i}]`, op, OPERATIONS));
  });
  const groups = asList(rule?.apiGroups);
  if (groups.length === 0) errs.push(required(`${f}.apiGroups`));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(invalidValue(`${f}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  const versions = asList(rule?.apiVersions);
  if (versions.length === 0) errs.push(required(`${f}.apiVersions`));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(invalidValue(`${f}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '' || v === null) errs.push(required(`${f}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(asList(rule?.resources), `${f}.resources`));
  if (rule?.scope !== undefined && rule?.scope !== null && !SCOPES.includes(rule.scope)) errs.push(notSupported(`${f}.scope`, rule.scope, SCOPES));
  return errs;
}

export function validateEnumField(field: string, v: unknown, supported: string[]): FieldError[] {
  return v === undefined || v === null || supported.includes(v as string) ? [] : [notSupported(field, v, supported)];
}

/** ValidateWebhookURL (https only). */
export function validateWebhookURL(field: string, raw: string): FieldError[] {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return [requiredWhy(field, `url must be a valid URL: parse ${JSON.stringify(raw)}: invalid URI for request${form}`)];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(invalidValue(field, scheme, "'https' is the only allowed URL scheme" + form));
  if (!u.host) errs.push(invalidValue(field, u.host, 'host must be specified' + form));
  if (u.username || u.password) errs.push(invalidValue(field, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash.length > 1) errs.push(invalidValue(field, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search.length > 1) errs.push(invalidValue(field, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** ValidateWebhookService: name, namespace, port, path segments. */
export function validateWebhookService(f: string, svc: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!svc?.name) errs.push(required(`${f}.name`));
  if (!svc?.namespace) errs.push(required(`${f}.namespace`));
  const port = svc?.port ?? 443;
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(invalidValue(`${f}.port`, port, 'port is not valid: ' + portErrs.join(', ')));
  const path = svc?.path;
  if (path === undefined || path === null || path === '' || path === '/') return errs;
  if (path === '//') return [...errs, invalidValue(`${f}.path`, path, 'segment[0] may not be empty')];
  if (!String(path).startsWith('/')) errs.push(invalidValue(`${f}.path`, path, "must start with a '/'"));
  let rest = String(path).slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (step === '') return void errs.push(invalidValue(`${f}.path`, path, `segment[${i}] may not be empty`));
    for (const m of isDNS1123Subdomain(step)) errs.push(invalidValue(`${f}.path`, path, `segment[${i}]: ${m}`));
  });
  return errs;
}

/** clientConfig: exactly one of url or service, and a PEM caBundle when given. */
export function validateClientConfig(f: string, cc: any): FieldError[] {
  const hasUrl = cc?.url !== undefined && cc?.url !== null;
  const hasSvc = cc?.service !== undefined && cc?.service !== null;
  const errs: FieldError[] = [];
  if (hasUrl === hasSvc) errs.push(requiredWhy(f, 'exactly one of url or service is required'));
  else if (hasUrl) errs.push(...validateWebhookURL(`${f}.url`, String(cc.url)));
  else errs.push(...validateWebhookService(`${f}.service`, cc.service));
  return errs;
}

/** admissionReviewVersions: non-empty, unique DNS-1035 labels, one of them understood. */
export function validateAdmissionReviewVersions(f: string, versions: unknown, requireRecognized: boolean): FieldError[] {
  const vs = asList(versions);
  if (vs.length === 0) return [requiredWhy(f, `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let recognized = false;
  vs.forEach((v, i) => {
    if (seen.has(v)) return void errs.push(invalidValue(`${f}[${i}]`, v, 'duplicate version'));
    seen.add(v);
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(String(v)) || String(v).length > 63) {
      errs.push(invalidValue(`${f}[${i}]`, v, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
    }
    if (ADMISSION_REVIEW_VERSIONS.includes(v)) recognized = true;
  });
  if (requireRecognized && !recognized) errs.push(invalidValue(f, vs, `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/**
 * matchConditions: at most 64, unique qualified names, a non-empty expression each. The CEL
 * compiler's own check of an expression is passed in (compileCheck → error detail or undefined).
 */
export function validateMatchConditions(f: string, conds: unknown, compileCheck?: (expr: string) => string | undefined): FieldError[] {
  const cs = asList(conds);
  const errs: FieldError[] = [];
  if (cs.length > 64) errs.push({ field: f, type: 'FieldValueTooMany', detail: `Too many: ${cs.length}: must have at most 64 items` });
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const expr = typeof c?.expression === 'string' ? c.expression.trim() : '';
    if (!expr) errs.push(required(`${f}[${i}].expression`));
    else {
      const why = compileCheck?.(expr);
      if (why) errs.push(invalidValue(`${f}[${i}].expression`, expr, why));
    }
    const name = c?.name;
    if (!name) errs.push(required(`${f}[${i}].name`));
    else {
      for (const m of isQualifiedName(String(name))) errs.push(invalidValue(`${f}[${i}].name`, name, m));
      if (names.has(name)) errs.push(duplicate(`${f}[${i}].name`, name));
      names.add(name);
    }
  });
  return errs;
}

export function validateTimeoutSeconds(f: string, t: unknown): FieldError[] {
  if (t === undefined || t === null) return [];
  return typeof t === 'number' && t >= 1 && t <= 30 ? [] : [invalidValue(f, t, 'the timeout value must be between 1 and 30 seconds')];
}

export function validateSelector(f: string, sel: unknown): FieldError[] {
  return validateLabelSelector(sel, f);
}
