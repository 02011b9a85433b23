// Turns one WriteBatch into the row operations both backends execute, after checking it against a
// summary of what is stored. Owns the WriteBatch semantics and the write-side half of the paired
// checks (load.ts holds the read-side half); does no I/O. Every row is encoded here, before any
// storage is touched, so a batch that fails a check or cannot be encoded changes nothing.
//
// The order inside a batch is fixed: snapshot, entries, compactTo, hardState, kv, leases, members,
// serverMeta. Worked example of the log rules, with a stored snapshot at 4 (term 2) and entries
// 5..9 of terms [2, 2, 3, 3, 3]:
//
//   snapshot {index 7, term 3}        entry 7 has term 3, so the log agrees with the snapshot:
//                                     drop 5..7, keep 8..9 (etcd's CreateSnapshot after an apply)
//   snapshot {index 7, term 4}        the log disagrees (raft restores from the leader's snapshot):
//                                     drop 5..9; the log is empty and ends at 7
//   entries 8..10 of term 4           replace 8..9, append 10 (Raft §5.3: a conflicting suffix goes)
//   entries 11.. with the log at 9    rejected: a gap
//   compactTo 3                       accepted, drops nothing (the log already starts at 5)
//   compactTo 6                       rejected: the log after a snapshot must start right after it

import { assert } from '../lib/assert';
import type { Entry, HardState, Snapshot } from '../raft/index';
import type { StoreChanges } from '../mvcc/index';
import type { LeaseChanges } from '../lease/index';
import type { MemberChanges, ServerMeta, WriteBatch } from './backend';
import {
  FORMAT_VERSION,
  KV_META_KEY,
  STATE_FORMAT_KEY,
  STATE_HARD_STATE_KEY,
  STATE_SNAPSHOT_KEY,
  STORE_NAMES,
  describeKey,
  encodeRow,
  entryProblem,
  hardStateProblem,
  kvMetaProblem,
  kvRowProblem,
  leaseIdProblem,
  leaseProblem,
  memberIdProblem,
  memberProblem,
  normalizeEntry,
  normalizeHardState,
  normalizeKvMeta,
  normalizeKvRecord,
  normalizeLease,
  normalizeMember,
  normalizeSnapshot,
  revKeyProblem,
  serverMetaValueProblem,
  snapshotProblem,
  type EncodedRow,
  type RowKey,
  type StoreName,
} from './records';

/** One storage operation. `deleteRange` bounds are inclusive and only ever name the `wal`. */
export type RowOp =
  | { kind: 'put'; store: StoreName; key: RowKey; row: EncodedRow }
  | { kind: 'delete'; store: StoreName; key: RowKey }
  | { kind: 'deleteRange'; store: 'wal'; from: number; to: number }
  | { kind: 'clear'; store: StoreName };

/** What one batch does: operations in order, the stores they touch, and the log bounds after it. */
export interface WritePlan {
  ops: RowOp[];
  /** The stores to open the (single) transaction on. */
  stores: StoreName[];
  walFirst: number;
  walLast: number;
}

/**
 * A summary of the stored state that writes are checked against: the log's bounds and terms, the
 * snapshot, the commit index, the removed member IDs, and a size per row (for sizeBytes()). Kept
 * in memory and updated after each write commits, so a write never reads the store back.
 */
export class Catalog {
  /** True once a batch with content was written (the `format` row exists). */
  initialized = false;
  /** Invariant: the sum of `sizes`. */
  sizeBytes = 0;
  snapshot: { index: number; term: number } | undefined = undefined;
  /** Invariant: snapshot index + 1, or 1 without a snapshot. The log is empty when walLast < walFirst. */
  walFirst = 1;
  walLast = 0;
  commit = 0;
  readonly removedMembers = new Set<number>();
  private readonly walTerms = new Map<number, number>();
  private readonly sizes = new Map<StoreName, Map<RowKey, number>>(
    STORE_NAMES.map((name) => [name, new Map<RowKey, number>()]),
  );

  /** The term of the entry at `index`: from the log, the snapshot, or 0 at index 0 of a new log. */
  termAt(index: number): number | undefined {
    if (index === 0 && this.snapshot === undefined) return 0;
    if (this.snapshot !== undefined && index === this.snapshot.index) return this.snapshot.term;
    if (index < this.walFirst || index > this.walLast) return undefined;
    return this.walTerms.get(index);
  }

