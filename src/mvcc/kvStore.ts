// The MVCC key-value store (etcd's mvcc/kvstore.go, kvstore_txn.go, kvstore_compaction.go): current
// and compacted revision, read views, write transactions, compaction, the hash at a revision, and
// the durable records with their restore. Pure: no clock, no timers, no storage calls; what must be
// persisted comes out of drainChanges() as plain data.
//
// A write transaction gives every change it makes the same main revision (current + 1) and
// increasing sub revisions; the store revision moves only when the transaction changed something.
// Reads at a revision look the key up in the tree index (keyIndex generations) and read the record
// of that revision from the key bucket, as etcd reads bolt.
//
// Compaction runs to completion inside compact(): etcd schedules the index compaction and deletes
// bolt rows in batches in the background, but the observable rules (errors, what is kept, the
// scheduled/finished meta a restart resumes from) do not depend on that timing.

import { assert } from '../lib/assert';
import { MvccError } from './errors';
import { hashRecords, type HashKVResult } from './hash';
import {
  KeyBucket,
  copyKeyValue,
  fromBackendRecord,
  toBackendRecord,
  tombstoneKeyValue,
  type BackendRecord,
  type StoredRecord,
} from './keyBucket';
import { KeyIndex, type GenerationView } from './keyIndex';
import { compareRevision, revToBytes, type Revision } from './revision';
import { TreeIndex } from './treeIndex';
import type { KeyValue, MvccEvent } from './types';

/** Options of a raw range (etcd's mvcc.RangeOptions). */
export interface RangeOptions {
  /** At most this many kvs (0: no limit); `count` still counts every match. */
  limit?: number;
  /** The revision to read at; 0 or less: the view's revision. */
  rev?: number;
  /** Only count the matches. */
  count?: boolean;
}

/** What a raw range returns (etcd's mvcc.RangeResult). */
export interface RangeResult {
  kvs: KeyValue[];
  /** Matching keys at the read revision, regardless of the limit. */
  count: number;
  /** The revision of the view the range ran in (not the read revision). */
  rev: number;
}

/**
 * A key attached to or detached from a lease by a write. The lessor (src/lease) owns leases; the
 * store only records the ID on the kv, so it reports every change of a key's lease for the caller
 * to apply to the lessor: detach `oldLease` (if not 0), then attach `newLease` (if not 0).
 */
export interface LeaseChange {
  key: string;
  oldLease: number;
  newLease: number;
}

/** What a finished write transaction did. */
export interface WriteResult {
  /** The store revision after the transaction (unchanged when nothing changed). */
  revision: number;
  /** The changes in order, as etcd's TxnWrite.Changes(): the new kv of a put, `{key}` of a delete. */
  changes: KeyValue[];
  /** The changes as watch events; a DELETE's kv carries the key and modRevision = revision. */
  events: MvccEvent[];
  /** Keys whose lease changed, in change order; a key whose lease did not change is not listed. */
  leaseChanges: LeaseChange[];
}

/**
 * What etcd keeps in its bolt "meta" bucket for the store. A revision of -1 means "not written".
 */
export interface StoreMeta {
  /** The last compaction asked for (written before the compaction runs). */
  scheduledCompactRevision: number;
  /** The last compaction completed (written after its records are deleted). */
  finishedCompactRevision: number;
  /** The Raft index of the last applied entry, as the server last set it (0: none). */
  consistentIndex: number;
}

/** What changed since the last drainChanges(): the rows to write and delete, and the meta. */
export interface StoreChanges {
  /** True after restoreSnapshot(): drop every persisted record first; `put` then holds them all. */
  reset: boolean;
  /** Records to write, in revision order. */
  put: BackendRecord[];
  /** Bolt keys (revKey) of records compaction deleted. */
  deleted: string[];
  meta: StoreMeta;
  /** Informational: the store's current revision (etcd derives it from the records on restart). */
  currentRevision: number;
}

/** The whole store as plain, structured-clone-safe data (a Raft snapshot's MVCC part). */
export interface StoreSnapshot {
  records: BackendRecord[];
  meta: StoreMeta;
}

/** What a compaction did. */
export interface CompactResult {
  compactRevision: number;
  removedRecords: number;
}

