// Starts the whole operator against a cluster: certificates, webhook server, install of the CRD,
// Service/Endpoints and webhook configurations, and the controller.
import type { Client } from './deps.ts';
import { WebsiteController } from './controller.ts';
import { install, makeCerts } from './setup.ts';
import { serve } from './webhooks.ts';

export interface RunningOperator {
  webhookPort: number;
  stop(): Promise<void>;
}

export async function startOperator(client: Client, opts: { certDir: string; webhookPort?: number; workers?: number }): Promise<RunningOperator> {
  const certs = makeCerts(opts.certDir);
  const webhooks = await serve(certs, opts.webhookPort ?? 0);
  await install(client, certs.caPem, webhooks.port);
  const controller = new WebsiteController(client);
  await controller.run(opts.workers ?? 2);
  return {
    webhookPort: webhooks.port,
    async stop() {
      await controller.stop();
      await webhooks.close();
    },
  };
}
