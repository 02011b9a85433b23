// The unstable part of the Raft log: entries (and possibly an incoming snapshot) that have been
// handed out in a Ready, or will be, but are not yet known to be in stable storage.
//
// Pure. Indexes: entries[i] has index offset + i. Entries below offsetInProgress were already
// handed out for persistence (in flight to storage); those at or above it are not yet.
//
//   offset=5, offsetInProgress=7, entries=[5 6 7 8]: 5 and 6 are being written, 7 and 8 are new.

import type { LevelLogger } from './logger';
import type { Entry, Snapshot } from './types';

export class Unstable {
  /** An incoming snapshot, if any; it precedes all entries. */
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  offset: number;
  /** The snapshot has been handed out for persistence. */
  snapshotInProgress = false;
  /** Invariant: offset <= offsetInProgress <= offset + entries.length. */
  offsetInProgress: number;

  constructor(
    offset: number,
    private readonly logger: LevelLogger,
  ) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length !== 0) return this.offset + this.entries.length - 1;
    if (this.snapshot !== undefined) return this.snapshot.metadata.index;
    return undefined;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.metadata.index === i) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset]!.term;
  }

  /** Entries not yet handed out for persistence. */
  nextEntries(): Entry[] {
    const inProgress = this.offsetInProgress - this.offset;
    if (this.entries.length === inProgress) return [];
    return this.entries.slice(inProgress);
  }

  nextSnapshot(): Snapshot | undefined {
    if (this.snapshot === undefined || this.snapshotInProgress) return undefined;
    return this.snapshot;
  }

  /** Marks everything currently unstable as handed out for persistence. */
  acceptInProgress(): void {
    if (this.entries.length > 0) this.offsetInProgress = this.entries[this.entries.length - 1]!.index + 1;
    if (this.snapshot !== undefined) this.snapshotInProgress = true;
  }

  /**
   * Entries up to (index, term) are now stable. Ignored when that entry was since replaced
   * (different term) or is not in the unstable log any more.
   */
  stableTo(index: number, term: number): void {
    const gt = this.maybeTerm(index);
    if (gt === undefined) {
      this.logger.info(`entry at index ${index} missing from unstable log; ignoring`);
      return;
    }
    if (index < this.offset) {
      this.logger.info(`entry at index ${index} matched unstable snapshot; ignoring`);
      return;
    }
    if (gt !== term) {
      this.logger.info(
        `entry at (index,term)=(${index},${term}) mismatched with entry at (${index},${gt}) in unstable log; ignoring`,
      );
      return;
    }
    const num = index + 1 - this.offset;
    this.entries = this.entries.slice(num);
    this.offset = index + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  stableSnapTo(i: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) {
      this.snapshot = undefined;
      this.snapshotInProgress = false;
    }
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = s;
    this.snapshotInProgress = false;
  }

  /** Appends entries, replacing any suffix they conflict with. */
  truncateAndAppend(ents: readonly Entry[]): void {
    const fromIndex = ents[0]!.index;
    if (fromIndex === this.offset + this.entries.length) {
      // The common case: a direct continuation.
      for (const e of ents) this.entries.push(e);
    } else if (fromIndex <= this.offset) {
      this.logger.info(`replace the unstable entries from index ${fromIndex}`);
      // The log is being truncated to before our current offset: replace all unstable entries.
      this.entries = [...ents];
      this.offset = fromIndex;
      this.offsetInProgress = this.offset;
    } else {
      this.logger.info(`truncate the unstable entries before index ${fromIndex}`);
      const keep = this.slice(this.offset, fromIndex);
      this.entries = keep.concat(ents);
      // Entries at or after fromIndex that were in flight to storage are now stale.
      this.offsetInProgress = Math.min(this.offsetInProgress, fromIndex);
    }
  }

  slice(lo: number, hi: number): Entry[] {
    this.mustCheckOutOfBounds(lo, hi);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }

  private mustCheckOutOfBounds(lo: number, hi: number): void {
    if (lo > hi) this.logger.panic(`invalid unstable.slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    if (lo < this.offset || hi > upper) {
      this.logger.panic(`unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper}]`);
    }
  }
}