  /** Records the effect of a plan whose operations have been committed. */
  apply(plan: WritePlan): void {
    for (const op of plan.ops) {
      switch (op.kind) {
        case 'put':
          this.applyPut(op.store, op.key, op.row);
          break;
        case 'delete':
          this.forget(op.store, op.key);
          break;
        case 'deleteRange':
          for (let index = op.from; index <= op.to; index++) this.forget('wal', index);
          break;
        case 'clear':
          this.clear(op.store);
          break;
      }
    }
    this.walFirst = plan.walFirst;
    this.walLast = plan.walLast;
  }

  /**
   * A catalog rebuilt from stored rows (a restart). Tolerant: a malformed row is summarized as
   * best it can be, because only load() decides whether the data is usable.
   */
  static fromRows(rows: ReadonlyMap<StoreName, ReadonlyArray<readonly [RowKey, unknown, number]>>): Catalog {
    const catalog = new Catalog();
    let walMax = 0;
    for (const [store, storeRows] of rows) {
      for (const [key, value, size] of storeRows) {
        catalog.setSize(store, key, size);
        catalog.notePut(store, key, value);
        if (store === 'wal' && typeof key === 'number') walMax = Math.max(walMax, key);
      }
    }
    catalog.walFirst = catalog.snapshot === undefined ? 1 : catalog.snapshot.index + 1;
    catalog.walLast = Math.max(catalog.walFirst - 1, walMax);
    return catalog;
  }

  private applyPut(store: StoreName, key: RowKey, row: EncodedRow): void {
    this.setSize(store, key, row.size);
    this.notePut(store, key, row.value);
  }

  private setSize(store: StoreName, key: RowKey, size: number): void {
    const sizes = this.sizes.get(store)!;
    this.sizeBytes += size - (sizes.get(key) ?? 0);
    sizes.set(key, size);
  }

  /** Keeps the derived fields (terms, snapshot, commit, removed IDs) in step with a put. */
  private notePut(store: StoreName, key: RowKey, value: unknown): void {
    const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    if (store === 'wal' && typeof key === 'number' && typeof fields.term === 'number') {
      this.walTerms.set(key, fields.term);
    } else if (store === 'removedMembers' && typeof key === 'number') {
      this.removedMembers.add(key);
    } else if (store === 'state' && key === STATE_FORMAT_KEY) {
      this.initialized = true;
    } else if (store === 'state' && key === STATE_HARD_STATE_KEY && typeof fields.commit === 'number') {
      this.commit = fields.commit;
    } else if (store === 'state' && key === STATE_SNAPSHOT_KEY) {
      const metadata = (fields.metadata ?? {}) as Record<string, unknown>;
      if (typeof metadata.index === 'number' && typeof metadata.term === 'number') {
        this.snapshot = { index: metadata.index, term: metadata.term };
      }
    }
  }

  private forget(store: StoreName, key: RowKey): void {
    const sizes = this.sizes.get(store)!;
    this.sizeBytes -= sizes.get(key) ?? 0;
    sizes.delete(key);
    if (store === 'wal' && typeof key === 'number') this.walTerms.delete(key);
    if (store === 'removedMembers' && typeof key === 'number') this.removedMembers.delete(key);
  }

  private clear(store: StoreName): void {
    for (const key of [...this.sizes.get(store)!.keys()]) this.forget(store, key);
  }
}

/** True when a batch has something to store (an empty batch is a no-op and leaves load() undefined). */
export function batchHasContent(batch: WriteBatch): boolean {
  const { leases, members, serverMeta } = batch;
  if (batch.hardState !== undefined || batch.snapshot !== undefined || batch.kv !== undefined) return true;
  if (batch.entries !== undefined && batch.entries.length > 0) return true;
  if (leases !== undefined && (leases.reset || leases.put.length > 0 || leases.deleted.length > 0)) return true;
  if (members !== undefined && (members.reset || members.put.length > 0 || members.removed.length > 0)) {
    return true;
  }
  return serverMeta !== undefined && Object.keys(serverMeta).length > 0;
}

/**
 * Checks `batch` against `catalog` and encodes it. Throws AssertionError (a bug in the caller)
 * when the batch would leave a state that load() would refuse; nothing is written then.
 */
