// `kubesim snapshot save --kubeconfig K FILE [--events]`: every object of every served resource,
// status included, as multi-document YAML (src/snapshot, docs/snapshots.md). Load it with
// `kubesim simulate [SCENARIO] --from-snapshot FILE`.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { saveSnapshot, toYaml } from '../../snapshot/index.ts';
import { fail } from '../component.ts';

export function register(program: Command): void {
  const snapshot = program.command('snapshot').description('save a cluster as multi-document YAML (see docs/snapshots.md)');
  snapshot
    .command('save')
    .description('write every object of every served resource, status included, to FILE (- for stdout)')
    .argument('<file>', 'output file')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--events', 'include Events (left out by default)', false)
    .action(async (file: string, o: { kubeconfig?: string; context?: string; events: boolean }) => {
      let client: Client;
      try {
        client = Client.fromKubeconfig(o.kubeconfig, { context: o.context, qps: Infinity, userAgent: 'kubesim-snapshot' });
      } catch (e) {
        fail(`cannot load kubeconfig: ${(e as Error).message}`);
      }
      try {
        const objects = await saveSnapshot(client, { events: o.events });
        const text = toYaml(objects);
        if (file === '-') process.stdout.write(text);
        else {
          writeFileSync(file, text);
          console.error(`${objects.length} objects written to ${file}`);
        }
      } catch (e) {
        fail(`snapshot failed: ${(e as Error).message}`);
      } finally {
        client.close();
      }
    });
}
