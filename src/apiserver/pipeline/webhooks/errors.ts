// Webhook failures as Kubernetes words them (k8s.io/apiserver/pkg/admission/plugin/webhook/errors,
// pkg/util/webhook/error.go).
import { StatusError, badRequest, internalError, type StatusReason } from '../../../api/errors.ts';
import type { Status } from '../../../api/types.ts';

/** The webhook could not be called, or answered nonsense: failurePolicy decides (Fail → 500, Ignore → proceed). */
export class CallingWebhookError extends Error {
  constructor(
    readonly webhook: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook ${JSON.stringify(webhook)}: ${reason}`);
  }

  /** failurePolicy Fail: 500 InternalError. */
  toStatusError(): StatusError {
    return internalError(this.message);
  }
}

/** The webhook answered allowed: false. Its Status (code < 400 → 400), with the message prefixed. */
export function deniedBy(webhook: string, result: Partial<Status> | undefined): StatusError {
  const r = result && typeof result === 'object' ? result : {};
  const prefix = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message = r.message ? `${prefix}: ${r.message}` : r.reason ? `${prefix}: ${r.reason}` : `${prefix} without explanation`;
  return new StatusError(code, (r.reason ?? '') as StatusReason, message, r.details);
}

/** A webhook with side effects met a dry-run request. */
export function dryRunUnsupported(webhook: string): StatusError {
  return badRequest(`admission webhook ${JSON.stringify(webhook)} does not support dry run`);
}
