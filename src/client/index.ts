/**
 * kubesim client machinery — what every component (and any outside program) uses to talk to the
 * API server. Only `src/api` is imported; everything goes over the Kubernetes wire protocol.
 *
 * REST
 *   const client = Client.fromKubeconfig(path?, { qps?, burst?, context?, userAgent? })
 *   const client = new Client({ server, token?, ca?, cert?, key?, insecureSkipTLSVerify?, qps?, burst?, userAgent?, transport? })
 *     - keep-alive agent; client-side token bucket (default 50 qps / burst 100; qps 0 or Infinity = off)
 *     - non-2xx answers throw StatusError (src/api/errors.ts) rebuilt from the server's Status; a 429 or 5xx with a Retry-After header is sent again (maxRetries, default 5) after its seconds on the client's clock (capped at maxRetryAfterSeconds, default 10), for requests, watches and log streams alike; without the header it is the caller's (client-go's checkWait)
 *   const pods = client.resource<Pod>(registry.byResource('', 'v1', 'pods')!)    // or a ResourceRef
 *   const leases = client.resource({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true })
 *   pods.get(name, { namespace })                     pods.inNamespace('ns') → bound ResourceClient
 *   pods.list({ namespace?, labelSelector, fieldSelector, limit, continue, resourceVersion, resourceVersionMatch })
 *   pods.listAll(opts)                                 (follows continue tokens)
 *   pods.create(obj, { namespace?, dryRun, fieldManager, fieldValidation })   namespace defaults to obj.metadata.namespace
 *   pods.update(obj) / pods.updateStatus(obj)          (PUT with metadata.resourceVersion → 409 on conflict)
 *   pods.patch(name, patch, { type: 'json'|'merge'|'strategic'|'apply', fieldManager, force, namespace })
 *   pods.delete(name, { namespace, propagationPolicy, gracePeriodSeconds, preconditions })
 *   pods.deleteCollection({ namespace, labelSelector, fieldSelector, propagationPolicy })
 *   const w = await pods.watch({ namespace?, resourceVersion, allowWatchBookmarks, timeoutSeconds, labelSelector, fieldSelector })
 *     for await (const ev of w) { ev.type: ADDED|MODIFIED|DELETED|BOOKMARK|ERROR (object = Status) }   w.close()
 *     (an error answer to the watch request itself, e.g. 410 Expired, rejects with StatusError)
 *   pods.getSubresource(name, 'scale'|'status', opts) / createSubresource(name, 'binding'|'eviction', body, opts)
 *   pods.updateSubresource(name, 'scale'|'status', body, opts) / patchSubresource(name, sub, patch, opts)
 *   pods.log(name, { container, tailLines, ... }) → text (= getSubresource(name, 'log'));  pods.logStream(name, { follow: true }) → Readable
 *   client.request({ method, path, query, body, contentType }) / client.raw(...) for anything else
 *   new Client({ server, transport }) plugs in another transport; inProcessTransport(httpServerOrListener)
 *   calls an http.Server's request listener in this process (no socket, no port): by default the lean
 *   wire (lean.ts: request/response objects of http's shape, no HTTP bytes; bodies stay JSON text),
 *   or { wire: 'http' } for real HTTP/1.1 over an in-memory stream pair
 *   new Client({ ..., clock }) — the Clock (src/clock) of the client's rate limiter and of the informers,
 *   leader electors and workqueues built on it (default real time; a VirtualClock under `kubesim simulate`,
 *   with inProcessTransport(server, { clock }) holding it while requests are in flight)
 *
 * Informers
 *   const factory = new SharedInformerFactory(client, { defaultResyncMs?, namespace? })
 *   const inf = factory.informerFor<Pod>(podsType, { namespace?, labelSelector?, fieldSelector?, indexers? })
 *   inf.addIndexers({ byNode: (p) => [p.spec?.nodeName ?? ''] })
 *   const reg = inf.addEventHandler({ onAdd(obj, isInitial), onUpdate(old, new), onDelete(obj | DeletedFinalStateUnknown) }, resyncMs?)
 *   factory.start(); await factory.waitForCacheSync(signal)     (or inf.start(); inf.hasSynced(); inf.waitForCacheSync())
 *   inf.lister.get(ns, name); inf.lister.list(selector?, namespace?); inf.indexer.byIndex('byNode', 'node-1')
 *   await factory.shutdown()
 *   Handlers run from per-handler FIFOs (never re-entrantly, in event order); a late handler first gets
 *   synthetic adds of the cache. The watch resumes from the last seen resourceVersion (bookmarks
 *   included) after a close, a timeout or a cut; 410 Expired (or three accepted watches in a row
 *   without progress) means a paged relist that delivers only differences; vanished objects come as
 *   DeletedFinalStateUnknown (use deletedObject(x)). Errors back off 200 ms .. 30 s.
 *   Keys: metaNamespaceKey(obj) = "ns/name". Metrics: informer_events_total, informer_relists_total{reason},
 *   informer_watch_restarts_total.
 *
 * Workqueue
 *   const q = new RateLimitingQueue<string>({ name: 'replicaset' })
 *   q.add(key); q.addAfter(key, ms); q.addRateLimited(key); q.forget(key); q.numRequeues(key)
 *   const { item, shutdown } = await q.get(); ...; q.done(item)
 *   q.len(); q.shutDown(); await q.shutDownWithDrain()
 *   Metrics (prom-client default registry, label name): workqueue_depth, workqueue_adds_total,
 *   workqueue_retries_total, workqueue_queue_duration_seconds, workqueue_work_duration_seconds.
 *
 * Leader election
 *   const le = new LeaderElector({ client, name: 'kube-scheduler', namespace: 'kube-system',
 *     leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2,
 *     callbacks: { onStartedLeading(signal) {...}, onStoppedLeading() {...}, onNewLeader(id) {...} } })
 *   le.start(); le.isLeader(); le.getLeader(); await le.stop()   (stop releases the lease)
 *   Durations may be fractional (tests); renewDeadline < leaseDuration is enforced. Identity defaults to
 *   `<hostname>_<uuid>`. A leader that cannot renew within renewDeadline calls onStoppedLeading and
 *   competes again (reacquire: false = give up, like client-go's Run). Acquire retries are jittered
 *   by 0-20% (option jitter). Metric: leader_election_master_status{name}.
 *
 * Events (client-go record package)
 *   const corr = new EventCorrelator({ clock })     // spam filter (25 burst, 1 per 5 min per source+object), aggregation (10 similar in 10 min → "(combined from similar events): ..."), series
 *   const r = corr.correlate(event)                  // { skip } | { event } (create) | { event, patch } (PATCH count/lastTimestamp/message)
 *   if (!r.skip) await writeCorrelated(client.resource(EVENTS), corr, r.event, r.patch)   // 404 on patch → create; 409 on create → patch
 */
