// The store: revision bumps, sub revisions, versions and generations, raw ranges, lease changes,
// and compaction's errors and keeps. Method: table-like cases from etcd's documented behaviour
// (mvcc/kvstore_txn.go, key_index.go, and the etcdctl 3.4 transcripts in the shared reference).
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { MvccError, isMvccError } from './errors';
import { KVStore } from './kvStore';

function put(store: KVStore, key: string, value: string, lease = 0): number {
  const txn = store.write();
  txn.put(key, value, lease);
  return txn.end().revision;
}

function del(store: KVStore, key: string, end?: string): number {
  const txn = store.write();
  const { deleted } = txn.deleteRange(key, end);
  txn.end();
  return deleted;
}

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMvccError(error)) return error.code;
    throw error;
  }
  return 'none';
}

describe('KVStore revisions', () => {
  it('starts at revision 1, never compacted', () => {
    const store = new KVStore();
    expect(store.currentRevision).toBe(1);
    expect(store.compactRevision).toBe(-1);
    expect(store.range('a', '').kvs).toEqual([]);
  });

  it('bumps the revision once per write transaction that changes something', () => {
    const store = new KVStore();
    expect(put(store, 'a', '1')).toBe(2);
    const txn = store.write();
    expect(txn.put('b', '1')).toBe(3);
    expect(txn.put('c', '1')).toBe(3);
    const result = txn.end();
    expect(result.revision).toBe(3);
    expect(store.currentRevision).toBe(3);
    expect(store.keyHistory('c')[0]!.rev).toEqual({ main: 3, sub: 1 });
    expect(result.changes.map((kv) => kv.key)).toEqual(['b', 'c']);
  });

  it('does not bump the revision for a write transaction with no change', () => {
    const store = new KVStore();
    put(store, 'a', '1');
    const txn = store.write();
    expect(txn.range('a', undefined).kvs.length).toBe(1);
    expect(txn.deleteRange('zzz', undefined)).toEqual({ deleted: 0, rev: 2 });
    expect(txn.end()).toEqual({ revision: 2, changes: [], events: [], leaseChanges: [] });
    expect(store.currentRevision).toBe(2);
  });

  it('reports beginRev + 1 for a delete of nothing once the transaction changed something', () => {
    const store = new KVStore();
    const txn = store.write();
    txn.put('a', '1');
    expect(txn.deleteRange('nokey', undefined)).toEqual({ deleted: 0, rev: 2 });
    txn.end();
  });

  it('lets ranges inside a write transaction see its earlier changes', () => {
    const store = new KVStore();
    put(store, 'a', '1');
    const txn = store.write();
    txn.put('a', '2');
    txn.put('b', '1');
    const inside = txn.range('a', '');
    expect(inside.rev).toBe(3);
    expect(inside.kvs.map((kv) => kv.value)).toEqual(['2', '1']);
    expect(store.range('a', '').kvs.map((kv) => kv.value)).toEqual(['1']);
    txn.deleteRange('a', 'c');
    expect(txn.range('a', '').kvs).toEqual([]);
    txn.end();
    expect(store.currentRevision).toBe(3);
  });

  it('allows only one open write transaction and no use after end', () => {
    const store = new KVStore();
    const txn = store.write();
    expect(() => store.write()).toThrow(AssertionError);
    txn.end();
    expect(() => txn.put('a', '1')).toThrow(AssertionError);
  });
});

describe('KVStore versions and generations', () => {
  it('counts versions within a generation and resets them after a delete', () => {
    const store = new KVStore();
    put(store, 'foo', 'bar'); // 2
    put(store, 'foo', 'bar2'); // 3
    put(store, 'foo', 'bar3'); // 4
    expect(store.range('foo', undefined).kvs[0]).toEqual({
      key: 'foo', createRevision: 2, modRevision: 4, version: 3, value: 'bar3', lease: 0,
    });
    expect(del(store, 'foo')).toBe(1); // 5
    expect(store.range('foo', undefined)).toEqual({ kvs: [], count: 0, rev: 5 });
    put(store, 'foo', 'again'); // 6
    expect(store.range('foo', undefined).kvs[0]).toEqual({
      key: 'foo', createRevision: 6, modRevision: 6, version: 1, value: 'again', lease: 0,
    });
    expect(store.keyGenerations('foo').map((g) => g.revs.map((r) => r.main))).toEqual([[2, 3, 4, 5], [6]]);
  });

  it('reads old values at past revisions', () => {
    const store = new KVStore();
    put(store, 'foo', 'bar');
    put(store, 'foo', 'bar2');
    put(store, 'foo', 'bar3');
    const at3 = store.range('foo', undefined, { rev: 3 });
    expect(at3.rev).toBe(4);
    expect(at3.kvs).toEqual([{ key: 'foo', createRevision: 2, modRevision: 3, version: 2, value: 'bar2', lease: 0 }]);
    expect(store.range('foo', undefined, { rev: 1 }).kvs).toEqual([]);
  });

  it('records tombstones in history with only the key', () => {
    const store = new KVStore();
    put(store, 'k', 'v');
    del(store, 'k');
    const history = store.keyHistory('k');
    expect(history.map((h) => h.tombstone)).toEqual([false, true]);
    expect(history[1]!.kv).toEqual({ key: 'k', createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 });
  });
});