/** One stored change of a key, for views of a key's history. */
export interface HistoryEntry {
  rev: Revision;
  tombstone: boolean;
  kv: KeyValue;
}

/** Anything a range can run in: a read transaction or a write transaction. */
export interface ReadView {
  /** The revision the view reads at by default (etcd's Rev()). */
  readonly rev: number;
  /** The compacted revision when the view opened (etcd's FirstRev(); 0 in a write txn, as etcd). */
  readonly firstRev: number;
  /**
   * Keys in [key, end) at `options.rev` (0: the view's revision); `end` undefined: the single key,
   * `''`: every key >= key. Throws MvccError 'futureRev' / 'compacted'.
   */
  range(key: string, end: string | undefined, options?: RangeOptions): RangeResult;
}

/** The state a store and its transactions share. Module-internal. */
export class StoreCore {
  index = new TreeIndex();
  bucket = new KeyBucket();
  /** The revision of the last completed write transaction. Invariant: >= 1 and >= compactMainRev. */
  currentRev = 1;
  /** The main revision of the last compaction, -1 before any (etcd's compactMainRev). */
  compactMainRev = -1;
  meta: StoreMeta = { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex: 0 };
  /** Invariant: at most one write transaction is open (etcd serialises them with a lock). */
  writeOpen = false;
  pendingReset = false;
  /** Records written since the last drain, by revKey. */
  pendingPut = new Map<string, BackendRecord>();
  /** Records deleted since the last drain that had been drained before. */
  pendingDeleted = new Set<string>();

  /** The stored record a revision from the index points at. */
  record(rev: Revision): StoredRecord {
    const record = this.bucket.get(rev);
    assert(record !== undefined, () => `index points at a missing record ${rev.main}_${rev.sub}`);
    return record;
  }

  /** A range at `options.rev` within a view whose revision is `curRev` (etcd's rangeKeys). */
  rangeKeys(key: string, end: string | undefined, curRev: number, options: RangeOptions = {}): RangeResult {
    let rev = options.rev ?? 0;
    if (rev > curRev) throw new MvccError('futureRev');
    if (rev <= 0) rev = curRev;
    if (rev < this.compactMainRev) throw new MvccError('compacted');
    if (options.count) {
      return { kvs: [], count: this.index.countRevisions(key, end, rev), rev: curRev };
    }
    const limit = options.limit ?? 0;
    const { revs, total } = this.index.revisions(key, end, rev, limit);
    const kvs = revs.map((r) => copyKeyValue(this.record(r).kv));
    return { kvs, count: total, rev: curRev };
  }

  /** Appends a record and remembers it for the next drain. */
  appendRecord(record: StoredRecord): void {
    this.bucket.append(record);
    const row = toBackendRecord(record);
    this.pendingPut.set(row.revKey, row);
  }

  /** Forgets deleted records for the next drain (or cancels their pending write). */
  noteDeleted(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const revKey = revToBytes(record.rev, record.tombstone);
      if (!this.pendingPut.delete(revKey)) this.pendingDeleted.add(revKey);
    }
  }
}

/** A read-only view at the revision current when it was opened (etcd's storeTxnRead). */
export class TxnRead implements ReadView {
  readonly rev: number;
  readonly firstRev: number;

  constructor(private readonly core: StoreCore) {
    this.rev = core.currentRev;
    this.firstRev = core.compactMainRev;
  }

  range(key: string, end: string | undefined, options?: RangeOptions): RangeResult {
    return this.core.rangeKeys(key, end, this.rev, options);
  }
}

/**
 * A write transaction (etcd's storeTxnWrite): puts and deletes at revision beginRev + 1 with
 * increasing sub revisions; ranges inside it see its own changes. end() commits it.
 */
export class TxnWrite implements ReadView {
  /** The store revision when the transaction began; its changes are at beginRev + 1. */
  readonly beginRev: number;
  /** Always 0, as etcd's write transaction leaves FirstRev unset. */
  readonly firstRev = 0;
  private readonly changeList: KeyValue[] = [];
  private readonly leaseChangeList: LeaseChange[] = [];
  private ended = false;

  constructor(
    private readonly core: StoreCore,
    private readonly onCommit: (result: WriteResult) => void,
  ) {
    assert(!core.writeOpen, 'a write transaction is already open');
    core.writeOpen = true;
    this.beginRev = core.currentRev;
  }

