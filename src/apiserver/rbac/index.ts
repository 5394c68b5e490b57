// Authorization modes (kube-apiserver --authorization-mode): AlwaysAllow, Node, RBAC, in the
// order given; the first authorizer with an opinion decides. RBAC writes the bootstrap policy,
// serves from an informer cache of roles and bindings, and guards the rbac kinds against
// escalation.
import type { Logger } from 'pino';
import { objectKey, type Store } from '../../storage/interface.ts';
import type { AdmissionPlugin, Authorizer } from '../pipeline/index.ts';
import { RbacCache } from './index-cache.ts';
import { rbacAuthorizer } from './authorizer.ts';
import { ensureBootstrapPolicy } from './bootstrap.ts';
import { escalationAdmission, type Can } from './escalation.ts';
import { NodeGraph, nodeAuthorizer } from './node.ts';
import { nodeRestriction } from '../pipeline/node-restriction.ts';

export type AuthorizationMode = 'AlwaysAllow' | 'Node' | 'RBAC';
export const AUTHORIZATION_MODES: AuthorizationMode[] = ['AlwaysAllow', 'Node', 'RBAC'];

export { authzAttributes, rulesFor } from './authorizer.ts';
export { covers, escalationMessage } from './covers.ts';
export { RbacCache } from './index-cache.ts';
export { nodeName, NODE_USER_PREFIX, NODES_GROUP } from './node.ts';
export * from './policy.ts';

export interface Authorization {
  /** Empty for AlwaysAllow alone: the pipeline then skips authorization. */
  authorizers: Authorizer[];
  admission: AdmissionPlugin[];
  stop(): void;
}

export const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: () => 'allow' };

/** Parses `--authorization-mode Node,RBAC`; throws on an unknown mode. */
export function parseAuthorizationModes(v: string): AuthorizationMode[] {
  const modes = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of modes) if (!AUTHORIZATION_MODES.includes(m as AuthorizationMode)) throw new Error(`authorization-mode "${m}" is not a valid mode (valid: ${AUTHORIZATION_MODES.join(', ')})`);
  if (new Set(modes).size !== modes.length) throw new Error(`authorization-mode "${v}" has mode specified more than once`);
  return modes as AuthorizationMode[];
}

export interface AuthorizationDeps {
  store: Store;
  logger?: Logger;
  /** Asks the whole authorizer chain (for `escalate` / `bind`). */
  can: Can;
}

export async function startAuthorization(modes: AuthorizationMode[], deps: AuthorizationDeps): Promise<Authorization> {
  if (modes.length === 0 || (modes.length === 1 && modes[0] === 'AlwaysAllow')) return { authorizers: [], admission: [], stop() {} };
  const authorizers: Authorizer[] = [];
  const admission: AdmissionPlugin[] = [];
  let cache: RbacCache | undefined;
  let graph: NodeGraph | undefined;
  for (const m of modes) {
    if (m === 'AlwaysAllow') authorizers.push(alwaysAllow);
    else if (m === 'Node') {
      graph = new NodeGraph(deps.store, deps.logger);
      await graph.start();
      authorizers.push(nodeAuthorizer(graph));
      // NodeRestriction goes with the Node authorizer (kube-apiserver enables both for kubelets)
      admission.push(nodeRestriction(async (ns, name) => (await deps.store.get(objectKey('', 'pods', ns, name)))?.object));
    } else if (m === 'RBAC') {
      await ensureBootstrapPolicy(deps.store);
      cache = new RbacCache(deps.store, deps.logger);
      await cache.start();
      authorizers.push(rbacAuthorizer(cache));
      admission.push(escalationAdmission(cache, deps.can));
    }
  }
  return {
    authorizers,
    admission,
    stop: () => {
      cache?.stop();
      graph?.stop();
    },
  };
}
