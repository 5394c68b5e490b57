// The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// browser is ever downloaded) against `kubesim up`, changed with the real kubectl: the page loads,
// nodes appear, a Deployment's pods show up live, kubectl scale reaches the tree, the event stream
// updates, a timeline lists resourceVersions in order, and scaling from the page writes spec.replicas.
// Each test saves a screenshot in the run's output directory (printed once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasKubectl, up, type UpCluster } from '../e2e/harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { kubeconfigFetch } from '../helpers/kubeconfig-fetch.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install -y chromium)` : !hasKubectl ? '/usr/bin/kubectl is missing' : undefined;
if (missing) console.log(`SKIP test/dashboard: ${missing}`);

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

let cluster: UpCluster;
let browser: Browser;
let base: string;
/** The link kubesim up prints: /dashboard/#token=<the dashboard's admin token>. */
let dashboardUrl: string;
const outDir = mkdtempSync(join(tmpdir(), 'kubesim-dashboard-'));

before(async () => {
  if (missing) return;
  // Two more tokens for the token test (a static token file beside the dashboard's own, D/pki/tokens.csv).
  const tokens = join(outDir, 'tokens.csv');
  writeFileSync(tokens, 's3cret-token,alice,alice,"system:masters"\nother-token,bob,bob,"system:masters"\n');
  // Writes audited at Metadata level: the timeline reads them back (GET /debug/audit/writes).
  const auditPolicy = join(outDir, 'audit-policy.yaml');
  writeFileSync(auditPolicy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  verbs: [get, list, watch]\n- level: Metadata\n');
  cluster = await up(['--nodes', '4', '--token-auth-file', tokens, '--audit-policy-file', auditPolicy, '--audit-log-path', join(outDir, 'audit.log')]);
  base = /server: (\S+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))![1];
  dashboardUrl = /^dashboard: (\S+)$/m.exec(cluster.stdout())![1];
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  console.log(`dashboard screenshots: ${outDir}`);
});

after(async () => {
  await browser?.close();
  await cluster?.close();
});

const scriptErrors = new WeakMap<Page, string[]>();
/** The page's SSE requests still open (a browser has 6 connections per server over HTTP/1.1). */
const openStreams = new WeakMap<Page, Set<unknown>>();

async function newPage(): Promise<Page> {
  // The cluster CA is not the browser's: accept the serving certificate as it is.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  scriptErrors.set(page, errors);
  const streams = new Set<unknown>();
  openStreams.set(page, streams);
  page.on('request', (r) => {
    if (/text\/event-stream/.test(r.headers()['accept'] ?? '')) streams.add(r);
  });
  page.on('requestfinished', (r) => streams.delete(r));
  page.on('requestfailed', (r) => streams.delete(r));
  return page;
}

async function open(tab = 'cluster'): Promise<Page> {
  const page = await newPage();
  await page.goto(dashboardUrl);
  await page.waitForSelector('[data-testid=sync]');
  if (tab !== 'cluster') await page.click(`[data-tab=${tab}]`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  assert.deepEqual(scriptErrors.get(page), [], 'no script errors on the page');
  await page.close();
}

/** Waits until a page expression (a string: the test is not compiled against the DOM) is truthy. */
const until = (page: Page, expr: string, timeout = 5000) => page.waitForFunction(expr, undefined, { timeout });
const countOf = (sel: string) => `document.querySelectorAll(${JSON.stringify(sel)}).length`;
const textOf = (sel: string) => `document.querySelector(${JSON.stringify(sel)})?.textContent`;
const DESIRED = (d: string) => `[data-deployment="default/${d}"] > .row [data-count=desired]`;
const READY = (d: string) => `[data-deployment="default/${d}"] > .row [data-count=ready]`;
const CHIPS = (d: string) => `[data-deployment="default/${d}"] .chip`;

const podsOf = async (app: string) => (await cluster.kubectlJson(['get', 'pods', '-l', `app=${app}`])).items.filter((p: any) => !p.metadata.deletionTimestamp);

test('the page loads from /dashboard/ and the nodes appear', { skip: missing }, async () => {
  assert.match(cluster.stdout(), new RegExp(`^dashboard: ${base}/dashboard/#token=[A-Za-z0-9_-]{20,}$`, 'm'), 'kubesim up prints the link with its token');
  const f = kubeconfigFetch(cluster.kubeconfig);
  const r = await f(`${base}/dashboard`);
  f.close();
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), '/dashboard/');
  const page = await open();
  await until(page, `${textOf('[data-testid=node-count]')} === '4'`, 10_000);
  assert.equal(await page.locator('tr[data-node]').count(), 4);
  assert.equal(await page.locator('[data-testid=tiles]').getAttribute('data-nodes'), '4');
  await until(page, `${textOf('[data-testid=sync]')} === 'live'`);
  await page.waitForSelector('[data-testid=chart-events] canvas', { timeout: 5000 });
  await page.waitForSelector('[data-testid=chart-pods] canvas');
  await shot(page, 'cluster');
});

