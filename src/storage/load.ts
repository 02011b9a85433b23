// Rebuilds a PersistedState from stored rows whose checksums the backend has verified, and checks
// that the whole is usable: every row well formed and under its own key, the log contiguous from
// right after the snapshot, terms never going down, the commit index inside the log, members
// never both present and removed. The read-side half of the paired checks (plan.ts holds the
// write side). Does no I/O; any failure is a CorruptionError naming the store and the row.

import type { Entry, HardState, Snapshot } from '../raft/index';
import type { BackendRecord, StoreMeta } from '../mvcc/index';
import type { LeaseRecord } from '../lease/index';
import { CorruptionError, type PersistedState, type ServerMeta, type StoredMember } from './backend';
import {
  FORMAT_VERSION,
  KV_META_KEY,
  STATE_FORMAT_KEY,
  STATE_HARD_STATE_KEY,
  STATE_SNAPSHOT_KEY,
  describeKey,
  entryProblem,
  hardStateProblem,
  kvMetaProblem,
  kvRowProblem,
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
  serverMetaValueProblem,
  snapshotProblem,
  type RowKey,
  type StoreName,
} from './records';

/** Verified payloads per store, each store's rows in ascending key order (IndexedDB's order). */
export type VerifiedRows = ReadonlyMap<StoreName, ReadonlyArray<readonly [RowKey, unknown]>>;

/** The state the rows describe, or undefined when every store is empty (never written). */
export function assembleState(rows: VerifiedRows): PersistedState | undefined {
  let rowCount = 0;
  for (const storeRows of rows.values()) rowCount += storeRows.length;
  if (rowCount === 0) return undefined;
  const { hardState, snapshot } = decodeStateStore(rowsOf(rows, 'state'));
  const entries = decodeWal(rowsOf(rows, 'wal'), snapshot);
  const lastIndex = entries.length > 0 ? entries[entries.length - 1]!.index : (snapshot?.metadata.index ?? 0);
  if (hardState.commit > lastIndex) {
    throw new CorruptionError(`state: hardState.commit ${hardState.commit} is beyond the last index ${lastIndex}`);
  }
  const removedMembers = decodeRemovedMembers(rowsOf(rows, 'removedMembers'));
  return {
    hardState,
    snapshot,
    entries,
    kv: { records: decodeKv(rowsOf(rows, 'kv')), meta: decodeKvMeta(rowsOf(rows, 'kvMeta')) },
    leases: decodeLeases(rowsOf(rows, 'lease')),
    members: decodeMembers(rowsOf(rows, 'members'), new Set(removedMembers)),
    removedMembers,
    serverMeta: decodeServerMeta(rowsOf(rows, 'serverMeta')),
  };
}

function rowsOf(rows: VerifiedRows, store: StoreName): ReadonlyArray<readonly [RowKey, unknown]> {
  return rows.get(store) ?? [];
}

function corrupt(store: StoreName, key: RowKey, problem: string): CorruptionError {
  return new CorruptionError(`${store}: ${problem} at ${describeKey(store, key)}`);
}

function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function decodeStateStore(rows: ReadonlyArray<readonly [RowKey, unknown]>): {
  hardState: HardState;
  snapshot: Snapshot | undefined;
} {
  let format: unknown = undefined;
  let hardState: HardState = { term: 0, vote: 0, commit: 0 };
  let snapshot: Snapshot | undefined = undefined;
  for (const [key, value] of rows) {
    if (key === STATE_FORMAT_KEY) {
      format = fieldsOf(value).version;
    } else if (key === STATE_HARD_STATE_KEY) {
      const problem = hardStateProblem(value);
      if (problem !== undefined) throw corrupt('state', key, problem);
      hardState = normalizeHardState(value as HardState);
    } else if (key === STATE_SNAPSHOT_KEY) {
      const problem = snapshotProblem(value);
      if (problem !== undefined) throw corrupt('state', key, problem);
      snapshot = normalizeSnapshot(value as Snapshot);
    } else {
      throw corrupt('state', key, 'unknown row');
    }
  }
  if (format === undefined) {
    throw new CorruptionError('state: no format row, yet other stores hold data (a partial or foreign database)');
  }
  if (format !== FORMAT_VERSION) {
    throw new CorruptionError(`state: format version ${String(format)}, expected ${FORMAT_VERSION}`);
  }
  return { hardState, snapshot };
}