describe('KVStore range', () => {
  function seeded(): KVStore {
    const store = new KVStore();
    for (const [k, v] of [['foo', 'bar3'], ['foo1', 'v1'], ['foo2', 'v2'], ['fop', 'x']] as const) put(store, k, v);
    return store;
  }

  it('reads a single key, a range, and every key from a key on', () => {
    const store = seeded();
    expect(store.range('foo', undefined).kvs.map((kv) => kv.key)).toEqual(['foo']);
    expect(store.range('foo', 'fop').kvs.map((kv) => kv.key)).toEqual(['foo', 'foo1', 'foo2']);
    expect(store.range('foo1', '').kvs.map((kv) => kv.key)).toEqual(['foo1', 'foo2', 'fop']);
    expect(store.range('fop', 'foo').kvs).toEqual([]);
  });

  it('limits the kvs but counts every match', () => {
    const store = seeded();
    const result = store.range('a', '', { limit: 2 });
    expect(result.kvs.map((kv) => kv.key)).toEqual(['foo', 'foo1']);
    expect(result.count).toBe(4);
    expect(store.range('a', '', { count: true })).toEqual({ kvs: [], count: 4, rev: 5 });
  });

  it('rejects future revisions and accepts the compacted revision itself', () => {
    const store = seeded();
    expect(errorCode(() => store.range('foo', undefined, { rev: 6 }))).toBe('futureRev');
    store.compact(3);
    expect(errorCode(() => store.range('foo', undefined, { rev: 2 }))).toBe('compacted');
    expect(store.range('foo', undefined, { rev: 3 }).kvs.length).toBe(1);
    expect(store.range('foo', undefined, { rev: -5 }).kvs.length).toBe(1);
  });

  it('throws MvccErrors with etcd texts', () => {
    const store = seeded();
    try {
      store.range('foo', undefined, { rev: 100 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MvccError);
      expect((error as MvccError).message).toBe('mvcc: required revision is a future revision');
      expect((error as MvccError).grpcMessage).toBe('etcdserver: mvcc: required revision is a future revision');
    }
  });
});

describe('KVStore lease bookkeeping', () => {
  it('reports lease attach, move and detach, and not unchanged leases', () => {
    const store = new KVStore();
    let txn = store.write();
    txn.put('a', '1', 100);
    txn.put('b', '1');
    expect(txn.end().leaseChanges).toEqual([{ key: 'a', oldLease: 0, newLease: 100 }]);
    txn = store.write();
    txn.put('a', '2', 100);
    txn.put('b', '2', 200);
    expect(txn.end().leaseChanges).toEqual([{ key: 'b', oldLease: 0, newLease: 200 }]);
    txn = store.write();
    txn.put('a', '3', 300);
    txn.deleteRange('b', undefined);
    expect(txn.end().leaseChanges).toEqual([
      { key: 'a', oldLease: 100, newLease: 300 },
      { key: 'b', oldLease: 200, newLease: 0 },
    ]);
    expect(store.leaseAttachments()).toEqual([{ key: 'a', lease: 300 }]);
    txn = store.write();
    txn.put('a', '4');
    expect(txn.end().leaseChanges).toEqual([{ key: 'a', oldLease: 300, newLease: 0 }]);
    expect(store.leaseAttachments()).toEqual([]);
  });
});

describe('KVStore compaction', () => {
  it('rejects a revision at or below the compacted one and one beyond the current one', () => {
    const store = new KVStore();
    for (let i = 0; i < 5; i++) put(store, 'k', String(i)); // revisions 2..6
    expect(errorCode(() => store.compact(7))).toBe('futureRev');
    expect(store.compact(4).compactRevision).toBe(4);
    expect(errorCode(() => store.compact(4))).toBe('compacted');
    expect(errorCode(() => store.compact(3))).toBe('compacted');
    expect(store.compact(6).compactRevision).toBe(6);
    expect(store.compactRevision).toBe(6);
  });

  it('keeps the newest revision at or below the compaction for each live key', () => {
    const store = new KVStore();
    put(store, 'a', '1'); // 2
    put(store, 'a', '2'); // 3
    put(store, 'b', '1'); // 4
    put(store, 'a', '3'); // 5
    const result = store.compact(4);
    expect(result.removedRecords).toBe(1); // a@2
    expect(store.keyHistory('a').map((h) => h.rev.main)).toEqual([3, 5]);
    expect(store.range('a', undefined, { rev: 4 }).kvs[0]!.value).toBe('2');
    expect(store.recordCount).toBe(3);
  });

  it('keeps a tombstone exactly at the compacted revision until a later compaction', () => {
    const store = new KVStore();
    put(store, 'k', 'v'); // 2
    del(store, 'k'); // 3
    put(store, 'x', '1'); // 4
    store.compact(3);
    expect(store.keyHistory('k').map((h) => [h.rev.main, h.tombstone])).toEqual([[3, true]]);
    expect(store.range('k', undefined, { rev: 3 }).kvs).toEqual([]);
    store.compact(4);
    expect(store.keyHistory('k')).toEqual([]);
    expect(store.keyGenerations('k')).toEqual([]);
  });

  it('drops keys whose last generation ended before the compaction', () => {
    const store = new KVStore();
    put(store, 'k', 'v'); // 2
    del(store, 'k'); // 3
    put(store, 'x', '1'); // 4
    store.compact(4);
    expect(store.keyHistory('k')).toEqual([]);
    expect(store.recordCount).toBe(1);
    put(store, 'k', 'new'); // 5
    expect(store.range('k', undefined).kvs[0]).toMatchObject({ createRevision: 5, version: 1 });
  });
});
