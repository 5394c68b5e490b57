// The request pipeline: named, pluggable stages run in Kubernetes' order —
// authentication → rate limiting → authorization → (handler: mutating admission → validation →
// validating admission → storage). Security stages allow everything until plugins are added.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { RequestInfo } from '../routing.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Attributes of a request as authorization (RBAC) sees them. */
export interface RequestAttributes {
  user: UserInfo;
  info: RequestInfo;
  req: IncomingMessage;
  /** The response, for stages that set headers on every answer (APF's X-Kubernetes-PF-*); absent in access reviews. */
  res?: ServerResponse;
}

/** Returns the user, undefined when this authenticator does not recognize the request; throws 401 to reject. */
export interface Authenticator {
  name: string;
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** Frees what a rate limiter holds for a request (its seat) once the request is finished; may be called again, which must be a no-op. */
export type Release = () => void;

/** Throws a StatusError (429 with retryAfterSeconds) to reject; may return a Release for when the request ends. */
export interface RateLimiter {
  name: string;
  admit(attrs: RequestAttributes): void | Release | Promise<void | Release>;
}

export type AuthorizationDecision = 'allow' | 'deny' | 'noOpinion';

export interface Authorizer {
  name: string;
  authorize(attrs: RequestAttributes): AuthorizationDecision | Promise<AuthorizationDecision>;
  /** Why this authorizer did not allow the request (Kubernetes appends the reasons to the 403 message); '' = none. */
  reason?(attrs: RequestAttributes): string;
  /** The user's rules in a namespace, for SelfSubjectRulesReview (`kubectl auth can-i --list`). */
  rules?(user: UserInfo, namespace: string): ReviewRules | Promise<ReviewRules>;
}

export interface ReviewRules {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  rt: ResourceType;
  info: RequestInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The object being written (mutating plugins may change it in place); undefined for DELETE. */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user: UserInfo;
  /** The request's CreateOptions / UpdateOptions / DeleteOptions (meta.k8s.io/v1), as webhooks receive them. */
  options?: Record<string, unknown>;
  /** Adds a warning for the client (a `Warning: 299 - "..."` header on the answer). */
  warn(text: string): void;
  /** Records an audit annotation (key → value) on the request. */
  annotate(key: string, value: string): void;
  /** Shared by the mutating phase's plugins: a plugin asks for one more pass (Kubernetes' reinvocation). */
  reinvocation: ReinvocationContext;
  /**
   * Set once a mutating plugin may have put values of other types than the schema declares into
   * `object` (a webhook's patch, a plugin without typedMutation): the write checks its types again
   * (forgetWellTyped) rather than trusting what it found before admission.
   */
  untyped?: boolean;
}

/** Kubernetes' admission ReinvocationContext: the mutating chain runs once more when a plugin asks for it. */
export interface ReinvocationContext {
  /** True during the second pass. */
  isReinvoke: boolean;
  /** Set by a plugin (during the first pass) to have the chain run again. */
  shouldReinvoke: boolean;
  /** Per-plugin state kept across the passes. */
  values: Map<string, unknown>;
}

/** An admission plugin: `admit` mutates (runs in the mutating phase), `validate` only checks. Both throw StatusError to deny. */
export interface AdmissionPlugin {
  name: string;
  /**
   * The plugin's admit changes objects only with values of the types their schema declares (the
   * server's own code: literals, values of stored, validated objects), or sets `untyped` on the
   * attributes when it did otherwise (webhook patches). Unset: every admit it runs counts as untyped.
   */
  typedMutation?: boolean;
  admit?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

export interface Pipeline {
  authenticators: Authenticator[];
  rateLimiters: RateLimiter[];
  authorizers: Authorizer[];
  /** Mutating then validating admission, in this order (each plugin's admit, then each plugin's validate). */
  admission: AdmissionPlugin[];
}

/** With no authenticator configured (the library default, `--insecure`), every request is the cluster admin. */
export const anonymousAdmin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
