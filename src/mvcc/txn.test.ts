// The apply layer: Range options (limit, sort, filters, keys/count only), Put options, DeleteRange,
// Txn compares (missing keys, ranges), nested txns, checks and headers. Method: etcd's documented
// behaviour (etcdserver/apply.go) and the etcdctl 3.4 transcripts in the shared reference,
// replayed from a fresh store so the revisions line up with the transcripts.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { isMvccError } from './errors';
import { KVStore } from './kvStore';
import { applyCompaction, applyDeleteRange, applyPut, applyRange, applyTxn, evaluateCompare, isTxnReadonly } from './txn';
import type { Compare, RequestOp, TxnRequest } from './types';

const HEADER = { clusterId: 0xe231b3a8cc97d, memberId: 0x73beeb3ef66e4, raftTerm: 2 };
const ctx = { header: HEADER, leaseExists: (id: number) => id === 7 || id === 8 };

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMvccError(error)) return error.code;
    throw error;
  }
  return 'none';
}

function put(store: KVStore, key: string, value: string, lease = 0): void {
  applyPut(store, { key, value, lease }, ctx);
}

/** The transcript of section 3.1 up to `put fop x` (revision 7). */
function transcriptStore(): KVStore {
  const store = new KVStore();
  put(store, 'foo', 'bar');
  put(store, 'foo', 'bar2');
  put(store, 'foo', 'bar3');
  put(store, 'foo1', 'v1');
  put(store, 'foo2', 'v2');
  put(store, 'fop', 'x');
  return store;
}

const keys = (kvs: { key: string }[]) => kvs.map((kv) => kv.key);

describe('applyRange', () => {
  it('answers get foo --rev=3 like etcd 3.4 (header at the current revision)', () => {
    const response = applyRange(transcriptStore(), { key: 'foo', revision: 3 }, ctx);
    expect(response).toEqual({
      header: { ...HEADER, revision: 7 },
      kvs: [{ key: 'foo', createRevision: 2, modRevision: 3, version: 2, value: 'bar2', lease: 0 }],
      more: false,
      count: 1,
    });
  });

  it('reads prefixes, from-key ranges and missing keys', () => {
    const store = transcriptStore();
    expect(keys(applyRange(store, { key: 'foo', rangeEnd: 'fop' }).kvs)).toEqual(['foo', 'foo1', 'foo2']);
    expect(keys(applyRange(store, { key: 'foo', rangeEnd: '\0' }).kvs)).toEqual(['foo', 'foo1', 'foo2', 'fop']);
    expect(applyRange(store, { key: 'nosuchkey' })).toMatchObject({ kvs: [], count: 0, more: false });
  });

  it('limits with more and the full count', () => {
    const response = applyRange(transcriptStore(), { key: 'foo', rangeEnd: 'fop', limit: 2 });
    expect(keys(response.kvs)).toEqual(['foo', 'foo1']);
    expect(response.more).toBe(true);
    expect(response.count).toBe(3);
    expect(applyRange(transcriptStore(), { key: 'foo', rangeEnd: 'fop', limit: 3 }).more).toBe(false);
  });

  it('sorts before applying the limit (get --sort-by=MODIFY --order=DESCEND)', () => {
    const store = transcriptStore();
    expect(keys(applyRange(store, { key: 'foo', rangeEnd: 'fop', sortOrder: 'DESCEND', sortTarget: 'MOD' }).kvs)).toEqual([
      'foo2', 'foo1', 'foo',
    ]);
    const limited = applyRange(store, { key: 'foo', rangeEnd: 'fop', sortOrder: 'DESCEND', sortTarget: 'KEY', limit: 1 });
    expect(keys(limited.kvs)).toEqual(['foo2']);
    expect(limited).toMatchObject({ more: true, count: 3 });
  });

  it('sorts ascending by default when the target is not KEY, keeping ties in key order', () => {
    const store = new KVStore();
    applyTxn(store, {
      compare: [],
      success: [
        { requestPut: { key: 'c', value: '1' } },
        { requestPut: { key: 'a', value: '2' } },
        { requestPut: { key: 'b', value: '0' } },
      ],
      failure: [],
    });
    put(store, 'a', '9'); // a: version 2
    expect(keys(applyRange(store, { key: 'a', rangeEnd: 'z', sortTarget: 'VALUE' }).kvs)).toEqual(['b', 'c', 'a']);
    expect(keys(applyRange(store, { key: 'a', rangeEnd: 'z', sortTarget: 'VERSION' }).kvs)).toEqual(['b', 'c', 'a']);
    expect(keys(applyRange(store, { key: 'a', rangeEnd: 'z', sortTarget: 'CREATE', sortOrder: 'DESCEND' }).kvs)).toEqual(['a', 'b', 'c']);
  });

  it('filters by mod and create revision after fetching, leaving count unfiltered', () => {
    const store = transcriptStore();
    const response = applyRange(store, { key: 'a', rangeEnd: '\0', minModRevision: 5, maxModRevision: 6 });
    expect(keys(response.kvs)).toEqual(['foo1', 'foo2']);
    expect(response.count).toBe(4);
    const created = applyRange(store, { key: 'a', rangeEnd: '\0', maxCreateRevision: 5, limit: 1 });
    expect(keys(created.kvs)).toEqual(['foo']);
    expect(created.more).toBe(true);
    expect(keys(applyRange(store, { key: 'a', rangeEnd: '\0', minCreateRevision: 6 }).kvs)).toEqual(['foo2', 'fop']);
  });

  it('drops values with keysOnly and kvs with countOnly', () => {
    const store = transcriptStore();
    expect(applyRange(store, { key: 'foo', rangeEnd: 'fop', keysOnly: true }).kvs.map((kv) => kv.value)).toEqual(['', '', '']);
    expect(applyRange(store, { key: 'foo', rangeEnd: 'fop', countOnly: true, limit: 1 })).toMatchObject({ kvs: [], count: 3, more: false });
  });

  it('fails for future and compacted revisions', () => {
    const store = transcriptStore();
    expect(errorCode(() => applyRange(store, { key: 'foo', revision: 100 }))).toBe('futureRev');
    applyCompaction(store, { revision: 5 });
    expect(errorCode(() => applyRange(store, { key: 'foo', revision: 4 }))).toBe('compacted');
  });
});

