// The Deployments of a chaos run: created at the start, rolled out (a pod template change) at
// `rolloutAt`, and checked for convergence after the last fault: every Deployment's status says all
// its replicas are updated, ready and available, nothing older is left, and the controller has
// seen the latest generation. Pods the run's ReplicaSets no longer own (orphans) are counted.
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';

const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const ROLLOUT_ANNOTATION = 'kubesim.io/chaos-rollout';

export interface ConvergenceReport {
  deployments: number;
  converged: number;
  /** ms from the last fault's end to the moment everything converged. */
  convergedAfterMs?: number;
  /** Deployments not converged by the deadline, with their status. */
  pending: string[];
  /** Pods labelled for the run whose owning ReplicaSet is gone. */
  orphanedPods: number;
  rolledOut: boolean;
  errors: string[];
}

/** Pure: whether a Deployment's status says it is done (kubectl rollout status's test). */
export function deploymentConverged(d: KubeObject): boolean {
  const want = (d.spec?.replicas as number | undefined) ?? 1;
  const s = (d.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.readyReplicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
}

const summary = (d: KubeObject) => {
  const s = (d.status ?? {}) as Record<string, number>;
  return `${d.metadata?.name}: want ${d.spec?.replicas}, replicas ${s.replicas ?? 0}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}, generation ${d.metadata?.generation}/${s.observedGeneration ?? 0}`;
};

export function deploymentWorkload(client: Client, namespace: string, runId: string, count: number, replicas: number, label: string) {
  const deployments = client.resource(DEPLOYMENTS).inNamespace(namespace);
  const names = Array.from({ length: count }, (_, i) => `chaos-${runId}-d${i}`);
  const report: ConvergenceReport = { deployments: count, converged: 0, pending: [], orphanedPods: 0, rolledOut: false, errors: [] };
  const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    for (let i = 0; i < 50; i++) {
      try {
        return await fn();
      } catch (e) {
        if (i === 49) report.errors.push(`${what}: ${(e as Error).message}`);
        else await sleep(200);
      }
    }
  };
  return {
    report,
    create: async () => {
      for (const name of names) {
        const labels = { app: name, [label]: runId };
        await deployments.create({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, labels },
          spec: { replicas, selector: { matchLabels: { app: name } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } },
        });
      }
    },
    /** A rolling update of every Deployment; retried through faults (the API server may be down). */
    rollout: async () => {
      for (const name of names) await retrying(`rolling out ${name}`, () => deployments.patch(name, { spec: { template: { metadata: { annotations: { [ROLLOUT_ANNOTATION]: '1' } } } } }, { type: 'merge' }));
      report.rolledOut = report.errors.length === 0;
    },
    /** Waits until every Deployment converged or the deadline passed; `since` = the last fault's end (performance.now()). */
    converge: async (deadlineMs: number, since: number) => {
      const stopAt = performance.now() + deadlineMs;
      let last: KubeObject[] = [];
      while (performance.now() < stopAt) {
        try {
          last = (await deployments.list({ labelSelector: `${label}=${runId}` })).items;
          if (last.length === count && last.every(deploymentConverged)) {
            report.convergedAfterMs = Math.max(0, Math.round(performance.now() - since));
            break;
          }
        } catch {
          // The API server may still be coming back.
        }
        await sleep(250);
      }
      report.converged = last.filter(deploymentConverged).length;
      report.pending = last.filter((d) => !deploymentConverged(d)).map(summary);
      if (last.length < count) report.pending.push(`${count - last.length} Deployments missing`);
      try {
        const pods = (await client.resource(PODS).inNamespace(namespace).list({ labelSelector: `${label}=${runId}` })).items;
        const rs = new Set((await client.resource({ group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true, kind: 'ReplicaSet' }).inNamespace(namespace).list({ labelSelector: `${label}=${runId}` })).items.map((r) => r.metadata?.uid));
        report.orphanedPods = pods.filter((p) => !p.metadata?.deletionTimestamp && !(p.metadata?.ownerReferences ?? []).some((o) => o.controller && rs.has(o.uid))).length;
      } catch (e) {
        report.errors.push(`counting orphaned pods: ${(e as Error).message}`);
      }
    },
    cleanup: async () => {
      for (const name of names) await deployments.delete(name).catch(() => {});
    },
  };
}

/** Violations in a convergence report: Deployments not converged, orphaned pods. */
export function convergenceViolations(r: ConvergenceReport): number {
  return r.deployments - r.converged + r.orphanedPods;
}