test('a Deployment created with kubectl shows its pods within 2 s, without a reload', { skip: missing }, async () => {
  const page = await open('workloads');
  await cluster.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
  const pods = await eventually(async () => ((await podsOf('web')).length === 3 ? true : undefined), '3 pods of web in the API', 20_000);
  assert.ok(pods);
  const t0 = Date.now();
  await until(page, `${countOf(CHIPS('web'))} === 3`, 2000);
  console.log(`pods on the page ${Date.now() - t0} ms after they were in the API`);
  await until(page, `${countOf(`${CHIPS('web')}[data-state=ready]`)} === 3`, 20_000);
  await shot(page, 'workloads-created');
});

test('kubectl scale is reflected in the tree', { skip: missing }, async () => {
  const page = await open('workloads');
  await until(page, `${countOf(CHIPS('web'))} === 3`);
  await cluster.kubectl(['scale', 'deployment', 'web', '--replicas=5']);
  await until(page, `${textOf(DESIRED('web'))} === '5'`);
  await until(page, `${countOf(CHIPS('web'))} === 5`, 20_000);
  assert.equal(await page.locator(CHIPS('web')).count(), 5);
  await until(page, `${textOf(READY('web'))} === '5'`, 20_000);
  await shot(page, 'workloads-scaled');
});

test('the event stream updates live', { skip: missing }, async () => {
  const page = await open('events');
  await until(page, `${countOf('[data-testid=event-row]')} > 0`, 10_000);
  const before = await page.locator('[data-testid=event-row]').count();
  await cluster.kubectl(['create', 'deployment', 'events-demo', '--image=nginx', '--replicas=1']);
  await until(page, `[...document.querySelectorAll('[data-testid=event-row]')].some((r) => /ScalingReplicaSet/.test(r.textContent) && /events-demo/.test(r.textContent))`, 15_000);
  assert.ok((await page.locator('[data-testid=event-row]').count()) > before);
  await shot(page, 'events');
});

test("an object's timeline lists its resourceVersions in order", { skip: missing }, async () => {
  const page = await open('workloads');
  await page.click('[data-deployment="default/web"] > .row button:has-text("Timeline")');
  await page.waitForSelector('[data-testid=timeline-title]');
  const current = await cluster.kubectlJson(['get', 'deployment', 'web']);
  await until(page, `${countOf(`[data-testid=timeline-row][data-rv="${current.metadata.resourceVersion}"]`)} === 1`, 10_000);
  const rows = await page.locator('[data-testid=timeline-row]').evaluateAll((els) => els.map((e) => ({ rv: Number(e.getAttribute('data-rv')), type: e.getAttribute('data-type'), text: e.textContent })));
  assert.ok(rows.length >= 3, `${rows.length} versions`);
  assert.equal(rows[0].type, 'ADDED');
  const rvs = rows.map((r) => r.rv);
  assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
  assert.equal(new Set(rvs).size, rvs.length, 'no resourceVersion twice');
  assert.ok(rows.some((r) => /spec\.replicas: 3 → 5/.test(r.text!)), 'the scale shows as a diff');
  await eventually(() => (openStreams.get(page)!.size === 5 ? true : undefined), 'the history watch closed: one stream per informer', 5000);
  // act from the timeline and watch the new version arrive (through the informer, the history watch closed)
  const rowsBefore = await page.locator('[data-testid=timeline-row]').count();
  await page.click('[data-action=scale]');
  await page.fill('.modal input[name=value]', '4');
  await page.click('[data-testid=confirm]');
  await until(page, `[...document.querySelectorAll('[data-testid=timeline-row]')].some((r) => /spec\\.replicas: 5 → 4/.test(r.textContent))`);
  assert.ok((await page.locator('[data-testid=timeline-row]').count()) > rowsBefore);
  const after = await page.locator('[data-testid=timeline-row]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rv'))));
  assert.deepEqual(after, [...after].sort((a, b) => a - b));
  await shot(page, 'timeline');
});

