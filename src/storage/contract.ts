// Tests only: the Backend contract suite (house style §8.7 item 5). One set of rules, tagged B1…,
// run against MemoryBackend and IdbBackend alike, so that the inline executor's memory disk and a
// worker's IndexedDB database can never drift apart. Imported by memoryBackend.test.ts and
// idbBackend.test.ts; never by production code.
//
// Method: each case gets a fresh backend from the factory, writes batches shaped like a member's
// Ready (hard state, entries, snapshot, MVCC rows, leases, members, server values), and checks
// what load() returns, also after `reopen` (a restart: the handle closed, a new one opened on the
// same data). Damage is done through the test hooks (a flipped byte, a lost row, a failed
// transaction) and must come back as CorruptionError or BackendError, never as wrong data. The
// last cases drive the backend and a naive reference model with seeded random batches.

import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { Prng } from '../lib/prng';
import type { Entry, HardState, Snapshot } from '../raft/index';
import { revToBytes, type BackendRecord, type StoreChanges, type StoreMeta } from '../mvcc/index';
import type { LeaseChanges, LeaseRecord } from '../lease/index';
import { BackendError, CorruptionError } from './backend';
import type { PersistedState, StoredMember, WriteBatch } from './backend';
import type { RowKey, StoreName, TestableBackend } from './records';
import { BatchGenerator, ReferenceModel } from './referenceModel';

/** A fresh backend and a way to restart it: close the current handle, open a new one on its data. */
export type BackendFactory = () => Promise<{
  backend: TestableBackend;
  reopen: () => Promise<TestableBackend>;
}>;

// --- Builders for the rows a member writes. ---

export function entry(index: number, term: number, data = `put k${index}`): Entry {
  return { index, term, type: 'EntryNormal', data };
}

export function entryRange(from: number, to: number, term: number): Entry[] {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(entry(index, term));
  return entries;
}

export function hardState(term: number, vote: number, commit: number): HardState {
  return { term, vote, commit };
}

export function snapshotAt(index: number, term: number): Snapshot {
  const confState = { voters: [1, 2, 3], learners: [4], votersOutgoing: [], learnersNext: [], autoLeave: false };
  return { data: `\u0000snapshot@${index}\u00ff`, metadata: { index, term, confState } };
}

/** A put at revision main_sub; `createRevision` older than `main` makes it a later version. */
export function kvPut(main: number, sub: number, key: string, value: string, createRevision = main): BackendRecord {
  const version = main - createRevision + 1;
  const kv = { key, createRevision, modRevision: main, version, value, lease: 0 };
  return { revKey: revToBytes({ main, sub }), kv };
}

export function kvTombstone(main: number, sub: number, key: string): BackendRecord {
  const kv = { key, createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 };
  return { revKey: revToBytes({ main, sub }, true), kv };
}

export function kvMeta(consistentIndex: number): StoreMeta {
  return { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex };
}

export function kvChanges(
  put: BackendRecord[],
  options: { deleted?: string[]; meta?: StoreMeta; reset?: boolean } = {},
): StoreChanges {
  const meta = options.meta ?? kvMeta(0);
  return { reset: options.reset ?? false, put, deleted: options.deleted ?? [], meta, currentRevision: 1 };
}

export function lease(id: number, ttl: number, remainingTtl = 0): LeaseRecord {
  return { id, ttl, remainingTtl };
}

export function leaseChanges(put: LeaseRecord[], deleted: number[] = [], reset = false): LeaseChanges {
  return { reset, put, deleted };
}

export function member(id: number, isLearner = false): StoredMember {
  return { id, name: `infra${id}`, peerUrls: [`http://127.0.0.1:${2380 + id}`], clientUrls: [], isLearner };
}

/** A lease ID as the playground makes them: above 2^53, a multiple of 1024, exact as a double. */
export const BIG_LEASE_ID = Number(0x74dda1ff59a3b800n);
export const BIG_LEASE_ID_NEXT = Number(0x74dda1ff59a3bc00n);

/** A batch touching every part of the state. */
export function fullBatch(): WriteBatch {
  return {
    hardState: hardState(2, 1, 3),
    entries: entryRange(1, 4, 2),
    kv: kvChanges([kvPut(2, 0, 'foo', 'bar'), kvTombstone(3, 0, 'foo')], { meta: kvMeta(3) }),
    leases: leaseChanges([lease(BIG_LEASE_ID, 60)]),
    members: { put: [member(1), member(2), member(4, true)], removed: [] },
    serverMeta: { clusterId: 'cdf818194e3a8c32', memberId: 1, bootstrapped: true },
  };
}

