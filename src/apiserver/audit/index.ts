// Auditing (kube-apiserver's --audit-policy-file, --audit-log-path): each request gets an audit ID
// (the Audit-Id response header) and, as the policy's level says, one audit.k8s.io/v1 Event per stage
// (RequestReceived; ResponseStarted for long-running requests; ResponseComplete, or Panic) written
// as a JSON line to the log. server.ts calls begin() when a request arrives and identify() once the
// user is known; the rest (the answer's code and body, completion) is read off the response here.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { parseResourcePath, splitUrl, type RequestInfo } from '../routing.ts';
import { boolParam } from '../listopts.ts';
import type { UserInfo } from '../pipeline/index.ts';
import { impersonatedUserOf, microTime, nowMicros, responseStatusOf, sourceIPs, withoutManagedFields, type AuditEvent, type AuditUser, type ObjectReference } from './event.ts';
import { evaluatePolicy, loadPolicy, type AuditStage, type Policy, type RequestAuditConfig } from './policy.ts';
import { AuditLogWriter, type AuditLogOptions } from './writer.ts';
import { RecentWrites } from './recent.ts';

export { evaluatePolicy, loadPolicy, parsePolicy, validatePolicy, type Policy, type PolicyRule, type AuditLevel, type AuditStage } from './policy.ts';
export { AuditLogWriter, backupName, backupsToRemove, type AuditLogOptions } from './writer.ts';
export type { AuditEvent } from './event.ts';
export { RecentWrites, eventList, serveAuditWrites, AUDIT_WRITES_PATH, type RecentWrite, type WriteQuery } from './recent.ts';

export interface AuditOptions {
  /** --audit-policy-file (a path) or the parsed Policy. */
  policy: string | Policy;
  /** --audit-log-path; `-` = stdout. */
  logPath: string;
  /** --audit-log-maxsize (MB), --audit-log-maxbackup, --audit-log-maxage (days). */
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
  onError?: (err: unknown) => void;
}

/** Most of a response body kept for responseObject. */
const MAX_CAPTURED_BYTES = 4 * 1024 * 1024;

const byRes = new WeakMap<ServerResponse, RequestAudit>();
const byReq = new WeakMap<IncomingMessage, RequestAudit>();

/** Records an audit annotation (admission's AdmissionAttributes.annotate) on the request answered by res. */
export function auditAnnotate(res: ServerResponse, key: string, value: string): void {
  byRes.get(res)?.annotate(key, value);
}

/** Whether the request is audited (body.ts makes the text of a body sent as a value only then). */
export function auditsRequest(req: IncomingMessage): boolean {
  return byReq.has(req);
}

/** Hands the request body (as read by body.ts) to the request's audit, for requestObject. */
export function auditRequestBody(req: IncomingMessage, body: Buffer): void {
  const a = byReq.get(req);
  if (a) a.body = body;
}

export class Auditor {
  private readonly policy: Policy;
  private readonly writer: AuditLogWriter;
  /** The last writes' events without bodies, for GET /debug/audit/writes. */
  readonly recent = new RecentWrites();

  constructor(
    o: AuditOptions,
    /** The user of a request no authenticator looked at (the library default's admin). */
    readonly defaultUser: () => UserInfo | undefined = () => undefined,
    /** Whether a request is long-running (a watch, exec, logs: ResponseStarted, no responseObject). */
    readonly longRunning: (info: RequestInfo) => boolean = (info) => info.verb === 'watch',
  ) {
    this.policy = typeof o.policy === 'string' ? loadPolicy(o.policy) : o.policy;
    const w: AuditLogOptions = { path: o.logPath, maxSizeMB: o.maxSizeMB, maxBackups: o.maxBackups, maxAgeDays: o.maxAgeDays, onError: o.onError };
    this.writer = new AuditLogWriter(w);
  }

  begin(req: IncomingMessage, res: ServerResponse): RequestAudit {
    return new RequestAudit(this, req, res);
  }