describe('applyPut', () => {
  it('returns the previous kv with prevKv and the new revision in the header', () => {
    const store = new KVStore();
    put(store, 'foo', 'bar');
    put(store, 'foo', 'bar2');
    const { response, write } = applyPut(store, { key: 'foo', value: 'bar3', prevKv: true }, ctx);
    expect(response).toEqual({
      header: { ...HEADER, revision: 4 },
      prevKv: { key: 'foo', createRevision: 2, modRevision: 3, version: 2, value: 'bar2', lease: 0 },
    });
    expect(write?.events).toEqual([
      { type: 'PUT', kv: { key: 'foo', createRevision: 2, modRevision: 4, version: 3, value: 'bar3', lease: 0 } },
    ]);
  });

  it('keeps the value or the lease with ignoreValue / ignoreLease', () => {
    const store = new KVStore();
    put(store, 'k', 'v', 7);
    applyPut(store, { key: 'k', value: '', ignoreValue: true, lease: 8 }, ctx);
    expect(applyRange(store, { key: 'k' }).kvs[0]).toMatchObject({ value: 'v', lease: 8, version: 2 });
    applyPut(store, { key: 'k', value: 'w', ignoreLease: true }, ctx);
    expect(applyRange(store, { key: 'k' }).kvs[0]).toMatchObject({ value: 'w', lease: 8, version: 3 });
  });

  it('fails with key not found for ignore flags on a missing key, without a revision bump', () => {
    const store = new KVStore();
    expect(errorCode(() => applyPut(store, { key: 'k', value: '', ignoreValue: true }, ctx))).toBe('keyNotFound');
    expect(errorCode(() => applyPut(store, { key: 'k', value: 'x', ignoreLease: true }, ctx))).toBe('keyNotFound');
    expect(store.currentRevision).toBe(1);
    // The store is usable afterwards (the write transaction was ended).
    put(store, 'k', 'v');
    expect(store.currentRevision).toBe(2);
  });

  it('fails with lease not found for an unknown lease, and attaches a known one', () => {
    const store = new KVStore();
    expect(errorCode(() => applyPut(store, { key: 'k', value: 'v', lease: 99 }, ctx))).toBe('leaseNotFound');
    expect(store.currentRevision).toBe(1);
    const { write } = applyPut(store, { key: 'k', value: 'v', lease: 7 }, ctx);
    expect(write?.leaseChanges).toEqual([{ key: 'k', oldLease: 0, newLease: 7 }]);
    expect(() => applyPut(store, { key: 'k', value: 'v', lease: 7 })).toThrow(AssertionError);
  });
});

