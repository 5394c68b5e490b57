// No lost update: 20 clients each increment one ConfigMap counter with read-modify-write and retry
// on 409 Conflict; the final count equals the number of acknowledged writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, req, configMap } from './helpers.ts';

test('20 clients read-modify-write one counter with retry-on-409: no lost update', async () => {
  const srv = await startTestServer();
  const path = '/api/v1/namespaces/default/configmaps/counter';
  try {
    assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/default/configmaps', configMap('counter', { n: '0' }))).status, 201);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const call = (method: string, body?: unknown) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const r = http.request(srv.url + path, { method, agent, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
          let t = '';
          res.on('data', (c) => (t += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(t) }));
        });
        r.on('error', reject);
        r.end(payload);
      });
    const perClient = 10;
    let acknowledged = 0;
    let conflicts = 0;
    const client = async () => {
      for (let i = 0; i < perClient; i++) {
        for (;;) {
          const cur = await call('GET');
          assert.equal(cur.status, 200);
          const next = { ...cur.body, data: { n: String(Number(cur.body.data.n) + 1) } };
          const w = await call('PUT', next);
          if (w.status === 200) {
            acknowledged++;
            break;
          }
          assert.equal(w.status, 409, JSON.stringify(w.body));
          assert.equal(w.body.reason, 'Conflict');
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    agent.destroy();
    const final = await req(srv.url, 'GET', path);
    assert.equal(acknowledged, 20 * perClient);
    assert.equal(Number(final.body.data.n), acknowledged);
    assert.ok(conflicts > 0, 'the clients did race');
  } finally {
    await srv.close();
  }
});
