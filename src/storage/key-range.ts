// Key ranges and revision guards shared by the storage backends: the exclusive upper bound of a
// prefix (so SQL can use an index range instead of LIKE) and the checks every read-at-revision makes.
import { CompactedError, FutureRevisionError } from './backend.js';

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when no
 * such bound exists (empty prefix). Incrementing the last code point is exact in code-point order,
 * which is both SQLite's BINARY order over UTF-8 and JS order for the ASCII keys Kubernetes uses.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    // Skip the surrogate block: a lone surrogate is not a valid code point to store.
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** Where a list starts: the later of the prefix itself and a continue key. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  return startKey !== undefined && startKey > prefix ? startKey : prefix;
}

/**
 * Validates a read at `revision` (0: current) and returns the revision to read at. Reading below the
 * compacted revision would silently miss superseded values, so it fails; so does a revision not yet
 * written, because the answer could still change.
 */
export function readRevision(revision: number | undefined, current: number, compacted: number): number {
  if (!revision || revision <= 0) return current;
  if (revision < compacted) throw new CompactedError(revision, compacted);
  if (revision > current) throw new FutureRevisionError(revision, current);
  return revision;
}
