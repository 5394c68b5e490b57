// The operator as a program: certificates, install, webhooks, controller — until SIGINT/SIGTERM.
//   node --import tsx examples/operator/main.ts [--kubeconfig PATH] [--certs DIR] [--webhook-port N]
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from './deps.ts';
import { startOperator } from './operator.ts';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, certs: { type: 'string' }, 'webhook-port': { type: 'string', default: '0' } } });
const client = Client.fromKubeconfig(values.kubeconfig);
const op = await startOperator(client, { certDir: values.certs ?? join(tmpdir(), 'website-operator-certs'), webhookPort: Number(values['webhook-port']) });
console.log(`website operator running; webhooks on https://127.0.0.1:${op.webhookPort}`);
const stop = async () => {
  await op.stop();
  client.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
