// The revision history of one key, as generations (etcd's mvcc/key_index.go). Pure: in memory only.
//
// A generation is the life of a key from the put that creates it to the delete (tombstone) that
// ends it. A tombstone closes the current generation and opens a new, empty one; a later put fills
// it. Each revision points at a record in the key bucket (keyBucket.ts), which holds the value.
//
// Worked example. Key "k": put at 2, put at 5, delete at 7, put at 9, delete at 12:
//
//   generations                          get(6) -> 5.0, version 2 (the second put of g0)
//     g0: created 2.0, ver 3, [2.0 5.0 7.0t]   get(7) -> none: the key is deleted at 7
//     g1: created 9.0, ver 2, [9.0 12.0t]      get(10) -> 9.0, version 1
//     g2: {} (empty: the key does not exist now)
//
// Compaction at R keeps, in the first generation whose tombstone is at or after R (or the last
// generation), the newest revision <= R and everything after it; older generations vanish:
//
//   compact(4):  g0 [2.0 5.0 7.0t]  g1 [9.0 12.0t]  {}   (2.0 is the newest <= 4: kept)
//   compact(6):  g0 [5.0 7.0t]      g1 [9.0 12.0t]  {}   (2.0 dropped)
//   compact(7):  g0 [7.0t]          g1 [9.0 12.0t]  {}   (a tombstone exactly at R survives, as in
//                                                        etcd >= 3.4.34, until a later compaction)
//   compact(8):  g1 [9.0 12.0t]  {}                      (g0 ended before 8: gone)
//   compact(12): g1 [12.0t]  {}
//   compact(13): {}                                      (nothing left: the key leaves the index)
//
// `keep(R)` answers which revisions compact(R) would keep, without changing anything, for the hash
// at R. It leaves out a tombstone that sits exactly at R, so every replica hashes alike whether its
// compaction kept that tombstone (etcd >= 3.4.34) or dropped it (older etcd).

import { assert } from '../lib/assert';
import { revisionGreaterThan, revisionId, type Revision } from './revision';

const ZERO_REVISION: Revision = { main: 0, sub: 0 };

/** The revisions of one life of a key, from its creating put to its tombstone. */
export interface Generation {
  /** Puts in this generation, the tombstone included. Invariant: ver >= revs.length. */
  ver: number;
  /** The revision of the put that created the generation ({0,0} when restored from a tombstone). */
  created: Revision;
  /** Invariant: strictly increasing; in every generation but the last, the final one is a tombstone. */
  revs: Revision[];
}

/** What a key looks like at some revision: the change to read, its generation's start, its version. */
export interface KeyAtRevision {
  modified: Revision;
  created: Revision;
  version: number;
}

/** Plain data of a generation, for views and tests. */
export interface GenerationView {
  created: Revision;
  ver: number;
  revs: Revision[];
}

/**
 * The generations of one key. The tree index holds one per key it knows; compaction removes a
 * KeyIndex once nothing of it is left.
 */
export class KeyIndex {
  readonly key: string;
  /** The last revision put or tombstoned. Invariant: every new revision is greater. */
  private modified: Revision = ZERO_REVISION;
  /**
   * Oldest first. Invariant (once the first revision is in): at least one generation; only the
   * last may be empty, and every earlier one ends with a tombstone.
   */
  private generations: Generation[] = [];

  constructor(key: string) {
    this.key = key;
  }

  /** The last revision recorded for the key. */
  get lastModified(): Revision {
    return this.modified;
  }

  /** Records a put at `rev`; it opens a generation when the current one is empty. */
  put(rev: Revision): void {
    assert(
      revisionGreaterThan(rev, this.modified),
      () => `keyIndex ${JSON.stringify(this.key)}: put at ${revisionId(rev)} not after ${revisionId(this.modified)}`,
    );
    if (this.generations.length === 0) this.generations.push(emptyGeneration());
    const g = this.generations[this.generations.length - 1]!;
    if (g.revs.length === 0) g.created = rev;
    g.revs.push(rev);
    g.ver++;
    this.modified = rev;
  }

  /**
   * Records a delete at `rev`: the tombstone ends the current generation and an empty one starts.
   * Returns false (etcd's ErrRevisionNotFound) when the key does not currently exist.
   */
  tombstone(rev: Revision): boolean {
    assert(!this.isEmpty(), () => `keyIndex ${JSON.stringify(this.key)}: tombstone on an empty index`);
    if (this.generations[this.generations.length - 1]!.revs.length === 0) return false;
    this.put(rev);
    this.generations.push(emptyGeneration());
    return true;
  }

