// The client's share of the in-process request path: watch lines parsed from whole-line chunks
// without copies (and still from split ones), and the timeout signal shared by the requests of one
// window (a request that never answers is aborted; one that answered is not, nor are later ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Client, type Transport } from '../../src/client/index.ts';
import { linkSignal, TIMEOUT_WINDOW_MS } from '../../src/client/rest.ts';

const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

const ev = (rv: number, note = '') => ({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: String(rv), annotations: { note } } } });
const line = (e: object) => JSON.stringify(e) + '\n';

test('watch lines: whole-line chunks, several lines a chunk, blank lines, split multi-byte characters, string chunks', async () => {
  const two = Buffer.from(line(ev(3)) + line(ev(4)));
  const uml = Buffer.from(line(ev(5, 'ü€')));
  const cut = uml.indexOf(Buffer.from('€')) + 1; // inside the 3-byte character
  const cases: { name: string; chunks: (Buffer | string)[]; want: object[] }[] = [
    { name: 'one line a chunk', chunks: [Buffer.from(line(ev(1))), Buffer.from(line(ev(2, 'ü')))], want: [ev(1), ev(2, 'ü')] },
    { name: 'two lines in one chunk', chunks: [two], want: [ev(3), ev(4)] },
    { name: 'blank lines', chunks: [Buffer.from('\n'), Buffer.from('  \n'), Buffer.from(line(ev(1)))], want: [ev(1)] },
    { name: 'a character split, then a whole line', chunks: [uml.subarray(0, cut), uml.subarray(cut), Buffer.from(line(ev(6)))], want: [ev(5, 'ü€'), ev(6)] },
    { name: 'a chunk ending mid-line, then its rest with a newline', chunks: [Buffer.from(line(ev(7)).slice(0, 10)), Buffer.from(line(ev(7)).slice(10))], want: [ev(7)] },
    { name: 'string chunks', chunks: [line(ev(8)), line(ev(9)).slice(0, 5), line(ev(9)).slice(5)], want: [ev(8), ev(9)] },
    { name: 'last line without a newline', chunks: [Buffer.from(line(ev(1))), Buffer.from(JSON.stringify(ev(2)))], want: [ev(1), ev(2)] },
  ];
  for (const c of cases) {
    const t: Transport = async () => ({ status: 200, headers: {}, body: Readable.from(c.chunks, { objectMode: false }) });
    const client = new Client({ server: 'http://unused', transport: t, qps: 0 });
    const got = [];
    for await (const e of await client.resource(CM).watch()) got.push(e);
    assert.deepEqual(got, c.want, c.name);
  }
});

test('timeouts: requests of one window share a signal; one that never answers is aborted, others are not', async () => {
  // a transport that answers every request at once, except those for /hang, which wait for their signal
  const seen: AbortSignal[] = [];
  const t: Transport = (req) => {
    seen.push(req.signal!);
    if (!req.path.startsWith('/hang')) return Promise.resolve({ status: 200, headers: {}, body: Readable.from([]), data: '{"ok":true}' });
    return new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(req.signal!.reason), { once: true }));
  };
  const client = new Client({ server: 'http://unused', transport: t, qps: 0, timeoutMs: 50 });
  const t0 = Date.now();
  const [answered, hung] = await Promise.allSettled([client.request({ path: '/ok' }), client.request({ path: '/hang' })]);
  assert.deepEqual(answered, { status: 'fulfilled', value: { ok: true } });
  assert.equal(hung.status, 'rejected');
  assert.match(String((hung as PromiseRejectedResult).reason?.message), /request timed out after 50 ms/);
  const took = Date.now() - t0;
  assert.ok(took >= 50 && took < 50 + TIMEOUT_WINDOW_MS + 1000, `aborted after ${took} ms`);
  // both started in one window: one signal
  assert.equal(seen[0], seen[1]);
  // a request after the window's timeout gets a fresh signal, not the aborted one
  assert.deepEqual(await client.request({ path: '/ok' }), { ok: true });
  assert.equal(seen[2].aborted, false);
});

test('linkSignal: a parent signal aborts its link; without parent and timeout there is no signal', async () => {
  assert.equal(linkSignal(undefined, 0).signal, undefined);
  const parent = new AbortController();
  const link = linkSignal(parent.signal, 0);
  parent.abort(new Error('stop'));
  assert.equal(link.signal!.aborted, true);
  assert.equal((link.signal!.reason as Error).message, 'stop');
  link.dispose();
  // a shared timeout whose requests all ended never fires (a negative: wait past its deadline)
  const shared = linkSignal(undefined, 20);
  shared.dispose();
  await new Promise((r) => setTimeout(r, 20 + TIMEOUT_WINDOW_MS + 30));
  assert.equal(shared.signal!.aborted, false);
});
