// kubectl port-forward at the kubelet (src/node/portforward/): SPDY/3.1 frames, header blocks against
// the SPDY/3 dictionary (compressed as kubectl's client does), the request path and transport, and a
// session's stream pairing against a real socket. Real kubectl: test/runtime/portforward-e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../src/node/portforward/dictionary.ts';
import { FLAG_FIN, FrameReader, HeaderReader, HeaderWriter, TYPE, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, type Frame } from '../../src/node/portforward/spdy.ts';
import { PortForwardSession, parsePort } from '../../src/node/portforward/session.ts';
import { asToken, forwardFailure, forwardTransport, parsePortForward } from '../../src/node/portforward/server.ts';
import { eventually } from '../helpers/eventually.ts';
import { loopbackAlias } from '../../src/api/core/podnetwork.ts';

test('the SPDY/3 dictionary: 1423 bytes, the spec\'s digest', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
});

test('FrameReader: control and data frames, split anywhere', () => {
  const bytes = Buffer.concat([controlFrame(TYPE.PING, 0, Buffer.from([0, 0, 0, 1])), dataFrame(3, FLAG_FIN, Buffer.from('hello')), dataFrame(0x7ffffffd, 0)]);
  for (const cut of [1, 7, 8, 12, 13, 20, bytes.length]) {
    const r = new FrameReader();
    const frames: Frame[] = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
    assert.equal(frames.length, 3, `cut ${cut}`);
    assert.deepEqual(frames[0], { control: true, version: 3, type: TYPE.PING, flags: 0, payload: Buffer.from([0, 0, 0, 1]) });
    assert.deepEqual(frames[1], { control: false, streamId: 3, flags: FLAG_FIN, payload: Buffer.from('hello') });
    assert.equal((frames[2] as any).streamId, 0x7ffffffd);
  }
});

