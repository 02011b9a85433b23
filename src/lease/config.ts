// The lessor's configuration and etcd's constants, with the startup checks that relate them.
// Pure: numbers in, numbers out. Times are virtual milliseconds, TTLs whole seconds, as in etcd.

import { assert } from '../lib/assert';

/** etcd's MaxLeaseTTL: a grant above 9,000,000,000 s fails with "too large lease TTL". */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;

/** etcd's defaultLeaseRevokeRate: at most this many expired leases are handed out per second. */
export const DEFAULT_LEASE_REVOKE_RATE = 1000;

/** etcd's leaseCheckpointRate: checkpoints recorded per second (500 batches per 500 ms loop). */
export const LEASE_CHECKPOINT_RATE = 1000;

/** etcd's maxLeaseCheckpointBatchSize: checkpoints per LeaseCheckpoint Raft entry. */
export const MAX_LEASE_CHECKPOINT_BATCH_SIZE = 1000;

/** etcd's defaultLeaseCheckpointInterval (5 min): how often the leader checkpoints each lease. */
export const DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;

/** etcd's defaultExpiredleaseRetryInterval (3 s), used when the server passes none. */
export const DEFAULT_EXPIRED_LEASES_RETRY_INTERVAL_MS = 3000;

/**
 * The period of etcd's lessor runLoop: every 500 ms it looks for expired leases and due
 * checkpoints. The server calls `findExpired` and `checkpointsDue` on this beat.
 */
export const LESSOR_LOOP_INTERVAL_MS = 500;

/** The lessor's knobs; every field has etcd's default (see DEFAULT_LESSOR_CONFIG). */
export interface LessorConfig {
  /**
   * Shorter grants are raised to this. etcd's server sets it to ceil(1.5 × election timeout)
   * (2 s with defaults) so a lease cannot expire during one leader election.
   */
  minLeaseTtlSeconds: number;
  /** Grants above this fail with ErrLeaseTTLTooLarge (etcd: the constant MaxLeaseTTL). */
  maxLeaseTtlSeconds: number;
  /** `--experimental-enable-lease-checkpoint` (etcd 3.4, off by default). */
  checkpointingEnabled: boolean;
  /**
   * `--experimental-enable-lease-checkpoint-persist` (etcd 3.4.20+, off by default; requires
   * checkpointing). When off, an applied checkpoint lives in memory only, so a restart forgets it.
   */
  checkpointPersist: boolean;
  /** Each lease is checkpointed this long after its last grant/promote/checkpoint. */
  checkpointIntervalMs: number;
  /**
   * An expired lease handed to the server is not handed out again before this has passed, so a
   * revoke lost with a leader change is retried. etcd's server passes its request timeout
   * (5 s + 2 × election timeout = 7 s with defaults); the lessor's own default is 3 s.
   */
  expiredLeasesRetryIntervalMs: number;
  /** Leases revoked per second at most (etcd leaseRevokeRate); also drives Promote's spreading. */
  leaseRevokeRate: number;
}

/** etcd 3.4's defaults with the server's default timing (election 1000 ms → minimum TTL 2 s). */
export const DEFAULT_LESSOR_CONFIG: Readonly<LessorConfig> = Object.freeze({
  minLeaseTtlSeconds: 2,
  maxLeaseTtlSeconds: MAX_LEASE_TTL_SECONDS,
  checkpointingEnabled: false,
  checkpointPersist: false,
  checkpointIntervalMs: DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS,
  expiredLeasesRetryIntervalMs: DEFAULT_EXPIRED_LEASES_RETRY_INTERVAL_MS,
  leaseRevokeRate: DEFAULT_LEASE_REVOKE_RATE,
});

/** Fills defaults and checks the relations etcd checks at startup (a bad config is a bug). */
export function resolveLessorConfig(partial: Partial<LessorConfig> = {}): Readonly<LessorConfig> {
  const config: LessorConfig = { ...DEFAULT_LESSOR_CONFIG, ...partial };
  assert(Number.isInteger(config.minLeaseTtlSeconds), 'lessor: minLeaseTtlSeconds must be an integer');
  assert(config.minLeaseTtlSeconds >= 0, 'lessor: minLeaseTtlSeconds must not be negative');
  assert(Number.isInteger(config.maxLeaseTtlSeconds), 'lessor: maxLeaseTtlSeconds must be an integer');
  assert(
    config.maxLeaseTtlSeconds >= config.minLeaseTtlSeconds,
    'lessor: maxLeaseTtlSeconds must be at least minLeaseTtlSeconds',
  );
  assert(Number.isInteger(config.checkpointIntervalMs), 'lessor: checkpointIntervalMs must be an integer');
  assert(config.checkpointIntervalMs > 0, 'lessor: checkpointIntervalMs must be positive');
  assert(
    Number.isInteger(config.expiredLeasesRetryIntervalMs),
    'lessor: expiredLeasesRetryIntervalMs must be an integer',
  );
  // A zero retry interval would hand the same expired lease out forever within one call.
  assert(config.expiredLeasesRetryIntervalMs > 0, 'lessor: expiredLeasesRetryIntervalMs must be positive');
  assert(Number.isInteger(config.leaseRevokeRate), 'lessor: leaseRevokeRate must be an integer');
  // etcd revokes rate/2 per 500 ms loop; below 2 that budget is 0, which etcd reads as "no limit".
  assert(config.leaseRevokeRate >= 2, 'lessor: leaseRevokeRate must be at least 2');
  // etcd's embed config refuses the persist flag without checkpointing.
  assert(
    !config.checkpointPersist || config.checkpointingEnabled,
    'setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint',
  );
  return Object.freeze(config);
}

/** The server timing the lessor depends on: etcd's election ticks and tick (heartbeat) length. */
export interface ServerTiming {
  electionTicks: number;
  tickMs: number;
}

/**
 * What etcd's server derives for the lessor from its Raft timing (etcdserver/server.go, config.go):
 * - `minLeaseTtlSeconds` = ceil((3 × electionTicks / 2, integer division) ticks in seconds);
 * - `expiredLeasesRetryIntervalMs` = ReqTimeout = 5 s + 2 × election timeout;
 * - `promoteExtendMs` = the election timeout, the `extend` the server passes to Promote.
 */
export function lessorTimingFor(timing: ServerTiming): {
  minLeaseTtlSeconds: number;
  expiredLeasesRetryIntervalMs: number;
  promoteExtendMs: number;
} {
  const { electionTicks, tickMs } = timing;
  assert(Number.isInteger(electionTicks) && electionTicks > 0, 'lessorTimingFor: bad electionTicks');
  assert(Number.isInteger(tickMs) && tickMs > 0, 'lessorTimingFor: bad tickMs');
  const minTtlMs = Math.floor((3 * electionTicks) / 2) * tickMs;
  const electionTimeoutMs = electionTicks * tickMs;
  return {
    minLeaseTtlSeconds: Math.floor((minTtlMs + 999) / 1000),
    expiredLeasesRetryIntervalMs: 5000 + 2 * electionTimeoutMs,
    promoteExtendMs: electionTimeoutMs,
  };
}
