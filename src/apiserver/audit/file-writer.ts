// The audit log file: lines are buffered and appended asynchronously (one write per batch), so a
// request never waits for the disk; rotation follows upstream's (lumberjack) rules: past maxsize
// megabytes the file is renamed to <name>-<timestamp><ext> and a new one started, keeping at most
// maxbackup old files no older than maxage days (0: no limit). A disk error is reported (at most
// once a minute) and the batch dropped; it never reaches the request or crashes the server.
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { mkdirSync } from 'node:fs';

export interface AuditFileOptions {
  path: string;
  /** Megabytes before rotation (0: never rotate). */
  maxSize: number;
  maxBackup: number;
  maxAge: number;
  /** Reports a write failure. */
  onError(msg: string): void;
  /** Lines buffered at most while the disk is slow (more are dropped and counted). */
  maxPending?: number;
}

export class AuditFileWriter {
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private size = 0;
  private dropped = 0;
  private lastReport = 0;
  private closed = false;

  constructor(private readonly o: AuditFileOptions) {
    if (o.path !== '-') mkdirSync(dirname(o.path), { recursive: true, mode: 0o700 });
  }

  write(line: string): void {
    if (this.closed) return;
    if (this.pending.length >= (this.o.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    if (!this.flushing) this.flushing = new Promise((r) => setImmediate(r)).then(() => this.flushLoop());
  }

  /** Resolves once everything written so far is on disk (or reported lost). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.join('\n') + '\n';
        const n = this.pending.length;
        this.pending = [];
        try {
          await this.append(batch);
        } catch (e) {
          this.dropped += n;
          this.report(`audit log ${this.o.path}: ${(e as Error).message}`);
          await this.fh?.close().catch(() => {});
          this.fh = undefined;
        }
      }
      if (this.dropped && this.report(`audit log ${this.o.path}: ${this.dropped} events lost`)) this.dropped = 0;
    } finally {
      this.flushing = undefined;
    }
  }

  private report(msg: string): boolean {
    const now = Date.now();
    if (now - this.lastReport < 60_000) return false;
    this.lastReport = now;
    this.o.onError(msg);
    return true;
  }

  private async append(data: string): Promise<void> {
    if (this.o.path === '-') {
      process.stdout.write(data);
      return;
    }
    const bytes = Buffer.byteLength(data);
    const limit = this.o.maxSize * 1024 * 1024;
    if (!this.fh) {
      this.fh = await open(this.o.path, 'a', 0o600);
      this.size = (await this.fh.stat()).size;
    }
    if (limit > 0 && this.size > 0 && this.size + bytes > limit) await this.rotate();
    await this.fh!.write(data);
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    const ext = extname(this.o.path);
    const base = basename(this.o.path, ext);
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/Z$/, '');
    await rename(this.o.path, join(dirname(this.o.path), `${base}-${stamp}${ext}`));
    this.fh = await open(this.o.path, 'a', 0o600);
    this.size = 0;
    await this.prune(base, ext);
  }

  private async prune(base: string, ext: string): Promise<void> {
    const dir = dirname(this.o.path);
    const re = new RegExp(`^${escape(base)}-(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3})${escape(ext)}$`);
    const backups = (await readdir(dir)).filter((f) => re.test(f)).sort().reverse();
    const cutoff = this.o.maxAge > 0 ? Date.now() - this.o.maxAge * 86_400_000 : 0;
    for (const [i, f] of backups.entries()) {
      const tooMany = this.o.maxBackup > 0 && i >= this.o.maxBackup;
      const tooOld = cutoff > 0 && (await stat(join(dir, f))).mtimeMs < cutoff;
      if (tooMany || tooOld) await rm(join(dir, f), { force: true });
    }
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
