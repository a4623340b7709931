// Finds duplicated object keys in a JSON request body, for fieldValidation Strict/Warn, where
// upstream reports `duplicate field "spec.replicas"` (JSON.parse keeps the last value silently).
// One linear pass over the text: string contents are skipped with indexOf, values are never built,
// and a path string is made only for a duplicate. YAML bodies use the yaml library's own check.

/** Keys seen in one open object; small objects use an array, which beats a Set at that size. */
class KeySet {
  private list: string[] = [];
  private set: Set<string> | undefined;

  /** Adds `k`; false when it was already there. */
  add(k: string): boolean {
    if (this.set) {
      if (this.set.has(k)) return false;
      this.set.add(k);
      return true;
    }
    if (this.list.includes(k)) return false;
    this.list.push(k);
    if (this.list.length > 16) this.set = new Set(this.list);
    return true;
  }
}

interface Frame {
  /** Set for objects, undefined for arrays. */
  keys: KeySet | undefined;
  /** Items seen so far in an array (the index of the current one). */
  index: number;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** Index of the quote closing the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) return -1;
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j++;
  }
}

/** `spec.template.spec.containers[0].imagePullPolicy`, as upstream's strict decoder prints paths. */
function render(segments: readonly (string | number)[], key: string): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out ? `${out}.${key}` : key;
}

/**
 * Paths of duplicated keys in `json`, in document order, one per repeated occurrence. Linear in the
 * text; malformed input ends the scan quietly (the caller's JSON.parse reports syntax errors).
 */
export function findDuplicateFields(json: string): string[] {
  const found: string[] = [];
  const frames: Frame[] = [];
  // Path segments of the open containers below the root: a key for objects, an index for arrays.
  const segments: (string | number)[] = [];
  let expectKey = false;
  let lastKey = '';
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(json, i);
      if (end < 0) break;
      const top = frames[frames.length - 1];
      if (expectKey && top?.keys) {
        let key = json.slice(i + 1, end);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(json.slice(i, end + 1)) as string;
          } catch {
            break;
          }
        }
        if (!top.keys.add(key)) found.push(render(segments, key));
        lastKey = key;
        expectKey = false;
      }
      i = end;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const top = frames[frames.length - 1];
      if (top) segments.push(top.keys ? lastKey : top.index);
      frames.push({ keys: c === 123 ? new KeySet() : undefined, index: 0 });
      expectKey = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      frames.pop();
      if (frames.length) segments.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      const top = frames[frames.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
  return found;
}
