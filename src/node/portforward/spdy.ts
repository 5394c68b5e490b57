// SPDY/3.1 framing (draft 3.1), the part a server of Kubernetes' port-forward needs: kubectl's
// client (moby/spdystream) opens streams with SYN_STREAM, sends DATA, half-closes with FIN and
// resets with RST_STREAM; it pings. A frame is 8 bytes of header then its payload:
//   control: 1 | version(15) | type(16) | flags(8) | length(24)
//   data:    0 | stream id(31)           | flags(8) | length(24)
// Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are zlib streams against the SPDY/3 dictionary, one
// compression context per direction for the whole session. We decompress the client's with zlib; our
// own (SYN_REPLY only) are written as stored (uncompressed) deflate blocks of that one stream, each
// ended as a sync flush ends it, which every inflater reads without needing state of ours.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.ts';

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const TYPE = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;
/** The largest DATA payload we send (the length field allows 2^24-1). */
export const MAX_DATA = 64 * 1024;

export type Frame =
  | { control: true; version: number; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; payload: Buffer };

/** Splits a byte stream into frames: push bytes, take the complete frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const flags = this.buf[4];
      const payload = this.buf.subarray(8, 8 + length);
      if (this.buf[0] & 0x80) out.push({ control: true, version: this.buf.readUInt16BE(0) & 0x7fff, type: this.buf.readUInt16BE(2), flags, payload });
      else out.push({ control: false, streamId: this.buf.readUInt32BE(0) & 0x7fffffff, flags, payload });
      this.buf = this.buf.subarray(8 + length);
    }
    return out;
  }
}

function header(first: number, second: number, flags: number, length: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(first, 0);
  h.writeUInt16BE(second, 2);
  h[4] = flags;
  h.writeUIntBE(length, 5, 3);
  return h;
}

/** A control frame. Pure. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([header(0x8000 | SPDY_VERSION, type, flags, payload.length), payload]);
}

/** A DATA frame (payload at most 2^24-1 bytes). Pure. */
export function dataFrame(streamId: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([header((streamId >>> 16) & 0x7fff, streamId & 0xffff, flags, payload.length), payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

export const rstStream = (streamId: number, status: number) => controlFrame(TYPE.RST_STREAM, 0, u32(streamId & 0x7fffffff, status));
export const ping = (id: number) => controlFrame(TYPE.PING, 0, u32(id));
export const goAway = (lastGoodStreamId: number, status = 0) => controlFrame(TYPE.GOAWAY, 0, u32(lastGoodStreamId, status));

/** The name/value block before compression: count, then each name and value with 32-bit lengths. Pure. */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts = [u32(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

/** A decompressed name/value block as lower-case name → value (several values joined by NUL stay joined). Pure. */
export function decodeHeaderBlock(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  const take = () => {
    if (at + 4 > b.length) throw new Error('header block truncated');
    const n = b.readUInt32BE(at);
    at += 4;
    if (at + n > b.length) throw new Error('header block truncated');
    const s = b.subarray(at, at + n).toString('utf8');
    at += n;
    return s;
  };
  if (b.length < 4) throw new Error('header block truncated');
  const count = b.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take();
    out[name.toLowerCase()] = take();
  }
  return out;
}

/** Our direction's header compression: the zlib header once, then each block as one stored deflate block. */
export class HeaderWriter {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) parts.push(Buffer.from([0x78, 0x01])); // deflate, 32K window, no preset dictionary needed
    this.started = true;
    let at = 0;
    do {
      const piece = block.subarray(at, at + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
      at += 0xffff;
    } while (at < block.length);
    // An empty stored block, as a sync flush ends: inflaters (Go's flate) hand out the data only then.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The peer's direction: one inflate context for the session; blocks are decoded in order. */
export class HeaderReader {
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private chunks: Buffer[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;

  constructor() {
    this.inflate.on('data', (d: Buffer) => this.chunks.push(d));
    this.inflate.on('error', (e) => (this.failed = e));
  }

  decompress(compressed: Buffer): Promise<Buffer> {
    const run = () =>
      new Promise<Buffer>((resolve, reject) => {
        if (this.failed) return reject(this.failed);
        this.chunks = [];
        this.inflate.write(compressed);
        this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => (this.failed ? reject(this.failed) : resolve(Buffer.concat(this.chunks))));
      });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.inflate.destroy();
  }
}