const SCHEDULING_PODS = `
apiVersion: v1
kind: Pod
metadata: { name: nowhere }
spec: { nodeSelector: { disktype: none }, containers: [{ name: c, image: nginx }] }
---
apiVersion: v1
kind: Pod
metadata: { name: explained, annotations: { kubesim.io/explain-scheduling: "true" } }
spec: { containers: [{ name: c, image: nginx }] }
`;

async function podTimeline(name: string): Promise<Page> {
  const page = await open('timeline');
  await page.fill('.toolbar input[name=name]', name);
  await page.click('.toolbar button[type=submit]');
  await page.waitForSelector('[data-testid=scheduling]');
  return page;
}

test("a pod's timeline explains its scheduling: the filter reasons of an unschedulable pod, the per-node decision of an explained one", { skip: missing }, async () => {
  await cluster.kubectl(['apply', '-f', '-'], { stdin: SCHEDULING_PODS });
  const page = await podTimeline('nowhere');
  await until(page, `document.querySelector('[data-testid=scheduling]')?.dataset.state === 'unschedulable'`, 15_000);
  await until(page, `(${textOf('[data-testid=scheduling-reasons]')} ?? '').includes('node affinity/selector')`, 10_000);
  assert.match((await page.textContent('[data-testid=scheduling-message]'))!, /^0\/4 nodes are available/);
  // its writes from the audit log: kubectl's create, the scheduler's status write, each authorized
  await until(page, `[...document.querySelectorAll('[data-testid=write][data-verb=create]')].some((w) => w.textContent.includes('kubectl') && w.textContent.includes('authorization: allow'))`, 10_000);
  await until(page, `[...document.querySelectorAll('[data-testid=write][data-verb=patch]')].some((w) => w.textContent.includes('status') && w.textContent.includes('system:kube-scheduler'))`, 10_000);
  await shot(page, 'timeline-unschedulable');

  const explained = await podTimeline('explained');
  const pod = await eventually(async () => {
    const p = await cluster.kubectlJson(['get', 'pod', 'explained']);
    return p.spec.nodeName && p.metadata.annotations?.['kubesim.io/scheduling-result'] ? p : undefined;
  }, 'the explained pod bound with its decision', 15_000, 500);
  await until(explained, `document.querySelector('[data-testid=scheduling]')?.dataset.state === 'scheduled'`, 10_000);
  await until(explained, `document.querySelectorAll('[data-testid=scheduling-decision] tr[data-node]').length === 4`, 10_000);
  assert.equal(await explained.getAttribute('[data-testid=scheduling-decision] tr.selected', 'data-node'), pod.spec.nodeName, 'the chosen node first, marked');
  await shot(explained, 'timeline-explained');
  await cluster.kubectl(['delete', 'pod', 'nowhere', 'explained', '--wait=false']);
});

test('scaling from the page changes spec.replicas (after confirmation)', { skip: missing }, async () => {
  const page = await open('workloads');
  await page.click('[data-deployment="default/web"] [data-action=scale]');
  await until(page, `${textOf(DESIRED('web'))} === '4'`);
  await page.fill('.modal input[name=value]', '2');
  await page.screenshot({ path: join(outDir, 'scale-confirm.png') });
  await page.click('[data-testid=confirm]');
  await until(page, `${textOf('[data-testid=toast]')} === 'default/web scaled to 2'`);
  await eventually(async () => ((await cluster.kubectlJson(['get', 'deployment', 'web'])).spec.replicas === 2 ? true : undefined), 'spec.replicas = 2', 5000);
  await until(page, `${textOf(DESIRED('web'))} === '2'`);
  await until(page, `${countOf(CHIPS('web'))} === 2`, 20_000);
  await shot(page, 'scaled-from-page');
});

