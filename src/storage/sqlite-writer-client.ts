// The main thread's handle on the SQLite writer worker: starts it (from compiled JavaScript, or from
// TypeScript sources under tsx), sends requests and matches replies by id. While requests are
// outstanding the worker keeps the process alive; when idle it does not, so a forgotten close()
// cannot hold a process open (the same promise the compactor's unref'd timer keeps).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageError } from './backend.js';
import { READY_ID, type WriteOp, type WriteResult, type WriterData, type WriterReply, type WriterRequest } from './sqlite-protocol.js';

type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

interface Waiter {
  resolve(reply: WriterReply & { ok: true }): void;
  reject(err: unknown): void;
}

export interface WriterClient {
  /** Commits `ops` in one transaction; one result per op, in order. Rejects if nothing was committed. */
  write(ops: WriteOp[]): Promise<WriteResult[]>;
  /** Compacts revisions (lo, hi] and records hi as the compacted revision. */
  compact(lo: number, hi: number): Promise<void>;
  /** Returns free pages to the filesystem and truncates the WAL. */
  reclaim(): Promise<void>;
  /** Closes the write connection after every request sent before, and waits for the worker to exit. */
  close(): Promise<void>;
}

/** Starts the writer for the database at `path` (which must exist with its schema); resolves once it is open. */
export async function startWriter(path: string): Promise<WriterClient> {
  const worker = spawnWriter({ path });
  const client = new Client(worker);
  await client.ready;
  return client;
}

/**
 * From dist/ the compiled sqlite-writer.js runs directly. Under tsx (tests, benches) this module is
 * a .ts file, and Node 20 does not apply the parent's --import hooks to a worker's entry point, so
 * the worker registers tsx itself. It uses tsx's CommonJS hook, which transforms in-thread; the ESM
 * hook would start a hooks thread per worker, doubling start-up (~300 ms instead of ~150 ms). So the
 * worker's modules must not use top-level await.
 */
function spawnWriter(data: WriterData): Worker {
  // A small young generation: the writer only passes strings through to SQLite.
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) return new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const tsx = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  const entry = fileURLToPath(new URL('./sqlite-writer.ts', import.meta.url));
  const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, execArgv: [], workerData: data });
}

class Client implements WriterClient {
  readonly ready: Promise<void>;
  private nextId = READY_ID + 1;
  private readonly waiting = new Map<number, Waiter>();
  /** Set once the worker is gone; every later request fails with it. */
  private failure: StorageError | undefined;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly worker: Worker) {
    this.ready = new Promise<void>((resolve, reject) => this.waiting.set(READY_ID, { resolve: () => resolve(), reject }));
    worker.on('message', (reply: WriterReply) => this.onReply(reply));
    worker.on('error', (err) => this.fail(new StorageError(`storage writer failed: ${err.message}`)));
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        this.fail(new StorageError(`storage writer exited (code ${code})`));
        resolve();
      }),
    );
  }

  async write(ops: WriteOp[]): Promise<WriteResult[]> {
    const reply = await this.request({ type: 'write', ops });
    return reply.results ?? [];
  }

  async compact(lo: number, hi: number): Promise<void> {
    await this.request({ type: 'compact', lo, hi });
  }

  async reclaim(): Promise<void> {
    await this.request({ type: 'reclaim' });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.ref(); // until it has exited, or the loop could end first and leave close() pending
      try {
        if (!this.failure) await this.request({ type: 'close' });
      } finally {
        // The worker exits on its own after closing; terminate covers a worker that cannot answer.
        if (!this.failure) await this.exited;
        else await this.worker.terminate();
      }
    })();
    return this.closing;
  }

  private request(req: Request): Promise<WriterReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ ...req, id } as WriterRequest);
    });
  }

  private onReply(reply: WriterReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0 && !this.closing) this.worker.unref();
    if (reply.ok) return waiter.resolve(reply);
    // An unexpected SQLite error (disk full, I/O): keep its code, as the synchronous driver did.
    const err = new StorageError(reply.error.message);
    if (reply.error.code) Object.assign(err, { code: reply.error.code });
    waiter.reject(err);
  }

  private fail(err: StorageError): void {
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
    if (!this.closing) this.worker.unref();
  }
}
