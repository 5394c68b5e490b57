// Which kubeconfig in the data dir each component process reads: its own identity's, written by the
// API server in secure mode (D/scheduler.kubeconfig, ...), or the admin's D/kubeconfig otherwise.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type ComponentProcess = 'scheduler' | 'controller-manager' | 'nodes';

export const COMPONENT_KUBECONFIGS: Record<ComponentProcess, string> = {
  scheduler: 'scheduler.kubeconfig',
  'controller-manager': 'controller-manager.kubeconfig',
  nodes: 'node-pool.kubeconfig',
};

/** D/<component>.kubeconfig when the API server wrote it, else D/kubeconfig. */
export function componentKubeconfigPath(dataDir: string, c: ComponentProcess): string {
  const own = join(dataDir, COMPONENT_KUBECONFIGS[c]);
  return existsSync(own) ? own : join(dataDir, 'kubeconfig');
}