test('cordon and uncordon a node from the page (after confirmation)', { skip: missing }, async () => {
  const page = await open();
  const row = '[data-node=node-0]';
  await page.click(`${row} button:has-text("Cordon")`);
  await page.click('[data-testid=confirm]');
  await eventually(async () => ((await cluster.kubectlJson(['get', 'node', 'node-0'])).spec.unschedulable === true ? true : undefined), 'node-0 unschedulable', 5000);
  await until(page, `${textOf(`${row} .badge`)} === 'cordoned'`);
  await until(page, `${textOf('[data-count=cordoned]')} === '1'`);
  await page.screenshot({ path: join(outDir, 'cordoned.png'), fullPage: true });
  await page.click(`${row} button:has-text("Uncordon")`);
  await page.click('[data-testid=confirm]');
  await eventually(async () => (!(await cluster.kubectlJson(['get', 'node', 'node-0'])).spec.unschedulable ? true : undefined), 'node-0 schedulable', 5000);
  await until(page, `${textOf(`${row} .badge`)} === 'ready'`);
  await shot(page, 'uncordoned');
});

test('delete a pod from the page: it goes, its ReplicaSet replaces it', { skip: missing }, async () => {
  const page = await open('workloads');
  await until(page, `${countOf(`${CHIPS('web')}[data-state=ready]`)} === 2`, 20_000);
  const victim = (await page.locator(CHIPS('web')).first().getAttribute('data-pod'))!;
  await page.click(`${CHIPS('web')}[data-pod="${victim}"] button.x`);
  await page.click('[data-testid=confirm]');
  await until(page, `${countOf(`${CHIPS('web')}[data-pod="${victim}"]`)} === 0`, 20_000);
  await until(page, `${countOf(`${CHIPS('web')}[data-state=ready]`)} === 2`, 20_000);
  const names = (await podsOf('web')).map((p: any) => `default/${p.metadata.name}`);
  assert.ok(!names.includes(victim), `${victim} is gone`);
  await shot(page, 'pod-deleted');
});