describe('applyDeleteRange', () => {
  it('deletes a prefix with prevKvs and reports the count', () => {
    const store = transcriptStore();
    put(store, 'fox', 'a'); // 8
    const { response } = applyDeleteRange(store, { key: 'fo', rangeEnd: 'fp', prevKv: true }, ctx);
    expect(response.deleted).toBe(5);
    expect(response.header.revision).toBe(9);
    expect(keys(response.prevKvs)).toEqual(['foo', 'foo1', 'foo2', 'fop', 'fox']);
    expect(applyRange(store, { key: 'fo', rangeEnd: 'fp' }).count).toBe(0);
  });

  it('answers a delete of nothing with the current revision and no bump', () => {
    const store = transcriptStore();
    const { response, write } = applyDeleteRange(store, { key: 'nosuchkey' }, ctx);
    expect(response).toEqual({ header: { ...HEADER, revision: 7 }, deleted: 0, prevKvs: [] });
    expect(write?.revision).toBe(7);
    expect(store.currentRevision).toBe(7);
  });
});

describe('applyTxn compares', () => {
  const cmp = (c: Partial<Compare> & Pick<Compare, 'target' | 'result' | 'key'>): Compare => c;

  it.each([
    // [description, compare, expected]
    ['create == 0 on a missing key holds', cmp({ key: 'nokey', target: 'CREATE', result: 'EQUAL', createRevision: 0 }), true],
    ['mod < 1000 on a missing key holds', cmp({ key: 'nokey', target: 'MOD', result: 'LESS', modRevision: 1000 }), true],
    ['version > 0 on a missing key fails', cmp({ key: 'nokey', target: 'VERSION', result: 'GREATER', version: 0 }), false],
    ['lease == 0 on a missing key holds', cmp({ key: 'nokey', target: 'LEASE', result: 'EQUAL', lease: 0 }), true],
    ['value == "" on a missing key fails', cmp({ key: 'nokey', target: 'VALUE', result: 'EQUAL', value: '' }), false],
    ['value != "zzz" on a missing key fails', cmp({ key: 'nokey', target: 'VALUE', result: 'NOT_EQUAL', value: 'zzz' }), false],
    ['value == "v1" holds', cmp({ key: 'foo1', target: 'VALUE', result: 'EQUAL', value: 'v1' }), true],
    ['value > "v0" holds', cmp({ key: 'foo1', target: 'VALUE', result: 'GREATER', value: 'v0' }), true],
    ['version == 3 on foo holds', cmp({ key: 'foo', target: 'VERSION', result: 'EQUAL', version: 3 }), true],
    ['create == 2 on foo holds', cmp({ key: 'foo', target: 'CREATE', result: 'EQUAL', createRevision: 2 }), true],
    ['mod > 4 over [foo, fop) fails (foo has mod 4)', cmp({ key: 'foo', rangeEnd: 'fop', target: 'MOD', result: 'GREATER', modRevision: 4 }), false],
    ['mod > 3 over [foo, fop) holds for every key', cmp({ key: 'foo', rangeEnd: 'fop', target: 'MOD', result: 'GREATER', modRevision: 3 }), true],
    ['version == 1 over every key from foo1 holds', cmp({ key: 'foo1', rangeEnd: '\0', target: 'VERSION', result: 'EQUAL', version: 1 }), true],
    ['create == 0 over an empty range holds', cmp({ key: 'x', rangeEnd: 'y', target: 'CREATE', result: 'EQUAL', createRevision: 0 }), true],
    ['value == "" over an empty range fails', cmp({ key: 'x', rangeEnd: 'y', target: 'VALUE', result: 'EQUAL', value: '' }), false],
    ['lease == 7 on a leased key holds', cmp({ key: 'leased', target: 'LEASE', result: 'EQUAL', lease: 7 }), true],
  ])('%s', (_name, compare, want) => {
    const store = transcriptStore();
    put(store, 'leased', 'x', 7);
    expect(evaluateCompare(store.read(), compare)).toBe(want);
  });

  it('runs success ops when every compare holds (value("user1") = "bad" then del user1)', () => {
    const store = new KVStore();
    put(store, 'user1', 'bad'); // 2
    const { response } = applyTxn(
      store,
      {
        compare: [{ key: 'user1', target: 'VALUE', result: 'EQUAL', value: 'bad' }],
        success: [{ requestDeleteRange: { key: 'user1' } }],
        failure: [{ requestPut: { key: 'user1', value: 'good' } }],
      },
      ctx,
    );
    expect(response.succeeded).toBe(true);
    expect(response.header).toEqual({ ...HEADER, revision: 3 });
    expect(response.responses).toEqual([
      { responseDeleteRange: { header: { clusterId: 0, memberId: 0, revision: 3, raftTerm: 0 }, deleted: 1, prevKvs: [] } },
    ]);
  });

  it('runs failure ops when a compare fails, and a failed read-only txn does not bump', () => {
    const store = new KVStore();
    put(store, 'user1', 'good');
    const { response, write } = applyTxn(store, {
      compare: [
        { key: 'user1', target: 'VALUE', result: 'EQUAL', value: 'good' },
        { key: 'user1', target: 'VERSION', result: 'EQUAL', version: 2 },
      ],
      success: [{ requestPut: { key: 'user1', value: 'v3' } }],
      failure: [{ requestRange: { key: 'user1' } }, { requestRange: { key: 'nosuch' } }],
    });
    expect(response.succeeded).toBe(false);
    expect(response.header.revision).toBe(2);
    expect(write?.revision).toBe(2);
    expect(store.currentRevision).toBe(2);
    expect(response.responses.map((r) => ('responseRange' in r ? r.responseRange.kvs.length : -1))).toEqual([1, 0]);
  });
});

