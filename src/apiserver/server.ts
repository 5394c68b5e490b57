// The HTTP front door: dispatches health/version/metrics, discovery and OpenAPI, and resource paths
// through the pipeline into the generic REST handler.
import http from 'node:http';
import { StatusError, methodNotAllowed } from '../api/errors.ts';
import type { Registry } from '../api/registry.ts';
import {
  aggregatedVersionOf,
  answerDiscovery,
  answerSelfSubjectAccessReview,
  answerSelfSubjectReview,
  answerSelfSubjectRulesReview,
  ALLOW_ALL_RULES,
} from './discovery/index.ts';
import { decodeObject, readBody } from './body.ts';
import type { RequestInfo } from './routing.ts';
import { authorize, isPromise, type MaybePromise } from './pipeline/run.ts';
import { limitPublicRequest, secureRequest } from './pipeline/secure.ts';
import { anonymousAdmin, type UserInfo } from './pipeline/index.ts';
import { hasImpersonation } from './pipeline/impersonation.ts';
import { answerSubjectAccessReview, subjectReviewInfo } from './rbac/reviews.ts';
import { sendJson, sendStatus, sendText } from './respond.ts';
import { handleResource } from './rest/handlers.ts';
import type { ApiCore, Scope } from './rest/scope.ts';
import { answerDataDiscovery, collectionOwner, dataResources } from './rest/storage.ts';
import type { HttpAnswer } from './http-types.ts';
import { nonResourceRequestInfo, parseResourcePath, requestScope, splitUrl } from './routing.ts';
import { boolParam } from './listopts.ts';
import { serveDashboard } from './dashboard.ts';
import { armRequestTimeout, timeoutError } from './timeout.ts';
import { upgradeOf } from './rest/upgrade.ts';
import { ANONYMOUS, isPublicPath } from './authn/index.ts';
import { AUDIT_WRITES_PATH, serveAuditWrites } from './audit/index.ts';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubesim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const versionJson = JSON.stringify(VERSION_INFO);

