// The MVCC layer's expected failures, as one typed error with etcd's words. Pure: no I/O.
//
// etcd words an error twice. The package that detects it returns a short Go error (mvcc's
// "mvcc: required revision has been compacted", the lessor's "lease not found"); the gRPC layer
// (etcdserver/api/v3rpc/util.go togRPCError and rpctypes/error.go) maps it to the text a client
// prints ("etcdserver: mvcc: required revision has been compacted"). An MvccError carries both,
// plus the gRPC status code, so the server and the etcdctl formatter never re-derive them.
// Request-validation errors (v3rpc/key.go) are born at the gRPC layer, so both texts are the same.
// Bugs are not MvccErrors: they are assertions (src/lib/assert.ts).

/** Why an MVCC call failed. Each code is one etcd error variable (named in TEXT below). */
export type MvccErrorCode =
  | 'compacted'
  | 'futureRev'
  | 'keyNotFound'
  | 'leaseNotFound'
  | 'emptyKey'
  | 'valueProvided'
  | 'leaseProvided'
  | 'tooManyOps'
  | 'duplicateKey'
  | 'emptyWatcherRange'
  | 'watcherNotExist'
  | 'duplicateWatchId';

/** gRPC status code names (google.golang.org/grpc/codes) that etcd uses for these errors. */
export type MvccGrpcCode = 'OutOfRange' | 'InvalidArgument' | 'NotFound' | 'Unknown';

interface MvccErrorText {
  /** The Go error text where the error is born. */
  message: string;
  grpcCode: MvccGrpcCode;
  /** What a client sees: rpctypes.ErrGRPC*'s desc, or the Go text when etcd has no mapping. */
  grpcMessage: string;
}

/** etcd 3.4's texts, checked against mvcc/*.go, etcdserver/errors.go, lease and rpctypes. */
export const MVCC_ERROR_TEXT: Readonly<Record<MvccErrorCode, MvccErrorText>> = {
  // mvcc.ErrCompacted -> rpctypes.ErrGRPCCompacted
  compacted: {
    message: 'mvcc: required revision has been compacted',
    grpcCode: 'OutOfRange',
    grpcMessage: 'etcdserver: mvcc: required revision has been compacted',
  },
  // mvcc.ErrFutureRev -> rpctypes.ErrGRPCFutureRev
  futureRev: {
    message: 'mvcc: required revision is a future revision',
    grpcCode: 'OutOfRange',
    grpcMessage: 'etcdserver: mvcc: required revision is a future revision',
  },
  // etcdserver.ErrKeyNotFound -> rpctypes.ErrGRPCKeyNotFound (put with ignore_value/ignore_lease)
  keyNotFound: {
    message: 'etcdserver: key not found',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: key not found',
  },
  // lease.ErrLeaseNotFound -> rpctypes.ErrGRPCLeaseNotFound
  leaseNotFound: {
    message: 'lease not found',
    grpcCode: 'NotFound',
    grpcMessage: 'etcdserver: requested lease not found',
  },
  // rpctypes.ErrGRPCEmptyKey
  emptyKey: {
    message: 'etcdserver: key is not provided',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: key is not provided',
  },
  // rpctypes.ErrGRPCValueProvided
  valueProvided: {
    message: 'etcdserver: value is provided',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: value is provided',
  },
  // rpctypes.ErrGRPCLeaseProvided
  leaseProvided: {
    message: 'etcdserver: lease is provided',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: lease is provided',
  },
  // rpctypes.ErrGRPCTooManyOps
  tooManyOps: {
    message: 'etcdserver: too many operations in txn request',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: too many operations in txn request',
  },
  // rpctypes.ErrGRPCDuplicateKey
  duplicateKey: {
    message: 'etcdserver: duplicate key given in txn request',
    grpcCode: 'InvalidArgument',
    grpcMessage: 'etcdserver: duplicate key given in txn request',
  },
  // mvcc.ErrEmptyWatcherRange: no gRPC mapping; the watch server puts the Go text in cancel_reason.
  emptyWatcherRange: {
    message: 'mvcc: watcher range is empty',
    grpcCode: 'Unknown',
    grpcMessage: 'mvcc: watcher range is empty',
  },
  // mvcc.ErrWatcherNotExist: a cancel of an unknown ID; the watch server then sends nothing.
  watcherNotExist: {
    message: 'mvcc: watcher does not exist',
    grpcCode: 'Unknown',
    grpcMessage: 'mvcc: watcher does not exist',
  },
  // mvcc.ErrWatcherDuplicateID: reported in cancel_reason of the create response.
  duplicateWatchId: {
    message: 'mvcc: duplicate watch ID provided on the WatchStream',
    grpcCode: 'Unknown',
    grpcMessage: 'mvcc: duplicate watch ID provided on the WatchStream',
  },
};

/**
 * An expected MVCC failure: a revision out of the store's window, a put that needs a missing key
 * or lease, an invalid request. `message` is the originating Go text, `grpcMessage` the client's.
 * It is thrown; code that crosses a worker boundary should turn it into `{ ok: false, code }`.
 */
export class MvccError extends Error {
  override name = 'MvccError';
  readonly code: MvccErrorCode;
  readonly grpcCode: MvccGrpcCode;
  readonly grpcMessage: string;

  constructor(code: MvccErrorCode) {
    const text = MVCC_ERROR_TEXT[code];
    super(text.message);
    this.code = code;
    this.grpcCode = text.grpcCode;
    this.grpcMessage = text.grpcMessage;
  }
}

/** True when `error` is an MvccError (with the given code, if one is given). */
export function isMvccError(error: unknown, code?: MvccErrorCode): error is MvccError {
  return error instanceof MvccError && (code === undefined || error.code === code);
}
