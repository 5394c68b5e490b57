// The dashboard at 5,000 nodes: tiles on one canvas and one page of the node table, never a DOM node
// per node or pod; the page keeps up with a burst of writes. Against an in-process API server seeded
// over HTTP (no node pool: the objects are what matters). Prints first-render time, JS heap, DOM size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install -y chromium)`;
if (missing) console.log(`SKIP test/dashboard/scale: ${missing}`);

const NODES = 5000;
const PODS = 10_000;
const BURST = 500;

type Browser = import('playwright-core').Browser;
let srv: RunningApiServer;
let browser: Browser;
const outDir = mkdtempSync(join(tmpdir(), 'kubesim-dashboard-scale-'));

async function post(path: string, body: unknown): Promise<void> {
  const r = await fetch(srv.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

async function pool(n: number, concurrency: number, f: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await f(next++);
  }));
}

const node = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: `node-${i}` },
  spec: i % 97 === 0 ? { unschedulable: true } : {},
  status: { conditions: [{ type: 'Ready', status: i % 53 === 0 ? 'False' : 'True' }], allocatable: { cpu: '4', memory: '8Gi', pods: '110' } },
});
const pod = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${i}` },
  spec: { nodeName: `node-${i % NODES}`, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '250m' } } }] },
});

before(async () => {
  if (missing) return;
  srv = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  await pool(NODES, 16, (i) => post('/api/v1/nodes', node(i)));
  await pool(PODS, 16, (i) => post('/api/v1/namespaces/default/pods', pod(i)));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  console.log(`dashboard scale screenshots: ${outDir}`);
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

test(`${NODES} nodes / ${PODS} pods: one canvas, one page of rows, a burst of ${BURST} writes kept up with`, { skip: missing, timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(`${srv.url}/dashboard/`);
  const text = (sel: string) => `document.querySelector(${JSON.stringify(sel)})?.textContent`;
  await page.waitForFunction(`${text('[data-testid=node-count]')} === '${NODES}' && ${text('[data-testid=pod-count]')} === '${PODS}'`, undefined, { timeout: 60_000 });
  const firstRender = Date.now() - t0;
  const dom = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
  const heap = (await page.evaluate('performance.memory ? performance.memory.usedJSHeapSize : 0')) as number;
  assert.ok(dom < 1500, `DOM stays small (${dom} elements)`);
  assert.equal(await page.locator('tr[data-node]').count(), 25, 'one page of the node table');
  assert.equal(await page.locator('[data-testid=tiles]').count(), 1);
  assert.equal(await page.locator('[data-testid=tiles]').getAttribute('data-nodes'), String(NODES));
  await page.screenshot({ path: join(outDir, 'scale-top.png') });

  const t1 = Date.now();
  await pool(BURST, 16, (i) => post('/api/v1/namespaces/default/pods', pod(PODS + i)));
  const written = Date.now() - t1;
  await page.waitForFunction(`${text('[data-testid=pod-count]')} === '${PODS + BURST}'`, undefined, { timeout: 30_000 });
  const caughtUp = Date.now() - t1;
  await page.evaluate('document.querySelector(".tiles").scrollTop = 1e9');
  await page.screenshot({ path: join(outDir, 'scale-bottom.png') });
  console.log(
    `dashboard at ${NODES} nodes / ${PODS} pods: first render ${firstRender} ms, JS heap ${(heap / 2 ** 20).toFixed(0)} MiB, ${dom} DOM elements; ` +
      `${BURST} pod creates written in ${written} ms, on the page after ${caughtUp} ms`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});
