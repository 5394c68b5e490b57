// Watch as Server-Sent Events for browsers: `event:` names per type, `id:` = resourceVersion, resume
// with Last-Event-ID (it wins over the URL's resourceVersion), 410 as an ERROR message without an id,
// `: keepalive` comments on idle streams, and the same 401/403 as every request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { StatusError } from '../../src/api/errors.ts';
import type { Authenticator, Authorizer, RunningApiServer } from '../../src/apiserver/index.ts';
import { sseFrame, startVersion, SSE_KEEPALIVE } from '../../src/apiserver/rest/watch.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, req, configMap } from './helpers.ts';

/** One SSE message as EventSource sees it (fields), plus the comments that preceded it. */
interface Message {
  event?: string;
  id?: string;
  data: any;
}

interface SseStream {
  status: number;
  type: string;
  messages: Message[];
  comments: string[];
  raw: string;
  ended: boolean;
  waitFor(n: number, timeoutMs?: number): Promise<Message[]>;
  close(): void;
}

/** Parses an SSE stream the way the EventSource spec does (fields per line, a blank line dispatches). */
function sse(base: string, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const r = http.get(base + path, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const s: SseStream = {
        status: res.statusCode ?? 0,
        type: String(res.headers['content-type']),
        messages: [],
        comments: [],
        raw: '',
        ended: false,
        waitFor: (n, t = 5000) => eventually(() => (s.messages.length >= n ? s.messages : undefined), `${n} SSE messages (have ${s.messages.length})`, t),
        close: () => r.destroy(),
      };
      let buf = '';
      let cur: { event?: string; id?: string; data: string[] } = { data: [] };
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        s.raw += c;
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line === '') {
            if (cur.data.length) {
              const text = cur.data.join('\n');
              let data: any = text;
              try {
                data = JSON.parse(text);
              } catch {}
              s.messages.push({ event: cur.event, id: cur.id, data });
            }
            cur = { data: [] };
          } else if (line.startsWith(':')) s.comments.push(line);
          else {
            const k = line.indexOf(':');
            const field = k < 0 ? line : line.slice(0, k);
            const value = k < 0 ? '' : line.slice(k + 1).replace(/^ /, '');
            if (field === 'data') cur.data.push(value);
            else if (field === 'event') cur.event = value;
            else if (field === 'id') cur.id = value;
          }
        }
      });
      res.on('close', () => (s.ended = true));
      res.on('error', () => (s.ended = true));
      resolve(s);
    });
    r.on('error', reject);
  });
}

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer({ watchCacheSize: 30, bookmarkIntervalMs: 100, sseKeepaliveMs: 100 });
  base = srv.url;
  for (const ns of ['s1', 's2', 's3', 's4', 's5']) await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});
after(() => srv.close());

const cm = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

test('sseFrame: id, data and event fields; an ERROR has no id', () => {
  const cases: [string, string | undefined, string][] = [
    ['{"type":"ADDED","object":{}}\n', '12', 'id: 12\ndata: {"type":"ADDED","object":{}}\nevent: ADDED\n\n'],
    ['{"type":"MODIFIED","object":{}}', '13', 'id: 13\ndata: {"type":"MODIFIED","object":{}}\nevent: MODIFIED\n\n'],
    ['{"type":"DELETED","object":{}}\n', '14', 'id: 14\ndata: {"type":"DELETED","object":{}}\nevent: DELETED\n\n'],
    ['{"type":"BOOKMARK","object":{}}\n', '15', 'id: 15\ndata: {"type":"BOOKMARK","object":{}}\nevent: BOOKMARK\n\n'],
    ['{"type":"ERROR","object":{"code":410}}\n', '16', 'data: {"type":"ERROR","object":{"code":410}}\nevent: ERROR\n\n'],
    ['{"type":"ADDED","object":{}}\n', undefined, 'data: {"type":"ADDED","object":{}}\nevent: ADDED\n\n'],
  ];
  for (const [line, rv, want] of cases) {
    assert.equal(sseFrame(line, rv), want, line);
    assert.equal(sseFrame(Buffer.from(line), rv), want, `${line} (Buffer)`);
  }
  assert.equal(SSE_KEEPALIVE, ': keepalive\n\n');
});

test('startVersion: Last-Event-ID (a reconnect) wins over the URL, only for SSE', () => {
  const q = (s: string) => new URLSearchParams(s);
  const cases: [URLSearchParams | undefined, boolean, string | undefined, string | undefined][] = [
    [q('resourceVersion=5'), true, '9', '9'],
    [q('resourceVersion=5'), true, undefined, '5'],
    [q('resourceVersion=5'), true, '', '5'],
    [q('resourceVersion=5'), false, '9', '5'],
    [q(''), true, '9', '9'],
    [q(''), false, '9', undefined],
    [undefined, true, undefined, undefined],
  ];
  for (const [query, isSse, last, want] of cases) assert.equal(startVersion(query, isSse, last), want, `${query} sse=${isSse} last=${last}`);
});

test('each watch event is a named message with id = its resourceVersion', async () => {
  await req(base, 'POST', cm('s1'), configMap('first'));
  const s = await sse(base, `${cm('s1')}?watch=true`);
  assert.equal(s.status, 200);
  assert.equal(s.type, 'text/event-stream');
  const [initial] = await s.waitFor(1);
  assert.equal(initial.event, 'ADDED');
  assert.equal(initial.data.type, 'ADDED');
  assert.equal(initial.id, initial.data.object.metadata.resourceVersion);
  const created = await req(base, 'POST', cm('s1'), configMap('c'));
  const updated = await req(base, 'PUT', `${cm('s1')}/c`, { ...created.body, data: { x: '1' } });
  await req(base, 'DELETE', `${cm('s1')}/c`);
  const msgs = await s.waitFor(4);
  s.close();
  const deletedRv = msgs[3].data.object.metadata.resourceVersion;
  assert.ok(Number(deletedRv) > Number(updated.body.metadata.resourceVersion));
  assert.deepEqual(
    msgs.slice(1).map((m) => [m.event, m.data.type, m.data.object.metadata.name, m.id]),
    [
      ['ADDED', 'ADDED', 'c', created.body.metadata.resourceVersion],
      ['MODIFIED', 'MODIFIED', 'c', updated.body.metadata.resourceVersion],
      ['DELETED', 'DELETED', 'c', deletedRv],
    ],
  );
});

