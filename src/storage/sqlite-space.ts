// SQLite file space: deleted history (compaction) frees pages, and the file should reuse or return
// them instead of growing for ever. A new database is created with auto_vacuum=INCREMENTAL, so the
// free pages can be returned to the file system a chunk at a time after each compaction
// (PRAGMA incremental_vacuum), without the long stall of a full VACUUM. auto_vacuum only applies
// to a database created with it (or after a VACUUM): an older, small database is converted once
// at open; a large one keeps reusing its free pages (SQLite does that by itself) and is left as is.
// The WAL is truncated back to a bounded size after checkpoints (journal_size_limit).
import type Database from 'better-sqlite3';

/** A database up to this size is VACUUMed into auto_vacuum=INCREMENTAL at open (a few hundred ms at most). */
const CONVERT_MAX_BYTES = 64 * 2 ** 20;
/** Pages returned per incremental_vacuum step (4 KiB pages: 8 MiB), yielding between steps. */
const VACUUM_CHUNK_PAGES = 2048;
/** The WAL file is cut back to this after a checkpoint. */
export const WAL_SIZE_LIMIT = 64 * 2 ** 20;

const enum AutoVacuum {
  None = 0,
  Full = 1,
  Incremental = 2,
}

/** Before any table exists (new file) or right after open (existing file): set up space reuse. */
export function configureSpace(db: Database.Database): void {
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const mode = db.pragma('auto_vacuum', { simple: true }) as number;
  if (mode === AutoVacuum.Incremental) return;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`auto_vacuum = ${AutoVacuum.Incremental}`); // takes effect now on an empty database
  if (pages > 0 && pages * pageSize <= CONVERT_MAX_BYTES && mode === AutoVacuum.None) db.exec('VACUUM');
}

/** Free pages of the file (what an incremental vacuum can return). */
export function freePages(db: Database.Database): number {
  return db.pragma('freelist_count', { simple: true }) as number;
}

/**
 * Returns the free pages to the file system in steps (yielding to the event loop between them),
 * then checkpoints the WAL so it is cut back too. A database without auto_vacuum only reuses them.
 */
export async function returnFreeSpace(db: Database.Database, stillOpen: () => boolean): Promise<void> {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== AutoVacuum.Incremental) return;
  while (stillOpen() && freePages(db) > 0) {
    db.pragma(`incremental_vacuum(${VACUUM_CHUNK_PAGES})`);
    await new Promise((r) => setImmediate(r));
  }
  if (stillOpen()) db.pragma('wal_checkpoint(TRUNCATE)');
}
