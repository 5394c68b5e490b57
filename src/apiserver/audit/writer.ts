// The audit log file (--audit-log-path, `-` = stdout) with lumberjack's rotation, as kube-apiserver
// writes it: past --audit-log-maxsize MB the file is renamed NAME-<UTC timestamp>.EXT
// (2006-01-02T15-04-05.000) and a new one started; at most --audit-log-maxbackup old files
// (0 = all) no older than --audit-log-maxage days (0 = any age) are kept. Lines are queued and
// written by one asynchronous loop, so a request never waits for the disk; close() flushes.
import { open, readdir, rename, stat, unlink, mkdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export interface AuditLogOptions {
  path: string;
  /** MB before rotation (lumberjack's default 100 when 0/undefined). */
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
  /** Lines queued beyond this are dropped (and counted) rather than grow memory without bound. */
  maxQueuedBytes?: number;
  /** Time source (tests). */
  now?: () => Date;
  onError?: (err: unknown) => void;
}

/** lumberjack's backup name: NAME-2006-01-02T15-04-05.000.EXT in UTC. */
export function backupName(path: string, at: Date): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  const ts = at.toISOString().replace(/:/g, '-').replace(/Z$/, '');
  return join(dirname(path), `${stem}-${ts}${ext}`);
}

/** The backups of path to delete: beyond maxBackups newest, or older than maxAgeDays (pure). */
export function backupsToRemove(path: string, files: string[], maxBackups: number, maxAgeDays: number, now: Date): string[] {
  const ext = extname(path);
  const stem = basename(path, ext);
  const re = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3})${ext.replace(/\./g, '\\.')}$`);
  const backups = files
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m)
    .map((x) => ({ f: x.f, t: Date.parse(x.m![1].replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3') + 'Z') }))
    .sort((a, b) => b.t - a.t);
  const out = new Set<string>();
  if (maxBackups > 0) backups.slice(maxBackups).forEach((b) => out.add(b.f));
  if (maxAgeDays > 0) backups.filter((b) => b.t < now.getTime() - maxAgeDays * 86_400_000).forEach((b) => out.add(b.f));
  return [...out];
}

export class AuditLogWriter {
  private queue: string[] = [];
  private queuedBytes = 0;
  private running: Promise<void> | undefined;
  private file: FileHandle | undefined;
  private size = 0;
  private closed = false;
  dropped = 0;
  private readonly maxSize: number;

  constructor(private readonly o: AuditLogOptions) {
    this.maxSize = (o.maxSizeMB && o.maxSizeMB > 0 ? o.maxSizeMB : 100) * 1024 * 1024;
  }

  /** Queues one line (with its newline); never blocks. */
  write(line: string): void {
    if (this.closed) return;
    if (this.queuedBytes > (this.o.maxQueuedBytes ?? 64 * 1024 * 1024)) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once everything queued so far is written. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.file?.close();
    this.file = undefined;
  }

  private async drain(): Promise<void> {
    // Let the current turn's events join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const lines = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      try {
        if (this.o.path === '-') await writeStdout(lines.join(''));
        else await this.writeFile(lines);
      } catch (err) {
        this.o.onError?.(err);
      }
    }
  }

  private async writeFile(lines: string[]): Promise<void> {
    if (!this.file) await this.openFile();
    let batch = '';
    let batchBytes = 0;
    for (const line of lines) {
      const n = Buffer.byteLength(line);
      if (this.size + batchBytes + n > this.maxSize && this.size + batchBytes > 0) {
        await this.append(batch);
        batch = '';
        batchBytes = 0;
        await this.rotate();
      }
      batch += line;
      batchBytes += n;
    }
    if (batch) await this.append(batch);
  }

  private async append(text: string): Promise<void> {
    if (!text) return;
    if (!this.file) await this.openFile();
    await this.file!.write(text);
    this.size += Buffer.byteLength(text);
  }

  private async openFile(): Promise<void> {
    await mkdir(dirname(this.o.path), { recursive: true });
    this.file = await open(this.o.path, 'a', 0o600);
    this.size = (await stat(this.o.path)).size;
  }

  private async rotate(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    const now = this.o.now?.() ?? new Date();
    await rename(this.o.path, backupName(this.o.path, now));
    this.size = 0;
    const files = await readdir(dirname(this.o.path));
    for (const f of backupsToRemove(this.o.path, files, this.o.maxBackups ?? 0, this.o.maxAgeDays ?? 0, now)) {
      await unlink(join(dirname(this.o.path), f)).catch(() => {});
    }
  }
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
