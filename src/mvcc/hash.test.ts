// The KV hash (etcd's HashByRev): equal for equal histories, different after a different write,
// stable for a past revision while the store moves on, and blind to what compaction may or may
// not have deleted yet. Method: a hand-computed hash of a one-key store, then seeded workloads.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { crc32c } from './crc32c';
import { isMvccError } from './errors';
import { hashRecords } from './hash';
import type { StoredRecord } from './keyBucket';
import { KVStore } from './kvStore';
import { marshalKeyValue } from './protobuf';
import { revToBytes } from './revision';
import { runWorkload as run } from './testWorkload';

function runWorkload(stores: KVStore[], seed: number, steps: number, compact = true): void {
  run(stores, new Prng(seed), steps, compact);
}


describe('hashKV', () => {
  it('hashes the bucket name, the revision key and the marshalled KeyValue', () => {
    const store = new KVStore();
    const txn = store.write();
    txn.put('foo', 'bar');
    txn.end();
    const kv = { key: 'foo', createRevision: 2, modRevision: 2, version: 1, value: 'bar', lease: 0 };
    const expected = crc32c('key' + revToBytes({ main: 2, sub: 0 }) + marshalKeyValue(kv));
    expect(store.hashKV()).toEqual({ hash: expected, revision: 2, compactRevision: -1 });
    expect(store.hashKV(1).hash).toBe(crc32c('key'));
  });

  it('is equal on two stores with the same history, at every revision', () => {
    const a = new KVStore();
    const b = new KVStore();
    runWorkload([a, b], 1, 300);
    expect(a.currentRevision).toBeGreaterThan(200);
    expect(a.hashKV()).toEqual(b.hashKV());
    for (let rev = Math.max(a.compactRevision, 1); rev <= a.currentRevision; rev++) {
      expect(a.hashKV(rev)).toEqual(b.hashKV(rev));
    }
  });

  it('differs after a different write and agrees again when the other store does the same', () => {
    const a = new KVStore();
    const b = new KVStore();
    runWorkload([a, b], 2, 100);
    const txnA = a.write();
    txnA.put('a', 'one');
    txnA.end();
    const txnB = b.write();
    txnB.put('a', 'two');
    txnB.end();
    expect(a.hashKV().hash).not.toBe(b.hashKV().hash);
    expect(a.hashKV(a.currentRevision - 1)).toEqual(b.hashKV(b.currentRevision - 1));
  });

  it('keeps the hash of a past revision while later writes and compactions happen', () => {
    const store = new KVStore();
    runWorkload([store], 3, 150);
    const rev = store.currentRevision;
    const before = store.hashKV(rev).hash;
    runWorkload([store], 4, 150, false);
    expect(store.hashKV(rev).hash).toBe(before);
  });

  it('ignores records a compaction would delete and a tombstone at the compacted revision', () => {
    const store = new KVStore();
    const write = (f: (txn: ReturnType<KVStore['write']>) => void) => {
      const txn = store.write();
      f(txn);
      txn.end();
    };
    write((t) => t.put('a', '1')); // 2
    write((t) => t.put('a', '2')); // 3
    write((t) => t.put('b', '1')); // 4
    write((t) => void t.deleteRange('b', undefined)); // 5
    write((t) => t.put('c', '1')); // 6
    store.compact(5);
    const hash = store.hashKV();
    // What the store holds now: a@3, b's tombstone@5 (kept, as in etcd >= 3.4.34), c@6.
    const core = (store as unknown as { core: { bucket: { all(): readonly StoredRecord[] }; index: { keep(r: number): Set<string> } } }).core;
    const records = core.bucket.all();
    expect(records.map((r) => `${r.rev.main}${r.tombstone ? 't' : ''}`)).toEqual(['3', '5t', '6']);
    const keep = core.index.keep(6);
    // A replica whose compaction has not deleted a@2 and b@4 yet, or that dropped the tombstone.
    const a2: StoredRecord = { rev: { main: 2, sub: 0 }, tombstone: false, kv: { key: 'a', createRevision: 2, modRevision: 2, version: 1, value: '1', lease: 0 } };
    const b4: StoredRecord = { rev: { main: 4, sub: 0 }, tombstone: false, kv: { key: 'b', createRevision: 4, modRevision: 4, version: 1, value: '1', lease: 0 } };
    const lagging = [a2, records[0]!, b4, records[1]!, records[2]!];
    expect(hashRecords(lagging, { rev: 6, compactRev: 5, keep })).toBe(hash.hash);
    const withoutTombstone = [records[0]!, records[2]!];
    expect(hashRecords(withoutTombstone, { rev: 6, compactRev: 5, keep })).toBe(hash.hash);
    // And a record that should be kept does count.
    expect(hashRecords([records[2]!], { rev: 6, compactRev: 5, keep })).not.toBe(hash.hash);
  });

  it('fails below the compacted revision and beyond the current one', () => {
    const store = new KVStore();
    runWorkload([store], 5, 40, false);
    store.compact(10);
    const code = (rev: number) => {
      try {
        store.hashKV(rev);
        return 'none';
      } catch (error) {
        return isMvccError(error) ? error.code : 'other';
      }
    };
    expect(code(9)).toBe('compacted');
    expect(code(10)).toBe('none');
    expect(code(store.currentRevision + 1)).toBe('futureRev');
    expect(store.hashKV(10).compactRevision).toBe(10);
  });
});

