// The lease layer's public API: etcd 3.4's lessor as a pure object, plus the helpers the server
// and client need around it (ID generation and printing, error texts, timing derived from Raft's).
// Pure: imports only ../lib; time is virtual ms handed in; durability leaves as plain records.

export { Lessor } from './lessor';
export type { LeaseChanges, LessorSnapshot, RenewResult } from './lessor';
export { FOREVER_TTL_SECONDS, NO_LEASE, compareBytes, compareIds } from './lease';
export type { LeaseCheckpoint, LeaseId, LeaseInfo, LeaseRecord, TimeToLive } from './lease';
export { LEASE_ERROR_TEXT, LeaseError, isLeaseError } from './errors';
export type { LeaseErrorCode, LeaseGrpcCode } from './errors';
export {
  DEFAULT_EXPIRED_LEASES_RETRY_INTERVAL_MS,
  DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS,
  DEFAULT_LEASE_REVOKE_RATE,
  DEFAULT_LESSOR_CONFIG,
  LEASE_CHECKPOINT_RATE,
  LESSOR_LOOP_INTERVAL_MS,
  MAX_LEASE_CHECKPOINT_BATCH_SIZE,
  MAX_LEASE_TTL_SECONDS,
  lessorTimingFor,
  resolveLessorConfig,
} from './config';
export type { LessorConfig, ServerTiming } from './config';
export { LeaseIdGenerator, formatLeaseId, leaseIdDecimal, parseLeaseId } from './leaseId';
