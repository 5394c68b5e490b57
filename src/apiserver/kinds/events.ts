// Events' REST storage (Kubernetes' pkg/registry/core/event/storage, events.k8s.io served from the
// same rules): an Event expires --event-ttl after its last write (default 1h), as kube-apiserver
// attaches each write to an etcd lease of that TTL. Events stay out of the watch cache (Kubernetes'
// DefaultWatchCacheSizes: events 0): their reads go to the storage backend.
import type { RestHooks } from '../../api/resource.ts';

/** Kubernetes' --event-ttl default: one hour. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

export const eventStorage: RestHooks = {
  ttlMs: (core) => core.eventTtlMs ?? DEFAULT_EVENT_TTL_MS,
  watchCache: false,
};
