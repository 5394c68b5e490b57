// `kubesim record --kubeconfig K --out trace.jsonl [--duration D] [--owned] [--events]`: records a
// live cluster's changes as JSON lines (src/snapshot/trace.ts, docs/snapshots.md) until the duration
// is over or SIGINT/SIGTERM; play them back with `kubesim simulate --replay trace.jsonl`.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { record, traceLine } from '../../snapshot/index.ts';
import { parseDuration } from '../../simulate/index.ts';
import { fail } from '../component.ts';

interface Opts {
  kubeconfig?: string;
  context?: string;
  out: string;
  duration?: string;
  owned: boolean;
  events: boolean;
}

export function register(program: Command): void {
  program
    .command('record')
    .description("record a live cluster's changes (watch events with times) as JSON lines, for simulate --replay")
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .requiredOption('--out <file>', 'trace file (JSON lines)')
    .option('--duration <duration>', 'stop after this long (e.g. 10m; default: until interrupted)')
    .option('--owned', 'also record objects a controller owns (ReplicaSets, Pods, ...)', false)
    .option('--events', 'also record Events', false)
    .action(async (o: Opts) => {
      let client: Client;
      let ms: number | undefined;
      try {
        ms = o.duration === undefined ? undefined : parseDuration(o.duration, '--duration');
        client = Client.fromKubeconfig(o.kubeconfig, { context: o.context, qps: Infinity, userAgent: 'kubesim-record' });
      } catch (e) {
        fail((e as Error).message);
      }
      const out = createWriteStream(o.out);
      let lines = 0;
      const rec = record(client, (e) => {
        lines++;
        out.write(traceLine(e));
      }, { owned: o.owned, events: o.events });
      try {
        await rec.ready;
      } catch (e) {
        fail(`record failed: ${(e as Error).message}`);
      }
      console.error(`recording to ${o.out}${ms === undefined ? ' (Ctrl-C to stop)' : ` for ${o.duration}`}`);
      await new Promise<void>((resolve) => {
        const t = ms === undefined ? undefined : setTimeout(resolve, ms);
        for (const sig of ['SIGINT', 'SIGTERM'] as const)
          process.once(sig, () => {
            if (t) clearTimeout(t);
            resolve();
          });
      });
      await rec.stop();
      await new Promise<void>((resolve) => out.end(resolve));
      client.close();
      console.error(`${lines} changes recorded in ${o.out}`);
    });
}
