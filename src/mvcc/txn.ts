// The apply layer for KV requests (etcd's etcdserver/apply.go applierV3backend: Range, Put,
// DeleteRange, Txn, Compaction): request options, compares, nested transactions and response
// headers on top of the store's raw range/put/delete. Pure: leases are checked through a callback
// the caller hands in; the store itself never looks at the lessor.
//
// Header fields: the store fills `revision`. A top-level response takes clusterId, memberId and
// raftTerm from ApplyContext.header (the server's identity and term, etcd's header.fill); the
// responses nested in a txn carry only a revision, as etcd's do ("0" ids and term 0 here).
//
// Request validation (empty keys, too many ops, duplicate keys) happens before proposal, in
// validate.ts; this layer assumes it passed.

import { assertNever, unreachable } from '../lib/assert';
import { MvccError, isMvccError } from './errors';
import type { CompactResult, KVStore, ReadView, TxnWrite, WriteResult } from './kvStore';
import type {
  Compare,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from './types';

/** The parts of a response header the server owns. */
export interface HeaderFields {
  clusterId: number;
  memberId: number;
  raftTerm: number;
}

/** What the apply functions need from the caller. */
export interface ApplyContext {
  /** Identity and term for top-level response headers; zeros when absent. */
  header?: HeaderFields;
  /**
   * Whether a lease exists (etcd's lessor.Lookup(id) != nil). Needed as soon as a put carries a
   * lease: a put with an unknown lease fails with 'leaseNotFound' and changes nothing.
   */
  leaseExists?: (leaseId: number) => boolean;
}

/** A response and, for requests that open a write transaction, what the write did. */
export interface Applied<T> {
  response: T;
  /** The write's revision, events and lease changes; null for read-only requests. */
  write: WriteResult | null;
}

const NESTED_HEADER: HeaderFields = { clusterId: 0, memberId: 0, raftTerm: 0 };

function header(fields: HeaderFields | undefined, revision: number): ResponseHeader {
  const f = fields ?? NESTED_HEADER;
  return { clusterId: f.clusterId, memberId: f.memberId, revision, raftTerm: f.raftTerm };
}

/**
 * A request's range end in the store's convention (etcd's mkGteRange plus proto3's nil): absent
 * or empty -> undefined (the single key), "\0" -> '' (every key >= key), else itself.
 */
export function rangeEndForIndex(rangeEnd: string | undefined): string | undefined {
  if (rangeEnd === undefined || rangeEnd.length === 0) return undefined;
  if (rangeEnd === '\0') return '';
  return rangeEnd;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(target: SortTarget): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case 'KEY':
      return (a, b) => compareStrings(a.key, b.key);
    case 'VERSION':
      return (a, b) => a.version - b.version;
    case 'CREATE':
      return (a, b) => a.createRevision - b.createRevision;
    case 'MOD':
      return (a, b) => a.modRevision - b.modRevision;
    case 'VALUE':
      return (a, b) => compareStrings(a.value, b.value);
    default:
      return assertNever(target, 'sort target');
  }
}

/**
 * A range request in a view (etcd's applierV3backend.Range): with a sort order or a min/max
 * filter it fetches every match, filters and sorts, then applies the limit; otherwise it fetches
 * limit + 1 to learn `more`. `count` is the number of matches before filters and limit. Sorting is
 * stable, so equal sort values stay in key order (etcd's sort does the same for small results and
 * leaves ties unspecified for large ones).
 */
