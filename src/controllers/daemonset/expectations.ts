// Controller expectations as upstream's ControllerExpectations (the DaemonSet flavour, counting
// creations and deletions together): after asking for pods to be created or deleted, the
// controller leaves that DaemonSet's pods alone until its informer has seen those changes (or
// five minutes pass), so a lagging watch cannot make it create or delete twice.

const TTL_MS = 5 * 60 * 1000;

export class Expectations {
  private readonly byKey = new Map<string, { add: number; del: number; at: number }>();

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return Date.now() - e.at > TTL_MS;
  }

  set(key: string, add: number, del: number): void {
    this.byKey.set(key, { add, del, at: Date.now() });
  }

  lower(key: string, add: number, del: number): void {
    const e = this.byKey.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
