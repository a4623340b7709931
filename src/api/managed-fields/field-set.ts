// A set of field paths as structured-merge-diff keeps it: a trie whose edges are path elements in
// their fieldsV1 spelling (`f:name`, `k:{"name":"x"}`, `v:"a"`, `i:0`) and whose nodes may be
// members of the set themselves (`.` in fieldsV1). The trie is the fieldsV1 JSON, so encoding and
// decoding are one walk, and all operations are linear in the size of the sets.

export class FieldSet {
  member = false;
  children: Map<string, FieldSet> | undefined;

  child(key: string): FieldSet {
    this.children ??= new Map();
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new FieldSet()));
    return c;
  }

  get(key: string): FieldSet | undefined {
    return this.children?.get(key);
  }

  /** Inserts a path (the last element becomes a member). */
  insert(path: readonly string[]): void {
    if (path.length === 0) {
      this.member = true;
      return;
    }
    let n = this.child(path[0]!);
    for (let i = 1; i < path.length; i++) n = n.child(path[i]!);
    n.member = true;
  }

  empty(): boolean {
    if (this.member) return false;
    if (this.children) for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const r = new FieldSet();
    r.member = this.member || o.member;
    if (this.children) for (const [k, c] of this.children) r.children = setChild(r.children, k, o.get(k) ? c.union(o.get(k)!) : c.copy());
    if (o.children) for (const [k, c] of o.children) if (!this.get(k)) r.children = setChild(r.children, k, c.copy());
    return r;
  }

  /** Members of this set that are not members of `o` (structure kept only where members remain). */
  difference(o: FieldSet | undefined): FieldSet {
    if (!o) return this.copy();
    const r = new FieldSet();
    r.member = this.member && !o.member;
    if (this.children) {
      for (const [k, c] of this.children) {
        const d = c.difference(o.get(k));
        if (!d.empty()) r.children = setChild(r.children, k, d);
      }
    }
    return r;
  }

  intersection(o: FieldSet | undefined): FieldSet {
    const r = new FieldSet();
    if (!o) return r;
    r.member = this.member && o.member;
    if (this.children && o.children) {
      for (const [k, c] of this.children) {
        const oc = o.get(k);
        if (!oc) continue;
        const i = c.intersection(oc);
        if (!i.empty()) r.children = setChild(r.children, k, i);
      }
    }
    return r;
  }

  copy(): FieldSet {
    const r = new FieldSet();
    r.member = this.member;
    if (this.children) for (const [k, c] of this.children) r.children = setChild(r.children, k, c.copy());
    return r;
  }

  equals(o: FieldSet): boolean {
    if (this.member !== o.member) return false;
    const a = this.children?.size ?? 0;
    if (a !== (o.children?.size ?? 0)) return false;
    if (this.children) for (const [k, c] of this.children) { const oc = o.get(k); if (!oc || !c.equals(oc)) return false; }
    return true;
  }

  /** Whether this node or anything below it is a member. */
  hasMembersBelow(): boolean {
    if (!this.children) return false;
    for (const c of this.children.values()) if (!c.empty()) return true;
    return false;
  }

  /** Member paths in order, each a list of path elements. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member) out.push(prefix);
    if (this.children) for (const k of sortedKeys(this.children)) this.children.get(k)!.paths([...prefix, k], out);
    return out;
  }

  /** The fieldsV1 JSON object. */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    if (this.member && this.children?.size) o['.'] = {};
    if (this.children) for (const k of sortedKeys(this.children)) o[k] = this.children.get(k)!.toJSON();
    return o;
  }

  static fromJSON(v: unknown): FieldSet {
    const r = new FieldSet();
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return r;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) r.member = true;
    for (const [k, c] of entries) {
      if (k === '.') r.member = true;
      else r.children = setChild(r.children, k, FieldSet.fromJSON(c));
    }
    return r;
  }
}

function setChild(m: Map<string, FieldSet> | undefined, k: string, c: FieldSet): Map<string, FieldSet> {
  const r = m ?? new Map<string, FieldSet>();
  r.set(k, c);
  return r;
}

const ORDER: Record<string, number> = { f: 0, v: 1, i: 2, k: 3 };
/** Upstream's element order: field names, then values, indexes and keys, each sorted. */
function sortedKeys(m: Map<string, FieldSet>): string[] {
  return [...m.keys()].sort((a, b) => (ORDER[a[0]!] ?? 9) - (ORDER[b[0]!] ?? 9) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A path as upstream prints it in conflicts: `.spec.containers[name="app"].image`, `[="a"]`, `[0]`. */
export function pathString(path: readonly string[]): string {
  let s = '';
  for (const p of path) {
    const kind = p.slice(0, 2);
    const rest = p.slice(2);
    if (kind === 'f:') s += `.${rest}`;
    else if (kind === 'v:') s += `[=${rest}]`;
    else if (kind === 'i:') s += `[${rest}]`;
    else if (kind === 'k:') {
      let keys: Record<string, unknown> = {};
      try { keys = JSON.parse(rest) as Record<string, unknown>; } catch { /* printed empty */ }
      s += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    } else s += `.${p}`;
  }
  return s;
}
