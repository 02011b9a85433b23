// Request validation before proposal (etcd's v3rpc/key.go): op limits, empty keys, ignore_* flags
// and put/delete overlaps, nested txns included. Method: the etcdctl 3.4 transcript cases plus
// the branch rules of checkIntervals.
import { describe, expect, it } from 'vitest';
import { isMvccError } from './errors';
import type { RequestOp, TxnRequest } from './types';
import { checkPutRequest, checkRangeRequest, checkTxnRequest, validateTxnRequest } from './validate';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMvccError(error)) return error.message;
    throw error;
  }
  return 'ok';
}

const putOp = (key: string): RequestOp => ({ requestPut: { key, value: 'v' } });
const delOp = (key: string, rangeEnd?: string): RequestOp => ({ requestDeleteRange: { key, rangeEnd } });
const txn = (success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare: [], success, failure });

describe('validateTxnRequest', () => {
  it('rejects more than 128 ops in a branch and accepts 128', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => putOp(`k${i}`));
    expect(errorOf(() => validateTxnRequest(txn(many(129))))).toBe('etcdserver: too many operations in txn request');
    expect(errorOf(() => validateTxnRequest(txn(many(128))))).toBe('ok');
    expect(errorOf(() => validateTxnRequest(txn([], many(129))))).toBe('etcdserver: too many operations in txn request');
  });

  it('gives a nested txn only what its parent leaves of the op budget', () => {
    const nested = txn(Array.from({ length: 29 }, (_, i) => putOp(`n${i}`)));
    const outer = txn([...Array.from({ length: 99 }, (_, i) => putOp(`o${i}`)), { requestTxn: nested }]);
    expect(errorOf(() => checkTxnRequest(outer))).toBe('etcdserver: too many operations in txn request');
    const smaller = txn([...Array.from({ length: 99 }, (_, i) => putOp(`o${i}`)), { requestTxn: txn([putOp('n')]) }]);
    expect(errorOf(() => checkTxnRequest(smaller))).toBe('ok');
  });

  it.each([
    ['put a twice', txn([putOp('a'), putOp('a')]), 'etcdserver: duplicate key given in txn request'],
    ['put user1 then delete the user1 prefix', txn([putOp('user1'), delOp('user1', 'user2')]), 'etcdserver: duplicate key given in txn request'],
    ['put and delete the same key', txn([delOp('a'), putOp('a')]), 'etcdserver: duplicate key given in txn request'],
    ['put outside a deleted range', txn([delOp('a', 'b'), putOp('b')]), 'ok'],
    ['delete twice', txn([delOp('a'), delOp('a')]), 'ok'],
    ['put a key deleted from-key ("\\0" taken literally, as etcd 3.4)', txn([delOp('a', '\0'), putOp('b')]), 'ok'],
    ['put in a nested txn and in the outer txn', txn([putOp('a'), { requestTxn: txn([putOp('a')]) }]), 'etcdserver: duplicate key given in txn request'],
    ['put the same key in both branches of a nested txn', txn([{ requestTxn: txn([putOp('a')], [putOp('a')]) }]), 'ok'],
    ['put in two nested txns', txn([{ requestTxn: txn([putOp('a')]) }, { requestTxn: txn([], [putOp('a')]) }]), 'etcdserver: duplicate key given in txn request'],
    ['put in a nested txn under an outer delete', txn([delOp('a', 'c'), { requestTxn: txn([putOp('b')]) }]), 'etcdserver: duplicate key given in txn request'],
    ['put outer under a nested delete', txn([{ requestTxn: txn([], [delOp('a')]) }, putOp('a')]), 'etcdserver: duplicate key given in txn request'],
    ['put in the other branch of the parent', txn([putOp('a')], [putOp('a')]), 'ok'],
  ])('%s', (_name, request, want) => {
    expect(errorOf(() => validateTxnRequest(request))).toBe(want);
  });

  it('rejects empty keys in compares and ops, and an empty op', () => {
    expect(errorOf(() => validateTxnRequest({ compare: [{ key: '', target: 'VERSION', result: 'EQUAL' }], success: [], failure: [] }))).toBe(
      'etcdserver: key is not provided',
    );
    expect(errorOf(() => validateTxnRequest(txn([putOp('')])))).toBe('etcdserver: key is not provided');
    expect(errorOf(() => validateTxnRequest(txn([{} as RequestOp])))).toBe('etcdserver: key not found');
  });
});

describe('single request checks', () => {
  it('rejects an empty key, a value with ignoreValue and a lease with ignoreLease', () => {
    expect(errorOf(() => checkRangeRequest({ key: '' }))).toBe('etcdserver: key is not provided');
    expect(errorOf(() => checkPutRequest({ key: '', value: 'x' }))).toBe('etcdserver: key is not provided');
    expect(errorOf(() => checkPutRequest({ key: 'k', value: 'x', ignoreValue: true }))).toBe('etcdserver: value is provided');
    expect(errorOf(() => checkPutRequest({ key: 'k', value: '', lease: 5, ignoreLease: true }))).toBe('etcdserver: lease is provided');
    expect(errorOf(() => checkPutRequest({ key: 'k', value: '', lease: 5, ignoreValue: true }))).toBe('ok');
  });
});
