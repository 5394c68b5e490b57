// The scheduler's own HTTP routes, served by the component frame beside /healthz, /readyz and
// /metrics: /debug/status and /debug/explain/<ns>/<name>.
import { statusReply, type Route } from '../component/index.ts';
import type { Decision } from './scheduler.ts';

export interface DebugSource {
  decisions: Map<string, Decision>;
  status(leading: boolean): Record<string, unknown>;
}

export function debugRoutes(src: DebugSource): Route[] {
  return [
    { path: '/debug/status', handle: (_, ctx) => ({ code: 200, body: src.status(ctx.isLeader()) }) },
    { path: /^\/debug\/explain\/?$/, handle: () => ({ code: 200, body: { pods: [...src.decisions.keys()] } }) },
    {
      path: /^\/debug\/explain\/([^/]+)\/([^/]+)$/,
      handle: ([namespace, name]) => {
        const d = src.decisions.get(`${namespace}/${name}`);
        return d ? { code: 200, body: d } : statusReply(404, 'NotFound', `no scheduling decision recorded for pod ${namespace}/${name}`);
      },
    },
  ];
}
