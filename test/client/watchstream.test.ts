// The watch decoder: the same events, ends and errors for every way the bytes may arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { JsonLinesWatch } from '../../src/client/watchstream.ts';

const ev = (i: number, extra = '') => ({ type: 'MODIFIED', object: { metadata: { name: `a${i}`, resourceVersion: String(i), annotations: { x: 'ü'.repeat(3) + extra } } } });
const line = (i: number) => JSON.stringify(ev(i)) + '\n';
const three = line(1) + line(2) + line(3);
const split = (s: string, n: number) => {
  const b = Buffer.from(s);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
};

const cases: { name: string; chunks: (Buffer | string)[]; events: number[]; error?: RegExp }[] = [
  { name: 'one event a chunk', chunks: [line(1), line(2), line(3)].map((s) => Buffer.from(s)), events: [1, 2, 3] },
  { name: 'several events in one chunk', chunks: [Buffer.from(three)], events: [1, 2, 3] },
  { name: 'split every 5 bytes (multi-byte characters too)', chunks: split(three, 5), events: [1, 2, 3] },
  { name: 'a last line without its newline', chunks: [Buffer.from(line(1) + JSON.stringify(ev(2)))], events: [1, 2] },
  { name: 'blank lines and CRLF', chunks: [Buffer.from('\n' + JSON.stringify(ev(1)) + '\r\n\n' + line(2))], events: [1, 2] },
  { name: 'string chunks', chunks: [line(1), line(2) + line(3)], events: [1, 2, 3] },
  { name: 'a malformed line after good ones', chunks: [Buffer.from(line(1) + line(2) + '{"type":\n' + line(3))], events: [1, 2], error: /JSON/ },
  { name: 'no bytes at all', chunks: [], events: [] },
];

const names = (evs: any[]) => evs.map((e) => Number(e.object.metadata.resourceVersion));

for (const c of cases) {
  test(`watch decoder, iterated: ${c.name}`, async () => {
    const w = new JsonLinesWatch(Readable.from(c.chunks), () => {});
    const got: any[] = [];
    const run = (async () => {
      for await (const e of w) got.push(e);
    })();
    if (c.error) await assert.rejects(run, c.error);
    else await run;
    assert.deepEqual(names(got), c.events);
    assert.deepEqual(got[0] ?? ev(1), ev(c.events[0] ?? 1));
    assert.equal(w.closed, true);
  });
}