function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Builds the request listener of an API server over core. ready() tells /readyz whether the cache is synced. */
export function createRequestListener(core: ApiCore, ready: () => boolean): http.RequestListener {
  const { registry, metrics, logger } = core;
  const debug = logger.isLevelEnabled('debug');

  return (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const { path, query } = splitUrl(url);
    let verb = req.method ?? 'GET';
    let resource = '';
    let scope = '';
    let answered = false;
    const audit = core.audit?.begin(req, res);
    // Methods of one object rather than named arrows: tsx (esbuild keepNames) names every named
    // arrow when it is made, a defineProperty per closure per request.
    const outcome = {
      done(code: number) {
        // Once answered (a request timeout answers 504 first), a handler's late outcome is dropped.
        if (answered) return;
        answered = true;
        metrics.observe(verb, resource, code, (performance.now() - started) / 1000, scope);
        if (debug) logger.debug({ method: req.method, url, code, ms: performance.now() - started }, 'request');
      },
      fail(err: unknown) {
        if (answered) return;
        if (err instanceof StatusError && err.code === 413) {
          // Stop reading the oversized body: close the connection once the answer is out.
          res.setHeader('Connection', 'close');
          res.on('finish', () => {
            req.socket.end();
            setTimeout(() => req.socket.destroy(), 1000).unref();
          });
        }
        if (!(err instanceof StatusError)) {
          logger.error({ err, method: req.method, url }, 'request failed');
          audit?.panic(err);
        }
        outcome.done(sendStatus(res, err));
      },
      /** A non-resource path: authorized as `<method> path` when security plugins are configured. */
      nonResource(serve: () => void) {
        if (!secured) return serve();
        const info = nonResourceRequestInfo(req.method, path);
        // The health paths, /version and the dashboard's files stay public (system:public-info-viewer):
        // limited (APF: the probes schema), never authorized.
        if (isPublicPath(path)) return afterLimit(() => limitPublicRequest(p, req, res, info, ANONYMOUS), serve, fail);
        withUser(() => secureRequest(p, req, res, info, audit), serve, fail);
      },
    };
    const { done, fail, nonResource } = outcome;

    const p = core.pipeline;
    const secured = p.authenticators.length > 0 || p.rateLimiters.length > 0 || p.authorizers.length > 0 || hasImpersonation(req);

    if (path.startsWith('/api/') || path.startsWith('/apis/')) {
      const info = parseResourcePath(verb, path, boolParam(query, 'watch') === true);
      if (info === 'badMethod') return fail(methodNotAllowed(`the server does not allow this method on the requested resource`));
      if (info === undefined) return nonResource(() => serveDiscovery(req, res, path, core, done, fail));
      verb = info.verb.toUpperCase();
      resource = info.resource;
      scope = requestScope(info);
      let rt = registry.byResource(info.group, info.version, info.resource);
      // A legacy collection a kind's storage serves beside its own (POST namespaces/<ns>/bindings).
      const collection = rt ? undefined : collectionOwner(registry, info);
      if (collection) rt = collection.rt;
      const handle = collection ? collection.handler : handleResource;
      try {
        armRequestTimeout(res, info, rt, query, core.requestTimeoutMs, upgradeOf(req) !== undefined, () => fail(timeoutError()));
      } catch (err) {
        return fail(err);
      }
      const review = !rt && info.verb === 'create' && !info.name ? REVIEWS[`${info.group}/${info.resource}`] : undefined;
      if (review) {
        // `kubectl auth can-i [--list]`, `kubectl auth whoami`: answered from the pipeline, written nowhere
        // The self reviews are open to every authenticated caller (what system:basic-user grants).
        const self = info.resource.startsWith('self');
        const answer = async () => review(core, req, secured ? await secureRequest(p, req, res, info, audit, !self) : anonymousAdmin, info);
        answer().then((body) => {
          sendJson(res, 201, body);
          done(201);
        }, fail);
        return;
      }
      if (!rt) return fail(notFoundPath());
      if (!collection?.anyScope) {
        if ((rt.namespaced ? false : info.namespace !== undefined) || (rt.namespaced && info.namespace === undefined && info.name !== undefined)) return fail(notFoundPath());
        if (rt.namespaced && info.namespace === undefined && info.verb !== 'list' && info.verb !== 'watch') return fail(notFoundPath());
      }
      // A deprecated version's warning goes with every answer about it (writes repeat it with their own).
      if (rt.warning) res.setHeader('Warning', `299 - ${JSON.stringify(rt.warning).replace(/[^\x20-\x7e]/g, '?')}`);
      const s: Scope = { core, req, res, info, rt, query, user: undefined as never };
      if (!secured) {
        // No security plugins: skip three awaits on the hot path.
        s.user = anonymousAdmin;
        audit?.identify(s.user, 'allow');
        handle(s).then(done, fail);
        return;
      }
      // Synchronous while every stage is (token file / x509, a free APF seat, RBAC's cache): then no
      // closure, no promise of our own before the handler.
      try {
        const user = secureRequest(p, req, res, info, audit);
        if (isPromise(user)) {
          user
            .then((u) => {
              s.user = u;
              return handle(s).then(done, fail);
            })
            .catch(fail);
          return;
        }
        s.user = user;
        handle(s).then(done, fail);
      } catch (err) {
        fail(err);
      }
      return;
    }

    nonResource(() => serveNonResource(req, res, path, core, ready, done, fail));
  };
}

function serveNonResource(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  core: ApiCore,
  ready: () => boolean,
  done: (code: number) => void,
  fail: (err: unknown) => void,
): void {
  const { metrics, registry } = core;
  // health, version, metrics, then the dashboard, then discovery (OpenAPI, /api, /apis)
  {
    switch (path) {
      case '/healthz':
      case '/livez':
        sendText(res, 200, 'ok');
        return done(200);
      case '/readyz':
        if (ready()) {
          sendText(res, 200, 'ok');
          return done(200);
        }
        sendText(res, 500, '[-]informer-sync failed: reason withheld\nreadyz check failed');
        return done(500);
      case '/version':
        sendJson(res, 200, versionJson);
        return done(200);
      case AUDIT_WRITES_PATH:
        return serveAuditWrites(req, res, core.audit?.recent, done, fail);
      case '/metrics':
        metrics.registry.metrics().then((text) => {
          sendText(res, 200, text, metrics.registry.contentType);
          done(200);
        }, fail);
        return;
    }
    if (serveDashboard(req, res, path, done)) return;
    return serveDiscovery(req, res, path, core, done, fail);
  }
}

