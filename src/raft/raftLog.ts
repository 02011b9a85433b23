// The Raft log as one node sees it: stable entries in Storage followed by unstable entries not yet
// persisted, plus the commit, applying and applied indexes.
//
// Pure. Invariants: applied <= applying <= committed; committed <= lastIndex (Raft: a node only
// commits what it holds). Entries <= applied are never handed out again.

import { entriesSize, limitSize } from './codec';
import type { LevelLogger } from './logger';
import { ErrCompacted, ErrUnavailable, StorageError, type Storage } from './storage';
import type { Entry, Snapshot } from './types';
import { Unstable } from './unstable';

/** Unlimited size, as etcd's noLimit (MaxUint64). */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Term of an entry, or the error (ErrCompacted, ErrUnavailable) etcd would return. */
export type TermResult = { term: number } | { err: StorageError };

export class RaftLog {
  readonly unstable: Unstable;
  /** Highest index known committed on a quorum. */
  committed: number;
  /** Highest index handed out for application (may be ahead of applied with async apply). */
  applying: number;
  /** Highest index the application has applied. */
  applied: number;
  /** Budget of entry bytes handed out for application and not yet applied. */
  readonly maxApplyingEntsSize: number;
  applyingEntsSize = 0;
  applyingEntsPaused = false;

