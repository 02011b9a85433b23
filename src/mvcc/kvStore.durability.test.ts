// Durability hooks: drainChanges() as the rows a backend would write, KVStore.restore() from
// those rows as etcd rebuilds its index on start, and snapshot()/restoreSnapshot() for Raft
// snapshots. Method: a fake backend (a Map of rows plus the meta) fed by drainChanges() during a
// seeded workload; the restored store must answer every range at every revision, hash, and keep
// behaving (next revisions, versions) exactly like the original.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { Prng } from '../lib/prng';
import type { BackendRecord } from './keyBucket';
import { KVStore, type StoreChanges, type StoreMeta } from './kvStore';
import { revToBytes } from './revision';
import { WORKLOAD_KEYS, applyWorkloadTxn, randomTxn, runWorkload } from './testWorkload';

/** What an IndexedDB backend would hold after applying drained changes. */
class FakeBackend {
  rows = new Map<string, BackendRecord>();
  meta: StoreMeta = { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex: 0 };

  apply(changes: StoreChanges): void {
    if (changes.reset) this.rows.clear();
    for (const revKey of changes.deleted) {
      expect(this.rows.has(revKey)).toBe(true);
      this.rows.delete(revKey);
    }
    for (const row of changes.put) {
      expect(this.rows.has(row.revKey)).toBe(false);
      this.rows.set(row.revKey, structuredClone(row));
    }
    this.meta = structuredClone(changes.meta);
  }
}

/** Every range answer of a store, at every readable revision, over the whole key space. */
function everyRead(store: KVStore): unknown[] {
  const out: unknown[] = [];
  for (let rev = Math.max(store.compactRevision, 1); rev <= store.currentRevision; rev++) {
    out.push(rev, store.range('\0', '', { rev }));
  }
  for (const key of WORKLOAD_KEYS) out.push(key, store.keyGenerations(key).map((g) => g.revs));
  return out;
}

function sameStore(a: KVStore, b: KVStore): void {
  expect(b.currentRevision).toBe(a.currentRevision);
  expect(b.compactRevision).toBe(a.compactRevision);
  expect(b.hashKV()).toEqual(a.hashKV());
  expect(b.leaseAttachments()).toEqual(a.leaseAttachments());
  expect(everyRead(b)).toEqual(everyRead(a));
}

