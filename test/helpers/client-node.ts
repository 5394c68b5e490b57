// An API server on a fresh data dir and an @kubernetes/client-node KubeConfig loaded from the
// kubeconfig it writes, as a user of the official client would set it up; close() stops it and
// removes the data dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';

export interface ClientNodeServer {
  srv: RunningApiServer;
  kc: k8s.KubeConfig;
  close(): Promise<void>;
}

export async function clientNodeServer(): Promise<ClientNodeServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const srv = await startApiServer({ dataDir });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(srv.kubeconfigPath!);
  return {
    srv,
    kc,
    async close() {
      await srv.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