/** The state fullBatch() leaves on a new backend. */
function fullState(): PersistedState {
  const batch = fullBatch();
  return {
    hardState: batch.hardState!,
    snapshot: undefined,
    entries: batch.entries!,
    kv: { records: batch.kv!.put, meta: batch.kv!.meta },
    leases: batch.leases!.put,
    members: batch.members!.put,
    removedMembers: [],
    serverMeta: batch.serverMeta!,
  };
}

/** What the promise rejected with; fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** The message of an expected rejection. */
async function rejectionMessage(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  return error instanceof Error ? error.message : String(error);
}

/** Registers the contract suite for one Backend implementation. */
export function registerBackendContractTests(name: string, factory: BackendFactory): void {
  describe(`${name} contract`, () => {
    registerBasics(factory);
    registerLogAppends(factory);
    registerLogSnapshots(factory);
    registerKvRules(factory);
    registerLeaseMemberMetaRules(factory);
    registerAtomicity(factory);
    registerDamage(factory);
    registerLifecycle(factory);
    registerModelComparison(factory);
  });
}

function registerBasics(factory: BackendFactory): void {
  it('B1: load() of a new backend returns undefined, also after an empty batch', async () => {
    const { backend, reopen } = await factory();
    expect(await backend.load()).toBeUndefined();
    await backend.write({});
    await backend.write({ entries: [], serverMeta: {}, leases: leaseChanges([]) });
    expect(await backend.load()).toBeUndefined();
    expect(backend.sizeBytes()).toBe(0);
    expect(await (await reopen()).load()).toBeUndefined();
  });

  it('B2: a write is visible after reopen, field for field', async () => {
    const { backend, reopen } = await factory();
    await backend.write(fullBatch());
    expect(await backend.load()).toEqual(fullState());
    const reopened = await reopen();
    expect(await reopened.load()).toEqual(fullState());
  });

  it('B3: the loaded state shares no object with the caller, in either direction', async () => {
    const { backend } = await factory();
    const batch = fullBatch();
    await backend.write(batch);
    batch.entries![0]!.data = 'changed by the caller';
    batch.members!.put[0]!.peerUrls.push('http://changed');
    batch.kv!.put[0]!.kv.value = 'changed';
    const first = (await backend.load())!;
    expect(first).toEqual(fullState());
    first.entries[0]!.term = 99;
    first.kv.records[0]!.kv.value = 'changed by a reader';
    first.serverMeta.clusterId = 'changed';
    expect(await backend.load()).toEqual(fullState());
  });

  it('B4: writes issued without awaiting apply in call order', async () => {
    const { backend } = await factory();
    const writes = [
      backend.write({ entries: entryRange(1, 3, 1) }),
      backend.write({ entries: entryRange(3, 5, 2), hardState: hardState(2, 0, 4) }),
      backend.write({ serverMeta: { name: 'infra1' } }),
      backend.write({ serverMeta: { name: 'infra2' } }),
    ];
    await Promise.all(writes);
    const state = (await backend.load())!;
    expect(state.entries).toEqual([...entryRange(1, 2, 1), ...entryRange(3, 5, 2)]);
    expect(state.serverMeta).toEqual({ name: 'infra2' });
  });
}

