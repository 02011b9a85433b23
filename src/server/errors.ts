// The errors an etcd member returns to clients, with etcd 3.4's texts and gRPC codes
// (etcdserver/errors.go, membership/errors.go, mapped by api/v3rpc/util.go togRPCError to
// rpctypes/error.go). Every failure that leaves the server is a plain `RpcError` value
// ({ grpcCode, message }), so it survives the worker boundary and the simulated network.

import { isMvccError } from '../mvcc/index';
import { isLeaseError } from '../lease/index';

/** gRPC status codes by name. */
export type GrpcCode =
  | 'Canceled'
  | 'Unknown'
  | 'InvalidArgument'
  | 'DeadlineExceeded'
  | 'NotFound'
  | 'AlreadyExists'
  | 'PermissionDenied'
  | 'ResourceExhausted'
  | 'FailedPrecondition'
  | 'Aborted'
  | 'OutOfRange'
  | 'Unimplemented'
  | 'Internal'
  | 'Unavailable'
  | 'DataLoss'
  | 'Unauthenticated';

/** A failure as the client receives it: the gRPC code and the status description. */
export interface RpcError {
  grpcCode: GrpcCode;
  message: string;
}

function e(grpcCode: GrpcCode, message: string): RpcError {
  return Object.freeze({ grpcCode, message });
}

/** etcd's server errors, as clients see them (rpctypes.ErrGRPC*). */
export const Errors = {
  emptyKey: e('InvalidArgument', 'etcdserver: key is not provided'),
  keyNotFound: e('InvalidArgument', 'etcdserver: key not found'),
  tooManyOps: e('InvalidArgument', 'etcdserver: too many operations in txn request'),
  duplicateKey: e('InvalidArgument', 'etcdserver: duplicate key given in txn request'),
  compacted: e('OutOfRange', 'etcdserver: mvcc: required revision has been compacted'),
  futureRev: e('OutOfRange', 'etcdserver: mvcc: required revision is a future revision'),
  noSpace: e('ResourceExhausted', 'etcdserver: mvcc: database space exceeded'),
  leaseNotFound: e('NotFound', 'etcdserver: requested lease not found'),
  leaseExist: e('FailedPrecondition', 'etcdserver: lease already exists'),
  leaseTTLTooLarge: e('OutOfRange', 'etcdserver: too large lease TTL'),
  memberExist: e('FailedPrecondition', 'etcdserver: member ID already exist'),
  peerURLExist: e('FailedPrecondition', 'etcdserver: Peer URLs already exists'),
  memberNotEnoughStarted: e('FailedPrecondition', 'etcdserver: re-configuration failed due to not enough started members'),
  memberBadURLs: e('InvalidArgument', 'etcdserver: given member URLs are invalid'),
  memberNotFound: e('NotFound', 'etcdserver: member not found'),
  memberNotLearner: e('FailedPrecondition', 'etcdserver: can only promote a learner member'),
  learnerNotReady: e('FailedPrecondition', 'etcdserver: can only promote a learner member which is in sync with leader'),
  tooManyLearners: e('FailedPrecondition', 'etcdserver: too many learner members in cluster'),
  requestTooLarge: e('InvalidArgument', 'etcdserver: request is too large'),
  tooManyRequests: e('ResourceExhausted', 'etcdserver: too many requests'),
  noLeader: e('Unavailable', 'etcdserver: no leader'),
  notLeader: e('FailedPrecondition', 'etcdserver: not leader'),
  leaderChanged: e('Unavailable', 'etcdserver: leader changed'),
  stopped: e('Unavailable', 'etcdserver: server stopped'),
  timeout: e('Unavailable', 'etcdserver: request timed out'),
  timeoutDueToLeaderFail: e('Unavailable', 'etcdserver: request timed out, possibly due to previous leader failure'),
  timeoutDueToConnectionLost: e('Unavailable', 'etcdserver: request timed out, possibly due to connection lost'),
  timeoutWaitAppliedIndex: e('Unavailable', 'etcdserver: request timed out, waiting for the applied index took too long'),
  timeoutLeaderTransfer: e('Unknown', 'etcdserver: request timed out, leader transfer took too long'),
  unhealthy: e('Unavailable', 'etcdserver: unhealthy cluster'),
  corrupt: e('DataLoss', 'etcdserver: corrupt cluster'),
  notSupportedForLearner: e('Unavailable', 'etcdserver: rpc not supported for learner'),
  badLeaderTransferee: e('FailedPrecondition', 'etcdserver: bad leader transferee'),
  canceled: e('Unknown', 'etcdserver: request cancelled'),
  proposalDropped: e('Unknown', 'raft proposal dropped'),
  watchCanceled: e('Canceled', 'etcdserver: watch canceled'),
} as const;

/** Membership validation failures (membership/errors.go), mapped as togRPCError maps them. */
export const MembershipErrors = {
  idRemoved: Errors.memberNotFound,
  idNotFound: Errors.memberNotFound,
  idExists: Errors.memberExist,
  peerURLExists: Errors.peerURLExist,
  memberNotLearner: Errors.memberNotLearner,
  tooManyLearners: Errors.tooManyLearners,
} as const;

/** Thrown inside the server for an expected failure; carries the RpcError to send back. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(readonly rpc: RpcError) {
    super(rpc.message);
  }
}

/**
 * Maps any expected failure (ServerError, MvccError, LeaseError) to what the client receives.
 * Anything else is a bug and is rethrown.
 */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof ServerError) return err.rpc;
  if (isMvccError(err)) return { grpcCode: err.grpcCode, message: err.grpcMessage };
  if (isLeaseError(err)) return { grpcCode: err.grpcCode, message: err.grpcMessage };
  throw err;
}

export function isRpcError(x: unknown): x is RpcError {
  return typeof x === 'object' && x !== null && typeof (x as RpcError).grpcCode === 'string' && typeof (x as RpcError).message === 'string';
}
