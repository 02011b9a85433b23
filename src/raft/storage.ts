// The Storage interface the Raft core reads its stable log from, and MemoryStorage, the in-memory
// implementation (etcd's raft.MemoryStorage). The core never writes to storage: the application
// appends what each Ready hands out, and compacts or snapshots when it decides to.
//
// Pure. MemoryStorage keeps a dummy entry at position 0 holding the index and term of the last
// compacted entry (or of the snapshot), so that term(firstIndex - 1) still answers:
//
//   after ApplySnapshot(index 10, term 3) and Append(11..13):
//     ents = [ {10,t3 dummy}, {11}, {12}, {13} ]   firstIndex = 11, lastIndex = 13

import { RaftPanic } from './logger';
import { limitSize } from './codec';
import type { ConfState, Entry, HardState, Snapshot } from './types';
import { emptySnapshot } from './types';

/** Expected storage outcomes, with etcd's messages. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: 'Compacted' | 'SnapOutOfDate' | 'Unavailable' | 'SnapshotTemporarilyUnavailable',
    message: string,
  ) {
    super(message);
  }
}

export const ErrCompacted = new StorageError('Compacted', 'requested index is unavailable due to compaction');
export const ErrSnapOutOfDate = new StorageError('SnapOutOfDate', 'requested index is older than the existing snapshot');
export const ErrUnavailable = new StorageError('Unavailable', 'requested entry at index is unavailable');
export const ErrSnapshotTemporarilyUnavailable = new StorageError(
  'SnapshotTemporarilyUnavailable',
  'snapshot is temporarily unavailable',
);

/**
 * Read access to the stable log. Methods throw ErrCompacted / ErrUnavailable (or
 * ErrSnapshotTemporarilyUnavailable from snapshot) as etcd's Storage returns them.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most `maxSize` encoded bytes but at least one entry. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  term(i: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

function cloneSnapshot(s: Snapshot): Snapshot {
  const cs = s.metadata.confState;
  return {
    data: s.data,
    metadata: {
      index: s.metadata.index,
      term: s.metadata.term,
      confState: {
        voters: [...cs.voters],
        learners: [...cs.learners],
        votersOutgoing: [...cs.votersOutgoing],
        learnersNext: [...cs.learnersNext],
        autoLeave: cs.autoLeave,
      },
    },
  };
}

/** An in-memory Storage, written by the application as it handles Readys. */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot = emptySnapshot();
  /** Invariant: ents[0] is the dummy entry; ents[i].index === ents[0].index + i. */
  private ents: Entry[] = [{ term: 0, index: 0, type: 'EntryNormal', data: '' }];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: cloneSnapshot(this.snap).metadata.confState };
  }

  setHardState(st: HardState): void {
    this.hardState = { ...st };
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.ents[0]!.index;
    if (lo <= offset) throw ErrCompacted;
    if (hi > this.lastIndex() + 1) {
      throw new RaftPanic(`entries' hi(${hi}) is out of bound lastindex(${this.lastIndex()})`);
    }
    // Only the dummy entry: nothing is available.
    if (this.ents.length === 1) throw ErrUnavailable;
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  term(i: number): number {
    const offset = this.ents[0]!.index;
    if (i < offset) throw ErrCompacted;
    if (i - offset >= this.ents.length) throw ErrUnavailable;
    return this.ents[i - offset]!.term;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  snapshot(): Snapshot {
    return cloneSnapshot(this.snap);
  }

  /** Replaces the contents with a snapshot (which must be newer than the current one). */
  applySnapshot(snap: Snapshot): void {
    const msIndex = this.snap.metadata.index;
    const snapIndex = snap.metadata.index;
    if (msIndex !== 0 && msIndex >= snapIndex) throw ErrSnapOutOfDate;
    this.snap = cloneSnapshot(snap);
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 'EntryNormal', data: '' }];
  }

  /**
   * Makes a snapshot at applied index `i`, which can be read back with snapshot(). Call compact
   * separately to drop the log entries it covers.
   */
  createSnapshot(i: number, cs: ConfState | undefined, data: string): Snapshot {
    if (i <= this.snap.metadata.index) throw ErrSnapOutOfDate;
    const offset = this.ents[0]!.index;
    if (i > this.lastIndex()) throw new RaftPanic(`snapshot ${i} is out of bound lastindex(${this.lastIndex()})`);
    const next: Snapshot = {
      data,
      metadata: {
        index: i,
        term: this.ents[i - offset]!.term,
        confState: cs ?? this.snap.metadata.confState,
      },
    };
    this.snap = cloneSnapshot(next);
    return cloneSnapshot(next);
  }

  /** Discards entries up to and including `compactIndex` (it becomes the dummy entry). */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) throw ErrCompacted;
    if (compactIndex > this.lastIndex()) {
      throw new RaftPanic(`compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`);
    }
    const i = compactIndex - offset;
    const dummy: Entry = { index: this.ents[i]!.index, term: this.ents[i]!.term, type: 'EntryNormal', data: '' };
    this.ents = [dummy, ...this.ents.slice(i + 1)];
  }

  /**
   * Appends entries, truncating any conflicting suffix first: writing index i replaces everything
   * from i on. Entries at or below the compaction point are skipped.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    let ents = entries;
    if (first > entries[0]!.index) ents = entries.slice(first - entries[0]!.index);
    // Stored entries never change (peers share them too): frozen, a checkpoint's copy shares them.
    for (const e of ents) Object.freeze(e);
    const offset = ents[0]!.index - this.ents[0]!.index;
    if (this.ents.length > offset) {
      this.ents = this.ents.slice(0, offset).concat(ents);
    } else if (this.ents.length === offset) {
      for (const e of ents) this.ents.push(e);
    } else {
      throw new RaftPanic(`missing log entry [last: ${this.lastIndex()}, append at: ${ents[0]!.index}]`);
    }
  }
}