function rangeIn(view: ReadView, r: RangeRequest): RangeResponse {
  const requestLimit = r.limit ?? 0;
  const sortOrder = r.sortOrder ?? 'NONE';
  const sortTarget = r.sortTarget ?? 'KEY';
  const minMod = r.minModRevision ?? 0;
  const maxMod = r.maxModRevision ?? 0;
  const minCreate = r.minCreateRevision ?? 0;
  const maxCreate = r.maxCreateRevision ?? 0;

  let limit = requestLimit;
  if (sortOrder !== 'NONE' || minMod !== 0 || maxMod !== 0 || minCreate !== 0 || maxCreate !== 0) limit = 0;
  if (limit > 0) limit++; // one more, to know whether there is more

  const rr = view.range(r.key, rangeEndForIndex(r.rangeEnd), {
    limit,
    rev: r.revision ?? 0,
    count: r.countOnly ?? false,
  });
  let kvs = rr.kvs;
  if (maxMod !== 0) kvs = kvs.filter((kv) => kv.modRevision <= maxMod);
  if (minMod !== 0) kvs = kvs.filter((kv) => kv.modRevision >= minMod);
  if (maxCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision <= maxCreate);
  if (minCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision >= minCreate);

  // The store returns keys in ascending order; any other target defaults to ASCEND.
  let order = sortOrder;
  if (sortTarget !== 'KEY' && order === 'NONE') order = 'ASCEND';
  if (order !== 'NONE') {
    const cmp = sortKey(sortTarget);
    kvs = order === 'ASCEND' ? kvs.sort(cmp) : kvs.sort((a, b) => cmp(b, a));
  }

  let more = false;
  if (requestLimit > 0 && kvs.length > requestLimit) {
    kvs = kvs.slice(0, requestLimit);
    more = true;
  }
  if (r.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: '' }));
  return { header: header(undefined, rr.rev), kvs, more, count: rr.count };
}

/** A put inside a write transaction (etcd's applierV3backend.Put with a txn). */
function putIn(txn: TxnWrite, p: PutRequest): PutResponse {
  let value = p.value;
  let lease = p.lease ?? 0;
  let prev: KeyValue | undefined;
  if (p.ignoreValue || p.ignoreLease || p.prevKv) {
    prev = txn.range(p.key, undefined).kvs[0];
  }
  if ((p.ignoreValue || p.ignoreLease) && prev === undefined) {
    // ignore_value / ignore_lease need the previous key-value.
    throw new MvccError('keyNotFound');
  }
  if (p.ignoreValue) value = prev!.value;
  if (p.ignoreLease) lease = prev!.lease;
  const revision = txn.put(p.key, value, lease);
  const response: PutResponse = { header: header(undefined, revision) };
  if (p.prevKv && prev !== undefined) response.prevKv = prev;
  return response;
}

/** A delete inside a write transaction (etcd's applierV3backend.DeleteRange with a txn). */
function deleteIn(txn: TxnWrite, dr: DeleteRangeRequest): DeleteRangeResponse {
  const end = rangeEndForIndex(dr.rangeEnd);
  const prevKvs = dr.prevKv ? txn.range(dr.key, end).kvs : [];
  const { deleted, rev } = txn.deleteRange(dr.key, end);
  return { header: header(undefined, rev), deleted, prevKvs };
}

function requireLeaseCallback(ctx: ApplyContext): (leaseId: number) => boolean {
  if (!ctx.leaseExists) unreachable('ApplyContext.leaseExists is required to put with a lease');
  return ctx.leaseExists;
}

/** A Range request at the store's current revision. Throws 'futureRev' / 'compacted'. */
export function applyRange(store: KVStore, r: RangeRequest, ctx: ApplyContext = {}): RangeResponse {
  const response = rangeIn(store.read(), r);
  response.header = header(ctx.header, response.header.revision);
  return response;
}

/**
 * A Put request in its own write transaction. Throws 'leaseNotFound' for an unknown lease and
 * 'keyNotFound' for ignore_value / ignore_lease on a missing key; neither changes the store.
 */
export function applyPut(store: KVStore, p: PutRequest, ctx: ApplyContext = {}): Applied<PutResponse> {
  const lease = p.lease ?? 0;
  if (lease !== 0 && !requireLeaseCallback(ctx)(lease)) throw new MvccError('leaseNotFound');
  const txn = store.write();
  let response: PutResponse;
  let write: WriteResult;
  try {
    response = putIn(txn, p);
  } finally {
    write = txn.end();
  }
  response.header = header(ctx.header, response.header.revision);
  return { response, write };
}

