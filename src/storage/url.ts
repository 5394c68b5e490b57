// `--storage` and `--events` URLs: which backend the API server runs on.
//   memory | sqlite:PATH (the database file) | postgres://… (or postgresql://…) | etcd://host:port[,host:port…][/prefix]
// PostgreSQL URLs may carry kubesim's own query parameters, removed before connecting:
// `pool_size` (connections, default 10) and `schema` (default public; one cluster per schema).
// `--events redis://…` selects the Redis Stream transport for PostgreSQL (default: LISTEN/NOTIFY).
import path from 'node:path';
import type { Store } from './interface.ts';
import { openEtcd } from './etcd.ts';
import { MemoryStore } from './memory.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';

export type StorageUrl =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolSize?: number; schema?: string }
  | { kind: 'etcd'; url: string; endpoints: string[] };

/** Parses a --storage value (pure); throws an Error naming the flag for anything else. */
export function parseStorageUrl(value: string): StorageUrl {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new Error('--storage sqlite:PATH needs the database file path');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    const u = new URL(value);
    const pool = u.searchParams.get('pool_size');
    const schema = u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('pool_size');
    u.searchParams.delete('schema');
    if (pool !== null && !(Number(pool) >= 1 && Number.isInteger(Number(pool)))) throw new Error(`--storage: pool_size must be a positive integer (got "${pool}")`);
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`--storage: schema must be a lower-case SQL identifier (got "${schema}")`);
    return { kind: 'postgres', url: u.toString(), ...(pool !== null && { poolSize: Number(pool) }), ...(schema && { schema }) };
  }
  if (value.startsWith('etcd://')) {
    const endpoints = value.slice('etcd://'.length).split(',').filter(Boolean);
    if (!endpoints.length) throw new Error('--storage etcd:// needs host:port[,host:port...]');
    return { kind: 'etcd', url: value, endpoints };
  }
  throw new Error(`--storage must be memory, sqlite:PATH, postgres://... or etcd://host:port[,...] (got "${value}")`);
}

export interface BackendUrlOptions {
  /** --events: redis://… for the PostgreSQL backend. */
  events?: string;
  synchronous?: 'FULL' | 'NORMAL';
  compactionIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/** Opens the backend a --storage URL names (no cache over it). */
export async function openBackendUrl(value: string, opts: BackendUrlOptions = {}): Promise<Store> {
  const s = parseStorageUrl(value);
  if (opts.events !== undefined) {
    if (!/^rediss?:\/\//.test(opts.events)) throw new Error(`--events must be redis://host:port (got "${opts.events}")`);
    if (s.kind !== 'postgres') throw new Error('--events applies to --storage postgres://... only');
  }
  const compactionIntervalMs = opts.compactionIntervalMs ?? 5 * 60_000;
  switch (s.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite':
      return new SqliteStore({ file: s.file, synchronous: opts.synchronous, compactionIntervalMs });
    case 'postgres':
      return PostgresStore.open({ url: s.url, poolSize: s.poolSize, schema: s.schema, events: opts.events, compactionIntervalMs, onError: opts.onError });
    case 'etcd':
      return openEtcd(s.url, { compactionIntervalMs });
  }
}