function registerLogAppends(factory: BackendFactory): void {
  it('B5: conflicting entries replace the stored suffix from the first new index (Raft §5.3)', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ entries: entryRange(1, 6, 1) });
    await backend.write({ entries: entryRange(3, 4, 2) });
    const expected = [...entryRange(1, 2, 1), ...entryRange(3, 4, 2)];
    expect((await backend.load())!.entries).toEqual(expected);
    expect((await (await reopen()).load())!.entries).toEqual(expected);
  });

  it('B10: entries that leave a gap, start in the snapshot, skip an index or lower the term are refused', async () => {
    const { backend } = await factory();
    await backend.write({ snapshot: snapshotAt(4, 2), entries: entryRange(5, 6, 3), hardState: hardState(3, 0, 4) });
    const cases: Array<[Entry[], RegExp]> = [
      [[entry(8, 3)], /entries start at 8 but the log ends at 6 \(a gap\)/],
      [[entry(4, 3)], /entries start at 4, at or below the snapshot index 4/],
      [[entry(7, 3), entry(9, 3)], /not contiguous: index 9 follows 7/],
      [[entry(7, 2)], /entry terms go down: term 2 at index 7 after 3/],
      [[entry(7, 4), entry(8, 3)], /entry terms go down: term 3 at index 8 after 4/],
    ];
    for (const [entries, message] of cases) {
      const error = await rejection(backend.write({ entries }));
      expect(error).toBeInstanceOf(AssertionError);
      expect(String(error)).toMatch(message);
    }
    expect((await backend.load())!.entries).toEqual(entryRange(5, 6, 3));
  });

  it('B11: hardState.commit beyond the last index is refused', async () => {
    const { backend } = await factory();
    await backend.write({ entries: entryRange(1, 3, 1) });
    const error = await rejection(backend.write({ hardState: hardState(1, 1, 4) }));
    expect(error).toBeInstanceOf(AssertionError);
    expect(String(error)).toMatch(/hardState.commit 4 is beyond the last index 3/);
    await backend.write({ hardState: hardState(1, 1, 3) });
    expect((await backend.load())!.hardState).toEqual(hardState(1, 1, 3));
  });
}

function registerLogSnapshots(factory: BackendFactory): void {
  it('B6: a snapshot the log agrees with drops the entries it covers and keeps the rest', async () => {
    const { backend, reopen } = await factory();
    const entries = [...entryRange(1, 4, 1), ...entryRange(5, 8, 2)];
    await backend.write({ entries, hardState: hardState(2, 1, 6) });
    await backend.write({ snapshot: snapshotAt(6, 2) });
    const state = (await (await reopen()).load())!;
    expect(state.snapshot).toEqual(snapshotAt(6, 2));
    expect(state.entries).toEqual(entryRange(7, 8, 2));
  });

  it('B7: a snapshot the log disagrees with replaces the whole log; entries in its batch follow it', async () => {
    const { backend } = await factory();
    await backend.write({ entries: entryRange(1, 8, 1), hardState: hardState(1, 1, 2) });
    await backend.write({ snapshot: snapshotAt(5, 3), hardState: hardState(3, 0, 5) });
    let state = (await backend.load())!;
    expect(state.entries).toEqual([]);
    expect(state.snapshot!.metadata.index).toBe(5);
    await backend.write({ snapshot: snapshotAt(9, 4), entries: entryRange(10, 11, 4), hardState: hardState(4, 0, 10) });
    state = (await backend.load())!;
    expect(state.snapshot).toEqual(snapshotAt(9, 4));
    expect(state.entries).toEqual(entryRange(10, 11, 4));
  });

  it('B8: a snapshot older than the stored one is refused', async () => {
    const { backend } = await factory();
    await backend.write({ snapshot: snapshotAt(10, 2), hardState: hardState(2, 0, 10) });
    const error = await rejection(backend.write({ snapshot: snapshotAt(9, 2) }));
    expect(error).toBeInstanceOf(AssertionError);
    expect(String(error)).toMatch(/snapshot at 9 is older than the stored snapshot at 10/);
  });

  it('B9: compactTo at or below the snapshot is accepted; beyond it would leave a hole and is refused', async () => {
    const { backend } = await factory();
    await backend.write({ entries: entryRange(1, 10, 1), hardState: hardState(1, 1, 8) });
    await backend.write({ snapshot: snapshotAt(6, 1), compactTo: 4 });
    await backend.write({ compactTo: 6 });
    expect((await backend.load())!.entries).toEqual(entryRange(7, 10, 1));
    const error = await rejection(backend.write({ compactTo: 7 }));
    expect(error).toBeInstanceOf(AssertionError);
    expect(String(error)).toMatch(/compactTo 7 is beyond the snapshot index 6/);
    expect((await backend.load())!.entries).toEqual(entryRange(7, 10, 1));
  });
}

