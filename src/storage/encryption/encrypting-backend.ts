// Encryption at rest as a storage decorator: values under the encrypted prefixes are encrypted
// on the way into the wrapped backend and decrypted on the way out (get, list, watch, the values
// returned by writes), so everything above — stores, the watch cache — sees plain JSON and the
// datastore never does. Other keys pass through untouched (a prefix check, nothing more).
// The transformer can be replaced while running (key rotation).
import type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from '../backend.js';
import { ConflictError } from '../backend.js';
import type { Transformer } from './transformer.js';

export class EncryptingBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    /** Key prefixes whose values are encrypted, e.g. "/registry/secrets/". */
    private readonly prefixes: string[],
    private transformer: Transformer,
    private readonly onError: (msg: string) => void = () => {},
  ) {}

  /** Takes effect for the next write; reads keep working for every key the new transformer knows. */
  setTransformer(t: Transformer): void {
    this.transformer = t;
  }

  get current(): Transformer {
    return this.transformer;
  }

  /** The wrapped backend: raw (encrypted) values, for re-encryption and status. */
  get raw(): Backend {
    return this.inner;
  }

  private covered(key: string): boolean {
    for (const p of this.prefixes) if (key.startsWith(p)) return true;
    return false;
  }

  private out(kv: KeyValue): KeyValue;
  private out(kv: KeyValue | undefined): KeyValue | undefined;
  private out(kv: KeyValue | undefined): KeyValue | undefined {
    if (!kv || !this.covered(kv.key)) return kv;
    return { ...kv, value: this.transformer.decrypt(kv.key, kv.value) };
  }

  private in(key: string, value: string): string {
    return this.covered(key) ? this.transformer.encrypt(key, value) : value;
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  async get(key: string, revision?: number): Promise<{ kv?: KeyValue; revision: number }> {
    const r = await this.inner.get(key, revision);
    return { ...r, kv: this.out(r.kv) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const kv = await this.inner.create(key, this.in(key, value));
    return this.covered(key) ? { ...kv, value } : kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    try {
      const kv = await this.inner.update(key, this.in(key, value), expectedModRevision);
      return this.covered(key) ? { ...kv, value } : kv;
    } catch (e) {
      if (e instanceof ConflictError && e.current && this.covered(key)) throw new ConflictError(e.key, this.out(e.current));
      throw e;
    }
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.out(await this.inner.delete(key, expectedModRevision));
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(prefix, opts);
    if (!r.kvs.some((kv) => this.covered(kv.key))) return r;
    return { ...r, kvs: r.kvs.map((kv) => this.out(kv)) };
  }

  count(prefix: string): Promise<{ count: number; revision: number }> {
    return this.inner.count(prefix);
  }

  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, signal: AbortSignal): Promise<void> {
    return this.inner.watch(prefix, afterRevision, (events) => {
      const out: WatchEvent[] = [];
      for (const e of events) {
        if (!this.covered(e.kv.key)) {
          out.push(e);
          continue;
        }
        try {
          out.push({ ...e, kv: this.out(e.kv), prevKv: this.out(e.prevKv) });
        } catch (err) {
          // Not decryptable (a key removed from the configuration): watchers cannot be given it.
          this.onError(`watch: dropping event at revision ${e.kv.modRevision}: ${(err as Error).message}`);
        }
      }
      if (out.length) onEvents(out);
    }, signal);
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  compactRevision(): Promise<number> {
    return this.inner.compactRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