describe('applyTxn execution', () => {
  it('puts every op at one main revision; later ops see earlier ones (transcript revision 23)', () => {
    const store = new KVStore();
    put(store, 'user1', 'good'); // 2
    const { response, write } = applyTxn(store, {
      compare: [{ key: 'user1', target: 'VALUE', result: 'EQUAL', value: 'good' }],
      success: [
        { requestPut: { key: 'user1', value: 'v4' } },
        { requestDeleteRange: { key: 'nokey' } },
        { requestRange: { key: 'user1' } },
        { requestPut: { key: 'other', value: '1' } },
      ],
      failure: [],
    });
    expect(response.header.revision).toBe(3);
    const revisions = response.responses.map((r) => {
      if ('responsePut' in r) return r.responsePut.header.revision;
      if ('responseDeleteRange' in r) return r.responseDeleteRange.header.revision;
      if ('responseRange' in r) return r.responseRange.header.revision;
      return -1;
    });
    expect(revisions).toEqual([3, 3, 3, 3]);
    const range = response.responses[2]!;
    expect('responseRange' in range && range.responseRange.kvs[0]).toMatchObject({ value: 'v4', modRevision: 3, version: 2 });
    expect(store.keyHistory('other')[0]!.rev).toEqual({ main: 3, sub: 1 });
    expect(write?.events.map((e) => e.kv.key)).toEqual(['user1', 'other']);
  });

  it('reports beginRev for a delete of nothing before any change in the txn', () => {
    const store = new KVStore();
    put(store, 'a', '1'); // 2
    const { response } = applyTxn(store, {
      compare: [],
      success: [{ requestDeleteRange: { key: 'nokey' } }, { requestPut: { key: 'a', value: '2' } }],
      failure: [],
    });
    const [first] = response.responses;
    expect(first && 'responseDeleteRange' in first && first.responseDeleteRange.header.revision).toBe(2);
    expect(response.header.revision).toBe(3);
  });

  it('evaluates nested compares against the store before the txn and zeroes nested headers', () => {
    const store = new KVStore();
    put(store, 'flag', 'off'); // 2
    const nested: TxnRequest = {
      // Sees 'off' although the outer txn already put 'on' before it.
      compare: [{ key: 'flag', target: 'VALUE', result: 'EQUAL', value: 'off' }],
      success: [{ requestPut: { key: 'seen', value: 'off' } }, { requestRange: { key: 'flag' } }],
      failure: [{ requestPut: { key: 'seen', value: 'on' } }],
    };
    const { response } = applyTxn(store, {
      compare: [],
      success: [{ requestPut: { key: 'flag', value: 'on' } }, { requestTxn: nested }],
      failure: [],
    });
    expect(response.succeeded).toBe(true);
    expect(applyRange(store, { key: 'seen' }).kvs[0]!.value).toBe('off');
    const inner = response.responses[1]!;
    expect('responseTxn' in inner).toBe(true);
    if ('responseTxn' in inner) {
      expect(inner.responseTxn.succeeded).toBe(true);
      expect(inner.responseTxn.header).toEqual({ clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 });
      const innerRange = inner.responseTxn.responses[1]!;
      expect('responseRange' in innerRange && innerRange.responseRange.kvs[0]!.value).toBe('on');
    }
    expect(store.currentRevision).toBe(3);
    expect(store.keyHistory('seen')[0]!.rev).toEqual({ main: 3, sub: 1 });
  });

  it('checks puts and ranges on the executed path before changing anything', () => {
    const store = new KVStore();
    put(store, 'a', '1'); // 2
    const bad = (op: RequestOp): TxnRequest => ({ compare: [], success: [{ requestPut: { key: 'b', value: 'x' } }, op], failure: [] });
    expect(errorCode(() => applyTxn(store, bad({ requestPut: { key: 'missing', value: '', ignoreValue: true } }), ctx))).toBe('keyNotFound');
    expect(errorCode(() => applyTxn(store, bad({ requestPut: { key: 'c', value: 'v', lease: 99 } }), ctx))).toBe('leaseNotFound');
    expect(errorCode(() => applyTxn(store, bad({ requestRange: { key: 'a', revision: 3 } }), ctx))).toBe('futureRev');
    expect(store.currentRevision).toBe(2);
    // Ops on the branch not taken are not checked.
    const { response } = applyTxn(
      store,
      { compare: [{ key: 'a', target: 'VALUE', result: 'EQUAL', value: '1' }], success: [], failure: [{ requestPut: { key: 'c', value: 'v', lease: 99 } }] },
      ctx,
    );
    expect(response.succeeded).toBe(true);
    put(store, 'a', '2'); // 3
    put(store, 'a', '3'); // 4
    applyCompaction(store, { revision: 3 });
    expect(errorCode(() => applyTxn(store, { compare: [], success: [{ requestRange: { key: 'a', revision: 2 } }], failure: [] }))).toBe('compacted');
  });

  it('serves a read-only txn without a write and a txn with a nested txn as a write', () => {
    const store = transcriptStore();
    const readOnly: TxnRequest = { compare: [], success: [{ requestRange: { key: 'foo' } }], failure: [] };
    expect(isTxnReadonly(readOnly)).toBe(true);
    const { response, write } = applyTxn(store, readOnly, ctx);
    expect(write).toBeNull();
    expect(response.header).toEqual({ ...HEADER, revision: 7 });
    const nested: TxnRequest = { compare: [], success: [{ requestTxn: readOnly }], failure: [] };
    expect(isTxnReadonly(nested)).toBe(false);
    const result = applyTxn(store, nested, ctx);
    expect(result.write?.revision).toBe(7);
    expect(store.currentRevision).toBe(7);
  });

  it('puts with prevKv and ignoreValue inside a txn', () => {
    const store = new KVStore();
    put(store, 'user1', 'v4'); // 2
    put(store, 'k', 'kept', 7); // 3
    const { response } = applyTxn(
      store,
      {
        compare: [{ key: 'user1', target: 'VALUE', result: 'EQUAL', value: 'v4' }],
        success: [{ requestPut: { key: 'user1', value: 'v6', prevKv: true } }, { requestPut: { key: 'k', value: '', ignoreValue: true } }],
        failure: [],
      },
      ctx,
    );
    const first = response.responses[0]!;
    expect('responsePut' in first && first.responsePut.prevKv).toEqual({
      key: 'user1', createRevision: 2, modRevision: 2, version: 1, value: 'v4', lease: 0,
    });
    expect(applyRange(store, { key: 'k' }).kvs[0]).toMatchObject({ value: 'kept', lease: 0, version: 2, modRevision: 4 });
  });
});

describe('applyCompaction', () => {
  it('answers with the current revision and fails like etcd for old and future revisions', () => {
    const store = transcriptStore();
    const { response, result } = applyCompaction(store, { revision: 5 }, ctx);
    expect(response.header).toEqual({ ...HEADER, revision: 7 });
    expect(result.compactRevision).toBe(5);
    expect(errorCode(() => applyCompaction(store, { revision: 5 }))).toBe('compacted');
    expect(errorCode(() => applyCompaction(store, { revision: 4 }))).toBe('compacted');
    expect(errorCode(() => applyCompaction(store, { revision: 160 }))).toBe('futureRev');
  });
});
