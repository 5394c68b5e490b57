// kubelet's /stats/summary as JSON text, written directly: the same bytes as JSON.stringify of
// kubelet.ts summary() (a test holds them equal) without building the ~10 objects per pod first. A
// pool-wide summary of 1,000 nodes and 2,000 pods is scraped once a metric resolution; building
// and stringifying its objects was most of the kubelet side of a scrape.
import type { KubeletView } from './kubelet.ts';
import { rfc3339 } from './units.ts';

export const NODE_BASE_CPU_M = 100;
export const NODE_BASE_MEM = 512 * 2 ** 20;

/** Start times repeat scrape after scrape (one per pod and container): remember their text. */
const startTexts = new Map<number, string>();
export function startTimeText(ms: number): string {
  let t = startTexts.get(ms);
  if (t === undefined) {
    if (startTexts.size >= 50_000) startTexts.clear();
    startTexts.set(ms, (t = rfc3339(ms)));
  }
  return t;
}

/** JSON.stringify of a string: names are plain, so skip the native call when nothing needs escaping. */
function str(s: string): string {
  return /^[\w.\-/:]*$/.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** One node's summary, as JSON text. */
export function summaryJson(s: KubeletView, node: string): string {
  const now = s.now();
  const time = str(rfc3339(now));
  const startedAt = s.startedAt;
  let cpuM = NODE_BASE_CPU_M;
  let mem = NODE_BASE_MEM;
  let cpuNs = ((now - startedAt) / 1000) * NODE_BASE_CPU_M * 1e6;
  const pods: string[] = [];
  for (const sim of s.pods(node)) {
    const usage = s.usage(sim, now);
    if (!usage.length) continue;
    let pc = 0;
    let pm = 0;
    let pn = 0;
    let containers = '';
    for (const u of usage) {
      pc += u.milliCpu;
      pm += u.memory;
      pn += u.cpuNanos;
      if (containers) containers += ',';
      containers +=
        `{"name":${str(u.name)},"startTime":${str(startTimeText(u.startedAt))},` +
        `"cpu":{"time":${time},"usageNanoCores":${Math.round(u.milliCpu * 1e6)},"usageCoreNanoSeconds":${u.cpuNanos}},` +
        `"memory":{"time":${time},"usageBytes":${u.memory},"workingSetBytes":${u.memory},"rssBytes":${Math.round(u.memory * 0.8)},"pageFaults":0,"majorPageFaults":0}}`;
    }
    cpuM += pc;
    mem += pm;
    cpuNs += pn;
    pods.push(
      `{"podRef":{"name":${str(sim.name)},"namespace":${str(sim.namespace)},"uid":${str(sim.uid)}},` +
      `"startTime":${str(startTimeText(sim.startTime))},"containers":[${containers}],` +
      `"cpu":{"time":${time},"usageNanoCores":${Math.round(pc * 1e6)},"usageCoreNanoSeconds":${pn}},` +
      `"memory":{"time":${time},"usageBytes":${pm},"workingSetBytes":${pm},"rssBytes":${Math.round(pm * 0.8)}}}`,
    );
  }
  const capacity = s.nodeCapacity(node)?.memory;
  return (
    `{"node":{"nodeName":${str(node)},"startTime":${str(startTimeText(startedAt))},` +
    `"cpu":{"time":${time},"usageNanoCores":${Math.round(cpuM * 1e6)},"usageCoreNanoSeconds":${Math.round(cpuNs)}},` +
    `"memory":{"time":${time},"usageBytes":${mem},"workingSetBytes":${mem},"rssBytes":${Math.round(mem * 0.8)}${capacity !== undefined ? `,"capacity":${str(capacity)}` : ''}}},` +
    `"pods":[${pods.join(',')}]}`
  );
}

/** The pool-wide summary (no ?node=): every node's. */
export function poolSummaryJson(s: KubeletView): string {
  const out: string[] = [];
  for (const n of s.nodeNames()) out.push(summaryJson(s, n));
  return `{"nodes":[${out.join(',')}]}`;
}
