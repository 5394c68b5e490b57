// One call of one webhook: the dry-run rule for side effects, the AdmissionReview out, the answer
// checked, its audit annotations and warnings recorded, a denial turned into the request's error.
import { randomUUID } from 'node:crypto';
import type { Registry } from '../../../api/registry.ts';
import type { Store } from '../../../storage/interface.ts';
import type { AdmissionAttributes } from '../index.ts';
import { CallError, postReview } from './client.ts';
import { CallingWebhookError, deniedBy, dryRunUnsupported } from './errors.ts';
import type { Webhook } from './hooks.ts';
import { ResolveError, serviceTarget, urlTarget, type WebhookTarget } from './resolve.ts';
import { buildReview, verifyResponse, type Invocation, type ReviewAnswer } from './review.ts';

export interface CallDeps {
  store: Store;
  registry: Registry;
}

async function targetOf(deps: CallDeps, h: Webhook): Promise<WebhookTarget> {
  const cc = h.clientConfig;
  if (cc.url) return urlTarget(cc.url, h.timeoutSeconds);
  if (!cc.service) throw new CallingWebhookError(h.name, 'could not get REST client: no url or service');
  const r = await serviceTarget(deps.store, deps.registry, cc.service, h.timeoutSeconds);
  if (!r.target) throw new CallingWebhookError(h.name, `failed to call webhook: Post ${JSON.stringify(r.url)}: ${r.error}`);
  return r.target;
}

/** The HTTP answer as an AdmissionReview, or the client-side error text Kubernetes reports. */
export function decodeAnswer(status: number, body: string): unknown {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (status < 200 || status > 299) {
    if (parsed?.kind === 'Status' && typeof parsed.message === 'string') throw new CallError(parsed.message);
    const text = body.trim();
    throw new CallError(text ? `an error on the server (${JSON.stringify(text.slice(0, 256))}) has prevented the request from succeeding` : `the server responded with the status code ${status} but did not return more information`);
  }
  if (parsed === undefined) throw new CallError(`couldn't get version/kind; json parse error: ${body.length ? 'invalid character' : 'unexpected end of JSON input'}`);
  return parsed;
}

/**
 * Calls the webhook; resolves with its (allowing) answer. Throws CallingWebhookError (failurePolicy
 * decides), or a StatusError: dry run with side effects, or the webhook's denial.
 */
export async function callWebhook(deps: CallDeps, h: Webhook, a: AdmissionAttributes, inv: Invocation, mutating: boolean): Promise<ReviewAnswer> {
  if (a.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') throw dryRunUnsupported(h.name);
  if (!h.admissionReviewVersions.includes('v1')) {
    throw new CallingWebhookError(h.name, 'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)');
  }
  const uid = randomUUID();
  const body = JSON.stringify(buildReview(uid, a, inv));
  const target = await targetOf(deps, h);
  let review: unknown;
  try {
    const answer = await postReview(target, h.clientConfig.caBundle, body, h.timeoutSeconds * 1000);
    review = decodeAnswer(answer.status, answer.body);
  } catch (err) {
    if (err instanceof CallError || err instanceof ResolveError) throw new CallingWebhookError(h.name, `failed to call webhook: ${err.message}`);
    throw err;
  }
  let answer: ReviewAnswer;
  try {
    answer = verifyResponse(uid, mutating, review);
  } catch (err) {
    const msg = (err as Error).message;
    if (msg.startsWith('received undecodable patch') || msg.startsWith('unsupported patch type')) throw new CallingWebhookError(h.name, msg);
    throw new CallingWebhookError(h.name, `received invalid webhook response: ${msg}`);
  }
  for (const [k, v] of Object.entries(answer.auditAnnotations)) a.annotate(`${h.name}/${k}`, v);
  for (const w of answer.warnings) a.warn(w);
  if (!answer.allowed) throw deniedBy(h.name, answer.result);
  return answer;
}