export {
  Client,
  ResourceClient,
  errorFromResponse,
  DEFAULT_QPS,
  DEFAULT_BURST,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_SECONDS,
  retryAfterMs,
  PATCH_CONTENT_TYPES,
  type ClientOptions,
  type ResourceRef,
  type RequestOptions,
  type Transport,
  type TransportRequest,
  type TransportResponse,
  type GetOptions,
  type ListOptions,
  type WatchOptions,
  type WriteOptions,
  type PatchOptions,
  type PatchType,
  type DeleteOptions,
  type LogOptions,
  type NamespaceOption,
  type WatchStream,
} from './rest.ts';
export { inProcessTransport } from './inprocess.ts';
export { loadKubeconfig, resolveKubeconfig, defaultKubeconfigPath, type ResolvedKubeconfig } from './kubeconfig.ts';
export {
  SharedInformer,
  SharedInformerFactory,
  Indexer,
  Lister,
  DeletedFinalStateUnknown,
  deletedObject,
  metaNamespaceKey,
  splitMetaNamespaceKey,
  stripManagedFields,
  waitForCacheSync,
  NAMESPACE_INDEX,
  namespaceIndexFunc,
  type IndexFunc,
  type ResourceEventHandler,
  type HandlerRegistration,
  type InformerOptions,
  type FactoryOptions,
  type InformerLogger,
} from './informer.ts';
export { RateLimitingQueue, type QueueOptions, type QueueItem, type QueueShutdown } from './workqueue.ts';
export {
  TokenBucket,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  Backoff,
  sleep,
  realClock,
  type Clock,
  type RateLimiter,
} from './ratelimit.ts';
export { EventCorrelator, writeCorrelated, COMBINED_PREFIX, spamKey, aggregateKeys, eventKey, type EventCorrelatorOptions, type CorrelateResult, type EventWriter } from './eventcorrelator.ts';
export { LeaderElector, LEASES, microTime, defaultIdentity, type LeaderElectorOptions, type LeaderCallbacks, type Lease, type LeaseSpec } from './leaderelection.ts';
export {
  labelPredicate,
  selectorToString,
  type LabelSelector,
  type LabelSelectorRequirement,
  type SelectorInput,
} from './selector.ts';