export function planWrite(catalog: Catalog, batch: WriteBatch): WritePlan {
  const builder = new PlanBuilder(catalog);
  if (batchHasContent(batch) && !catalog.initialized) {
    builder.put('state', STATE_FORMAT_KEY, { version: FORMAT_VERSION });
  }
  if (batch.snapshot !== undefined) builder.snapshot(batch.snapshot);
  if (batch.entries !== undefined && batch.entries.length > 0) builder.entries(batch.entries);
  if (batch.compactTo !== undefined) builder.compactTo(batch.compactTo);
  if (batch.hardState !== undefined) builder.hardState(batch.hardState);
  builder.checkCommit(batch.hardState?.commit ?? catalog.commit);
  if (batch.kv !== undefined) builder.kv(batch.kv);
  if (batch.leases !== undefined) builder.leases(batch.leases);
  if (batch.members !== undefined) builder.members(batch.members);
  if (batch.serverMeta !== undefined) builder.serverMeta(batch.serverMeta);
  return builder.finish();
}

function rejected(problem: string): string {
  return `write rejected: ${problem}`;
}

/** Accumulates the operations of one batch while tracking the log as it will be after each step. */
class PlanBuilder {
  private readonly ops: RowOp[] = [];
  private readonly stores = new Set<StoreName>();
  private snapshotIndex: number;
  private snapshotTerm: number;
  /** The log bounds after the steps so far (same invariants as Catalog.walFirst/walLast). */
  private first: number;
  private last: number;

  constructor(private readonly catalog: Catalog) {
    this.snapshotIndex = catalog.snapshot?.index ?? 0;
    this.snapshotTerm = catalog.snapshot?.term ?? 0;
    this.first = catalog.walFirst;
    this.last = catalog.walLast;
  }

  put(store: StoreName, key: RowKey, value: unknown): void {
    const row = encodeRow(value, () => rejected(`${store} ${describeKey(store, key)}`));
    this.ops.push({ kind: 'put', store, key, row });
    this.stores.add(store);
  }

  private delete(store: StoreName, key: RowKey): void {
    this.ops.push({ kind: 'delete', store, key });
    this.stores.add(store);
  }

  private deleteRange(from: number, to: number): void {
    if (from > to) return;
    this.ops.push({ kind: 'deleteRange', store: 'wal', from, to });
    this.stores.add('wal');
  }

  private clear(store: StoreName): void {
    this.ops.push({ kind: 'clear', store });
    this.stores.add(store);
  }

  snapshot(snapshot: Snapshot): void {
    const problem = snapshotProblem(snapshot);
    assert(problem === undefined, () => rejected(problem!));
    const { index, term } = snapshot.metadata;
    assert(
      index >= this.snapshotIndex,
      () => rejected(`snapshot at ${index} is older than the stored snapshot at ${this.snapshotIndex}`),
    );
    // A log that has the snapshot's last entry agrees with it up to there (Raft §5.3, log
    // matching), so its tail stays. A log that does not is replaced, as raft's restore() does.
    const agrees = this.catalog.termAt(index) === term;
    this.deleteRange(this.first, agrees ? Math.min(index, this.last) : this.last);
    this.first = index + 1;
    this.last = agrees ? Math.max(index, this.last) : index;
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.put('state', STATE_SNAPSHOT_KEY, normalizeSnapshot(snapshot));
  }

  entries(entries: readonly Entry[]): void {
    for (let k = 0; k < entries.length; k++) {
      const problem = entryProblem(entries[k]);
      assert(problem === undefined, () => rejected(`entries[${k}]: ${problem!}`));
      if (k === 0) continue;
      const entry = entries[k]!;
      const previous = entries[k - 1]!;
      assert(
        entry.index === previous.index + 1,
        () => rejected(`entries are not contiguous: index ${entry.index} follows ${previous.index}`),
      );
      assert(
        entry.term >= previous.term,
        () => rejected(`entry terms go down: term ${entry.term} at index ${entry.index} after ${previous.term}`),
      );
    }
    const head = entries[0]!;
    const tail = entries[entries.length - 1]!;
    assert(
      head.index >= this.first,
      () => rejected(`entries start at ${head.index}, at or below the snapshot index ${this.snapshotIndex}`),
    );
    assert(
      head.index <= this.last + 1,
      () => rejected(`entries start at ${head.index} but the log ends at ${this.last} (a gap)`),
    );
    const termBefore =
      head.index - 1 === this.snapshotIndex ? this.snapshotTerm : this.catalog.termAt(head.index - 1);
    assert(termBefore !== undefined, () => rejected(`no term known for index ${head.index - 1}`));
    assert(
      head.term >= termBefore,
      () => rejected(`entry terms go down: term ${head.term} at index ${head.index} after ${termBefore}`),
    );
    // Raft §5.3: a conflicting suffix is replaced. Puts overwrite the overlap; only what lies
    // beyond the new tail has to be deleted.
    this.deleteRange(tail.index + 1, this.last);
    for (const entry of entries) this.put('wal', entry.index, normalizeEntry(entry));
    this.last = tail.index;
  }

