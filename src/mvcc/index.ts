// The MVCC layer's public API: etcd v3's key-value store with revisions, generations, txn,
// compaction, hash, durable records and watches. Pure: imports only src/lib; no clock, no timers,
// no I/O. Time, lease lookups and persistence are the caller's (src/server).

export type * from './types';
export { MvccError, isMvccError, MVCC_ERROR_TEXT, type MvccErrorCode, type MvccGrpcCode } from './errors';
export {
  compareRevision,
  revisionGreaterThan,
  revisionId,
  revToBytes,
  bytesToRev,
  isTombstoneKey,
  type Revision,
} from './revision';
export type { GenerationView, KeyAtRevision } from './keyIndex';
export type { BackendRecord } from './keyBucket';
export { crc32c } from './crc32c';
export { marshalKeyValue } from './protobuf';
export type { HashKVResult } from './hash';
export {
  KVStore,
  TxnRead,
  TxnWrite,
  type ReadView,
  type RangeOptions,
  type RangeResult,
  type WriteResult,
  type LeaseChange,
  type StoreMeta,
  type StoreChanges,
  type StoreSnapshot,
  type CompactResult,
  type HistoryEntry,
} from './kvStore';
export {
  applyRange,
  applyPut,
  applyDeleteRange,
  applyTxn,
  applyCompaction,
  evaluateCompare,
  isTxnReadonly,
  isTxnSerializable,
  rangeEndForIndex,
  type ApplyContext,
  type Applied,
  type HeaderFields,
} from './txn';
export {
  MAX_TXN_OPS_DEFAULT,
  checkRangeRequest,
  checkPutRequest,
  checkDeleteRequest,
  checkTxnRequest,
  checkIntervals,
  validateTxnRequest,
} from './validate';
export {
  WatchableStore,
  WatchStream,
  CHAN_BUF_LEN,
  MAX_WATCHERS_PER_SYNC,
  PROGRESS_REPORT_INTERVAL_MS,
  WATCH_MAX_REQUEST_BYTES,
  INVALID_WATCH_ID,
  AUTO_WATCH_ID,
  type WatchableStoreOptions,
  type WatchStreamOptions,
  type WatcherCounts,
} from './watchableStore';
export { WATCH_BATCH_MAX_REVS } from './watcherGroup';
