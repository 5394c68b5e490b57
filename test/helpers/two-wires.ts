// A real API server on a port with two clients of it: one over HTTP, one in process (the lean
// exchange), for tests that compare what the two wires give.
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client, inProcessTransport } from '../../src/client/index.ts';
import { silentLogger } from '../../src/log/index.ts';

export async function twoWires(opts: Parameters<typeof startApiServer>[0] = {}) {
  const api = await startApiServer({ port: 0, logger: silentLogger, ...opts });
  const lean = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server), qps: 0 });
  const http = new Client({ server: api.url, qps: 0 });
  return {
    api,
    lean,
    http,
    async close() {
      lean.close();
      http.close();
      await api.close();
    },
  };
}
