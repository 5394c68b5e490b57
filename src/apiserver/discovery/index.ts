// Discovery (/api, /apis, aggregated v2/v2beta1, /api/v1, /apis/<g>/<v>) and OpenAPI (/openapi/v2, /openapi/v3).
// STUB: replaced by the full implementation (see issue 3).
import type { Registry } from '../../api/registry.ts';
import type { HttpAnswer } from '../http-types.ts';

/**
 * Answers a discovery or OpenAPI GET, or undefined when the path is not one of those.
 * accept is the request's Accept header (aggregated discovery is content-negotiated).
 */
export function answerDiscovery(registry: Registry, path: string, accept: string): HttpAnswer | undefined {
  void registry;
  void path;
  void accept;
  return undefined;
}
