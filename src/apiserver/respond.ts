// Writing answers: JSON bodies, Status errors, and the mapping of storage errors to Status.
import type { ServerResponse } from 'node:http';
import { StatusError, internalError } from '../api/errors.ts';
import type { Status } from '../api/types.ts';

/** Serialized JSON per immutable object (objects served by the watch cache are never mutated). */
const jsonCache = new WeakMap<object, string>();

export function toJson(obj: object): string {
  let s = jsonCache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    jsonCache.set(obj, s);
  }
  return s;
}

/** A Status body as Kubernetes' encoder writes it: JSON, then a newline. */
export function statusJson(status: Status): string {
  return JSON.stringify(status) + '\n';
}

/** Warnings recorded while a request ran (admission), sent with whatever answers it. */
const pendingWarnings = new WeakMap<ServerResponse, string[]>();

/** Records a warning for the answer to this request (duplicates are sent once). */
export function addWarning(res: ServerResponse, text: string): void {
  let list = pendingWarnings.get(res);
  if (!list) pendingWarnings.set(res, (list = []));
  if (!list.includes(text)) list.push(text);
}

/** The Warning header value: `299 - "text"` per warning; header values must be printable ASCII. */
export function warningHeaderValue(warnings: string[]): string {
  return warnings.map((w) => `299 - ${JSON.stringify(w).replace(/[^\x20-\x7e]/g, '?')}`).join(', ');
}

/**
 * An answer body with its text made only when needed: a stored (frozen) object with the store's JSON
 * of it, or a value whose text is built on demand (a list from its items' cached JSON). An
 * in-process client takes a copy of the value instead (src/client/lean.ts), or, when it will not
 * change the answer (a read-only request), the value's frozen parts as they are: whatever in the
 * value is frozen must be the store's deep-frozen JSON data (what JSON.parse of its text gives).
 */
export class JsonAnswer {
  constructor(
    readonly value: object,
    private json?: string | (() => string),
  ) {}
  /** The text, when already at hand (no making it). */
  get known(): string | undefined {
    return typeof this.json === 'string' ? this.json : undefined;
  }
  text(): string {
    const j = this.json;
    return typeof j === 'string' ? j : (this.json = j ? j() : toJson(this.value));
  }
}

/** What the in-process exchange's response offers: an answer's JSON body as a value (false: send text). */
interface ValueResponse {
  /** `stored`: the value is a JsonAnswer's (its frozen parts the store's deep-frozen JSON data). */
  endJsonValue?(code: number, headers: Record<string, string>, value: object, text?: string, stored?: boolean): boolean;
}

/** Whether the response goes to an in-process client that takes a JSON answer as a value. */
export function takesJsonValues(res: ServerResponse): boolean {
  return (res as ValueResponse).endJsonValue !== undefined;
}

/**
 * A JSON answer. An object body (not a Status: errors stay text) goes to an in-process client as a
 * value when its response takes one; everything else as text, with its Content-Length.
 */
export function sendJson(res: ServerResponse, code: number, body: object | string | JsonAnswer, extraHeaders?: Record<string, string>): void {
  if (typeof body === 'object' && takesJsonValues(res) && (body instanceof JsonAnswer || (body as { kind?: unknown }).kind !== 'Status')) {
    const headers = answerHeaders(res, undefined, extraHeaders);
    const stored = body instanceof JsonAnswer;
    if ((res as ValueResponse).endJsonValue!(code, headers, stored ? body.value : body, stored ? body.known : undefined, stored)) return;
  }
  const text = typeof body === 'string' ? body : body instanceof JsonAnswer ? body.text() : (body as { kind?: unknown }).kind === 'Status' ? statusJson(body as Status) : JSON.stringify(body);
  res.writeHead(code, answerHeaders(res, Buffer.byteLength(text), extraHeaders));
  res.end(text);
}

function answerHeaders(res: ServerResponse, length: number | undefined, extraHeaders: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
  if (length !== undefined) headers['Content-Length'] = length;
  if (extraHeaders) Object.assign(headers, extraHeaders);
  const recorded = pendingWarnings.get(res);
  if (recorded?.length) {
    const more = warningHeaderValue(recorded);
    headers.Warning = headers.Warning ? `${headers.Warning}, ${more}` : more;
  }
  return headers as Record<string, string>;
}

/** A body already encoded (protobuf). */
export function sendBytes(res: ServerResponse, code: number, body: Buffer, contentType: string): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Any thrown value as a Status (unknown errors → 500 InternalError). */
export function statusOf(err: unknown): Status {
  if (err instanceof StatusError) return err.toStatus();
  return internalError(err instanceof Error ? err.message : String(err)).toStatus();
}

export function sendStatus(res: ServerResponse, err: unknown): number {
  const status = statusOf(err);
  if (res.headersSent) {
    res.destroy();
    return status.code;
  }
  const headers: Record<string, string> = {};
  if (status.code === 429 && status.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(status.details.retryAfterSeconds);
  sendJson(res, status.code, status, headers);
  return status.code;
}

export function successStatus(details?: Status['details'], code = 200): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code };
}