test('a token from #token= is sent as a bearer token, never in a URL, and leaves the address bar', { skip: missing }, async () => {
  const page = await newPage();
  const seen: { url: string; auth?: string }[] = [];
  page.on('request', (r) => seen.push({ url: r.url(), auth: r.headers()['authorization'] }));
  await page.goto(`${base}/dashboard/#token=s3cret-token`);
  await until(page, `${textOf('[data-testid=sync]')} === 'live'`, 10_000);
  assert.equal(await page.evaluate('location.hash'), '');
  const api = seen.filter((s) => /\/apis?\//.test(new URL(s.url).pathname));
  assert.ok(api.length >= 5, 'lists and watches went out');
  for (const s of api) assert.equal(s.auth, 'Bearer s3cret-token', s.url);
  for (const s of seen) assert.ok(!s.url.includes('s3cret'), s.url);
  // the login form replaces it
  await page.click('header button.link');
  await page.fill('.login input[name=token]', 'other-token');
  const before = seen.length;
  await page.click('.login button[type=submit]');
  await until(page, `${textOf('[data-testid=sync]')} === 'live'`, 10_000);
  await eventually(() => (seen.slice(before).some((s) => s.auth === 'Bearer other-token') ? true : undefined), 'requests with the new token', 5000);
  await shot(page, 'token');
});

test('the control plane view names the leaders and counts node heartbeats', { skip: missing }, async () => {
  const page = await open('controlplane');
  for (const lease of ['kube-system/kube-scheduler', 'kube-system/kube-controller-manager']) {
    await until(page, `(${textOf(`[data-lease="${lease}"] [data-holder]`)} ?? '').length > 0`, 10_000);
  }
  await until(page, `/^4 of 4 /.test(${textOf('[data-testid=heartbeats]')})`, 10_000);
  // charts from the API server's /metrics, read with the page's token (GET /metrics needs credentials)
  await until(page, `${countOf('[data-testid=chart-requests] canvas')} > 0 && ${countOf('[data-testid=chart-latency] canvas')} > 0`, 20_000);
  await until(page, `Number(${textOf('[data-metric=rate]')}) > 0 && Number(${textOf('[data-metric=watchers]')}) > 0`, 10_000);
  await shot(page, 'controlplane');
});

test('drain a node from the page: cordoned, its pods evicted and replaced elsewhere; partition and heal it', { skip: missing }, async () => {
  const pods = await podsOf('web');
  const node = pods[0].spec.nodeName as string;
  const page = await open();
  await page.click(`[data-node="${node}"] a`);
  await page.waitForSelector('[data-testid=node-detail]');
  await page.click('[data-action=drain]');
  await page.click('[data-testid=confirm]');
  await until(page, `/drained/.test(${textOf('[data-testid=toast]')} ?? '')`, 10_000);
  await eventually(async () => ((await cluster.kubectlJson(['get', 'node', node])).spec.unschedulable === true ? true : undefined), `${node} cordoned`, 5000);
  await eventually(async () => {
    const now = await podsOf('web');
    return now.length === 2 && now.every((p: any) => p.spec.nodeName && p.spec.nodeName !== node) ? true : undefined;
  }, `web's pods off ${node}`, 60_000);
  await until(page, `${countOf('[data-testid=node-detail] tr[data-pod]')} === 0`, 10_000);
  await page.screenshot({ path: join(outDir, 'drained.png'), fullPage: true });
  await page.click('[data-action=partition]');
  await page.click('[data-testid=confirm]');
  await eventually(async () => ((await cluster.kubectlJson(['get', 'node', node])).metadata.annotations?.['kubesim.io/partitioned'] === 'true' ? true : undefined), `${node} partitioned`, 5000);
  await until(page, `${countOf(`[data-node="${node}"] .badge.notready`)} === 1`);
  await page.click('[data-action=heal]');
  await page.click('[data-testid=confirm]');
  await eventually(async () => ((await cluster.kubectlJson(['get', 'node', node])).metadata.annotations?.['kubesim.io/partitioned'] === undefined ? true : undefined), `${node} healed`, 5000);
  await page.click(`[data-node="${node}"] button:has-text("Uncordon")`);
  await page.click('[data-testid=confirm]');
  await shot(page, 'drain-partition-heal');
});

const STATEFUL_DAEMON = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  replicas: 2
  serviceName: db
  selector: { matchLabels: { app: db } }
  template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: db, image: postgres }] } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template: { metadata: { labels: { app: agent } }, spec: { containers: [{ name: agent, image: fluentd }] } }
`;

test('StatefulSets, DaemonSets, Jobs and CronJobs appear in the workloads view with their status (polled lists)', { skip: missing }, async () => {
  const page = await open('workloads');
  await cluster.kubectl(['apply', '-f', '-'], { stdin: STATEFUL_DAEMON });
  await cluster.kubectl(['create', 'job', 'once', '--image=busybox']);
  await cluster.kubectl(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *']);
  const w = (id: string) => `[data-workload="${id}"]`;
  await until(page, `${textOf(`${w('StatefulSet/default/db')} > .row [data-count=ready]`)} === '2/2'`, 30_000);
  await until(page, `${textOf(`${w('DaemonSet/default/agent')} > .row [data-count=ready]`)} === '4'`, 30_000);
  await until(page, `${countOf(`${w('StatefulSet/default/db')} .chip`)} === 2 && ${countOf(`${w('DaemonSet/default/agent')} .chip`)} === 4`, 10_000);
  await until(page, `${countOf(w('Job/default/once'))} === 1`, 10_000);
  await until(page, `${textOf(`${w('CronJob/default/tick')} > .row [data-count=schedule]`)} === '* * * * *'`, 10_000);
  // every resource still on one watch: the polled kinds open no stream of their own
  assert.ok(openStreams.get(page)!.size <= 5, `${openStreams.get(page)!.size} streams open`);
  await shot(page, 'workloads-other');
});
