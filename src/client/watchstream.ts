// The client end of a watch: the answer's JSON lines (one watch event each) decoded into events and
// async-iterated. In process (the lean exchange), the body's object channel is claimed: events the
// server hands over as objects (the store's own, deep-frozen) come as they are, with no line to parse.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { KubeObject, Status, WatchEvent } from '../api/types.ts';
import { tokenEvent, WATCH_OBJECTS, type WatchObjectSink } from '../api/watchobjects.ts';

/** A watch stream: async-iterate its events; close() ends it (the iteration then finishes). */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T | Status>> {
  close(): void;
  /** True once the stream ended (server closed, error, or close()). */
  readonly closed: boolean;
}

const NOT_BLANK = /\S/;

/** JSON lines out of chunks: a line may straddle chunks, a multi-byte character too. */
class LineDecoder<E> {
  private buf = '';
  // a multi-byte character may straddle two chunks
  private readonly decoder = new StringDecoder('utf8');
  // the decoder holds no partial character (the last chunk ended with a newline)
  private clean = true;

  /** Calls emit with each whole line of the chunk parsed; emit returning false stops (the rest is dropped). */
  push(chunk: Buffer | string, emit: (ev: E) => boolean | void): boolean {
    const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
    if (this.buf === '' && this.clean && last === 10) {
      // The usual chunk: one whole event and its newline (JSON.parse takes the surrounding
      // whitespace), with no copy of the line sliced off and trimmed.
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (text.indexOf('\n') === text.length - 1) return NOT_BLANK.test(text) ? emit(JSON.parse(text) as E) !== false : true;
      this.buf = text;
    } else if (typeof chunk === 'string') this.buf += chunk;
    else {
      this.buf += this.decoder.write(chunk);
      this.clean = last === 10;
    }
    // line by line from an offset: one slice per line, the rest cut once
    const buf = this.buf;
    let from = 0;
    let nl: number;
    while ((nl = buf.indexOf('\n', from)) >= 0) {
      const line = buf.slice(from, nl);
      from = nl + 1;
      if (NOT_BLANK.test(line) && emit(JSON.parse(line) as E) === false) {
        this.buf = '';
        return false;
      }
    }
    this.buf = from === 0 ? buf : buf.slice(from);
    return true;
  }

  /**
   * push(), a malformed line's error returned rather than thrown: the caller yields the lines
   * emitted before it, then throws it.
   */
  pushOrError(chunk: Buffer | string, emit: (ev: E) => void): unknown {
    try {
      this.push(chunk, emit);
      return undefined;
    } catch (e) {
      return e;
    }
  }

  /** The stream ended: a last line without its newline. */
  end(emit: (ev: E) => boolean | void): void {
    const rest = this.buf + this.decoder.end();
    this.buf = '';
    if (NOT_BLANK.test(rest)) emit(JSON.parse(rest) as E);
  }
}

/** The chunks of a claimed object channel, waiting for the iterator (see WatchObjectSink). */
class ChannelQueue implements WatchObjectSink {
  chunks: (Buffer | string)[] = [];
  ended = false;
  private wake: (() => void) | undefined;
  put(chunk: Buffer | string): void {
    this.chunks.push(chunk);
    this.notify();
  }
  end(): void {
    this.ended = true;
    this.notify();
  }
  notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  /** Resolves at the next chunk, end or close. */
  next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}

/**
 * Events are frozen objects when the server handed them over in process (the store's own object,
 * shared with every other reader); parsed from their JSON line otherwise.
 */
export class JsonLinesWatch<T extends KubeObject> implements WatchStream<T> {
  closed = false;
  /** The body's object channel, when it has one (in process). */
  private readonly channel: ChannelQueue | undefined;
  constructor(
    private readonly body: Readable,
    private readonly dispose: () => void,
  ) {
    const claim = (body as unknown as { [WATCH_OBJECTS]?: (sink: WatchObjectSink) => void })[WATCH_OBJECTS];
    if (typeof claim === 'function') {
      claim.call(body, (this.channel = new ChannelQueue()));
      // a cut exchange destroys the body with an error: the iteration ends at its 'close' (as a
      // stream's does then), nothing else reads the body to take the 'error'
      body.on('error', () => {});
    }
    body.once('close', () => {
      this.closed = true;
      dispose();
      this.channel?.notify();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    this.body.destroy();
  }

  /** An error that ends the stream: none when close() or the caller's signal ended it (a normal end). */
  private failure(e: unknown): unknown {
    return this.closed || (e as Error)?.name === 'AbortError' ? undefined : e;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T | Status>> {
    return this.channel ? this.fromChannel(this.channel) : this.fromBytes();
  }

  /** Chunks as the body's channel gives them: text lines decoded, events handed over taken as they are. */
  private async *fromChannel(channel: ChannelQueue): AsyncGenerator<WatchEvent<T | Status>> {
    const lines = new LineDecoder<WatchEvent<T | Status>>();
    const got: WatchEvent<T | Status>[] = [];
    const collect = (ev: WatchEvent<T | Status>) => void got.push(ev);
    try {
      for (;;) {
        // as a destroyed stream, a cut exchange drops what it had not delivered yet
        if (this.body.destroyed) return;
        if (channel.chunks.length === 0) {
          if (channel.ended) break;
          await channel.next();
          continue;
        }
        const chunks = channel.chunks;
        channel.chunks = [];
        for (const chunk of chunks) {
          const ev = tokenEvent(chunk);
          if (ev) {
            yield ev as WatchEvent<T | Status>;
            continue;
          }
          const bad = lines.pushOrError(chunk, collect);
          for (let i = 0; i < got.length; i++) yield got[i];
          got.length = 0;
          if (bad !== undefined) throw bad;
        }
      }
      lines.end(collect);
      for (const ev of got) yield ev;
    } catch (e) {
      const err = this.failure(e);
      if (err !== undefined) throw err;
    } finally {
      this.closed = true;
      this.body.destroy();
    }
  }

  private async *fromBytes(): AsyncGenerator<WatchEvent<T | Status>> {
    const lines = new LineDecoder<WatchEvent<T | Status>>();
    const got: WatchEvent<T | Status>[] = [];
    const collect = (ev: WatchEvent<T | Status>) => void got.push(ev);
    try {
      for await (const chunk of this.body) {
        const bad = lines.pushOrError(chunk as Buffer | string, collect);
        for (let i = 0; i < got.length; i++) yield got[i];
        got.length = 0;
        if (bad !== undefined) throw bad;
      }
      lines.end(collect);
      for (const ev of got) yield ev;
    } catch (e) {
      const err = this.failure(e);
      if (err !== undefined) throw err;
    } finally {
      this.closed = true;
      this.body.destroy();
    }
  }
}
