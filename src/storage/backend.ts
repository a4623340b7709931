// The storage interface: a small key-value store with etcd's semantics (as kine offers them).
// Every write gets the next revision of one global, monotonically increasing counter; the
// apiserver uses a key's modRevision as the object's resourceVersion.

/** One stored key at one revision. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For 'put': the new value. For 'delete': the last value, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event (absent for a create). */
  prevKv?: KeyValue;
  /** True when a 'put' created the key. */
  created?: boolean;
}

export interface ListOptions {
  /** Return at most this many keys (0 or absent: all). */
  limit?: number;
  /** Start at this key (inclusive); used for continue tokens. */
  startKey?: string;
  /** Read at this revision (0 or absent: current). Throws CompactedError if compacted. */
  revision?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list is consistent at. */
  revision: number;
  /** True when more keys remain after the last one returned. */
  more: boolean;
  /** Keys remaining after those returned (when `more`). */
  remaining?: number;
}

export interface Backend {
  /** The current revision (the last write's). */
  currentRevision(): Promise<number>;
  /** Reads one key; `revision` reads it as it was then. */
  get(key: string, revision?: number): Promise<{ kv?: KeyValue; revision: number }>;
  /** Creates a key that must not exist. Throws KeyExistsError. Returns the new kv. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces a key whose modRevision must equal `expectedModRevision`. Throws ConflictError / KeyNotFoundError. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes a key (guarded when `expectedModRevision` is given). Returns the deleted kv with modRevision = the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Lists keys with `prefix` in key order, consistent at one revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Counts keys with `prefix`. */
  count(prefix: string): Promise<{ count: number; revision: number }>;
  /**
   * Streams every change to keys with `prefix` after revision `afterRevision`, in revision order,
   * to `onEvents`, until `signal` aborts. Throws CompactedError (synchronously rejected) when
   * history after `afterRevision` is gone. Resolves when stopped.
   */
  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, signal: AbortSignal): Promise<void>;
  /** Drops history at and below `revision` (keeps the latest value of every live key). */
  compact(revision: number): Promise<void>;
  /** The lowest revision still readable (history below it has been compacted). */
  compactRevision(): Promise<number>;
  /** Flushes and closes. */
  close(): Promise<void>;
  /**
   * Local backends only (SQLite, memory): the revision of the last write whose events have been
   * published, known without I/O. Lets the watch cache answer single-key reads when it has seen
   * every one of them (WatchCache.latest).
   */
  publishedRevision?(): number;
}

export class StorageError extends Error {}

export class KeyExistsError extends StorageError {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

export class ConflictError extends StorageError {
  constructor(
    readonly key: string,
    readonly current?: KeyValue,
  ) {
    super(`revision conflict on ${key}`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends StorageError {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

export class FutureRevisionError extends StorageError {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}
