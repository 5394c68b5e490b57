// A CRD's conversion webhook (spec.conversion.strategy: Webhook), as apiextensions-apiserver's
// webhookConverter calls it: one ConversionReview (the first of conversionReviewVersions the server
// knows: v1, v1beta1) per batch, holding only the objects not yet in the desired apiVersion, posted
// through the admission webhooks' client and service resolution; the answer checked (uid, result,
// count, apiVersion and kind, same name/namespace/uid) and each object's metadata restored but for
// its labels and annotations. Failures are 500s worded `conversion webhook for <gvk> failed: ...`.
import { randomUUID } from 'node:crypto';
import { formatFieldError, internalError } from '../../api/errors.ts';
import { validateAnnotations, validateLabels } from '../../api/validation.ts';
import type { Registry } from '../../api/registry.ts';
import type { Crd } from '../../api/apiextensions/types.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Store } from '../../storage/interface.ts';
import { decodeAnswer } from '../pipeline/webhooks/call.ts';
import { CallError, postReview } from '../pipeline/webhooks/client.ts';
import { ResolveError, serviceTarget, urlTarget, type WebhookTarget } from '../pipeline/webhooks/resolve.ts';
import { deepCopy } from '../../api/core/json.ts';

/** The webhook client's default request timeout (Kubernetes' webhook ClientManager). */
const TIMEOUT_SECONDS = 30;
const KNOWN_REVIEW_VERSIONS = ['v1', 'v1beta1'];

export interface ConverterDeps {
  store: Store;
  registry: Registry;
}

/** Converts objects to one apiVersion, in order; rejects with a 500 StatusError. */
export type Converter = (objs: KubeObject[], apiVersion: string) => Promise<KubeObject[]>;

class ConversionError extends Error {}

/** `stable.example.com/v1, Kind=CronTab`: how Go prints a GroupVersionKind. */
const gvkOf = (o: KubeObject) => `${o.apiVersion ?? ''}, Kind=${o.kind ?? ''}`;

async function targetOf(deps: ConverterDeps, crd: Crd): Promise<WebhookTarget> {
  const cc = crd.spec.conversion?.webhook?.clientConfig ?? {};
  if (cc.url) return urlTarget(cc.url, TIMEOUT_SECONDS);
  if (!cc.service) throw new ConversionError('no url or service');
  const svc = { namespace: cc.service.namespace, name: cc.service.name, path: cc.service.path, port: cc.service.port ?? 443 };
  const r = await serviceTarget(deps.store, deps.registry, svc, TIMEOUT_SECONDS);
  if (!r.target) throw new ConversionError(`Post ${JSON.stringify(r.url)}: ${r.error}`);
  return r.target;
}