/** A DeleteRange request in its own write transaction. */
export function applyDeleteRange(store: KVStore, dr: DeleteRangeRequest, ctx: ApplyContext = {}): Applied<DeleteRangeResponse> {
  const txn = store.write();
  let response: DeleteRangeResponse;
  let write: WriteResult;
  try {
    response = deleteIn(txn, dr);
  } finally {
    write = txn.end();
  }
  response.header = header(ctx.header, response.header.revision);
  return { response, write };
}

/** A Compaction request. Throws 'compacted' / 'futureRev' (see KVStore.compact). */
export function applyCompaction(
  store: KVStore,
  c: CompactionRequest,
  ctx: ApplyContext = {},
): { response: CompactionResponse; result: CompactResult } {
  const result = store.compact(c.revision);
  return { response: { header: header(ctx.header, store.currentRevision) }, result };
}

/** True when a txn holds only ranges, in both branches (etcd's isTxnReadonly). */
export function isTxnReadonly(r: TxnRequest): boolean {
  return [...r.success, ...r.failure].every((op) => 'requestRange' in op);
}

/** True when a txn holds only serializable ranges (etcd's isTxnSerializable). */
export function isTxnSerializable(r: TxnRequest): boolean {
  return [...r.success, ...r.failure].every((op) => 'requestRange' in op && op.requestRange.serializable === true);
}

function compareResult(c: Compare, kv: KeyValue): boolean {
  let result: number;
  switch (c.target) {
    case 'VALUE':
      result = compareStrings(kv.value, c.value ?? '');
      break;
    case 'CREATE':
      result = Math.sign(kv.createRevision - (c.createRevision ?? 0));
      break;
    case 'MOD':
      result = Math.sign(kv.modRevision - (c.modRevision ?? 0));
      break;
    case 'VERSION':
      result = Math.sign(kv.version - (c.version ?? 0));
      break;
    case 'LEASE':
      result = Math.sign(kv.lease - (c.lease ?? 0));
      break;
    default:
      return assertNever(c.target, 'compare target');
  }
  switch (c.result) {
    case 'EQUAL':
      return result === 0;
    case 'NOT_EQUAL':
      return result !== 0;
    case 'GREATER':
      return result > 0;
    case 'LESS':
      return result < 0;
    default:
      return assertNever(c.result, 'compare result');
  }
}

const ABSENT_KV: KeyValue = { key: '', createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 };

/**
 * One txn compare in a view (etcd's applyCompare). Over a range it holds only if it holds for
 * every key in it. With no key at all, VERSION/CREATE/MOD/LEASE compare against zero (so
 * `create == 0` tests absence) and VALUE is false.
 */
export function evaluateCompare(view: ReadView, c: Compare): boolean {
  let kvs: KeyValue[];
  try {
    kvs = view.range(c.key, rangeEndForIndex(c.rangeEnd)).kvs;
  } catch (error) {
    if (isMvccError(error)) return false;
    throw error;
  }
  if (kvs.length === 0) {
    // No way to tell a missing value from an empty one: a value compare on nothing fails.
    if (c.target === 'VALUE') return false;
    return compareResult(c, ABSENT_KV);
  }
  return kvs.every((kv) => compareResult(c, kv));
}

/** Which branch each txn on the executed path takes; nested txns by their op index. */
interface TxnPath {
  succeeded: boolean;
  nested: Map<number, TxnPath>;
}

/** Evaluates every compare on the path up front, against the view before any op runs. */
function comparePath(view: ReadView, r: TxnRequest): TxnPath {
  const succeeded = r.compare.every((c) => evaluateCompare(view, c));
  const nested = new Map<number, TxnPath>();
  (succeeded ? r.success : r.failure).forEach((op, i) => {
    if ('requestTxn' in op) nested.set(i, comparePath(view, op.requestTxn));
  });
  return { succeeded, nested };
}