function registerKvRules(factory: BackendFactory): void {
  it('B12: kv rows are put and deleted by revKey, a reset replaces them all, and meta is kept', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ kv: kvChanges([kvPut(2, 0, 'a', '1'), kvPut(3, 0, 'b', '2'), kvPut(4, 0, 'a', '3', 2)]) });
    const compacted = { scheduledCompactRevision: 3, finishedCompactRevision: 3, consistentIndex: 7 };
    const deleted = [revToBytes({ main: 2, sub: 0 })];
    await backend.write({ kv: kvChanges([kvTombstone(5, 0, 'b')], { deleted, meta: compacted }) });
    const reopened = await reopen();
    let state = (await reopened.load())!;
    expect(state.kv.records).toEqual([kvPut(3, 0, 'b', '2'), kvPut(4, 0, 'a', '3', 2), kvTombstone(5, 0, 'b')]);
    expect(state.kv.meta).toEqual(compacted);
    await reopened.write({ kv: kvChanges([kvPut(9, 0, 'z', 'restored')], { reset: true, meta: kvMeta(20) }) });
    state = (await reopened.load())!;
    expect(state.kv).toEqual({ records: [kvPut(9, 0, 'z', 'restored')], meta: kvMeta(20) });
  });

  it('B13: kv rows whose revKey disagrees with the row are refused', async () => {
    const { backend } = await factory();
    const wrongRevision = { revKey: revToBytes({ main: 5, sub: 0 }), kv: kvPut(6, 0, 'a', '1').kv };
    const liveTombstone = { revKey: revToBytes({ main: 5, sub: 0 }, true), kv: kvPut(5, 0, 'a', '1').kv };
    const shortKey = { revKey: 'abc', kv: kvPut(5, 0, 'a', '1').kv };
    for (const record of [wrongRevision, liveTombstone, shortKey]) {
      const error = await rejection(backend.write({ kv: kvChanges([record]) }));
      expect(error).toBeInstanceOf(AssertionError);
    }
    expect(await backend.load()).toBeUndefined();
  });
}

function registerLeaseMemberMetaRules(factory: BackendFactory): void {
  it('B14: lease IDs above 2^53 round-trip exactly; reset, put and deleted apply in that order', async () => {
    expect(BIG_LEASE_ID).toBeGreaterThan(2 ** 53);
    expect(BigInt(BIG_LEASE_ID)).toBe(0x74dda1ff59a3b800n);
    const { backend, reopen } = await factory();
    await backend.write({ leases: leaseChanges([lease(BIG_LEASE_ID, 60), lease(BIG_LEASE_ID_NEXT, 5, 3)]) });
    const reopened = await reopen();
    const ids = (await reopened.load())!.leases.map((row) => BigInt(row.id));
    expect(ids).toEqual([0x74dda1ff59a3b800n, 0x74dda1ff59a3bc00n]);
    await reopened.write({ leases: leaseChanges([], [BIG_LEASE_ID]) });
    expect((await reopened.load())!.leases).toEqual([lease(BIG_LEASE_ID_NEXT, 5, 3)]);
    await reopened.write({ leases: leaseChanges([lease(1024, 10)], [], true) });
    expect((await reopened.load())!.leases).toEqual([lease(1024, 10)]);
    const error = await rejection(reopened.write({ leases: leaseChanges([lease(0, 1)]) }));
    expect(error).toBeInstanceOf(AssertionError);
  });

  it('B15: removed members are remembered, cannot come back, and a reset forgets them', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ members: { put: [member(1), member(2), member(3)], removed: [] } });
    await backend.write({ members: { put: [], removed: [2] } });
    const reopened = await reopen();
    let state = (await reopened.load())!;
    expect(state.members).toEqual([member(1), member(3)]);
    expect(state.removedMembers).toEqual([2]);
    const error = await rejection(reopened.write({ members: { put: [member(2)], removed: [] } }));
    expect(error).toBeInstanceOf(AssertionError);
    expect(String(error)).toMatch(/member 2 was removed and cannot come back/);
    await reopened.write({ members: { reset: true, put: [member(2, true)], removed: [] } });
    state = (await reopened.load())!;
    expect(state.members).toEqual([member(2, true)]);
    expect(state.removedMembers).toEqual([]);
  });

  it('B16: serverMeta merges key by key', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ serverMeta: { clusterId: 'a1', memberId: 7 } });
    await backend.write({ serverMeta: { memberId: 8, name: 'infra八', learner: false } });
    const expected = { clusterId: 'a1', memberId: 8, name: 'infra八', learner: false };
    expect((await (await reopen()).load())!.serverMeta).toEqual(expected);
  });
}

