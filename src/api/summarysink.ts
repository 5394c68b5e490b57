// What an in-process kubelet server tells a reader of its pool-wide /stats/summary (`kubesim
// simulate`: the node pool's summary, src/node/summaryjson.ts visitPoolSummary, to the API server's
// metrics scraper, src/apiserver/resourcemetrics): figure by figure as the summary names them (the
// stats' `time` text, usageNanoCores, workingSetBytes), without the stats the scraper does not read
// and without a summary object. Over HTTP the same figures are the summary's JSON.

/**
 * Told, node by node: each pod with at least one running container (its containers first, C being
 * what the reader makes of each), then the node itself.
 */
export interface SummarySink<C = unknown> {
  container(name: string, usageNanoCores: number, workingSetBytes: number): C;
  pod(nodeName: string, time: string, namespace: string, name: string, containers: C[]): void;
  node(nodeName: string, time: string, usageNanoCores: number, workingSetBytes: number): void;
}
