// Container lifecycle hooks (postStart, preStop) of a real container: exec runs the command in the
// container's context, httpGet asks the program (a 2xx/3xx answer is success), sleep waits; the
// handler shapes are the probes' (probes.ts). The kubelet's messages on failure.
import { setTimeout as delay } from 'node:timers/promises';
import { probeOnce, type ProbeContext, type ProbeResult } from './probes.ts';

export type HookName = 'PostStart' | 'PreStop';

/** Runs one lifecycle handler; `timeoutMs` bounds it (the grace period for preStop). */
export async function runHook(handler: any, ctx: ProbeContext, timeoutMs: number): Promise<ProbeResult> {
  if (handler?.sleep) {
    await delay(Math.min(Math.max(0, Number(handler.sleep.seconds ?? 0)) * 1000, timeoutMs));
    return { ok: true };
  }
  if (!handler?.exec && !handler?.httpGet && !handler?.tcpSocket) return { ok: false, message: 'a lifecycle handler needs exec, httpGet or sleep' };
  return probeOnce(handler, ctx, timeoutMs);
}

/** The kubelet's text for a failed hook (the FailedPostStartHook / FailedPreStopHook event's message). */
export function hookFailure(handler: any, container: string, pod: string, r: ProbeResult): string {
  const how = handler?.exec ? `Exec lifecycle hook (${JSON.stringify(handler.exec.command ?? [])})` : handler?.httpGet ? `HTTP lifecycle hook (${handler.httpGet.path ?? '/'})` : 'Lifecycle hook';
  return `${how} for Container "${container}" in Pod "${pod}" failed - error: ${'message' in r ? r.message : ''}`;
}