function registerAtomicity(factory: BackendFactory): void {
  it('B17: a batch that fails validation is refused whole: nothing of it lands', async () => {
    const { backend, reopen } = await factory();
    await backend.write(fullBatch());
    const sizeBefore = backend.sizeBytes();
    const bad: WriteBatch = {
      hardState: hardState(3, 2, 4),
      kv: kvChanges([kvPut(9, 0, 'x', 'y')], { reset: true, meta: kvMeta(9) }),
      leases: leaseChanges([], [], true),
      members: { put: [], removed: [1] },
      serverMeta: { clusterId: 'changed' },
      entries: [entry(6, 3)],
    };
    expect(await rejection(backend.write(bad))).toBeInstanceOf(AssertionError);
    expect(backend.sizeBytes()).toBe(sizeBefore);
    expect(await backend.load()).toEqual(fullState());
    expect(await (await reopen()).load()).toEqual(fullState());
  });

  it('B18: a write that fails inside storage rejects with BackendError and lands nothing', async () => {
    const { backend, reopen } = await factory();
    await backend.write(fullBatch());
    const sizeBefore = backend.sizeBytes();
    backend.failNextWriteForTest();
    const batch = { hardState: hardState(3, 0, 5), entries: entryRange(5, 6, 3), serverMeta: { clusterId: 'x' } };
    const error = await rejection(backend.write(batch));
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(/injected failure/);
    expect(backend.sizeBytes()).toBe(sizeBefore);
    expect(await backend.load()).toEqual(fullState());
    // The failure is not sticky: the next write lands.
    await backend.write({ entries: entryRange(5, 5, 3) });
    const state = (await (await reopen()).load())!;
    expect(state.entries).toEqual([...entryRange(1, 4, 2), entry(5, 3)]);
  });
}

interface DamageCase {
  label: string;
  store: StoreName;
  key: RowKey;
  message: RegExp;
}

const DAMAGE_CASES: DamageCase[] = [
  {
    label: 'a log entry',
    store: 'wal',
    key: 3,
    message: /^wal: crc mismatch at entry index 3 \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/,
  },
  { label: 'the hard state', store: 'state', key: 'hardState', message: /^state: crc mismatch at key "hardState"/ },
  { label: 'the snapshot', store: 'state', key: 'snapshot', message: /^state: crc mismatch at key "snapshot"/ },
  {
    label: 'an MVCC row',
    store: 'kv',
    key: revToBytes({ main: 2, sub: 0 }),
    message: /^kv: crc mismatch at revision 2_0 /,
  },
  {
    label: 'a tombstone',
    store: 'kv',
    key: revToBytes({ main: 3, sub: 0 }, true),
    message: /^kv: crc mismatch at revision 3_0 \(tombstone\)/,
  },
  { label: 'the MVCC meta', store: 'kvMeta', key: 'meta', message: /^kvMeta: crc mismatch at key "meta"/ },
  { label: 'a lease', store: 'lease', key: BIG_LEASE_ID, message: /^lease: crc mismatch at lease 74dda1ff59a3b800 / },
  { label: 'a member', store: 'members', key: 4, message: /^members: crc mismatch at member 4 / },
  {
    label: 'a removed member',
    store: 'removedMembers',
    key: 2,
    message: /^removedMembers: crc mismatch at removed member 2 /,
  },
  {
    label: 'a server value',
    store: 'serverMeta',
    key: 'clusterId',
    message: /^serverMeta: crc mismatch at key "clusterId"/,
  },
];

function registerDamage(factory: BackendFactory): void {
  it.each(DAMAGE_CASES)('B19: a flipped byte in $label is a CorruptionError naming the row', async (damage) => {
    const { backend, reopen } = await factory();
    await backend.write({ ...fullBatch(), snapshot: snapshotAt(1, 1), entries: entryRange(2, 4, 2) });
    await backend.write({ members: { put: [], removed: [2] } });
    await backend.corruptRecordForTest(damage.store, damage.key);
    const error = await rejection(backend.load());
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toMatch(damage.message);
    expect(await rejection((await reopen()).load())).toBeInstanceOf(CorruptionError);
  });

  it('B20: a log entry lost in the middle is a CorruptionError "missing entries"', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ entries: entryRange(1, 6, 1) });
    await backend.deleteRecordForTest('wal', 4);
    const error = await rejection((await reopen()).load());
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toBe('wal: missing entries: entry 3 is followed by 5');
  });

  it('B21: the entries right after the snapshot lost is a CorruptionError naming the snapshot', async () => {
    const { backend } = await factory();
    const entries = entryRange(101, 105, 5);
    await backend.write({ snapshot: snapshotAt(100, 5), entries, hardState: hardState(5, 0, 100) });
    for (const index of [101, 102, 103, 104]) await backend.deleteRecordForTest('wal', index);
    const error = await rejection(backend.load());
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toBe('wal: missing entries: snapshot at 100 but first entry is 105');
  });

  it('B22: a lost snapshot or format row, or a commit past a lost tail, is a CorruptionError', async () => {
    const { backend } = await factory();
    const entries = entryRange(11, 12, 2);
    await backend.write({ snapshot: snapshotAt(10, 2), entries, hardState: hardState(2, 0, 12) });
    await backend.deleteRecordForTest('wal', 12);
    expect(await rejectionMessage(backend.load())).toBe('state: hardState.commit 12 is beyond the last index 11');
    await backend.deleteRecordForTest('state', 'snapshot');
    expect(await rejectionMessage(backend.load())).toBe('wal: missing entries: no snapshot but first entry is 11');
    await backend.deleteRecordForTest('state', 'format');
    expect(await rejectionMessage(backend.load())).toMatch(/^state: no format row/);
  });
}

