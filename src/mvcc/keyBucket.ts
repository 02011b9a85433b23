// The store's records, like etcd's bolt "key" bucket: revision -> KeyValue or tombstone, in
// revision order. Pure: in memory; the server persists what kvStore.drainChanges() hands it.
//
// Every change a write transaction makes appends one record, so records arrive in increasing
// revision order and a sorted array is both the log and the lookup structure (binary search by
// revision). Compaction removes a prefix's worth of records, which is one splice.

import { assert } from '../lib/assert';
import { bytesToRev, compareRevision, isTombstoneKey, revisionId, revToBytes, type Revision } from './revision';
import type { KeyValue } from './types';

/** One record as the store holds it. */
export interface StoredRecord {
  readonly rev: Revision;
  /** A delete: its kv holds only the key (etcd writes mvccpb.KeyValue{Key: key}). */
  readonly tombstone: boolean;
  /** Never handed out: callers get copies. */
  readonly kv: KeyValue;
}

/**
 * One persisted row: the bolt key (revision bytes, 't'-marked for a tombstone; a byte string that
 * sorts like bolt) and the KeyValue. Plain, structured-clone-safe data.
 */
export interface BackendRecord {
  revKey: string;
  kv: KeyValue;
}

/** A copy of a KeyValue (records are never shared with callers). */
export function copyKeyValue(kv: KeyValue): KeyValue {
  return {
    key: kv.key,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    value: kv.value,
    lease: kv.lease,
  };
}

/** The KeyValue etcd writes for a delete of `key`. */
export function tombstoneKeyValue(key: string): KeyValue {
  return { key, createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 };
}

/** The persisted form of a record. */
export function toBackendRecord(record: StoredRecord): BackendRecord {
  return { revKey: revToBytes(record.rev, record.tombstone), kv: copyKeyValue(record.kv) };
}

/** A record read back from storage, checked at the gateway (bad rows are bugs, so they assert). */
export function fromBackendRecord(row: BackendRecord): StoredRecord {
  const rev = bytesToRev(row.revKey);
  const tombstone = isTombstoneKey(row.revKey);
  const kv = copyKeyValue(row.kv);
  assert(typeof kv.key === 'string' && kv.key.length > 0, 'restored record without a key');
  assert(typeof kv.value === 'string', 'restored record with a non-string value');
  if (tombstone) {
    assert(kv.createRevision === 0 && kv.modRevision === 0, 'restored tombstone with revisions');
  } else {
    assert(kv.modRevision === rev.main, () => `restored record ${revisionId(rev)} has modRevision ${kv.modRevision}`);
    assert(kv.createRevision > 0 && kv.createRevision <= rev.main, 'restored record with a bad createRevision');
    assert(kv.version >= 1, 'restored record with a bad version');
  }
  return { rev, tombstone, kv };
}

/** The records, oldest first. */
export class KeyBucket {
  /** Invariant: revisions strictly increase. */
  private records: StoredRecord[] = [];

  /** The number of records held. */
  get length(): number {
    return this.records.length;
  }

  /** The newest record, if any. */
  last(): StoredRecord | undefined {
    return this.records[this.records.length - 1];
  }

  /** Appends a record newer than every other. */
  append(record: StoredRecord): void {
    const last = this.last();
    assert(
      last === undefined || compareRevision(record.rev, last.rev) > 0,
      () => `key bucket: ${revisionId(record.rev)} appended after ${last ? revisionId(last.rev) : '-'}`,
    );
    // A record never changes once written: frozen, a checkpoint's copy shares it.
    Object.freeze(record.rev);
    Object.freeze(record.kv);
    this.records.push(Object.freeze(record));
  }

  /** The record at exactly `rev`, if held. */
  get(rev: Revision): StoredRecord | undefined {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareRevision(this.records[mid]!.rev, rev);
      if (c === 0) return this.records[mid];
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** Records whose main revision is in [fromMain, toMain], oldest first. */
  *between(fromMain: number, toMain: number): IterableIterator<StoredRecord> {
    for (let i = this.firstAtOrAfter(fromMain); i < this.records.length; i++) {
      const record = this.records[i]!;
      if (record.rev.main > toMain) return;
      yield record;
    }
  }

  /** Every record, oldest first (read-only). */
  all(): readonly StoredRecord[] {
    return this.records;
  }

  /**
   * Deletes every record at or below main revision `compactRev` whose revisionId is not in
   * `keep` (etcd's scheduleCompaction), and returns the deleted records.
   */
  removeCompacted(compactRev: number, keep: ReadonlySet<string>): StoredRecord[] {
    const end = this.firstAtOrAfter(compactRev + 1);
    const removed: StoredRecord[] = [];
    const kept: StoredRecord[] = [];
    for (let i = 0; i < end; i++) {
      const record = this.records[i]!;
      if (keep.has(revisionId(record.rev))) kept.push(record);
      else removed.push(record);
    }
    if (removed.length > 0) this.records = kept.concat(this.records.slice(end));
    return removed;
  }

  /** The position of the first record whose main revision is >= `main`. */
  private firstAtOrAfter(main: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid]!.rev.main < main) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