  /** etcd's TxnWrite.Rev(): the revision the transaction started from. */
  get rev(): number {
    return this.beginRev;
  }

  /** The revision reads inside the transaction see: beginRev, or beginRev + 1 once it changed something. */
  private readRev(): number {
    return this.changeList.length > 0 ? this.beginRev + 1 : this.beginRev;
  }

  range(key: string, end: string | undefined, options?: RangeOptions): RangeResult {
    this.assertOpen();
    return this.core.rangeKeys(key, end, this.readRev(), options);
  }

  /**
   * Puts `value` (and `lease`, 0 for none) at `key` and returns the revision of the change. The
   * lease is not checked here (etcd's KV does not either): the apply layer checks it first.
   */
  put(key: string, value: string, lease = 0): number {
    this.assertOpen();
    const core = this.core;
    const main = this.beginRev + 1;
    const rev: Revision = { main, sub: this.changeList.length };
    const existing = core.index.get(key, main);
    let createRevision = main;
    let version = 1;
    let oldLease = 0;
    if (existing) {
      createRevision = existing.created.main;
      version = existing.version + 1;
      oldLease = core.record(existing.modified).kv.lease;
    }
    const kv: KeyValue = { key, createRevision, modRevision: main, version, value, lease };
    core.appendRecord({ rev, tombstone: false, kv });
    core.index.put(key, rev);
    this.changeList.push(kv);
    if (oldLease !== lease) this.leaseChangeList.push({ key, oldLease, newLease: lease });
    return main;
  }

  /**
   * Deletes the keys in [key, end) (see ReadView.range for `end`); returns how many, and the
   * revision: beginRev + 1 if the transaction changed anything so far, else beginRev.
   */
  deleteRange(key: string, end: string | undefined): { deleted: number; rev: number } {
    this.assertOpen();
    const { keys } = this.core.index.range(key, end, this.readRev());
    for (const k of keys) this.deleteKey(k);
    const rev = keys.length > 0 || this.changeList.length > 0 ? this.beginRev + 1 : this.beginRev;
    return { deleted: keys.length, rev };
  }

  /** The changes so far (copies). */
  changes(): KeyValue[] {
    return this.changeList.map(copyKeyValue);
  }

  /** Commits: the store revision moves to beginRev + 1 if anything changed. */
  end(): WriteResult {
    this.assertOpen();
    this.ended = true;
    const core = this.core;
    core.writeOpen = false;
    const changed = this.changeList.length > 0;
    if (changed) core.currentRev++;
    const revision = core.currentRev;
    const events: MvccEvent[] = this.changeList.map((change) =>
      change.createRevision === 0
        ? { type: 'DELETE', kv: { ...tombstoneKeyValue(change.key), modRevision: revision } }
        : { type: 'PUT', kv: copyKeyValue(change) },
    );
    const result: WriteResult = {
      revision,
      changes: this.changes(),
      events,
      leaseChanges: this.leaseChangeList.map((c) => ({ ...c })),
    };
    if (changed) this.onCommit(result);
    return result;
  }

  private deleteKey(key: string): void {
    const core = this.core;
    const main = this.beginRev + 1;
    const live = core.index.get(key, main);
    assert(live !== null, () => `delete of a key that does not exist: ${JSON.stringify(key)}`);
    const oldLease = core.record(live.modified).kv.lease;
    const rev: Revision = { main, sub: this.changeList.length };
    const kv = tombstoneKeyValue(key);
    core.appendRecord({ rev, tombstone: true, kv });
    const ok = core.index.tombstone(key, rev);
    assert(ok, () => `failed to tombstone an existing key ${JSON.stringify(key)}`);
    this.changeList.push(kv);
    if (oldLease !== 0) this.leaseChangeList.push({ key, oldLease, newLease: 0 });
  }

  private assertOpen(): void {
    assert(!this.ended, 'write transaction used after end()');
  }
}

/**
 * etcd's MVCC store. Reads through read() or range(); writes through write() transactions (the
 * apply functions in txn.ts build etcd's Put/DeleteRange/Txn semantics on top); compact(),
 * hashKV(), and the durability hooks drainChanges(), snapshot(), restore(), restoreSnapshot().
 */
