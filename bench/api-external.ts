// API throughput as a user measures it: an external load generator (autocannon, in its own
// process) against `kubesim apiserver` (its own process, durable SQLite store) and, side by side,
// against a bare node:http(s) server (its own process) that answers the same bytes for GETs and
// parses and echoes the body of a create. Cases: GET of one object, LIST of 1,000 objects, durable
// create with unique names, each at 8 and 50 connections; the ratio kubesim/bare per case.
//
//   node --import tsx bench/api-external.ts [--seconds 10] [--connections 8,50] [--objects 1000]
//       [--apiserver-args "--insecure ..."] [--json FILE]
//
// Authentication: the kubeconfig `kubesim apiserver` writes into its data dir is read as any client
// would read it: a bearer token goes in the Authorization header; a client certificate and key go
// to autocannon's tlsOptions (autocannon presents them but never verifies the server's certificate:
// it sets rejectUnauthorized false). Plain http is reported as such.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, loadKubeconfig, type ResolvedKubeconfig } from '../src/client/index.ts';
import { arg, until } from './util.ts';
import { ROOT, child, runDrive, stop, type DriveSpec } from './drive.ts';

const SELF = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------------------------------------
// Mode 1: the bare server (`--serve-bare DIR`): GET /object and GET /list answer the bytes kubesim
// answered; POST parses the JSON body and echoes it re-serialised with 201, as a create answers.