/** getConvertedObjectsFromResponse: the converted objects, or the reason the answer is refused. */
export function convertedObjectsOf(reviewVersion: string, uid: string, review: any): unknown[] {
  const want = `apiextensions.k8s.io/${reviewVersion}`;
  if (reviewVersion === 'v1' && (review?.apiVersion !== want || review?.kind !== 'ConversionReview')) {
    throw new ConversionError(`expected webhook response of ${want}, Kind=ConversionReview, got ${`${review?.apiVersion ?? ''}, Kind=${review?.kind ?? ''}`.replace(/^\//, '')}`);
  }
  const r = review?.response;
  if (!r || typeof r !== 'object') throw new ConversionError('no response provided');
  // v1beta1 answers were never checked for their uid
  if (reviewVersion === 'v1' && r.uid !== uid) throw new ConversionError(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
  const status = r.result?.status ?? '';
  if (status !== 'Success') {
    const message = r.result?.message;
    throw new ConversionError(typeof message === 'string' && message ? message : `response.result.status was '${status}', not 'Success'`);
  }
  return Array.isArray(r.convertedObjects) ? r.convertedObjects : [];
}

/** validateConvertedObject + restoreObjectMeta: the original's metadata with the converted labels and annotations. */
export function checkConverted(original: KubeObject, converted: unknown, apiVersion: string): KubeObject {
  if (!converted || typeof converted !== 'object' || Array.isArray(converted)) throw new ConversionError('invalid type, expected=Unstructured');
  const out = converted as KubeObject;
  if (out.apiVersion !== apiVersion) throw new ConversionError(`invalid groupVersion (expected ${apiVersion}, received ${out.apiVersion ?? ''})`);
  if (out.kind !== original.kind) throw new ConversionError(`invalid kind (expected ${original.kind}, received ${out.kind ?? ''})`);
  const m = out.metadata as KubeObject['metadata'] | undefined;
  for (const [what, a, b] of [
    ['name', original.metadata?.name, m?.name],
    ['namespace', original.metadata?.namespace, m?.namespace],
    ['UID', original.metadata?.uid, m?.uid],
  ] as const) {
    if ((a ?? '') !== (b ?? '')) throw new ConversionError(`must have the same ${what}: ${a ?? ''} != ${b ?? ''}`);
  }
  if (!m || typeof m !== 'object') throw new ConversionError('missing metadata in converted object');
  const metadata = deepCopy(original.metadata ?? {}) as Record<string, unknown>;
  for (const f of ['labels', 'annotations'] as const) {
    const v = (m as Record<string, unknown>)[f];
    if (v === undefined || v === null) {
      delete metadata[f];
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) throw new ConversionError(`invalid metadata.${f} of type ${Array.isArray(v) ? '[]interface {}' : typeof v} in converted object`);
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw new ConversionError(`metadata.${f}[${k}] must be a string, but is ${typeof x} in converted object`);
    if (JSON.stringify(v) !== JSON.stringify(metadata[f] ?? {})) {
      // changed by the webhook: validated as the API server validates them (Kubernetes' path says "annotation")
      const errs = f === 'labels' ? validateLabels(v, 'metadata.labels') : validateAnnotations(v, 'metadata.annotation');
      if (errs.length) throw new ConversionError(errs.length === 1 ? formatFieldError(errs[0]) : `[${errs.map(formatFieldError).join(', ')}]`);
    }
    metadata[f] = v;
  }
  return { ...out, metadata } as KubeObject;
}

/** The converter of one CRD's webhook (the CRD as it was when its resources were registered). */
export function webhookConverter(deps: ConverterDeps, crd: Crd): Converter {
  const hook = crd.spec.conversion?.webhook ?? {};
  const reviewVersion = (hook.conversionReviewVersions ?? []).find((v) => KNOWN_REVIEW_VERSIONS.includes(v));
  const caBundle = hook.clientConfig?.caBundle ? Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8') : undefined;
  return async (objs, apiVersion) => {
    const todo: number[] = [];
    for (let i = 0; i < objs.length; i++) if (objs[i].apiVersion !== apiVersion) todo.push(i);
    if (todo.length === 0) return objs;
    const first = objs[todo[0]];
    const single = todo.length === 1;
    const fail = (what: string) => internalError(`conversion webhook for ${gvkOf(first)} ${what}`);
    if (!reviewVersion) throw internalError('no supported conversion review versions');
    const uid = randomUUID();
    const review = { kind: 'ConversionReview', apiVersion: `apiextensions.k8s.io/${reviewVersion}`, request: { uid, desiredAPIVersion: apiVersion, objects: todo.map((i) => objs[i]) } };
    let converted: unknown[];
    try {
      const target = await targetOf(deps, crd);
      const answer = await postReview(target, caBundle, JSON.stringify(review), TIMEOUT_SECONDS * 1000);
      converted = convertedObjectsOf(reviewVersion, uid, decodeAnswer(answer.status, answer.body));
    } catch (err) {
      if (err instanceof CallError || err instanceof ResolveError || err instanceof ConversionError) throw fail(`failed: ${err.message}`);
      throw err;
    }
    if (converted.length !== todo.length) throw fail(`returned ${converted.length} objects, expected ${todo.length}`);
    const out = objs.slice();
    todo.forEach((at, n) => {
      try {
        out[at] = checkConverted(objs[at], converted[n], apiVersion);
      } catch (err) {
        if (!(err instanceof ConversionError)) throw err;
        throw fail(single ? `returned invalid object: ${err.message}` : `returned invalid converted object at index ${n}: ${err.message}`);
      }
    });
    return out;
  };
}