  config(a: Parameters<typeof evaluatePolicy>[1]): RequestAuditConfig {
    return evaluatePolicy(this.policy, a);
  }

  emit(ev: AuditEvent): void {
    this.recent.add(ev);
    this.writer.write(JSON.stringify(ev) + '\n');
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

export class RequestAudit {
  readonly id: string;
  private readonly receivedUs = nowMicros();
  private readonly info: RequestInfo | undefined;
  private readonly verb: string;
  private readonly path: string;
  private user: UserInfo | undefined;
  private cfg: RequestAuditConfig | undefined;
  private readonly annotations: Record<string, string> = {};
  private chunks: Buffer[] | undefined = [];
  private captured = 0;
  private panicError: unknown;
  private ended = false;
  body: Buffer | undefined;

  constructor(
    private readonly auditor: Auditor,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    const given = req.headers['audit-id'];
    this.id = (Array.isArray(given) ? given[0] : given) || randomUUID();
    res.setHeader('Audit-Id', this.id);
    const { path, query } = splitUrl(req.url ?? '/');
    this.path = path;
    const method = req.method ?? 'GET';
    const parsed = path.startsWith('/api/') || path.startsWith('/apis/') ? parseResourcePath(method, path, boolParam(query, 'watch') === true) : undefined;
    this.info = parsed === 'badMethod' ? undefined : parsed;
    this.verb = this.info?.verb ?? method.toLowerCase();
    byRes.set(res, this);
    byReq.set(req, this);
    this.hook();
  }

  /** The authenticated user is known: the policy decides, RequestReceived is written. decision: with no authorizer. */
  identify(user: UserInfo, decision?: 'allow'): void {
    this.user = user;
    this.config();
    if (decision) this.authorized(decision);
  }

  /** Authorization's outcome, as Kubernetes annotates it. */
  authorized(decision: 'allow' | 'forbid', reason = ''): void {
    this.annotate('authorization.k8s.io/decision', decision);
    this.annotate('authorization.k8s.io/reason', reason);
  }

  annotate(key: string, value: string): void {
    if (!(key in this.annotations)) this.annotations[key] = value;
  }

  /** The handler threw something that is not a Status: a Panic event instead of ResponseComplete. */
  panic(err: unknown): void {
    this.panicError = err;
  }

  private get longRunning(): boolean {
    return this.info !== undefined && this.auditor.longRunning(this.info);
  }

  private config(): RequestAuditConfig {
    if (this.cfg) return this.cfg;
    const user = this.user ?? this.auditor.defaultUser();
    const i = this.info;
    this.cfg = this.auditor.config({
      user,
      verb: this.verb,
      path: this.path,
      resource: i && { group: i.group, resource: i.resource, subresource: i.subresource, namespace: i.namespace, name: i.name },
    });
    this.stage('RequestReceived');
    return this.cfg;
  }

  private hook(): void {
    const res = this.res;
    const writeHead = res.writeHead;
    const write = res.write;
    const end = res.end;
    const self = this;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const out = (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      if (self.longRunning) self.stage('ResponseStarted');
      return out;
    } as typeof res.writeHead;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      self.capture(chunk);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') self.capture(chunk);
      return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as typeof res.end;
    const complete = () => {
      if (this.ended) return;
      this.ended = true;
      // Authenticated, then refused before any handler ran: authorization said no.
      if (this.user && this.res.statusCode === 403 && !('authorization.k8s.io/decision' in this.annotations)) this.authorized('forbid');
      this.stage(this.panicError !== undefined ? 'Panic' : 'ResponseComplete');
      byRes.delete(res);
      byReq.delete(this.req);
    };
    res.once('finish', complete);
    res.once('close', complete);
  }

  private capture(chunk: unknown): void {
    if (!this.chunks || chunk === undefined || chunk === null) return;
    const cfg = this.config();
    const wanted = this.res.statusCode >= 400 || (cfg.level === 'RequestResponse' && !this.longRunning);
    if (!wanted || cfg.level === 'None') {
      this.chunks = undefined;
      return;
    }
    const b = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    this.captured += b.length;
    if (this.captured > MAX_CAPTURED_BYTES) this.chunks = undefined;
    else this.chunks.push(b);
  }

  private stage(stage: AuditStage): void {
    const cfg = this.cfg ?? this.config();
    if (cfg.level === 'None' || cfg.omitStages.includes(stage)) return;
    this.auditor.emit(this.event(stage, cfg));
  }

  private event(stage: AuditStage, cfg: RequestAuditConfig): AuditEvent {
    const req = this.req;
    const user = this.user ?? this.auditor.defaultUser();
    const final = stage === 'ResponseComplete' || stage === 'Panic';
    const requestObject = final ? this.requestObject() : undefined;
    const withObjects = cfg.level === 'Request' || cfg.level === 'RequestResponse';
    const trim = (o: unknown) => (cfg.omitManagedFields ? withoutManagedFields(o) : o);
    let responseStatus: AuditEvent['responseStatus'];
    let responseObject: unknown;
    if (stage === 'Panic') {
      const message = `APIServer panic'd: ${String((this.panicError as Error)?.message ?? this.panicError)}`;
      responseStatus = { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
    } else if (stage !== 'RequestReceived') {
      const body = stage === 'ResponseComplete' ? this.responseBody() : undefined;
      responseStatus = responseStatusOf(this.res.statusCode, body);
      if (cfg.level === 'RequestResponse' && !this.longRunning) responseObject = body;
    }
    // Fields in the order Kubernetes writes them; undefined ones are left out of the JSON.
    return {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: cfg.level,
      auditID: this.id,
      stage,
      requestURI: req.url ?? '/',
      verb: this.verb,
      user: user ? auditUser(user) : {},
      impersonatedUser: impersonatedUserOf(req.headers),
      sourceIPs: sourceIPs(req.headers, req.socket?.remoteAddress),
      userAgent: req.headers['user-agent'],
      objectRef: this.info ? this.objectRef(requestObject) : undefined,
      responseStatus,
      requestObject: withObjects && requestObject !== undefined ? trim(requestObject) : undefined,
      responseObject: responseObject !== undefined ? trim(responseObject) : undefined,
      requestReceivedTimestamp: microTime(this.receivedUs),
      stageTimestamp: microTime(Math.max(this.receivedUs, nowMicros())),
      annotations: Object.keys(this.annotations).length ? { ...this.annotations } : undefined,
    };
  }

  private objectRef(requestObject: unknown): ObjectReference {
    const i = this.info!;
    const ref: ObjectReference = { resource: i.resource };
    const meta = (requestObject as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata;
    const namespace = i.namespace ?? (i.verb === 'create' ? meta?.namespace : undefined);
    if (namespace) ref.namespace = namespace;
    const name = i.name ?? (i.verb === 'create' && !i.subresource ? meta?.name : undefined);
    if (name) ref.name = name;
    if (i.group) ref.apiGroup = i.group;
    if (i.version) ref.apiVersion = i.version;
    if (i.subresource) ref.subresource = i.subresource;
    return ref;
  }

  private requestObject(): unknown {
    if (!this.body?.length) return undefined;
    const text = this.body.toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      if (!/yaml/.test(String(this.req.headers['content-type']))) return undefined;
      try {
        return parseYaml(text);
      } catch {
        return undefined;
      }
    }
  }

  private responseBody(): unknown {
    if (!this.chunks?.length) return undefined;
    if (!/json/.test(String(this.res.getHeader('content-type') ?? ''))) return undefined;
    try {
      return JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
    } catch {
      return undefined;
    }
  }
}

function auditUser(u: UserInfo): AuditUser {
  const out: AuditUser = { username: u.username };
  if (u.uid) out.uid = u.uid;
  if (u.groups?.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}