/** The log: contiguous from right after the snapshot (or from 1), terms never going down. */
function decodeWal(rows: ReadonlyArray<readonly [RowKey, unknown]>, snapshot: Snapshot | undefined): Entry[] {
  const snapshotIndex = snapshot?.metadata.index ?? 0;
  let termBefore = snapshot?.metadata.term ?? 0;
  let expected = snapshotIndex + 1;
  const entries: Entry[] = [];
  for (const [key, value] of rows) {
    const problem = entryProblem(value);
    if (problem !== undefined) throw corrupt('wal', key, problem);
    const entry = normalizeEntry(value as Entry);
    if (entry.index !== key) throw corrupt('wal', key, `row holds entry index ${entry.index}`);
    if (entry.index !== expected) throw new CorruptionError(walGapMessage(entries, entry.index, snapshot));
    if (entry.term < termBefore) {
      throw corrupt('wal', key, `term goes down (term ${entry.term} after ${termBefore})`);
    }
    entries.push(entry);
    termBefore = entry.term;
    expected = entry.index + 1;
  }
  return entries;
}

function walGapMessage(entries: readonly Entry[], index: number, snapshot: Snapshot | undefined): string {
  const previous = entries[entries.length - 1];
  if (previous !== undefined) {
    return `wal: missing entries: entry ${previous.index} is followed by ${index}`;
  }
  if (snapshot === undefined) return `wal: missing entries: no snapshot but first entry is ${index}`;
  const snapshotIndex = snapshot.metadata.index;
  if (index <= snapshotIndex) {
    return `wal: entry ${index} is covered by the snapshot at ${snapshotIndex} and should have been dropped`;
  }
  return `wal: missing entries: snapshot at ${snapshotIndex} but first entry is ${index}`;
}

function decodeKv(rows: ReadonlyArray<readonly [RowKey, unknown]>): BackendRecord[] {
  const records: BackendRecord[] = [];
  for (const [key, value] of rows) {
    const fields = fieldsOf(value);
    if (fields.revKey !== key) throw corrupt('kv', key, 'row holds another revKey');
    const problem = kvRowProblem(key, fields.kv);
    if (problem !== undefined) throw corrupt('kv', key, problem);
    records.push(normalizeKvRecord(value as BackendRecord));
  }
  return records;
}

function decodeKvMeta(rows: ReadonlyArray<readonly [RowKey, unknown]>): StoreMeta | undefined {
  let meta: StoreMeta | undefined = undefined;
  for (const [key, value] of rows) {
    if (key !== KV_META_KEY) throw corrupt('kvMeta', key, 'unknown row');
    const problem = kvMetaProblem(value);
    if (problem !== undefined) throw corrupt('kvMeta', key, problem);
    meta = normalizeKvMeta(value as StoreMeta);
  }
  return meta;
}

function decodeLeases(rows: ReadonlyArray<readonly [RowKey, unknown]>): LeaseRecord[] {
  const leases: LeaseRecord[] = [];
  for (const [key, value] of rows) {
    const problem = leaseProblem(value);
    if (problem !== undefined) throw corrupt('lease', key, problem);
    const lease = normalizeLease(value as LeaseRecord);
    if (lease.id !== key) throw corrupt('lease', key, `row holds lease id ${lease.id}`);
    leases.push(lease);
  }
  return leases;
}

function decodeMembers(rows: ReadonlyArray<readonly [RowKey, unknown]>, removed: ReadonlySet<number>): StoredMember[] {
  const members: StoredMember[] = [];
  for (const [key, value] of rows) {
    const problem = memberProblem(value);
    if (problem !== undefined) throw corrupt('members', key, problem);
    const member = normalizeMember(value as StoredMember);
    if (member.id !== key) throw corrupt('members', key, `row holds member id ${member.id}`);
    if (removed.has(member.id)) throw corrupt('members', key, 'member is also recorded as removed');
    members.push(member);
  }
  return members;
}

function decodeRemovedMembers(rows: ReadonlyArray<readonly [RowKey, unknown]>): number[] {
  const removed: number[] = [];
  for (const [key, value] of rows) {
    const id = fieldsOf(value).id;
    const problem = memberIdProblem(id);
    if (problem !== undefined) throw corrupt('removedMembers', key, problem);
    if (id !== key) throw corrupt('removedMembers', key, `row holds member id ${String(id)}`);
    removed.push(id as number);
  }
  return removed;
}

function decodeServerMeta(rows: ReadonlyArray<readonly [RowKey, unknown]>): ServerMeta {
  const meta: ServerMeta = {};
  for (const [key, value] of rows) {
    const fields = fieldsOf(value);
    if (fields.name !== key) throw corrupt('serverMeta', key, 'row holds another name');
    const problem = serverMetaValueProblem(fields.value);
    if (problem !== undefined) throw corrupt('serverMeta', key, problem);
    meta[key as string] = fields.value as string | number | boolean;
  }
  return meta;
}
