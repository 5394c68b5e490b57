// Running the API server as a process of its own (`kubesim apiserver`): start, report, stop on signals.
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../apiserver/index.ts';
import { processLogger } from '../log/index.ts';
import { securityOptions, type SecurityFlags } from './security.ts';

export { startApiServer, processLogger, type ApiServerOptions, type RunningApiServer };
export { parseAuthorizationModes } from '../apiserver/rbac/index.ts';

/** Resolves when SIGTERM or SIGINT arrives (once). */
export function onTerminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (sig: NodeJS.Signals) => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
      resolve(sig);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

/** `kubesim apiserver`: serves until a termination signal, then closes cleanly. */
export async function runApiServer(opts: ApiServerOptions & { security?: SecurityFlags }): Promise<void> {
  const logger = opts.logger ?? processLogger('apiserver');
  const { security: flags, ...rest } = opts;
  const security = rest.dataDir ? await securityOptions(rest.dataDir, { ...flags, bindAddress: rest.host, advertiseAddress: rest.advertiseAddress }) : { options: {} };
  const server = await startApiServer({ ...security.options, ...rest, logger });
  process.stdout.write(`kubesim API server listening on ${server.url}\n`);
  if (server.kubeconfigPath) process.stdout.write(`kubeconfig: ${server.kubeconfigPath}\n`);
  const sig = await onTerminationSignal();
  logger.info({ signal: sig }, 'stopping');
  await server.close();
}