/** Runs then once the limit stage admitted the request (at once when it answered synchronously); its or then's error goes to fail. */
function afterLimit(limit: () => MaybePromise<void>, then: () => void, fail: (err: unknown) => void): void {
  try {
    const held = limit();
    if (isPromise(held)) held.then(then).catch(fail);
    else then();
  } catch (err) {
    fail(err);
  }
}

/** Runs then with the user the stages give (at once when they answered synchronously); a stage's or then's error goes to fail. */
function withUser(stages: () => MaybePromise<UserInfo>, then: (user: UserInfo) => void, fail: (err: unknown) => void): void {
  try {
    const user = stages();
    if (isPromise(user)) user.then(then).catch(fail);
    else then(user);
  } catch (err) {
    fail(err);
  }
}

/** A SelfSubjectAccessReview: would the requesting user be allowed the described request? */
async function accessReview(core: ApiCore, req: http.IncomingMessage, user: UserInfo): Promise<object> {
  const review = decodeObject(req.headers['content-type'], await readBody(req));
  const info = subjectReviewInfo(review.spec ?? {});
  try {
    await authorize(core.pipeline, user, info, req);
    return answerSelfSubjectAccessReview(review, true, core.pipeline.authorizers.length ? 'allowed' : undefined);
  } catch (err) {
    if (err instanceof StatusError && err.code === 403) return answerSelfSubjectAccessReview(review, false, '');
    throw err;
  }
}

/** SelfSubjectRulesReview: the caller's rules from the first authorizer that can list them. */
async function rulesReview(core: ApiCore, req: http.IncomingMessage, user: UserInfo): Promise<object> {
  const review = decodeObject(req.headers['content-type'], await readBody(req));
  if (core.pipeline.authorizers.length === 0) return answerSelfSubjectRulesReview(review, ALLOW_ALL_RULES);
  for (const a of core.pipeline.authorizers) {
    if (a.rules) return answerSelfSubjectRulesReview(review, await a.rules(user, review.spec?.namespace ?? 'default'));
  }
  return answerSelfSubjectRulesReview(review, { resourceRules: [], nonResourceRules: [] });
}

/** SelfSubjectReview: who the authenticators say the caller is. */
async function selfReview(_core: ApiCore, req: http.IncomingMessage, user: UserInfo): Promise<object> {
  decodeObject(req.headers['content-type'], await readBody(req));
  return answerSelfSubjectReview(user);
}

/** SubjectAccessReview / LocalSubjectAccessReview: would the user in spec be allowed? */
async function subjectAccessReview(core: ApiCore, req: http.IncomingMessage, _user: UserInfo, info: RequestInfo): Promise<object> {
  const review = decodeObject(req.headers['content-type'], await readBody(req));
  return answerSubjectAccessReview(core.pipeline, review, info.namespace);
}

type Review = (core: ApiCore, req: http.IncomingMessage, user: UserInfo, info: RequestInfo) => Promise<object>;

/** By group/resource of the review path. */
const REVIEWS: Record<string, Review> = {
  'authorization.k8s.io/selfsubjectaccessreviews': accessReview,
  'authorization.k8s.io/selfsubjectrulesreviews': rulesReview,
  'authentication.k8s.io/selfsubjectreviews': selfReview,
  'authorization.k8s.io/subjectaccessreviews': subjectAccessReview,
  'authorization.k8s.io/localsubjectaccessreviews': subjectAccessReview,
};

function serveDiscovery(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  core: ApiCore,
  done: (code: number) => void,
  fail: (err: unknown) => void,
): void {
  const send = (answer: HttpAnswer | undefined) => {
    if (!answer) return fail(notFoundPath());
    const headers: Record<string, string | number> = { ...answer.headers };
    headers['Content-Length'] = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
    done(answer.status);
  };
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(notFoundPath());
    const data = answerDataDiscovery(core, path);
    if (data) return void data.then(send, fail);
    const accept = req.headers.accept ?? '';
    // Aggregated /apis lists the resources that are data too (custom.metrics.k8s.io's metrics).
    if (path.split('?')[0].replace(/\/+$/, '') === '/apis' && aggregatedVersionOf(accept)) {
      return void dataResources(core).then((d) => send(answerDiscovery(core.registry, path, accept, d)), fail);
    }
    send(answerDiscovery(core.registry, path, accept));
  } catch (err) {
    fail(err);
  }
}