  compactTo(index: number): void {
    assert(Number.isSafeInteger(index) && index >= 0, () => rejected(`bad compactTo ${index}`));
    assert(
      index <= this.snapshotIndex,
      () =>
        rejected(
          `compactTo ${index} is beyond the snapshot index ${this.snapshotIndex}; ` +
            'the stored log must start right after the snapshot',
        ),
    );
    // With the log starting right after the snapshot this drops nothing; it is kept so that the
    // rule ("entries at or below compactTo go") is written down where it is applied.
    this.deleteRange(this.first, Math.min(index, this.last));
  }

  hardState(hardState: HardState): void {
    const problem = hardStateProblem(hardState);
    assert(problem === undefined, () => rejected(problem!));
    this.put('state', STATE_HARD_STATE_KEY, normalizeHardState(hardState));
  }

  /** Raft never commits past its last index; load() would refuse a state that did. */
  checkCommit(commit: number): void {
    assert(commit <= this.last, () => rejected(`hardState.commit ${commit} is beyond the last index ${this.last}`));
  }

  kv(changes: StoreChanges): void {
    if (changes.reset) this.clear('kv');
    for (const record of changes.put) {
      const problem = kvRowProblem(record.revKey, record.kv);
      assert(problem === undefined, () => rejected(`kv row: ${problem!}`));
      this.put('kv', record.revKey, normalizeKvRecord(record));
    }
    for (const revKey of changes.deleted) {
      const problem = revKeyProblem(revKey);
      assert(problem === undefined, () => rejected(`kv delete: ${problem!}`));
      this.delete('kv', revKey);
    }
    const problem = kvMetaProblem(changes.meta);
    assert(problem === undefined, () => rejected(problem!));
    this.put('kvMeta', KV_META_KEY, normalizeKvMeta(changes.meta));
  }

  leases(changes: LeaseChanges): void {
    if (changes.reset) this.clear('lease');
    for (const lease of changes.put) {
      const problem = leaseProblem(lease);
      assert(problem === undefined, () => rejected(problem!));
      this.put('lease', lease.id, normalizeLease(lease));
    }
    for (const id of changes.deleted) {
      const problem = leaseIdProblem(id);
      assert(problem === undefined, () => rejected(problem!));
      this.delete('lease', id);
    }
  }

  members(changes: MemberChanges): void {
    if (changes.reset) {
      this.clear('members');
      this.clear('removedMembers');
    }
    const removed: ReadonlySet<number> = changes.reset ? new Set() : this.catalog.removedMembers;
    for (const member of changes.put) {
      const problem = memberProblem(member);
      assert(problem === undefined, () => rejected(problem!));
      // etcd never reuses a removed member's ID (membership.ErrIDRemoved).
      assert(!removed.has(member.id), () => rejected(`member ${member.id} was removed and cannot come back`));
      this.put('members', member.id, normalizeMember(member));
    }
    for (const id of changes.removed) {
      const problem = memberIdProblem(id);
      assert(problem === undefined, () => rejected(problem!));
      this.delete('members', id);
      this.put('removedMembers', id, { id });
    }
  }

  serverMeta(meta: ServerMeta): void {
    for (const [name, value] of Object.entries(meta)) {
      const problem = serverMetaValueProblem(value);
      assert(problem === undefined, () => rejected(`server meta "${name}": ${problem!}`));
      this.put('serverMeta', name, { name, value });
    }
  }

  finish(): WritePlan {
    const stores = STORE_NAMES.filter((name) => this.stores.has(name));
    return { ops: this.ops, stores, walFirst: this.first, walLast: this.last };
  }
}