  /**
   * Rebuilds the index of a key from its newest record when restoring from the key bucket: one
   * generation holding only `modified`, created at `created`, at version `ver`.
   */
  restore(created: Revision, modified: Revision, ver: number): void {
    assert(this.generations.length === 0, 'keyIndex.restore on a non-empty index');
    this.modified = modified;
    this.generations.push({ created, ver, revs: [modified] });
  }

  /**
   * Restores a key whose only surviving record is a tombstone (the put before it was compacted):
   * its creation is unknown, so the generation's created revision is {0,0}.
   */
  restoreTombstone(rev: Revision): void {
    this.restore(ZERO_REVISION, rev, 1);
    this.generations.push(emptyGeneration());
  }

  /**
   * The key at main revision `atRev`: the newest change <= atRev in the generation alive at atRev.
   * Null when the key did not exist then (before its first put, or at/after a tombstone).
   */
  get(atRev: number): KeyAtRevision | null {
    assert(!this.isEmpty(), () => `keyIndex ${JSON.stringify(this.key)}: get on an empty index`);
    const g = this.generationAt(atRev);
    if (g === null) return null;
    const i = lastAtOrBelow(g.revs, atRev);
    if (i < 0) return null;
    return { modified: g.revs[i]!, created: g.created, version: g.ver - (g.revs.length - 1 - i) };
  }

  /**
   * Compacts at main revision `atRev`: drops the revisions compaction frees and adds the one kept
   * revision <= atRev (if any) to `available`. See the worked example at the top of the file.
   */
  compact(atRev: number, available: Set<string>): void {
    assert(!this.isEmpty(), () => `keyIndex ${JSON.stringify(this.key)}: compact on an empty index`);
    const gi = this.compactionGeneration(atRev);
    const g = this.generations[gi]!;
    const i = lastAtOrBelow(g.revs, atRev);
    if (i >= 0) {
      available.add(revisionId(g.revs[i]!));
      if (i > 0) g.revs = g.revs.slice(i);
    }
    if (gi > 0) this.generations = this.generations.slice(gi);
  }

  /**
   * Adds to `available` the revision compact(atRev) would keep, except a tombstone exactly at the
   * end of a closed generation (see the top of the file); changes nothing.
   */
  keep(atRev: number, available: Set<string>): void {
    if (this.isEmpty()) return;
    const gi = this.compactionGeneration(atRev);
    const g = this.generations[gi]!;
    const i = lastAtOrBelow(g.revs, atRev);
    if (i < 0) return;
    const isClosingTombstone = i === g.revs.length - 1 && gi !== this.generations.length - 1;
    if (!isClosingTombstone) available.add(revisionId(g.revs[i]!));
  }

  /** True when nothing is left: one empty generation (the key can leave the index). */
  isEmpty(): boolean {
    return this.generations.length === 1 && this.generations[0]!.revs.length === 0;
  }

  /** Every revision still indexed for this key, oldest first. */
  revisions(): Revision[] {
    return this.generations.flatMap((g) => g.revs);
  }

  /** A plain copy of the generations, oldest first. */
  view(): GenerationView[] {
    return this.generations.map((g) => ({ created: g.created, ver: g.ver, revs: [...g.revs] }));
  }

  /** The generation alive at `atRev`, or null when `atRev` falls between generations. */
  private generationAt(atRev: number): Generation | null {
    const last = this.generations.length - 1;
    for (let gi = last; gi >= 0; gi--) {
      const g = this.generations[gi]!;
      if (g.revs.length === 0) continue;
      // A closed generation ends with its tombstone: at or after it, the key is gone.
      if (gi !== last && g.revs[g.revs.length - 1]!.main <= atRev) return null;
      if (g.revs[0]!.main <= atRev) return g;
    }
    return null;
  }

  /** The first generation whose tombstone is at or after `atRev`, else the last one. */
  private compactionGeneration(atRev: number): number {
    let gi = 0;
    while (gi < this.generations.length - 1) {
      const g = this.generations[gi]!;
      if (g.revs[g.revs.length - 1]!.main >= atRev) break;
      gi++;
    }
    return gi;
  }
}

function emptyGeneration(): Generation {
  return { ver: 0, created: ZERO_REVISION, revs: [] };
}

/** The index of the last revision whose main is <= atRev in an increasing list, or -1. */
function lastAtOrBelow(revs: readonly Revision[], atRev: number): number {
  let lo = 0;
  let hi = revs.length; // answer in [lo - 1, hi - 1]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (revs[mid]!.main <= atRev) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