export class KVStore {
  protected core = new StoreCore();

  /**
   * Rebuilds a store from persisted records and meta as etcd's restore does on start: the index
   * from the records in revision order, the current revision from the newest record (at least the
   * compacted and scheduled-compact revisions), and a compaction that was scheduled but not
   * finished is run again. `into`: a freshly constructed store to fill instead of a default one
   * (e.g. a WatchableStore built with options).
   */
  static restore<T extends KVStore>(this: new () => T, records: Iterable<BackendRecord>, meta: StoreMeta, into?: T): T {
    const store = into ?? new this();
    assert(store.core.currentRev === 1 && store.core.bucket.length === 0, 'KVStore.restore into a store that has data');
    store.rebuild(records, meta);
    store.core.pendingReset = false;
    return store;
  }

  /** The revision of the last write transaction that changed something (1 for a new store). */
  get currentRevision(): number {
    return this.core.currentRev;
  }

  /** The last compacted revision; -1 before the first compaction (etcd's compactMainRev). */
  get compactRevision(): number {
    return this.core.compactMainRev;
  }

  /** The Raft index of the last applied entry, as set by the server (persisted with the records). */
  get consistentIndex(): number {
    return this.core.meta.consistentIndex;
  }

  /** Records the Raft index being applied, so it is persisted atomically with its changes. */
  setConsistentIndex(index: number): void {
    assert(Number.isInteger(index) && index >= 0, () => `bad consistent index ${index}`);
    this.core.meta = { ...this.core.meta, consistentIndex: index };
  }

  /** A read-only view at the current revision. */
  read(): TxnRead {
    return new TxnRead(this.core);
  }

  /** Opens the write transaction; end() it before opening another or compacting. */
  write(): TxnWrite {
    return new TxnWrite(this.core, (result) => this.afterCommit(result));
  }

  /** A range at the current revision view (see ReadView.range). */
  range(key: string, end: string | undefined, options?: RangeOptions): RangeResult {
    return this.read().range(key, end, options);
  }

  /**
   * Compacts at `rev`: reads below it fail from now on, and each key keeps only its newest change
   * at or below `rev` in the generation alive at `rev` (keyIndex.ts). Throws MvccError
   * 'compacted' when rev <= the compacted revision and 'futureRev' when rev > current.
   */
  compact(rev: number): CompactResult {
    const core = this.core;
    assert(!core.writeOpen, 'compact inside a write transaction');
    if (rev <= core.compactMainRev) throw new MvccError('compacted');
    if (rev > core.currentRev) throw new MvccError('futureRev');
    core.compactMainRev = rev;
    core.meta = { ...core.meta, scheduledCompactRevision: rev };
    return this.runCompaction(rev);
  }

  /**
   * The hash of the store's records up to `rev` (0: current), with the current and compacted
   * revisions: etcd's HashByRev. Equal on replicas that applied the same history. Throws
   * 'compacted' for 0 < rev < compacted and 'futureRev' for rev > current.
   */
  hashKV(rev = 0): HashKVResult {
    const core = this.core;
    assert(!core.writeOpen, 'hashKV inside a write transaction');
    const compactRev = core.compactMainRev;
    const currentRev = core.currentRev;
    if (rev > 0 && rev < compactRev) throw new MvccError('compacted');
    if (rev > 0 && rev > currentRev) throw new MvccError('futureRev');
    const at = rev === 0 ? currentRev : rev;
    const keep = core.index.keep(at);
    const hash = hashRecords(core.bucket.all(), { rev: at, compactRev, keep });
    return { hash, revision: currentRev, compactRevision: compactRev };
  }

  /** Every key currently attached to a lease, in key order (for the lessor after a restore). */
  leaseAttachments(): { key: string; lease: number }[] {
    const core = this.core;
    const out: { key: string; lease: number }[] = [];
    for (const ki of core.index.entries()) {
      const at = ki.get(core.currentRev);
      if (!at) continue;
      const lease = core.record(at.modified).kv.lease;
      if (lease !== 0) out.push({ key: ki.key, lease });
    }
    return out;
  }