  constructor(
    readonly storage: Storage,
    private readonly logger: LevelLogger,
    maxApplyingEntsSize: number = NO_LIMIT,
  ) {
    const firstIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.unstable = new Unstable(lastIndex + 1, logger);
    this.maxApplyingEntsSize = maxApplyingEntsSize;
    // Everything up to the snapshot (or compaction point) counts as committed and applied.
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  toString(): string {
    return (
      `committed=${this.committed}, applied=${this.applied}, applying=${this.applying}, ` +
      `unstable.offset=${this.unstable.offset}, unstable.offsetInProgress=${this.unstable.offsetInProgress}, ` +
      `len(unstable.Entries)=${this.unstable.entries.length}`
    );
  }

  /**
   * Appends a leader's entries after (prevIndex, prevTerm) if our log matches there, truncating a
   * conflicting suffix; then commits up to min(committed, last new index). Returns the last new
   * index, or undefined on a mismatch (Raft §5.3, the log matching check).
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[], committed: number): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNewIndex = prevIndex + entries.length;
    const ci = this.findConflict(entries);
    if (ci !== 0) {
      if (ci <= this.committed) {
        this.logger.panic(`entry ${ci} conflict with committed entry [committed(${this.committed})]`);
      }
      const offset = prevIndex + 1;
      if (ci - offset > entries.length) this.logger.panic(`index, ${ci - offset}, is out of range [${entries.length}]`);
      this.append(entries.slice(ci - offset));
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return lastNewIndex;
  }

  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) this.logger.panic(`after(${after}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * The index of the first entry that is new or conflicts (same index, different term) with our
   * log, or 0 when every entry is already present.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) {
        if (e.index <= this.lastIndex()) {
          this.logger.info(
            `found conflict at index ${e.index} [existing term: ${this.zeroTermOnOutOfBounds(this.term(e.index))}, conflicting term: ${e.term}]`,
          );
        }
        return e.index;
      }
    }
    return 0;
  }

  /**
   * The last (index, term) at or below `index` whose term is <= `term`: the point where a leader
   * with log term `term` at `index` may match our log (fast log rejection). Returns term 0 when the
   * entry is compacted.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (; index > 0; index--) {
      const t = this.term(index);
      if ('err' in t) return { index, term: 0 };
      if (t.term <= term) return { index, term: t.term };
    }
    return { index: 0, term: 0 };
  }

  nextUnstableEnts(): Entry[] {
    return this.unstable.nextEntries();
  }

  hasNextUnstableEnts(): boolean {
    return this.nextUnstableEnts().length > 0;
  }

  hasNextOrInProgressUnstableEnts(): boolean {
    return this.unstable.entries.length > 0;
  }

  /**
   * Committed entries to hand out for application: after `applying`, up to the applicable index,
   * within the byte budget. None while a snapshot is pending (it must be applied first).
   */
  nextCommittedEnts(allowUnstable: boolean): Entry[] {
    if (this.applyingEntsPaused) return [];
    if (this.hasNextOrInProgressSnapshot()) return [];
    const lo = this.applying + 1;
    const hi = this.maxAppliableIndex(allowUnstable) + 1;
    if (lo >= hi) return [];
    const maxSize = this.maxApplyingEntsSize - this.applyingEntsSize;
    if (maxSize <= 0) {
      this.logger.panic(
        `applying entry size (${this.maxApplyingEntsSize}-${this.applyingEntsSize})=${maxSize} not positive`,
      );
    }
    const r = this.slice(lo, hi, maxSize);
    if ('err' in r) this.logger.panic(`unexpected error when getting unapplied entries (${r.err.message})`);
    return r.ents;
  }

  hasNextCommittedEnts(allowUnstable: boolean): boolean {
    if (this.applyingEntsPaused) return false;
    if (this.hasNextOrInProgressSnapshot()) return false;
    return this.applying + 1 < this.maxAppliableIndex(allowUnstable) + 1;
  }

  /** Unstable entries may be applied only when the application persists before applying. */
  maxAppliableIndex(allowUnstable: boolean): number {
    let hi = this.committed;
    if (!allowUnstable) hi = Math.min(hi, this.unstable.offset - 1);
    return hi;
  }

  nextUnstableSnapshot(): Snapshot | undefined {
    return this.unstable.nextSnapshot();
  }

  hasNextUnstableSnapshot(): boolean {
    return this.unstable.nextSnapshot() !== undefined;
  }

  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /** The snapshot to send to a follower: the pending incoming one, or storage's. */
  snapshot(): Snapshot {
    if (this.unstable.snapshot !== undefined) return this.unstable.snapshot;
    return this.storage.snapshot();
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  commitTo(toCommit: number): void {
    // Never decrease commit.
    if (this.committed < toCommit) {
      if (this.lastIndex() < toCommit) {
        this.logger.panic(
          `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`,
        );
      }
      this.committed = toCommit;
    }
  }

  appliedTo(i: number, size: number): void {
    if (this.committed < i || i < this.applied) {
      this.logger.panic(`applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`);
    }
    this.applied = i;
    this.applying = Math.max(this.applying, i);
    this.applyingEntsSize = this.applyingEntsSize > size ? this.applyingEntsSize - size : 0;
    this.applyingEntsPaused = this.applyingEntsSize >= this.maxApplyingEntsSize;
  }

  acceptApplying(i: number, size: number, allowUnstable: boolean): void {
    if (this.committed < i) {
      this.logger.panic(`applying(${i}) is out of range [prevApplying(${this.applying}), committed(${this.committed})]`);
    }
    this.applying = i;
    this.applyingEntsSize += size;
    // Pause when over budget, or when this batch was cut short by the size limit (so that the
    // next Ready does not hand out the rest before this batch is applied).
    this.applyingEntsPaused =
      this.applyingEntsSize >= this.maxApplyingEntsSize || i < this.maxAppliableIndex(allowUnstable);
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  acceptUnstable(): void {
    this.unstable.acceptInProgress();
  }

  lastEntryID(): { index: number; term: number } {
    const index = this.lastIndex();
    const t = this.term(index);
    if ('err' in t) this.logger.panic(`unexpected error when getting the last term at ${index}: ${t.err.message}`);
    return { index, term: t.term };
  }

  term(i: number): TermResult {
    const ut = this.unstable.maybeTerm(i);
    if (ut !== undefined) return { term: ut };
    // The valid range is [firstIndex - 1, lastIndex]: the entry before the first one is known
    // through the snapshot or the compaction's dummy entry.
    if (i + 1 < this.firstIndex()) return { err: ErrCompacted };
    if (i > this.lastIndex()) return { err: ErrUnavailable };
    try {
      return { term: this.storage.term(i) };
    } catch (err) {
      if (err === ErrCompacted || err === ErrUnavailable) return { err: err as StorageError };
      throw err;
    }
  }

  /** Entries from i to the end, within maxSize bytes (at least one). */
  entries(i: number, maxSize: number): { ents: Entry[] } | { err: StorageError } {
    if (i > this.lastIndex()) return { ents: [] };
    return this.slice(i, this.lastIndex() + 1, maxSize);
  }

  /** Every entry in the log (for tests and the UI). */
  allEntries(): Entry[] {
    const r = this.entries(this.firstIndex(), NO_LIMIT);
    if ('err' in r) throw r.err;
    return r.ents;
  }

  /** Raft §5.4.1: is a log ending at (index, term) at least as up to date as ours? */
  isUpToDate(index: number, term: number): boolean {
    const our = this.lastEntryID();
    return term > our.term || (term === our.term && index >= our.index);
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.term(index);
    return !('err' in t) && t.term === term;
  }

  /** Commits up to `index` if the entry there has `term` (Raft §5.4.2: current-term entries only). */
  maybeCommit(index: number, term: number): boolean {
    if (term !== 0 && index > this.committed && this.matchTerm(index, term)) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  restore(s: Snapshot): void {
    this.logger.info(`log [${this.toString()}] starts to restore snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`);
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /**
   * Visits entries in [lo, hi) in pages of at most pageSize bytes; the visitor returns true to
   * stop early.
   */
  scan(lo: number, hi: number, pageSize: number, visit: (ents: Entry[]) => boolean): void {
    while (lo < hi) {
      const r = this.slice(lo, hi, pageSize);
      if ('err' in r) throw r.err;
      if (r.ents.length === 0) throw new Error(`got 0 entries in [${lo}, ${hi})`);
      if (visit(r.ents)) return;
      lo += r.ents.length;
    }
  }

  /** Entries in [lo, hi) within maxSize bytes (at least one), from storage then unstable. */
  slice(lo: number, hi: number, maxSize: number): { ents: Entry[] } | { err: StorageError } {
    if (lo > hi) this.logger.panic(`invalid slice ${lo} > ${hi}`);
    const fi = this.firstIndex();
    if (lo < fi) return { err: ErrCompacted };
    const length = this.lastIndex() + 1 - fi;
    if (hi > fi + length) this.logger.panic(`slice[${lo},${hi}) out of bound [${fi},${this.lastIndex()}]`);
    if (lo === hi) return { ents: [] };

    if (lo >= this.unstable.offset) {
      return { ents: limitSize(this.unstable.slice(lo, hi), maxSize) };
    }

    const cut = Math.min(hi, this.unstable.offset);
    let ents: Entry[];
    try {
      ents = this.storage.entries(lo, cut, maxSize);
    } catch (err) {
      if (err === ErrCompacted) return { err: ErrCompacted };
      if (err === ErrUnavailable) this.logger.panic(`entries[${lo}:${cut}) is unavailable from storage`);
      throw err;
    }
    if (hi <= this.unstable.offset) return { ents };

    // Storage returned fewer entries than asked: the size limit was hit.
    if (ents.length < cut - lo) return { ents };
    const size = entriesSize(ents);
    if (size >= maxSize) return { ents };

    const unstable = limitSize(this.unstable.slice(this.unstable.offset, hi), maxSize - size);
    // limitSize returns at least one entry; drop it if it does not fit.
    if (unstable.length === 1 && size + entriesSize(unstable) > maxSize) return { ents };
    return { ents: ents.concat(unstable) };
  }

  zeroTermOnOutOfBounds(t: TermResult): number {
    if ('err' in t) return 0;
    return t.term;
  }
}