function serveBare(dir: string): void {
  const object = readFileSync(join(dir, 'object.json'));
  const list = readFileSync(join(dir, 'list.json'));
  const tlsKey = join(dir, 'tls.key');
  const listener: http.RequestListener = (req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const obj = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const body = JSON.stringify(obj);
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const body = req.url?.startsWith('/list') ? list : object;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  };
  const server = existsSync(tlsKey)
    ? https.createServer({ key: readFileSync(tlsKey), cert: readFileSync(join(dir, 'tls.crt')), keepAliveTimeout: 65_000 }, listener)
    : http.createServer({ keepAliveTimeout: 65_000 }, listener);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ------------------------------------------------------------------------------------------------
// Mode 2: the orchestrator (autocannon runs in its own process through bench/drive.ts).

/** How a request is authenticated, from the kubeconfig, and what the output says about it. */
function authFrom(kc: ResolvedKubeconfig): { headers: Record<string, string>; tls?: DriveSpec['tls']; note: string } {
  const headers: Record<string, string> = {};
  const notes: string[] = [];
  const https_ = kc.server.startsWith('https:');
  notes.push(https_ ? 'https (autocannon does not verify the server certificate)' : 'plain http (this kubesim apiserver serves no TLS)');
  if (kc.token) {
    headers.authorization = `Bearer ${kc.token}`;
    notes.push('bearer token from the kubeconfig');
  } else if (kc.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${kc.username}:${kc.password ?? ''}`).toString('base64')}`;
    notes.push('basic auth from the kubeconfig');
  }
  let tls: DriveSpec['tls'];
  if (https_) {
    tls = { ...(kc.ca ? { ca: kc.ca.toString() } : {}), ...(kc.cert && kc.key ? { cert: kc.cert.toString(), key: kc.key.toString() } : {}) };
    if (kc.cert && kc.key) notes.push('client certificate from the kubeconfig');
  }
  if (!kc.token && !kc.cert && kc.username === undefined) notes.push('no credentials (the server treats every request as the admin)');
  return { headers, tls, note: notes.join('; ') };
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench', labels: { app: 'bench' } }, data: { payload: 'x'.repeat(900) } });

async function orchestrate(): Promise<void> {
  const seconds = Number(arg('seconds', '10'));
  const connections = arg('connections', '8,50').split(',').map(Number);
  const objects = Number(arg('objects', '1000'));
  const extra = arg('apiserver-args', '').split(/\s+/).filter(Boolean);
  const jsonOut = arg('json', '');
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-ext-'));
  const load0 = os.loadavg();
  const conditions = `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${seconds} s per case`;
  console.log(`conditions: ${conditions}`);

  const apiserver = child([join(ROOT, 'bin/kubesim.js'), 'apiserver', '--port', '0', '--data-dir', join(dir, 'data'), ...extra]);
  let bare: ReturnType<typeof child> | undefined;
  try {
    const kubeconfig = join(dir, 'data', 'kubeconfig');
    // Ready once its kubeconfig is written and /readyz answers through it (whatever the scheme and credentials).
    await until('kubesim apiserver ready (kubeconfig written, /readyz 200)', async () => {
      if (!existsSync(kubeconfig)) return false;
      const c = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
      try {
        return (await c.requestBuffer({ path: '/readyz' })).status === 200;
      } finally {
        c.close();
      }
    }, 60_000, 100).catch((e) => {
      throw new Error(`${(e as Error).message}: ${apiserver.out()}`);
    });
    const kc = loadKubeconfig(kubeconfig);
    const client = Client.fromKubeconfig(kubeconfig, { qps: Infinity });
    const auth = authFrom(kc);
    console.log(`kubesim apiserver: ${kc.server} (${['apiserver', '--data-dir', 'D', ...extra].join(' ')}); ${auth.note}`);

    // Seed: a namespace and `objects` ConfigMaps of ~1 KB; cm-0 is the GET target.
    await client.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } });
    for (let i = 0; i < objects; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, objects - i) }, (_, j) => client.request({ method: 'POST', path: '/api/v1/namespaces/bench/configmaps', body: configMap(`cm-${i + j}`) })));
    }
    const getPath = '/api/v1/namespaces/bench/configmaps/cm-0';
    const listPath = `/api/v1/namespaces/bench/configmaps?labelSelector=app%3Dbench&limit=${objects}`;
    const object = await client.requestBuffer({ path: getPath });
    const list = await client.requestBuffer({ path: listPath });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'object.json'), object.body);
    writeFileSync(join(dir, 'list.json'), list.body);
    // The bare server speaks the same scheme: https with the API server's own key pair when it has one.
    const pki = join(dir, 'data', 'pki');
    if (kc.server.startsWith('https:')) {
      if (!existsSync(join(pki, 'apiserver.key'))) throw new Error('kubesim serves https but its data dir has no pki/apiserver.key for the bare server to use');
      writeFileSync(join(dir, 'tls.key'), readFileSync(join(pki, 'apiserver.key')));
      writeFileSync(join(dir, 'tls.crt'), readFileSync(join(pki, 'apiserver.crt')));
    }
    client.close();
    bare = child(['--import', 'tsx', SELF, '--serve-bare', dir]);
    await until('the bare server listens', async () => /listening \d+/.test(bare!.out()), 30_000, 50);
    const barePort = /listening (\d+)/.exec(bare.out())![1];
    const bareUrl = `${kc.server.startsWith('https:') ? 'https' : 'http'}://127.0.0.1:${barePort}`;
    console.log(`bare server: ${bareUrl} (GET answers kubesim's ${object.body.length} B object, LIST its ${list.body.length} B list; POST parses and echoes)`);

    const cases = [
      { name: 'GET one object', method: 'GET' as const, kubesim: getPath, bare: '/object' },
      { name: `LIST ${objects} objects`, method: 'GET' as const, kubesim: listPath, bare: '/list' },
      { name: 'create (durable, unique names)', method: 'POST' as const, kubesim: '/api/v1/namespaces/bench/configmaps', bare: '/create' },
    ];
    const rows: Record<string, unknown>[] = [];
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const lat = (x: number) => String(Math.round(x * 100) / 100); // autocannon's latencies are whole milliseconds
    console.log(`\n| case | connections | bare req/s | bare p50 / p99 ms | kubesim req/s | kubesim p50 / p99 ms | kubesim/bare | kubesim non-2xx |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
    for (const conns of connections) {
      for (const c of cases) {
        const template = (who: string) => (c.method === 'POST' ? configMap(`new-${who}-${conns}`) : undefined);
        const b = await runDrive({ url: bareUrl, method: c.method, path: c.bare, connections: conns, seconds, headers: {}, tls: bareUrl.startsWith('https') ? {} : undefined, createTemplate: template('bare') });
        const k = await runDrive({ url: kc.server, method: c.method, path: c.kubesim, connections: conns, seconds, headers: auth.headers, tls: auth.tls, createTemplate: template('kubesim') });
        const ratio = b.rps > 0 ? k.rps / b.rps : NaN;
        console.log(`| ${c.name} | ${conns} | ${f(b.rps)} | ${lat(b.p50)} / ${lat(b.p99)} | ${f(k.rps)} | ${lat(k.p50)} / ${lat(k.p99)} | ${ratio.toFixed(2)}× | ${k.non2xx + k.errors} |`);
        rows.push({ case: c.name, connections: conns, bare: b, kubesim: k, ratio });
      }
    }
    const load1 = os.loadavg();
    console.log(`\nload average at the end: ${load1.map((x) => x.toFixed(2)).join(' ')}`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ conditions, auth: auth.note, loadAverageEnd: load1, rows }, null, 2) + '\n');
  } finally {
    if (bare) await stop(bare);
    await stop(apiserver);
    rmSync(dir, { recursive: true, force: true });
  }
}

const bareDir = process.argv.indexOf('--serve-bare');
if (bareDir > 0) serveBare(process.argv[bareDir + 1]);
else await orchestrate();
