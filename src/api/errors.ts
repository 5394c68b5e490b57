// Errors as values users can act on: each carries the Kubernetes Status the API answers with.
import type { Status, StatusCause, StatusDetails } from './types.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The Status, its fields in the order Kubernetes serialises them (details before code). */
  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
    // A webhook's denial may carry no reason (omitempty in Kubernetes' Status)
    if (!this.reason) delete s.reason;
    return s;
  }

  /** Rebuilds the error from a Status answered by a server (used by the client). */
  static fromStatus(s: Partial<Status>, fallbackCode = 500): StatusError {
    return new StatusError(
      s.code ?? fallbackCode,
      (s.reason as StatusReason) ?? 'InternalError',
      s.message ?? 'unknown error',
      s.details,
    );
  }
}

export function isStatusError(e: unknown, code?: number): e is StatusError {
  return e instanceof StatusError && (code === undefined || e.code === code);
}

// Constructors named after apimachinery's errors package, with its message formats.

/** resource is the plural, lowercase (e.g. "pods", "deployments.apps" for kubectl's message). */
export function notFound(resource: string, name: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(404, 'NotFound', `${qualified} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

export function alreadyExists(resource: string, name: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

export function conflict(resource: string, name: string, why: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": ${why}`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** The message optimistic concurrency answers with on a stale resourceVersion. */
export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Gone', message);
}

/** 410 Expired: a resourceVersion older than the watch window or compaction. */
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function tooLarge(message = 'Request entity too large: limit is 3145728'): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', message);
}

/** 415 for a patch Content-Type the resource does not take (custom resources take no strategic merge patch). */
export function unsupportedMediaType(contentType: string, strategic = true): StatusError {
  const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', ...(strategic ? ['application/strategic-merge-patch+json'] : [])];
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${types.join(', ')}; got ${contentType}`);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** One problem with one field, in apimachinery's field.Error shape. */
export interface FieldError {
  /** e.g. "spec.containers[0].name" */
  field: string;
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong */
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid' | 'FieldValueInternal' | 'FieldValueNotFound';
  /** The human part, e.g. `Invalid value: "Foo": a lowercase RFC 1123 ...` or `Required value`. */
  detail: string;
}

/** Formats one field error the way apimachinery prints it: `spec.x: Required value`. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${e.detail}`;
}

/**
 * 422 Invalid: `<Kind> "<name>" is invalid: <field>: <detail>` (several joined as `[a, b]`),
 * details.causes naming each field.
 */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): StatusError {
  const parts = errors.map(formatFieldError);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  // NewInvalid names the GroupKind: `Deployment.apps "web" is invalid: ...`
  return new StatusError(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

export function required(field: string): FieldError {
  return { field, type: 'FieldValueRequired', detail: 'Required value' };
}

export function invalidValue(field: string, value: unknown, why: string): FieldError {
  return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(value)}: ${why}` };
}

export function notSupported(field: string, value: unknown, supported: string[]): FieldError {
  return {
    field,
    type: 'FieldValueNotSupported',
    detail: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(value)}` };
}

export function notFoundField(field: string, value: unknown): FieldError {
  return { field, type: 'FieldValueNotFound', detail: `Not found: ${JSON.stringify(value)}` };
}

export function forbidden(field: string, why: string): FieldError {
  return { field, type: 'FieldValueForbidden', detail: `Forbidden: ${why}` };
}
