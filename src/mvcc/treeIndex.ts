// The ordered in-memory index from keys to their KeyIndex (etcd's mvcc/index.go treeIndex, a
// B-tree there). Pure: in memory only.
//
// Data structure: a list of sorted chunks of at most CHUNK_MAX KeyIndexes (a two-level B-tree),
// plus a Map for point lookups. A range scan binary-searches the chunk, then the position inside
// it, and walks forward: O(log n + k). An insert shifts at most CHUNK_MAX entries and, on a split,
// the chunk list (n / CHUNK_MAX entries): for the ~100k keys a playground holds, that is a few
// hundred moves, which beats the constant factors of a real balanced tree in JavaScript and keeps
// the code small. Compaction rebuilds the chunks in one pass, as it visits every key anyway.
//
// Range ends follow etcd's internal convention: `end === undefined` is the single key `key`,
// `end === ''` is every key >= `key`, otherwise the half-open interval [key, end).

import { assert } from '../lib/assert';
import { KeyIndex, type KeyAtRevision } from './keyIndex';
import type { Revision } from './revision';

/** The most KeyIndexes per chunk; a chunk that grows past it splits in two. */
export const CHUNK_MAX = 512;

/** Keys and the revision to read for each, in key order. */
export interface IndexRange {
  keys: string[];
  revs: Revision[];
}

/** The sorted set of every key the store has history for. */
export class TreeIndex {
  private readonly byKey = new Map<string, KeyIndex>();
  /**
   * Invariant: every chunk is non-empty and sorted by key, chunks are in key order, no chunk
   * holds more than CHUNK_MAX entries, and together they hold exactly the values of `byKey`.
   */
  private chunks: KeyIndex[][] = [];

  /** The number of keys with some indexed revision (live or not). */
  get size(): number {
    return this.byKey.size;
  }

  /** The KeyIndex of `key`, if the index knows the key. */
  keyIndex(key: string): KeyIndex | undefined {
    return this.byKey.get(key);
  }

  /** The key at main revision `atRev`, or null when it did not exist then. */
  get(key: string, atRev: number): KeyAtRevision | null {
    const ki = this.byKey.get(key);
    return ki ? ki.get(atRev) : null;
  }

  /** Records a put of `key` at `rev`, adding the key if it is new. */
  put(key: string, rev: Revision): void {
    let ki = this.byKey.get(key);
    if (!ki) {
      ki = new KeyIndex(key);
      ki.put(rev);
      this.insert(ki);
      return;
    }
    ki.put(rev);
  }

  /** Records a delete of `key` at `rev`. False when the key does not currently exist. */
  tombstone(key: string, rev: Revision): boolean {
    const ki = this.byKey.get(key);
    if (!ki) return false;
    return ki.tombstone(rev);
  }

  /** Adds a KeyIndex built elsewhere (restore). */
  insert(ki: KeyIndex): void {
    assert(!this.byKey.has(ki.key), () => `treeIndex: key ${JSON.stringify(ki.key)} inserted twice`);
    this.byKey.set(ki.key, ki);
    if (this.chunks.length === 0) {
      this.chunks.push([ki]);
      return;
    }
    let ci = this.chunkFor(ki.key);
    if (ci === this.chunks.length) ci--; // beyond every key: append to the last chunk
    const chunk = this.chunks[ci]!;
    chunk.splice(lowerBound(chunk, ki.key), 0, ki);
    if (chunk.length > CHUNK_MAX) {
      const upper = chunk.splice(chunk.length >>> 1);
      this.chunks.splice(ci + 1, 0, upper);
    }
  }

  /**
   * Calls `f` for each KeyIndex in the range, in key order, until it returns false. A single-key
   * range (end undefined) visits at most that key.
   */
  visit(key: string, end: string | undefined, f: (ki: KeyIndex) => boolean | void): void {
    if (end === undefined) {
      const ki = this.byKey.get(key);
      if (ki) f(ki);
      return;
    }
    const first = this.chunkFor(key);
    for (let ci = first; ci < this.chunks.length; ci++) {
      const chunk = this.chunks[ci]!;
      for (let i = ci === first ? lowerBound(chunk, key) : 0; i < chunk.length; i++) {
        const ki = chunk[i]!;
        if (end !== '' && ki.key >= end) return;
        if (f(ki) === false) return;
      }
    }
  }

  /** Keys that exist at `atRev` in the range, with the revision to read for each. */
  range(key: string, end: string | undefined, atRev: number): IndexRange {
    const out: IndexRange = { keys: [], revs: [] };
    this.visit(key, end, (ki) => {
      const at = ki.get(atRev);
      if (at) {
        out.keys.push(ki.key);
        out.revs.push(at.modified);
      }
    });
    return out;
  }

  /**
   * The revisions to read for keys that exist at `atRev` in the range, at most `limit` of them
   * (0 or less: all), and the total number of such keys.
   */
  revisions(key: string, end: string | undefined, atRev: number, limit: number): { revs: Revision[]; total: number } {
    const revs: Revision[] = [];
    let total = 0;
    this.visit(key, end, (ki) => {
      const at = ki.get(atRev);
      if (!at) return;
      if (limit <= 0 || revs.length < limit) revs.push(at.modified);
      total++;
    });
    return { revs, total };
  }

  /** The number of keys that exist at `atRev` in the range. */
  countRevisions(key: string, end: string | undefined, atRev: number): number {
    let total = 0;
    this.visit(key, end, (ki) => {
      if (ki.get(atRev)) total++;
    });
    return total;
  }

  /**
   * Compacts every key at `rev`, removes keys with nothing left, and returns the revisions that
   * must stay in the key bucket (by revisionId).
   */
  compact(rev: number): Set<string> {
    const available = new Set<string>();
    const rebuilt: KeyIndex[][] = [];
    let current: KeyIndex[] = [];
    for (const chunk of this.chunks) {
      for (const ki of chunk) {
        ki.compact(rev, available);
        if (ki.isEmpty()) {
          this.byKey.delete(ki.key);
          continue;
        }
        current.push(ki);
        if (current.length === CHUNK_MAX >>> 1) {
          rebuilt.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) rebuilt.push(current);
    this.chunks = rebuilt;
    return available;
  }

  /** The revisions a compaction at `rev` would keep (see KeyIndex.keep); changes nothing. */
  keep(rev: number): Set<string> {
    const available = new Set<string>();
    for (const chunk of this.chunks) for (const ki of chunk) ki.keep(rev, available);
    return available;
  }

  /** Every KeyIndex in key order. */
  *entries(): IterableIterator<KeyIndex> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** The index of the first chunk whose last key is >= `key` (chunks.length when none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first position in a sorted chunk whose key is >= `key`. */
function lowerBound(chunk: readonly KeyIndex[], key: string): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunk[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
