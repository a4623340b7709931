// What the SQLite backend hands its writer (sqlite-writer-core.ts) and gets back. Requests run one
// at a time, in the order sent: the writer is the only one, so that order is the order they take
// effect.

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
