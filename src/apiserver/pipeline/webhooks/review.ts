// AdmissionReview v1 (admission.k8s.io/v1): the request a webhook receives, and the checks on its
// answer (k8s.io/apiserver/pkg/admission/plugin/webhook/request/admissionreview.go).
import type { ResourceType } from '../../../api/resource.ts';
import { apiVersionOf, type KubeObject, type Status } from '../../../api/types.ts';
import type { AdmissionAttributes } from '../index.ts';

export const REVIEW_API_VERSION = 'admission.k8s.io/v1';

/** The resource a webhook was matched for (the request's own, or an equivalent one). */
export interface Invocation {
  rt: ResourceType;
  /** The request's objects already converted to rt's version by its conversion webhook (prepareInvocation). */
  converted?: Map<KubeObject, KubeObject>;
}

/**
 * A version converted by a CRD's conversion webhook (matchPolicy Equivalent picked another version
 * than the request's): the request's object and old object are converted once, before anything
 * reads them through toInvocationVersion.
 */
export async function prepareInvocation(inv: Invocation, a: Pick<AdmissionAttributes, 'object' | 'oldObject'>): Promise<Invocation> {
  const convert = inv.rt.conversion?.convert;
  if (!convert) return inv;
  const target = apiVersionOf(inv.rt.group, inv.rt.version);
  const objs = [a.object, a.oldObject].filter((o): o is KubeObject => o !== undefined && o.apiVersion !== target);
  if (objs.length === 0) return inv;
  const out = await convert(objs, target);
  inv.converted = new Map(objs.map((o, i) => [o, out[i]]));
  return inv;
}

/** The object as the invoked version sees it (kinds served from another version's storage convert). */
export function toInvocationVersion(inv: Invocation, obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const pre = inv.converted?.get(obj);
  if (pre) return pre;
  return inv.rt.conversion ? inv.rt.conversion.fromStorage(obj) : obj;
}

/** A (patched) object of the invoked version back in the form the request carries (storage; the request's version with a webhook). */
export async function fromInvocationVersion(inv: Invocation, requestRt: ResourceType, obj: KubeObject): Promise<KubeObject> {
  const convert = inv.rt.conversion?.convert;
  if (!convert) return inv.rt.conversion ? inv.rt.conversion.toStorage(obj) : obj;
  const target = apiVersionOf(requestRt.group, requestRt.version);
  return obj.apiVersion === target ? obj : (await convert([obj], target))[0];
}

const gvk = (rt: ResourceType) => ({ group: rt.group, version: rt.version, kind: rt.kind });
const gvr = (rt: ResourceType) => ({ group: rt.group, version: rt.version, resource: rt.plural });

export function buildReview(uid: string, a: AdmissionAttributes, inv: Invocation): Record<string, unknown> {
  const request: Record<string, unknown> = {
    uid,
    kind: gvk(inv.rt),
    resource: gvr(inv.rt),
    ...(a.subresource ? { subResource: a.subresource } : {}),
    requestKind: gvk(a.rt),
    requestResource: gvr(a.rt),
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: {
      username: a.user.username,
      ...(a.user.uid ? { uid: a.user.uid } : {}),
      ...(a.user.groups.length ? { groups: a.user.groups } : {}),
      ...(a.user.extra && Object.keys(a.user.extra).length ? { extra: a.user.extra } : {}),
    },
    object: toInvocationVersion(inv, a.object) ?? null,
    oldObject: toInvocationVersion(inv, a.oldObject) ?? null,
    dryRun: a.dryRun,
    options: a.options ?? null,
  };
  return { kind: 'AdmissionReview', apiVersion: REVIEW_API_VERSION, request };
}

/** The `request` variable CEL expressions see (AdmissionRequest without uid and objects). */
export function celRequest(a: AdmissionAttributes, inv: Invocation): Record<string, unknown> {
  const { uid: _uid, object: _o, oldObject: _old, ...rest } = (buildReview('', a, inv).request as Record<string, unknown>);
  return rest;
}

export interface ReviewAnswer {
  allowed: boolean;
  result?: Partial<Status>;
  /** Decoded JSON patch operations (mutating webhooks only). */
  patch?: unknown;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/** VerifyAdmissionResponse for v1: returns the answer or throws Error with Kubernetes' reason text. */
export function verifyResponse(uid: string, mutating: boolean, review: any): ReviewAnswer {
  if (!review || typeof review !== 'object' || Array.isArray(review)) throw new Error('webhook response was absent');
  const r = review.response;
  if (!r || typeof r !== 'object') throw new Error('webhook response was absent');
  if (r.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
  const got = `${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`;
  if (review.apiVersion !== REVIEW_API_VERSION || review.kind !== 'AdmissionReview') {
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${got.replace(/^\//, '')}`);
  }
  const hasPatch = typeof r.patch === 'string' && r.patch.length > 0;
  const hasPatchType = r.patchType !== undefined && r.patchType !== null;
  let patch: unknown;
  if (mutating) {
    if (hasPatch && !hasPatchType) throw new Error('webhook returned response.patch but not response.patchType');
    if (!hasPatch && hasPatchType) throw new Error('webhook returned response.patchType but not response.patch');
    if (hasPatchType && r.patchType === '') throw new Error(`webhook returned invalid response.patchType of ""`);
    if (hasPatch) {
      if (r.patchType !== 'JSONPatch') throw new UnsupportedPatchType(r.patchType);
      try {
        patch = JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8'));
      } catch (e) {
        throw new UndecodablePatch((e as Error).message);
      }
    }
  } else {
    if (hasPatch) throw new Error('validating webhook may not return response.patch');
    if (hasPatchType) throw new Error('validating webhook may not return response.patchType');
  }
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w: unknown) => typeof w === 'string') : [];
  const auditAnnotations: Record<string, string> = {};
  if (r.auditAnnotations && typeof r.auditAnnotations === 'object') for (const [k, v] of Object.entries(r.auditAnnotations)) if (typeof v === 'string') auditAnnotations[k] = v;
  return { allowed: r.allowed === true, result: r.status && typeof r.status === 'object' ? r.status : undefined, patch, warnings, auditAnnotations };
}

export class UnsupportedPatchType extends Error {
  constructor(readonly patchType: string) {
    super(`unsupported patch type ${JSON.stringify(patchType)}`);
  }
}

export class UndecodablePatch extends Error {
  constructor(why: string) {
    super(`received undecodable patch in webhook response: ${why}`);
  }
}
