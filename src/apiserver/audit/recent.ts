// The last writes the audit log recorded, kept in memory so a client can read an object's writes
// back — who wrote it with which user agent, and what admission decided (the webhooks' and
// policies' audit annotations) — without access to the log file: GET /debug/audit/writes
// (server.ts). kube-apiserver has no such path; it is kubesim's read-back of its own audit log.
// Only what the policy recorded (nothing at level None), and only the metadata: request and
// response bodies are never kept here (they may hold Secrets' data), so a caller learns no more
// than the objectRef, the user, the code and the annotations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, methodNotAllowed } from '../../api/errors.ts';
import { sendJson } from '../respond.ts';
import { splitUrl } from '../routing.ts';
import type { AuditEvent } from './event.ts';

export const AUDIT_WRITES_PATH = '/debug/audit/writes';

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export type RecentWrite = Omit<AuditEvent, 'requestObject' | 'responseObject'>;

export interface WriteQuery {
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export class RecentWrites {
  private readonly ring: (RecentWrite | undefined)[];
  private next = 0;

  constructor(readonly size = 5000) {
    this.ring = new Array(size);
  }

  /** Keeps a write's ResponseComplete event (without bodies); other events are not kept. */
  add(ev: AuditEvent): void {
    if (ev.stage !== 'ResponseComplete' || !ev.objectRef || !WRITES.has(ev.verb)) return;
    const { requestObject: _req, responseObject: _res, ...kept } = ev;
    this.ring[this.next % this.size] = kept;
    this.next++;
  }

  /** The kept writes matching every given field of the objectRef, oldest first. */
  query(q: WriteQuery): RecentWrite[] {
    const out: RecentWrite[] = [];
    for (let i = Math.max(0, this.next - this.size); i < this.next; i++) {
      const w = this.ring[i % this.size]!;
      const r = w.objectRef!;
      if (q.resource !== undefined && r.resource !== q.resource) continue;
      if (q.group !== undefined && (r.apiGroup ?? '') !== q.group) continue;
      if (q.namespace !== undefined && (r.namespace ?? '') !== q.namespace) continue;
      if (q.name !== undefined && r.name !== q.name) continue;
      out.push(w);
    }
    return out;
  }
}

/** The audit.k8s.io/v1 EventList the read-back answers (the audit webhook backend's body). */
export function eventList(items: RecentWrite[]): { kind: 'EventList'; apiVersion: 'audit.k8s.io/v1'; metadata: Record<string, never>; items: RecentWrite[] } {
  return { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items };
}

/** The query parameters of the read-back: group, resource, namespace, name (each optional). */
export function writeQueryOf(url: string): WriteQuery {
  const q = splitUrl(url).query;
  const out: WriteQuery = {};
  for (const k of ['group', 'resource', 'namespace', 'name'] as const) {
    const v = q?.get(k);
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * GET /debug/audit/writes?resource=pods&namespace=default&name=web: the kept writes of what the
 * query names as an audit.k8s.io/v1 EventList. Authorized by the caller (server.ts) like any
 * non-resource path (RBAC: nonResourceURLs); 404 when the server audits nothing.
 */
export function serveAuditWrites(req: IncomingMessage, res: ServerResponse, recent: RecentWrites | undefined, done: (code: number) => void, fail: (err: unknown) => void): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(methodNotAllowed('the server does not allow this method on the requested resource'));
  if (!recent) return fail(new StatusError(404, 'NotFound', 'auditing is off (no --audit-policy-file): no writes are recorded'));
  sendJson(res, 200, eventList(recent.query(writeQueryOf(req.url ?? '/'))));
  done(200);
}
