// The PostgreSQL dialect of the kine-style MVCC log: schema and statements, per schema name.
//
// `kubesim_log` has one row per revision (id = revision): the key (`name`, byte order through
// COLLATE "C" so it sorts as JavaScript strings do), whether the write created or deleted the key,
// the key's create revision, the revision of its previous write, and the object after the write
// (for a delete: the last state, with resourceVersion = the delete's revision). The current state
// is the latest row per key that is not a deletion. `kubesim_meta` holds the revision counter
// (its row lock serialises writers, see postgres.ts) and the compacted revision.

/** A quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface PgSql {
  /** Creates the schema, tables and counters if missing (run under an advisory lock). */
  schema: string;
  get: string;
  listAll: string;
  listRange: string;
  /** Locks the counter row for the transaction and returns the current revision. */
  lockRevision: string;
  latest: string;
  insert: string;
  setRevision: string;
  revision: string;
  compacted: string;
  /** The revision and the compacted revision, one row. */
  meta: string;
  /** Rows after $1, oldest first, at most $2, each with its previous value. */
  history: string;
  setCompacted: string;
  compact: string;
  notify: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  channel: string;
}

/** Advisory lock key that serialises schema creation by concurrent openers. */
export const SCHEMA_LOCK = 7_020_215;

export function pgSql(schemaName: string): PgSql {
  const s = ident(schemaName);
  const log = `${s}.kubesim_log`;
  const meta = `${s}.kubesim_meta`;
  const cols = 'id, name, created, deleted, create_revision, value';
  const latestOf = (where: string) => `SELECT DISTINCT ON (name) ${cols} FROM ${log} WHERE ${where} ORDER BY name, id DESC`;
  return {
    schema: `
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${log} (
        id bigint PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        created boolean NOT NULL,
        deleted boolean NOT NULL,
        create_revision bigint NOT NULL,
        prev_revision bigint,
        value text NOT NULL
      );
      CREATE INDEX IF NOT EXISTS kubesim_log_name_id ON ${log} (name, id DESC);
      CREATE TABLE IF NOT EXISTS ${meta} (name text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO ${meta} (name, value) VALUES ('revision', 0), ('compacted', 0) ON CONFLICT (name) DO NOTHING;
    `,
    get: `SELECT ${cols} FROM ${log} WHERE name = $1 ORDER BY id DESC LIMIT 1`,
    listAll: `SELECT * FROM (${latestOf('true')}) t WHERE NOT deleted ORDER BY name`,
    listRange: `SELECT * FROM (${latestOf('name >= $1 AND name < $2')}) t WHERE NOT deleted ORDER BY name`,
    lockRevision: `SELECT value FROM ${meta} WHERE name = 'revision' FOR UPDATE`,
    latest: latestOf('name = ANY($1::text[])'),
    insert:
      `INSERT INTO ${log} (id, name, created, deleted, create_revision, prev_revision, value) ` +
      'SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::boolean[], $5::bigint[], $6::bigint[], $7::text[])',
    setRevision: `UPDATE ${meta} SET value = $1 WHERE name = 'revision'`,
    revision: `SELECT value FROM ${meta} WHERE name = 'revision'`,
    compacted: `SELECT value FROM ${meta} WHERE name = 'compacted'`,
    meta: `SELECT (SELECT value FROM ${meta} WHERE name = 'revision') AS revision, (SELECT value FROM ${meta} WHERE name = 'compacted') AS compacted`,
    history:
      `SELECT l.id, l.name, l.created, l.deleted, l.value, p.value AS prev_value FROM ${log} l ` +
      `LEFT JOIN ${log} p ON p.id = l.prev_revision WHERE l.id > $1 ORDER BY l.id LIMIT $2`,
    setCompacted: `UPDATE ${meta} SET value = GREATEST(value, $1) WHERE name = 'compacted'`,
    // kine's compaction: below the revision, drop every row a later row (also below it) superseded,
    // and the deletions themselves; the latest live row of each key stays.
    compact:
      `DELETE FROM ${log} WHERE id <= $1 AND (deleted OR id IN ` +
      `(SELECT prev_revision FROM ${log} WHERE id <= $1 AND prev_revision IS NOT NULL))`,
    notify: 'SELECT pg_notify($1, $2)',
    channel: `kubesim_events_${schemaName}`.slice(0, 63),
  };
}

export interface PgRow {
  id: string;
  name: string;
  created: boolean;
  deleted: boolean;
  create_revision: string;
  value: string;
}

export interface PgHistoryRow {
  id: string;
  name: string;
  created: boolean;
  deleted: boolean;
  value: string;
  prev_value: string | null;
}