describe('drainChanges and KVStore.restore', () => {
  it('rebuilds a store that reads, hashes and continues exactly like the original', () => {
    for (const seed of [1, 2, 3, 4]) {
      const prng = new Prng(seed);
      const store = new KVStore();
      const backend = new FakeBackend();
      for (let i = 0; i < 20; i++) {
        runWorkload([store], prng, 15);
        store.setConsistentIndex(i + 1);
        backend.apply(store.drainChanges());
      }
      expect(backend.rows.size).toBe(store.recordCount);
      const restored = KVStore.restore(backend.rows.values(), backend.meta);
      sameStore(store, restored);
      expect(restored.consistentIndex).toBe(20);
      expect(restored.drainChanges()).toMatchObject({ reset: false, put: [], deleted: [] });
      // Both go on the same way.
      const more = new Prng(seed + 100);
      for (let i = 0; i < 30; i++) {
        const ops = randomTxn(more);
        applyWorkloadTxn(store, ops);
        applyWorkloadTxn(restored, ops);
      }
      sameStore(store, restored);
    }
  });

  it('drains nothing for a record written and compacted away between two drains', () => {
    const store = new KVStore();
    const backend = new FakeBackend();
    applyWorkloadTxn(store, [(t) => void t.put('a', '1')]); // 2
    backend.apply(store.drainChanges());
    applyWorkloadTxn(store, [(t) => void t.put('a', '2')]); // 3
    applyWorkloadTxn(store, [(t) => void t.put('a', '3')]); // 4
    store.compact(4);
    const changes = store.drainChanges();
    expect(changes.put.map((r) => r.kv.value)).toEqual(['3']);
    expect(changes.deleted).toEqual([revToBytes({ main: 2, sub: 0 })]);
    expect(changes.meta).toEqual({ scheduledCompactRevision: 4, finishedCompactRevision: 4, consistentIndex: 0 });
    expect(changes.currentRevision).toBe(4);
    backend.apply(changes);
    expect([...backend.rows.values()].map((r) => r.kv.value)).toEqual(['3']);
    expect(store.drainChanges()).toMatchObject({ put: [], deleted: [] });
  });

  it('runs again a compaction that was scheduled but not finished', () => {
    const store = new KVStore();
    const backend = new FakeBackend();
    for (let i = 0; i < 5; i++) applyWorkloadTxn(store, [(t) => void t.put('k', String(i))]); // 2..6
    backend.apply(store.drainChanges());
    // A crash after writing the scheduled revision, before deleting anything.
    const restored = KVStore.restore(backend.rows.values(), { ...backend.meta, scheduledCompactRevision: 5 });
    expect(restored.compactRevision).toBe(5);
    expect(restored.keyHistory('k').map((h) => h.rev.main)).toEqual([5, 6]);
    const changes = restored.drainChanges();
    expect(changes.deleted).toEqual([2, 3, 4].map((main) => revToBytes({ main, sub: 0 })));
    expect(changes.meta.finishedCompactRevision).toBe(5);
  });

  it('restores a key whose only record is the tombstone kept at the compacted revision', () => {
    const store = new KVStore();
    applyWorkloadTxn(store, [(t) => void t.put('k', 'v', 3)]); // 2
    applyWorkloadTxn(store, [(t) => void t.deleteRange('k', undefined)]); // 3
    store.compact(3);
    const backend = new FakeBackend();
    backend.apply(store.drainChanges());
    expect(backend.rows.size).toBe(1);
    const restored = KVStore.restore(backend.rows.values(), backend.meta);
    expect(restored.currentRevision).toBe(3);
    expect(restored.range('k', undefined).kvs).toEqual([]);
    expect(restored.leaseAttachments()).toEqual([]);
    expect(restored.hashKV()).toEqual(store.hashKV());
    applyWorkloadTxn(restored, [(t) => void t.put('k', 'again')]);
    expect(restored.range('k', undefined).kvs[0]).toMatchObject({ createRevision: 4, modRevision: 4, version: 1 });
  });

  it('never restores a current revision below the compacted one', () => {
    const rows: BackendRecord[] = [
      { revKey: revToBytes({ main: 2, sub: 0 }), kv: { key: 'a', createRevision: 2, modRevision: 2, version: 1, value: 'x', lease: 0 } },
    ];
    const restored = KVStore.restore(rows, { scheduledCompactRevision: 5, finishedCompactRevision: 5, consistentIndex: 9 });
    expect(restored.currentRevision).toBe(5);
    expect(restored.compactRevision).toBe(5);
    expect(restored.range('a', undefined).kvs[0]!.value).toBe('x');
  });

  it('asserts on a malformed persisted record', () => {
    const bad: BackendRecord[] = [
      { revKey: revToBytes({ main: 2, sub: 0 }), kv: { key: 'a', createRevision: 2, modRevision: 3, version: 1, value: 'x', lease: 0 } },
    ];
    expect(() => KVStore.restore(bad, { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex: 0 })).toThrow(AssertionError);
    expect(() => KVStore.restore([{ revKey: 'short', kv: bad[0]!.kv }], { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex: 0 })).toThrow(
      AssertionError,
    );
  });
});

describe('snapshot and restoreSnapshot', () => {
  it('round-trips through structuredClone into a store that had other data', () => {
    const prng = new Prng(42);
    const source = new KVStore();
    runWorkload([source], prng, 200);
    const data = structuredClone(source.snapshot());
    const target = new KVStore();
    runWorkload([target], new Prng(7), 50);
    target.restoreSnapshot(data);
    sameStore(source, target);
    const changes = target.drainChanges();
    expect(changes.reset).toBe(true);
    expect(changes.put.length).toBe(source.recordCount);
    expect(changes.deleted).toEqual([]);
    // The drained rows alone rebuild the same store again.
    const backend = new FakeBackend();
    backend.apply(changes);
    sameStore(source, KVStore.restore(backend.rows.values(), backend.meta));
  });
});
