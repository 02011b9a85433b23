// The lessor's expected failures, as one typed error with etcd's words. Pure: no I/O.
//
// etcd has two layers of wording. The lessor (lease/lessor.go) returns short Go errors ("lease not
// found"); the gRPC layer (etcdserver/api/v3rpc/util.go togRPCError) maps three of them to the texts
// a client prints ("etcdserver: requested lease not found"), and passes any other error through as
// codes.Unknown with the Go text. A LeaseError carries both, so the server and the etcdctl formatter
// never have to re-derive them. Bugs are not LeaseErrors: they are assertions (src/lib/assert.ts).

/**
 * Why a lessor call failed. The names are etcd's Go error variables, so logs and code read alike.
 * `ErrLeaseExpired` is the playground's own: etcd's Renew *blocks* on an expired lease until the
 * revoke is applied (then answers ErrLeaseNotFound) or the lessor is demoted (then ErrNotPrimary);
 * a pure lessor cannot block, so it reports the condition and the server parks the request.
 */
export type LeaseErrorCode =
  | 'ErrLeaseNotFound'
  | 'ErrLeaseExists'
  | 'ErrLeaseTTLTooLarge'
  | 'ErrNotPrimary'
  | 'ErrLeaseExpired';

/** gRPC status codes etcd uses for lease errors (google.golang.org/grpc/codes names). */
export type LeaseGrpcCode = 'NotFound' | 'FailedPrecondition' | 'OutOfRange' | 'Unknown';

interface LeaseErrorText {
  /** The lessor-level Go error text (lease/lessor.go). */
  message: string;
  grpcCode: LeaseGrpcCode;
  /** What the client sees (rpctypes.ErrGRPC*), or the Go text when etcd has no mapping. */
  grpcMessage: string;
}

/** etcd 3.4's texts for every lease error, checked against lessor.go and rpctypes/error.go. */
export const LEASE_ERROR_TEXT: Readonly<Record<LeaseErrorCode, LeaseErrorText>> = {
  ErrLeaseNotFound: {
    message: 'lease not found',
    grpcCode: 'NotFound',
    grpcMessage: 'etcdserver: requested lease not found',
  },
  ErrLeaseExists: {
    message: 'lease already exists',
    grpcCode: 'FailedPrecondition',
    grpcMessage: 'etcdserver: lease already exists',
  },
  ErrLeaseTTLTooLarge: {
    message: 'too large lease TTL',
    grpcCode: 'OutOfRange',
    grpcMessage: 'etcdserver: too large lease TTL',
  },
  // No gRPC mapping in etcd: the server forwards renewals to the leader instead of failing, and
  // togRPCError would pass the Go text through as codes.Unknown if it ever escaped.
  ErrNotPrimary: {
    message: 'not a primary lessor',
    grpcCode: 'Unknown',
    grpcMessage: 'not a primary lessor',
  },
  // Playground-only (see LeaseErrorCode); never meant to reach a client.
  ErrLeaseExpired: {
    message: 'lease expired, waiting for its revoke',
    grpcCode: 'Unknown',
    grpcMessage: 'lease expired, waiting for its revoke',
  },
};

/**
 * An expected lessor failure: unknown lease, duplicate grant, oversized TTL, renew off the
 * primary, renew of an expired lease. `message` is the lessor's text, `grpcMessage` the client's.
 */
export class LeaseError extends Error {
  override name = 'LeaseError';
  readonly code: LeaseErrorCode;
  readonly grpcCode: LeaseGrpcCode;
  readonly grpcMessage: string;

  constructor(code: LeaseErrorCode) {
    const text = LEASE_ERROR_TEXT[code];
    super(text.message);
    this.code = code;
    this.grpcCode = text.grpcCode;
    this.grpcMessage = text.grpcMessage;
  }
}

/** True when `error` is a LeaseError (with the given code, if one is given). */
export function isLeaseError(error: unknown, code?: LeaseErrorCode): error is LeaseError {
  return error instanceof LeaseError && (code === undefined || error.code === code);
}
