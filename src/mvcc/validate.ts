// Request checks etcd makes before a request is proposed (etcdserver/api/v3rpc/key.go:
// checkRangeRequest, checkPutRequest, checkDeleteRequest, checkTxnRequest, checkIntervals). Pure.
//
// They run at the gRPC layer, on the member that receives the request, so a bad request never
// enters the Raft log: the server calls these first and only proposes what passes. The apply
// functions in txn.ts do not repeat them.

import { MvccError } from './errors';
import type { DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './types';

/** etcd's default --max-txn-ops: the most compares, success ops or failure ops in one txn. */
export const MAX_TXN_OPS_DEFAULT = 128;

/** Throws 'emptyKey' for a range without a key. */
export function checkRangeRequest(r: RangeRequest): void {
  if (r.key.length === 0) throw new MvccError('emptyKey');
}

/** Throws 'emptyKey', or 'valueProvided' / 'leaseProvided' when an ignore_* flag meets a value. */
export function checkPutRequest(r: PutRequest): void {
  if (r.key.length === 0) throw new MvccError('emptyKey');
  if (r.ignoreValue && r.value.length !== 0) throw new MvccError('valueProvided');
  if (r.ignoreLease && (r.lease ?? 0) !== 0) throw new MvccError('leaseProvided');
}

/** Throws 'emptyKey' for a delete without a key. */
export function checkDeleteRequest(r: DeleteRangeRequest): void {
  if (r.key.length === 0) throw new MvccError('emptyKey');
}

/**
 * etcd's checkTxnRequest: at most `maxTxnOps` compares, success ops and failure ops each; keys
 * present; each op checked, a nested txn against what its parent leaves of the budget.
 */
export function checkTxnRequest(r: TxnRequest, maxTxnOps = MAX_TXN_OPS_DEFAULT): void {
  const opCount = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (opCount > maxTxnOps) throw new MvccError('tooManyOps');
  for (const c of r.compare) {
    if (c.key.length === 0) throw new MvccError('emptyKey');
  }
  for (const op of r.success) checkRequestOp(op, maxTxnOps - opCount);
  for (const op of r.failure) checkRequestOp(op, maxTxnOps - opCount);
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if ('requestRange' in op && op.requestRange) return checkRangeRequest(op.requestRange);
  if ('requestPut' in op && op.requestPut) return checkPutRequest(op.requestPut);
  if ('requestDeleteRange' in op && op.requestDeleteRange) return checkDeleteRequest(op.requestDeleteRange);
  if ('requestTxn' in op && op.requestTxn) return checkTxnRequest(op.requestTxn, maxTxnOps);
  // An empty RequestOp: etcd answers ErrGRPCKeyNotFound.
  throw new MvccError('keyNotFound');
}

/**
 * A deleted interval as etcd's checkIntervals builds it: a single key, or [begin, end) compared
 * byte-wise. A from-key delete (range end "\0") is taken literally, as etcd 3.4 does, so it
 * covers no key and never conflicts with a put.
 */
interface DeletedInterval {
  begin: string;
  /** undefined: the single key `begin`. */
  end: string | undefined;
}

function covers(interval: DeletedInterval, key: string): boolean {
  if (interval.end === undefined) return key === interval.begin;
  return interval.begin <= key && key < interval.end;
}

function coveredByAny(dels: readonly DeletedInterval[], key: string): boolean {
  return dels.some((d) => covers(d, key));
}

/**
 * The keys put and intervals deleted by a list of ops, nested txns included. Throws
 * 'duplicateKey' when a key is put twice or put and deleted on one path. A key put in both
 * branches of a nested txn is fine (only one branch runs).
 */
function collectWrites(ops: readonly RequestOp[]): { puts: Set<string>; dels: DeletedInterval[] } {
  const dels: DeletedInterval[] = [];
  for (const op of ops) {
    if (!('requestDeleteRange' in op) || !op.requestDeleteRange) continue;
    const d = op.requestDeleteRange;
    dels.push({ begin: d.key, end: d.rangeEnd && d.rangeEnd.length > 0 ? d.rangeEnd : undefined });
  }

  const puts = new Set<string>();
  for (const op of ops) {
    if (!('requestTxn' in op) || !op.requestTxn) continue;
    const then = collectWrites(op.requestTxn.success);
    const otherwise = collectWrites(op.requestTxn.failure);
    for (const key of then.puts) {
      if (puts.has(key) || coveredByAny(dels, key)) throw new MvccError('duplicateKey');
      puts.add(key);
    }
    for (const key of otherwise.puts) {
      if (puts.has(key) && !then.puts.has(key)) throw new MvccError('duplicateKey');
      if (coveredByAny(dels, key)) throw new MvccError('duplicateKey');
      puts.add(key);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }

  for (const op of ops) {
    if (!('requestPut' in op) || !op.requestPut) continue;
    const key = op.requestPut.key;
    if (puts.has(key) || coveredByAny(dels, key)) throw new MvccError('duplicateKey');
    puts.add(key);
  }
  return { puts, dels };
}

/** etcd's checkIntervals on one branch: throws 'duplicateKey' on overlapping puts and deletes. */
export function checkIntervals(ops: readonly RequestOp[]): void {
  collectWrites(ops);
}

/**
 * Every check etcd's kvServer.Txn makes before proposing: checkTxnRequest, then checkIntervals on
 * the success and the failure branch.
 */
export function validateTxnRequest(r: TxnRequest, maxTxnOps = MAX_TXN_OPS_DEFAULT): void {
  checkTxnRequest(r, maxTxnOps);
  checkIntervals(r.success);
  checkIntervals(r.failure);
}
