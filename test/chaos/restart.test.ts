// The watch check across an API server restart, in one process: the API server on a SQLite data
// dir is closed mid-run, the store moves on while it is down (a write no watcher sees), and a new
// API server opens the same dir on the same port. Its watch cache starts at the current revision,
// so every watcher's resume is answered 410; they relist and watch from the list, which the check
// compares with the store's history (read from the data dir while the API server was down). One
// watcher's first event after the restart is dropped on the wire: the report must say exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import { Transform } from 'node:stream';
import { Client, type Transport } from '../../src/client/index.ts';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { openBackend } from '../../src/storage/open.ts';
import { readStoreHistory } from '../../src/cluster/index.ts';
import { HistoryCaptures } from '../../src/chaos/captures.ts';
import { parseScenario } from '../../src/chaos/scenario.ts';
import { formatReport, runScenario } from '../../src/chaos/run.ts';
import type { ChaosTargets } from '../../src/chaos/targets.ts';

/** Plain HTTP; once armed, drops the first MODIFIED event line of a watch whose path matches, then disarms. */
function dropOneAfter(base: () => string, match: RegExp, armed: () => boolean, disarm: () => void): Transport {
  return (req) =>
    new Promise((resolve, reject) => {
      const r = http.request(base() + req.path, { method: req.method, headers: req.headers, signal: req.signal }, (res) => {
        if (!match.test(req.path)) return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        let buf = '';
        const drop = new Transform({
          transform(chunk, _enc, cb) {
            buf += chunk.toString('utf8');
            let out = '';
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl + 1);
              buf = buf.slice(nl + 1);
              if (armed() && line.startsWith('{"type":"MODIFIED"')) disarm();
              else out += line;
            }
            cb(null, out);
          },
        });
        res.pipe(drop);
        drop.on('close', () => res.destroy());
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: drop });
      });
      r.on('error', reject);
      r.end(req.body);
    });
}

test('an API server restart: the watchers get 410 and relist, checked against the store; a dropped event after the restart is caught', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-restart-'));
  let srv: RunningApiServer = await startApiServer({ dataDir: dir, port: 0, host: '127.0.0.1' });
  const port = srv.port;
  const captures = new HistoryCaptures(dir, readStoreHistory);
  let armed = false;
  let dropped = 0;
  // watcher-0 watches with timeoutSeconds=3; watcher-1 with 4 and the reference with 10 are untouched.
  const transport = dropOneAfter(() => srv.url, /^(?=.*\/configmaps)(?=.*watch=true)(?=.*timeoutSeconds=3(&|$))/, () => armed, () => ((armed = false), dropped++));
  const client = new Client({ server: srv.url, qps: Infinity, timeoutMs: 10_000, transport });
  const targets: ChaosTargets = {
    kill: async () => {
      await srv.close();
      // The store moves on while no API server runs: the new watch cache starts after every watcher's last version.
      const store = openBackend({ dataDir: dir, compactionIntervalMs: 0 });
      await store.create('/registry/core/configmaps/default/unrelated', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'default' } });
      await store.close();
      await captures.readAll();
    },
    start: async () => {
      srv = await startApiServer({ dataDir: dir, port, host: '127.0.0.1' });
      armed = true;
    },
    captureHistory: (prefix, from) => captures.capture(prefix, from),
  };
  try {
    const scenario = parseScenario('objects: 2\nclients: 2\noperations: 600\noperationsPerSecond: 60\nwatchers: 2\ndurationSeconds: 8\nfaults:\n  - kill: apiserver\n    at: 2\n    for: 1\n');
    const report = await runScenario(client, scenario, { runId: 'restart', targets });
    const text = formatReport(report);
    assert.ok(!('skipped' in report.watch), text);
    const w = report.watch as Exclude<typeof report.watch, { skipped: string }>;
    assert.equal(dropped, 1, 'one event was dropped on the wire');
    assert.ok(w.gone >= 2, `both watchers' resumes were answered 410\n${text}`);
    assert.equal(w.badRelists, 0, text);
    assert.equal(w.dropped, 1, text);
    assert.match(text, /watcher-0 session \d+: missed MODIFIED default\/chaos-restart-\d at \d+/);
    assert.equal(report.violations, 1, text);
    assert.equal(report.lostWrites.lost, 0, text);
    assert.ok(report.operations.unknown + report.operations.fail > 0, 'the restart cut some requests');
  } finally {
    client.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