/** Runs `check` on every non-txn op the path will execute. */
function checkPath(r: TxnRequest, path: TxnPath, check: (op: RequestOp) => void): void {
  (path.succeeded ? r.success : r.failure).forEach((op, i) => {
    if ('requestTxn' in op) checkPath(op.requestTxn, path.nested.get(i)!, check);
    else check(op);
  });
}

/** etcd's checkRequestPut: the previous key for ignore_*, the lease, both before the txn. */
function checkPutOp(view: ReadView, op: RequestOp, ctx: ApplyContext): void {
  if (!('requestPut' in op)) return;
  const p = op.requestPut;
  if (p.ignoreValue || p.ignoreLease) {
    if (view.range(p.key, undefined).kvs.length === 0) throw new MvccError('keyNotFound');
  }
  const lease = p.lease ?? 0;
  if (lease !== 0 && !requireLeaseCallback(ctx)(lease)) throw new MvccError('leaseNotFound');
}

/** etcd's checkRequestRange: a range's revision must be inside the view's window. */
function checkRangeOp(view: ReadView, op: RequestOp): void {
  if (!('requestRange' in op)) return;
  const rev = op.requestRange.revision ?? 0;
  if (rev === 0) return;
  if (rev > view.rev) throw new MvccError('futureRev');
  if (rev < view.firstRev) throw new MvccError('compacted');
}

/** An op whose error etcd treats as fatal inside a txn (it panics; here: an assertion). */
function mustSucceed<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isMvccError(error)) unreachable(`unexpected error during txn: ${error.message}`);
    throw error;
  }
}

function executeTxn(view: ReadView, txn: TxnWrite | null, r: TxnRequest, path: TxnPath): TxnResponse {
  const responses: ResponseOp[] = (path.succeeded ? r.success : r.failure).map((op, i): ResponseOp => {
    if ('requestRange' in op) return { responseRange: mustSucceed(() => rangeIn(view, op.requestRange)) };
    if ('requestTxn' in op) return { responseTxn: executeTxn(view, txn, op.requestTxn, path.nested.get(i)!) };
    if (txn === null) unreachable('write op in a read-only txn');
    if ('requestPut' in op) return { responsePut: mustSucceed(() => putIn(txn, op.requestPut)) };
    if ('requestDeleteRange' in op) return { responseDeleteRange: mustSucceed(() => deleteIn(txn, op.requestDeleteRange)) };
    return assertNever(op, 'request op');
  });
  // A nested txn's header stays zero: etcd sets only the top-level header's revision.
  return { header: header(undefined, 0), succeeded: path.succeeded, responses };
}

/**
 * A Txn request (etcd's applierV3backend.Txn): all compares on the path are evaluated first,
 * against the store as it was before the txn; then the checks (put: previous key for ignore_*,
 * lease; range: revision window) on the ops that will run; then the ops in order, all at one main
 * revision with increasing sub revisions, each range seeing the changes made before it. The header
 * revision is the store revision after the txn. Throws 'keyNotFound', 'leaseNotFound',
 * 'futureRev', 'compacted' from the checks, before anything changes.
 */
export function applyTxn(store: KVStore, r: TxnRequest, ctx: ApplyContext = {}): Applied<TxnResponse> {
  const readOnly = isTxnReadonly(r);
  const view = store.read();
  const path = comparePath(view, r);
  if (!readOnly) checkPath(r, path, (op) => checkPutOp(view, op, ctx));
  checkPath(r, path, (op) => checkRangeOp(view, op));

  if (readOnly) {
    const response = executeTxn(view, null, r, path);
    response.header = header(ctx.header, view.rev);
    return { response, write: null };
  }
  const txn = store.write();
  let response: TxnResponse;
  let write: WriteResult;
  try {
    response = executeTxn(txn, txn, r, path);
  } finally {
    write = txn.end();
  }
  response.header = header(ctx.header, write.revision);
  return { response, write };
}
