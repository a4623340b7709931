// The messages between the SQLite backend (main thread) and its writer worker (sqlite-writer.ts).
// Requests are answered one at a time, in the order sent, each with the same id: the worker is the
// only writer, so the order requests are posted in is the order they take effect.

export type WriteOp =
  | { type: 'create'; key: string; value: string }
  | { type: 'update'; key: string; value: string; expected: number }
  | { type: 'delete'; key: string; expected?: number };

/** A stored value of the op's key, as the writer read it inside the transaction. */
export interface StoredValue {
  modRevision: number;
  createRevision: number;
  value: string;
}

/**
 * One write's result. The main thread rebuilds the KeyValue and watch event from its op plus this,
 * so only what it does not know crosses the thread boundary.
 */
export type WriteResult =
  | { ok: true; revision: number; createRevision: number; prev?: StoredValue }
  | { ok: false; reason: 'exists' | 'not-found' | 'conflict'; current?: StoredValue };

export type WriterRequest =
  | { id: number; type: 'write'; ops: WriteOp[] }
  /** Compacts the revisions (lo, hi] in one transaction and records hi as the floor. */
  | { id: number; type: 'compact'; lo: number; hi: number }
  /** Returns free pages to the filesystem and truncates the WAL. */
  | { id: number; type: 'reclaim' }
  /** Closes the write connection; the worker then exits. */
  | { id: number; type: 'close' };

/** Sent once with id 0 when the write connection is open. */
export const READY_ID = 0;

export type WriterReply =
  | { id: number; ok: true; results?: WriteResult[] }
  | { id: number; ok: false; error: { message: string; code?: string } };

/** The data the worker starts with. */
export interface WriterData {
  path: string;
}