test('bookmarks are BOOKMARK messages whose id is the bookmark resourceVersion', async () => {
  const rv = (await req(base, 'GET', cm('s2'))).body.metadata.resourceVersion;
  const s = await sse(base, `${cm('s2')}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
  const [bm] = await s.waitFor(1);
  s.close();
  assert.equal(bm.event, 'BOOKMARK');
  assert.equal(bm.id, bm.data.object.metadata.resourceVersion);
});

test('resume: Last-Event-ID and ?resourceVersion replay only what came after; Last-Event-ID wins', async () => {
  const a = await req(base, 'POST', cm('s3'), configMap('a'));
  const b = await req(base, 'POST', cm('s3'), configMap('b'));
  const c = await req(base, 'POST', cm('s3'), configMap('c'));
  const names = (ms: Message[]) => ms.map((m) => `${m.event}:${m.data.object.metadata.name}:${m.id}`);
  const rvA = a.body.metadata.resourceVersion;
  const rvB = b.body.metadata.resourceVersion;
  const rvC = c.body.metadata.resourceVersion;

  const byHeader = await sse(base, `${cm('s3')}?watch=true`, { 'Last-Event-ID': rvA });
  const byQuery = await sse(base, `${cm('s3')}?watch=true&resourceVersion=${rvA}`);
  const both = await sse(base, `${cm('s3')}?watch=true&resourceVersion=${rvA}`, { 'Last-Event-ID': rvB });
  assert.deepEqual(names(await byHeader.waitFor(2)), [`ADDED:b:${rvB}`, `ADDED:c:${rvC}`]);
  assert.deepEqual(names(await byQuery.waitFor(2)), [`ADDED:b:${rvB}`, `ADDED:c:${rvC}`]);
  assert.deepEqual(names(await both.waitFor(1)), [`ADDED:c:${rvC}`]);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(both.messages.length, 1, 'nothing replayed from before Last-Event-ID');
  for (const s of [byHeader, byQuery, both]) s.close();
});

test('an expired resourceVersion → an ERROR message (no id) carrying the 410 Status, then the stream ends', async () => {
  const first = await req(base, 'POST', cm('s4'), configMap('e0'));
  for (let i = 1; i < 40; i++) await req(base, 'POST', cm('s4'), configMap(`e${i}`));
  const s = await sse(base, `${cm('s4')}?watch=true`, { 'Last-Event-ID': first.body.metadata.resourceVersion });
  const [m] = await s.waitFor(1);
  await eventually(() => s.ended, 'end of stream', 5000);
  assert.equal(m.event, 'ERROR');
  assert.equal(m.id, undefined);
  assert.equal(m.data.type, 'ERROR');
  assert.equal(m.data.object.kind, 'Status');
  assert.equal(m.data.object.code, 410);
  assert.equal(m.data.object.reason, 'Expired');
  assert.match(m.data.object.message, /too old resource version/);
});

test('an idle stream gets `: keepalive` comments; a JSON watch never does', async () => {
  const s = await sse(base, `${cm('s5')}?watch=true`);
  await eventually(() => s.comments.length >= 2, 'two keepalive comments', 3000);
  s.close();
  assert.deepEqual([...new Set(s.comments)], [': keepalive']);
  assert.equal(s.messages.length, 0);
  const chunks: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const r = http.get(`${base}${cm('s5')}?watch=true`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
      setTimeout(() => {
        r.destroy();
        resolve();
      }, 300);
    });
    r.on('error', reject);
  });
  assert.equal(chunks.join(''), '');
});

test('401 and 403 like any request, before the stream starts', async () => {
  const authn: Authenticator = {
    name: 'token',
    authenticate(r) {
      const h = r.headers.authorization;
      if (!h) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      return { username: h.slice('Bearer '.length), groups: ['system:authenticated'] };
    },
  };
  const authz: Authorizer = { name: 'only-alice', authorize: (a) => (a.user.username === 'alice' ? 'allow' : 'deny') };
  const secured = await startTestServer({ pipeline: { authenticators: [authn], authorizers: [authz] } });
  try {
    const path = `${cm('default')}?watch=true`;
    const anon = await req(secured.url, 'GET', path, undefined, { Accept: 'text/event-stream' });
    assert.equal(anon.status, 401);
    assert.equal(anon.body.reason, 'Unauthorized');
    const bob = await req(secured.url, 'GET', path, undefined, { Accept: 'text/event-stream', Authorization: 'Bearer bob' });
    assert.equal(bob.status, 403);
    assert.equal(bob.body.reason, 'Forbidden');
    const alice = await sse(secured.url, path, { Authorization: 'Bearer alice' });
    assert.equal(alice.status, 200);
    assert.equal(alice.type, 'text/event-stream');
    await req(secured.url, 'POST', cm('default'), configMap('seen'), { Authorization: 'Bearer alice' });
    const [m] = await alice.waitFor(1);
    alice.close();
    assert.equal(m.event, 'ADDED');
    assert.equal(m.data.object.metadata.name, 'seen');
  } finally {
    await secured.close();
  }
});