  /** The stored changes of `key` still held (compaction drops old ones), oldest first. */
  keyHistory(key: string): HistoryEntry[] {
    const ki = this.core.index.keyIndex(key);
    if (!ki) return [];
    return ki.revisions().map((rev) => {
      const record = this.core.record(rev);
      return { rev, tombstone: record.tombstone, kv: copyKeyValue(record.kv) };
    });
  }

  /** The generations of `key` (see keyIndex.ts), as plain data; empty when the key is unknown. */
  keyGenerations(key: string): GenerationView[] {
    return this.core.index.keyIndex(key)?.view() ?? [];
  }

  /** The number of records in the key bucket. */
  get recordCount(): number {
    return this.core.bucket.length;
  }

  /**
   * What to persist since the last call: records written and deleted, and the meta. Apply it in
   * one storage transaction (after `reset`, drop every stored record first).
   */
  drainChanges(): StoreChanges {
    const core = this.core;
    const put = [...core.pendingPut.values()].sort((a, b) => (a.revKey < b.revKey ? -1 : a.revKey > b.revKey ? 1 : 0));
    const changes: StoreChanges = {
      reset: core.pendingReset,
      put,
      deleted: [...core.pendingDeleted].sort(),
      meta: { ...core.meta },
      currentRevision: core.currentRev,
    };
    core.pendingReset = false;
    core.pendingPut.clear();
    core.pendingDeleted.clear();
    return changes;
  }

  /** The whole store as plain data: every record and the meta. */
  snapshot(): StoreSnapshot {
    assert(!this.core.writeOpen, 'snapshot inside a write transaction');
    return { records: this.core.bucket.all().map(toBackendRecord), meta: { ...this.core.meta } };
  }

  /**
   * Replaces the whole store with a snapshot's (etcd's store.Restore after a Raft snapshot). The
   * next drainChanges() has `reset` set and every record to write.
   */
  restoreSnapshot(data: StoreSnapshot): void {
    this.rebuild(data.records, data.meta);
    this.core.pendingReset = true;
    this.core.pendingDeleted.clear();
    this.core.pendingPut.clear();
    for (const record of this.core.bucket.all()) {
      const row = toBackendRecord(record);
      this.core.pendingPut.set(row.revKey, row);
    }
  }

  /** Called after every write transaction that changed something. The watchable store notifies here. */
  protected afterCommit(result: WriteResult): void {
    void result;
  }

  private runCompaction(rev: number): CompactResult {
    const core = this.core;
    const keep = core.index.compact(rev);
    const removed = core.bucket.removeCompacted(rev, keep);
    core.noteDeleted(removed);
    core.meta = { ...core.meta, finishedCompactRevision: rev };
    return { compactRevision: rev, removedRecords: removed.length };
  }

  private rebuild(rows: Iterable<BackendRecord>, meta: StoreMeta): void {
    const old = this.core;
    assert(!old.writeOpen, 'restore inside a write transaction');
    const core = new StoreCore();
    this.core = core;
    core.meta = { ...meta };
    if (meta.finishedCompactRevision >= 0) core.compactMainRev = meta.finishedCompactRevision;
    let scheduled = meta.scheduledCompactRevision >= 0 ? meta.scheduledCompactRevision : 0;

    const records = [...rows].map(fromBackendRecord).sort((a, b) => compareRevision(a.rev, b.rev));
    let lastMain = 1;
    for (const record of records) {
      core.bucket.append(record);
      const key = record.kv.key;
      const ki = core.index.keyIndex(key);
      if (ki) {
        // As etcd: a tombstone on a key with no live generation is ignored by the index.
        if (record.tombstone) ki.tombstone(record.rev);
        else ki.put(record.rev);
      } else {
        const fresh = new KeyIndex(key);
        if (record.tombstone) fresh.restoreTombstone(record.rev);
        else fresh.restore({ main: record.kv.createRevision, sub: 0 }, record.rev, record.kv.version);
        core.index.insert(fresh);
      }
      lastMain = record.rev.main;
    }
    // Keys at the end might all have been compacted away: never go below the compaction.
    core.currentRev = Math.max(lastMain, core.compactMainRev, scheduled);
    if (scheduled <= core.compactMainRev) scheduled = 0;
    if (scheduled !== 0) {
      // A compaction was scheduled but had not finished: run it again (etcd's compactLockfree).
      core.compactMainRev = scheduled;
      this.runCompaction(scheduled);
    }
  }
}
