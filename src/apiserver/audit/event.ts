// audit.k8s.io/v1 Event: the record of one stage of one request, and the pieces that go in it.
import type { AuditLevel, AuditStage } from './policy.ts';

export interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Wall-clock time in microseconds (Date has milliseconds only). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** RFC 3339 with microseconds, as Kubernetes' MicroTime serializes: 2006-01-02T15:04:05.000000Z. */
export function microTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
}

/** The Status fields of an answer (errors carry status/reason/message, as Kubernetes' audit copies them). */
export function responseStatusOf(code: number, body: unknown): ResponseStatus {
  const s: ResponseStatus = { metadata: {}, code };
  const b = body as { kind?: string; status?: string; message?: string; reason?: string; details?: unknown } | undefined;
  if (b?.kind === 'Status') {
    if (b.status) s.status = b.status;
    if (b.message) s.message = b.message;
    if (b.reason) s.reason = b.reason;
    if (b.details && Object.keys(b.details).length) s.details = b.details;
  }
  return s;
}

/** A copy without metadata.managedFields (items' too, for lists). */
export function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const o = obj as { metadata?: Record<string, unknown>; items?: unknown[] };
  let out: Record<string, unknown> = o as Record<string, unknown>;
  if (o.metadata && 'managedFields' in o.metadata) {
    const { managedFields: _m, ...metadata } = o.metadata;
    out = { ...out, metadata };
  }
  if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
  return out;
}

/** X-Forwarded-For's addresses, X-Real-Ip, then the peer, without repeats (Kubernetes' SourceIPs). */
export function sourceIPs(headers: Record<string, string | string[] | undefined>, remote: string | undefined): string[] {
  const ips: string[] = [];
  const add = (ip: string | undefined) => {
    const v = ip?.trim().replace(/^::ffff:/, '');
    if (v && !ips.includes(v)) ips.push(v);
  };
  const xff = headers['x-forwarded-for'];
  for (const part of (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',')) add(part);
  const real = headers['x-real-ip'];
  add(Array.isArray(real) ? real[0] : real);
  add(remote);
  return ips;
}

/** The user a request impersonates (Impersonate-User, -Group, -Uid, -Extra-* headers), if any. */
export function impersonatedUserOf(headers: Record<string, string | string[] | undefined>): AuditUser | undefined {
  const one = (h: string) => {
    const v = headers[h];
    return Array.isArray(v) ? v[0] : v;
  };
  const username = one('impersonate-user');
  if (!username) return undefined;
  const list = (h: string) => {
    const v = headers[h];
    return (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(',').map((s) => s.trim())).filter(Boolean);
  };
  const u: AuditUser = { username };
  const uid = one('impersonate-uid');
  if (uid) u.uid = uid;
  const groups = list('impersonate-group');
  if (groups.length) u.groups = groups;
  for (const h of Object.keys(headers)) {
    if (!h.startsWith('impersonate-extra-')) continue;
    (u.extra ??= {})[decodeURIComponent(h.slice('impersonate-extra-'.length))] = list(h);
  }
  return u;
}
