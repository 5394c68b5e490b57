// Event transports of the PostgreSQL store: how one instance's commits reach the others.
//
// - RedisStreamTransport (`--events redis://...`): after a commit the writer XADDs each event to
//   a Redis Stream (trimmed to about `maxLen` entries); every instance XREADs from its last entry
//   id and offers the entries to its LogFeed. Entries are in XADD order, which may differ from
//   revision order across writers; the feed reorders, and fills from the database whatever the
//   stream lost (Redis restarted or down, trimmed past a slow reader, a writer killed after COMMIT).
// - NotifyTransport (no Redis): the writer's transaction runs pg_notify(channel, revision), which
//   PostgreSQL delivers at commit; a notification is only a wake-up, on which the instance reads
//   the log after the last revision it delivered. Reconnects on loss and reads again.
import { Redis } from 'ioredis';
import pg from 'pg';
import type { StoreEvent } from './interface.ts';
import { eventTypeCode, logEvent, prevJsonOf, type LogFeed } from './log-feed.ts';

export interface EventTransport {
  /** Starts delivering into the feed. */
  start(feed: LogFeed): Promise<void>;
  /** Committed events, in revision order (called right after COMMIT). */
  publish(events: StoreEvent[]): void;
  /** Whether writers must pg_notify inside their transaction. */
  readonly notifies: boolean;
  close(): Promise<void>;
}

export interface RedisTransportOptions {
  url: string;
  /** Stream key (one per cluster). */
  stream: string;
  /** Approximate stream length kept (XADD MAXLEN ~). Default 100,000. */
  maxLen?: number;
  onError?: (err: unknown) => void;
}

export class RedisStreamTransport implements EventTransport {
  readonly notifies = false;
  private readonly writer: Redis;
  private readonly reader: Redis;
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: RedisTransportOptions) {
    const common = { maxRetriesPerRequest: 1, retryStrategy: () => 200, lazyConnect: true };
    this.writer = new Redis(opts.url, common);
    this.reader = new Redis(opts.url, common);
    for (const r of [this.writer, this.reader]) r.on('error', () => {}); // reconnects; the feed covers the gap
  }

  async start(feed: LogFeed): Promise<void> {
    await Promise.all([this.writer.connect(), this.reader.connect()]);
    const startId = await this.topId();
    this.loop = this.readLoop(feed, startId ?? '0-0');
  }

  publish(events: StoreEvent[]): void {
    if (this.closed || !events.length) return;
    const p = this.writer.pipeline();
    for (const ev of events) {
      const fields = ['r', String(ev.revision), 'k', ev.key, 't', String(eventTypeCode(ev.type)), 'v', ev.json ?? JSON.stringify(ev.object)];
      const prev = prevJsonOf(ev);
      if (prev !== undefined) fields.push('p', prev);
      p.xadd(this.opts.stream, 'MAXLEN', '~', String(this.opts.maxLen ?? 100_000), '*', ...fields);
    }
    p.exec().catch((err) => this.opts.onError?.(err));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader.disconnect();
    await this.loop;
    this.writer.disconnect();
  }

  private async topId(): Promise<string | undefined> {
    const top = (await this.reader.xrevrange(this.opts.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return top[0]?.[0];
  }

  private async readLoop(feed: LogFeed, startId: string): Promise<void> {
    let lastId = startId;
    let check = false;
    while (!this.closed) {
      try {
        if (check) {
          // After an error Redis may have restarted empty: entry ids could then be below ours.
          const top = await this.topId();
          if (!top || compareIds(top, lastId) < 0) lastId = '0-0';
          check = false;
          void feed.fill();
        }
        const res = (await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.opts.stream, lastId)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const ev = decodeEntry(fields);
            if (ev) feed.offer(ev);
          }
        }
      } catch (err) {
        if (this.closed) return;
        this.opts.onError?.(err);
        check = true;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function decodeEntry(fields: string[]): StoreEvent | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  if (!f.r || !f.k || f.v === undefined) return undefined;
  return logEvent(Number(f.t), f.k, Number(f.r), f.v, f.p);
}

export interface NotifyTransportOptions {
  connectionString: string;
  channel: string;
  onError?: (err: unknown) => void;
}

export class NotifyTransport implements EventTransport {
  readonly notifies = true;
  private client: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NotifyTransportOptions) {}

  async start(feed: LogFeed): Promise<void> {
    await this.listen(feed);
  }

  publish(): void {
    // pg_notify ran inside the writer's transaction.
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
  }

  private async listen(feed: LogFeed): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.connectionString });
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      if (err) this.opts.onError?.(err);
      this.reconnect(feed);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => void feed.fill());
    this.client = client;
    await client.connect();
    await client.query(`LISTEN "${this.opts.channel}"`);
    void feed.fill(); // whatever committed before LISTEN took effect
  }

  private reconnect(feed: LogFeed): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.listen(feed).catch((err) => {
        this.opts.onError?.(err);
        this.client?.end().catch(() => {});
        this.client = undefined;
        this.reconnect(feed);
      });
    }, 500);
    this.retry.unref();
  }
}
