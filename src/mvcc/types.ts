// The etcd v3 key-value API shapes (etcdserverpb / mvccpb in etcd 3.4), as plain data.
//
// Keys and values are byte strings: JavaScript strings whose code units are all in 0..255, one per
// byte (UTF-8 text is encoded before it gets here). Then string order is etcd's byte order, a
// prefix's range end is computed on bytes, and a value's length is its size in bytes. For ASCII the
// byte string is the text itself. Revisions and lease IDs are plain numbers: the playground never
// comes near 2^53.

/** A key-value pair as etcd stores it (mvccpb.KeyValue). */
export interface KeyValue {
  key: string;
  /** Main revision of the put that created the current generation of this key. */
  createRevision: number;
  /** Main revision of the last change to this key. */
  modRevision: number;
  /** Number of puts in the current generation; a delete resets it. */
  version: number;
  value: string;
  /** The attached lease, 0 for none. */
  lease: number;
}

/** A change seen by a watcher (mvccpb.Event). */
export interface MvccEvent {
  type: 'PUT' | 'DELETE';
  /** For DELETE: the key with modRevision = the tombstone's revision and everything else zero. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** Header of every response (etcdserverpb.ResponseHeader). */
export interface ResponseHeader {
  clusterId: number;
  memberId: number;
  /** The store revision when the request was applied (for reads: the current revision). */
  revision: number;
  raftTerm: number;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

/**
 * etcdserverpb.RangeRequest. `rangeEnd` empty: the single key; `"\0"`: every key >= key;
 * otherwise the half-open interval [key, rangeEnd).
 */
export interface RangeRequest {
  key: string;
  rangeEnd?: string;
  limit?: number;
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: string;
  value: string;
  lease?: number;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prevKvs: KeyValue[];
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';

/** etcdserverpb.Compare: exactly one of the target values is meaningful, chosen by `target`. */
export interface Compare {
  result: CompareResult;
  target: CompareTarget;
  key: string;
  rangeEnd?: string;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: string;
  lease?: number;
}

export type RequestOp =
  | { requestRange: RangeRequest }
  | { requestPut: PutRequest }
  | { requestDeleteRange: DeleteRangeRequest }
  | { requestTxn: TxnRequest };

export type ResponseOp =
  | { responseRange: RangeResponse }
  | { responsePut: PutResponse }
  | { responseDeleteRange: DeleteRangeResponse }
  | { responseTxn: TxnResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export interface CompactionResponse {
  header: ResponseHeader;
}

// ---- Watch (etcdserverpb.WatchCreateRequest / WatchResponse) ----

/** Server-side event filters of a watch (etcdserverpb.WatchCreateRequest.FilterType). */
export type WatchFilter = 'NOPUT' | 'NODELETE';

/**
 * etcdserverpb.WatchCreateRequest. `key` empty: "\0" (the smallest key); `rangeEnd` as in
 * RangeRequest. `startRevision` 0 or absent: from the next revision; `watchId` 0 or absent: the
 * stream picks the next free ID.
 */
export interface WatchCreateRequest {
  key: string;
  rangeEnd?: string;
  startRevision?: number;
  progressNotify?: boolean;
  filters?: WatchFilter[];
  prevKv?: boolean;
  watchId?: number;
  fragment?: boolean;
}

/** etcdserverpb.WatchResponse, as the watch server sends it down the stream. */
export interface WatchResponse {
  header: ResponseHeader;
  /** -1 for a failed create and for a progress notification that speaks for the whole stream. */
  watchId: number;
  created: boolean;
  canceled: boolean;
  /** Set (non-zero) when the watcher was cancelled because its next revision was compacted. */
  compactRevision: number;
  cancelReason: string;
  /** More fragments of the same revision follow (only for watches created with `fragment`). */
  fragment: boolean;
  events: MvccEvent[];
}
