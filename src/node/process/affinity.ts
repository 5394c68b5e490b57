// kube-proxy's endpoint choice for a Service port: at random over the ready endpoints, or — with
// `sessionAffinity: ClientIP` — the endpoint a client IP used last, for
// sessionAffinityConfig.clientIP.timeoutSeconds (default 10800) since its last connection, while
// that endpoint is still ready.
import type { KubeObject } from '../../api/types.ts';

export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export type Endpoint = [ip: string, port: number];

/** The affinity timeout of a Service in ms, or undefined without ClientIP affinity. Pure. */
export function affinityTimeoutMs(svc: KubeObject | undefined): number | undefined {
  if (svc?.spec?.sessionAffinity !== 'ClientIP') return undefined;
  const t = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  return (typeof t === 'number' && t > 0 ? t : DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000;
}

/** Client IP → the endpoint it sticks to and until when (one table per Service port). */
export type AffinityTable = Map<string, { endpoint: Endpoint; until: number }>;

/**
 * The endpoint for a new connection from `clientIP`; records (and refreshes) the client's affinity
 * in `table` when `timeoutMs` is set. Pure but for `table`.
 */
export function pickEndpoint(eps: Endpoint[], clientIP: string | undefined, timeoutMs: number | undefined, table: AffinityTable, now: number, random: () => number = Math.random): Endpoint | undefined {
  if (!eps.length) return undefined;
  if (timeoutMs === undefined || !clientIP) return eps[Math.floor(random() * eps.length)];
  const had = table.get(clientIP);
  const still = had && had.until > now ? eps.find(([ip, port]) => ip === had.endpoint[0] && port === had.endpoint[1]) : undefined;
  const endpoint = still ?? eps[Math.floor(random() * eps.length)];
  table.set(clientIP, { endpoint, until: now + timeoutMs });
  for (const [ip, e] of table) if (e.until <= now) table.delete(ip); // expired clients
  return endpoint;
}