function registerLifecycle(factory: BackendFactory): void {
  it('B23: write and load after close reject with BackendError "backend is closed"', async () => {
    const { backend } = await factory();
    await backend.write(fullBatch());
    await backend.close();
    await backend.close();
    const writeError = await rejection(backend.write({ serverMeta: { a: 1 } }));
    expect(writeError).toBeInstanceOf(BackendError);
    expect((writeError as Error).message).toBe('backend is closed');
    expect(await rejection(backend.load())).toBeInstanceOf(BackendError);
  });

  it('B24: destroy() empties the backend: a new handle on its data loads undefined', async () => {
    const { backend, reopen } = await factory();
    await backend.write(fullBatch());
    await backend.destroy();
    expect(await rejection(backend.write({ serverMeta: { a: 1 } }))).toBeInstanceOf(BackendError);
    const fresh = await reopen();
    expect(await fresh.load()).toBeUndefined();
    expect(fresh.sizeBytes()).toBe(0);
    await fresh.write({ serverMeta: { a: 1 } });
    expect((await fresh.load())!.serverMeta).toEqual({ a: 1 });
  });

  it('B25: sizeBytes grows with writes, shrinks with deletes, and is the same after reopen', async () => {
    const { backend, reopen } = await factory();
    await backend.write({ entries: entryRange(1, 10, 1) });
    const tenEntries = backend.sizeBytes();
    expect(tenEntries).toBeGreaterThan(10 * 'put k10'.length);
    await backend.write(fullBatch());
    const full = backend.sizeBytes();
    expect(full).toBeGreaterThan(tenEntries);
    await backend.write({ kv: kvChanges([], { reset: true }) });
    const noKv = backend.sizeBytes();
    expect(noKv).toBeLessThan(full);
    const reopened = await reopen();
    expect(reopened.sizeBytes()).toBe(noKv);
    await reopened.write({ snapshot: snapshotAt(3, 2), hardState: hardState(2, 1, 3) });
    const reopenedAgain = await reopen();
    expect(reopenedAgain.sizeBytes()).toBe(reopened.sizeBytes());
  });
}

function registerModelComparison(factory: BackendFactory): void {
  for (const seed of [1, 2, 3, 20240611]) {
    it(`B26: random batches leave the same state as a naive reference model (seed ${seed})`, async () => {
      const prng = new Prng(seed);
      const model = new ReferenceModel();
      const generator = new BatchGenerator(prng.fork('batches'), model);
      const made = await factory();
      let backend = made.backend;
      let refused = 0;
      for (let step = 0; step < 200; step++) {
        const batch = generator.next();
        const modelError = captureError(() => model.write(batch));
        const backendError = await backend.write(batch).then(
          () => undefined,
          (error: unknown) => error,
        );
        const context = `seed ${seed} step ${step}: ${String(backendError ?? modelError)}`;
        expect(backendError === undefined, context).toBe(modelError === undefined);
        if (backendError !== undefined) {
          expect(backendError, context).toBeInstanceOf(AssertionError);
          refused++;
        }
        if (prng.chance(1, 25)) backend = await made.reopen();
        if (step % 10 === 9) expect(await backend.load(), context).toEqual(model.load());
      }
      expect(await (await made.reopen()).load()).toEqual(model.load());
      expect(refused).toBeGreaterThan(0);
    });
  }
}

function captureError(action: () => void): unknown {
  try {
    action();
    return undefined;
  } catch (error) {
    return error;
  }
}