test('header blocks: kubectl-style zlib (one context, sync flushes) in, stored blocks out', async () => {
  const table: Record<string, string>[] = [{ streamtype: 'error', port: '80', requestid: '0' }, { streamtype: 'data', port: '80', requestid: '0' }, {}];
  // Client → us: one deflate context with the dictionary, flushed per block.
  const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  const reader = new HeaderReader();
  for (const h of table) {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    deflate.on('data', onData);
    deflate.write(encodeHeaderBlock(h));
    await new Promise<void>((r) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    deflate.off('data', onData);
    assert.deepEqual(decodeHeaderBlock(await reader.decompress(Buffer.concat(out))), h);
  }
  reader.close();
  deflate.close();
  // Us → client: every block readable by an inflater with the dictionary, in one stream.
  const w = new HeaderWriter();
  const inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  for (const h of table) {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    inflate.on('data', onData);
    inflate.write(w.compress(encodeHeaderBlock(h)));
    await new Promise<void>((r) => inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    inflate.off('data', onData);
    assert.deepEqual(decodeHeaderBlock(Buffer.concat(out)), h);
  }
  inflate.close();
});

test('parsePortForward, forwardTransport, parsePort, asToken', () => {
  assert.deepEqual(parsePortForward('/nodes/n1/portforward/default/web?ports=80'), { node: 'n1', namespace: 'default', pod: 'web' });
  assert.deepEqual(parsePortForward('/portForward/ns/p'), { node: undefined, namespace: 'ns', pod: 'p' });
  assert.equal(parsePortForward('/exec/ns/p/c'), undefined);
  const transports: [Record<string, string>, string | undefined][] = [
    [{ upgrade: 'websocket' }, 'websocket'],
    [{ upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io' }, 'spdy'],
    [{ upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' }, undefined],
    [{}, undefined],
  ];
  for (const [h, want] of transports) assert.equal(forwardTransport(h), want, JSON.stringify(h));
  for (const [v, want] of [['80', 80], ['65535', 65535], ['0', undefined], ['65536', undefined], ['x', undefined], [undefined, undefined]] as const) assert.equal(parsePort(v), want);
  assert.equal(asToken('SPDY/3.1+portforward.k8s.io'), 'SPDY_3.1+portforward.k8s.io');
});

/** A client end of a session: SYN_STREAMs compressed as kubectl does, frames collected. */
async function synStream(deflate: zlib.Deflate, id: number, h: Record<string, string>): Promise<Buffer> {
  const out: Buffer[] = [];
  const onData = (d: Buffer) => out.push(d);
  deflate.on('data', onData);
  deflate.write(encodeHeaderBlock(h));
  await new Promise<void>((r) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
  deflate.off('data', onData);
  const head = Buffer.alloc(10);
  head.writeUInt32BE(id);
  return controlFrame(TYPE.SYN_STREAM, 0, Buffer.concat([head, ...out]));
}

test('PortForwardSession: replies to both streams, copies data both ways, FINs data then error; a refused port fills the error stream', async () => {
  const server = net.createServer((s) => s.on('data', (d) => s.end(`echo:${d}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const frames: Frame[] = [];
  const reader = new FrameReader();
  const session = new PortForwardSession({
    send: (b) => frames.push(...reader.push(b)),
    end: () => {},
    dial: (p) => net.connect({ host: '127.0.0.1', port: p }),
    failure: (p, err) => forwardFailure({ host: '127.0.0.1', name: 'web', uid: 'u1' }, p, err),
  });
  const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  session.feed(await synStream(deflate, 1, { streamtype: 'error', port: String(port), requestid: '0' }));
  session.feed(dataFrame(1, FLAG_FIN));
  session.feed(await synStream(deflate, 3, { streamtype: 'data', port: String(port), requestid: '0' }));
  session.feed(dataFrame(3, 0, Buffer.from('hi')));
  session.feed(controlFrame(TYPE.PING, 0, Buffer.from([0, 0, 0, 7])));
  const on = (id: number) => frames.filter((f) => !f.control && f.streamId === id) as Extract<Frame, { control: false }>[];
  await eventually(() => (on(1).some((f) => f.flags & FLAG_FIN) ? true : undefined), 'error stream FIN');
  const replies = frames.filter((f) => f.control && f.type === TYPE.SYN_REPLY);
  assert.deepEqual(replies.map((f) => f.payload.readUInt32BE(0)), [1, 3]);
  assert.equal(Buffer.concat(on(3).map((f) => f.payload)).toString(), 'echo:hi');
  assert.ok(on(3).at(-1)!.flags & FLAG_FIN);
  assert.equal(Buffer.concat(on(1).map((f) => f.payload)).length, 0);
  assert.ok(frames.some((f) => f.control && f.type === TYPE.PING && f.payload.readUInt32BE(0) === 7));
  // Nothing listens there any more: the kubelet's message on the error stream.
  await new Promise<void>((r) => server.close(() => r()));
  session.feed(await synStream(deflate, 5, { streamtype: 'error', port: String(port), requestid: '1' }));
  session.feed(await synStream(deflate, 7, { streamtype: 'data', port: String(port), requestid: '1' }));
  await eventually(() => (on(5).some((f) => f.flags & FLAG_FIN) ? true : undefined), 'second error stream FIN');
  assert.match(Buffer.concat(on(5).map((f) => f.payload)).toString(), new RegExp(`^error forwarding port ${port} to pod web, uid u1: .*connect: connection refused$`));
  session.close();
  deflate.close();
});

test('forwardTarget: the pod alias; simulated pods only with declared ports; no IP yet', async () => {
  const { forwardTarget } = await import('../../src/node/pool.ts');
  const sim = (spec: any, podIP: string | null = '10.128.0.5') =>
    ({ name: 'web', uid: 'u1', podIP: podIP ?? undefined, pod: { metadata: { name: 'web' }, spec }, containers: (spec.containers ?? []).map((c: any) => ({ name: c.name, image: c.image, init: false })) }) as any;
  const table: [any, boolean, string | undefined, RegExp | undefined][] = [
    [sim({ containers: [{ name: 'app', image: 'node' }] }), true, loopbackAlias('10.128.0.5'), undefined],
    [sim({ containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }] }), false, loopbackAlias('10.128.0.5'), /answer HTTP only on their declared containerPorts 80/],
    [sim({ containers: [{ name: 'app', image: 'nginx' }] }), false, undefined, /not supported by kubesim for simulated containers: pod web runs no process/],
    [sim({ containers: [{ name: 'app', image: 'node' }] }, null), true, undefined, /has no IP address yet/],
    [sim({ hostNetwork: true, containers: [{ name: 'app', image: 'node' }] }), true, '127.0.0.1', undefined],
  ];
  for (const [s, real, host, message] of table) {
    const t: any = forwardTarget(s, real);
    if (host) {
      assert.equal(t.host, host);
      if (message) assert.match(t.note, message);
      else assert.equal(t.note, undefined);
    } else {
      assert.equal(t.code, 400);
      assert.match(t.message, message!);
    }
  }
});
