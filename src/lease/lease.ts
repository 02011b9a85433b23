// One lease: its identity, granted TTL, checkpointed remaining TTL, expiry and attached keys; and
// the plain records that leave the lessor (persisted rows, views, checkpoints, TimeToLive).
// Pure: the expiry is a virtual millisecond handed in by the caller, never read from a clock.

import { assert } from '../lib/assert';

/**
 * A lease ID: etcd's int64 LeaseID as a JavaScript number. IDs the playground generates are exact
 * doubles (see leaseId.ts), so equality, ordering and Map keys are exact even above 2^53.
 */
export type LeaseId = number;

/** etcd's NoLease: the lease field of a key without a lease. */
export const NO_LEASE: LeaseId = 0;

/**
 * What etcd's TimeToLive reports for a lease that never expires on this member (a follower, or a
 * leader whose lessor is not promoted yet): Remaining() is math.MaxInt64 ns, i.e. this many seconds.
 */
export const FOREVER_TTL_SECONDS = 9_223_372_036;

/**
 * One row of etcd's bolt "lease" bucket (leasepb.Lease). This, not the in-memory lease, is what
 * survives a restart and what a Raft snapshot carries; attached keys are rebuilt from the MVCC
 * store's `lease` fields.
 */
export interface LeaseRecord {
  id: LeaseId;
  /** Granted TTL in seconds (already raised to the minimum when granted). */
  ttl: number;
  /** Checkpointed remaining TTL in seconds; 0 means unset (use the full TTL). */
  remainingTtl: number;
}

/** A read-only, structured-clone-safe view of a lease, for the server and the UI. */
export interface LeaseInfo {
  id: LeaseId;
  /** Granted TTL in seconds. */
  ttl: number;
  /** Checkpointed remaining TTL in seconds; 0 means unset. */
  remainingTtl: number;
  /** Virtual ms at which the lease expires; null = forever (not primary, or not yet promoted). */
  expiryMs: number | null;
  /** Attached keys in byte order. */
  keys: string[];
}

/**
 * One entry of etcd's LeaseCheckpointRequest: the leader's view of a lease's remaining TTL,
 * proposed through Raft so that every member can resume from it after a leader change.
 */
export interface LeaseCheckpoint {
  id: LeaseId;
  /** Whole seconds, rounded up; 0 clears a previous checkpoint (sent when a lease is renewed). */
  remainingTtlSeconds: number;
}

/** etcd's LeaseTimeToLiveResponse body as etcdctl prints it (`-w json`: id, ttl, granted-ttl, keys). */
export interface TimeToLive {
  id: LeaseId;
  /** Remaining seconds, truncated toward zero as etcd does; -1 when the lease does not exist. */
  ttl: number;
  /** The granted TTL; 0 when the lease does not exist. */
  grantedTtl: number;
  /** Attached keys in byte order when asked for; null when not asked for or not found (etcd: nil). */
  keys: string[] | null;
}

/**
 * The lessor's mutable lease. Only the lessor changes it; everything outside sees LeaseInfo.
 */
export class Lease {
  readonly id: LeaseId;
  /** Invariant: an integer ≥ the lessor's minimum TTL at the time it was granted or restored. */
  ttl: number;
  /**
   * Invariant: changes only through an applied checkpoint (a committed Raft entry) or a restore,
   * so every member holds the same value. 0 means unset.
   */
  remainingTtl: number;
  /** Invariant: null (forever) on every non-primary lessor; an absolute virtual ms otherwise. */
  expiryMs: number | null = null;
  /** Invariant: each key here maps back to this lease in the lessor's key index. */
  readonly keys = new Set<string>();

  constructor(id: LeaseId, ttl: number, remainingTtl = 0) {
    assert(Number.isInteger(ttl), () => `lease ${id}: ttl ${ttl} is not an integer`);
    assert(Number.isInteger(remainingTtl), () => `lease ${id}: remainingTtl ${remainingTtl} is not an integer`);
    this.id = id;
    this.ttl = ttl;
    this.remainingTtl = remainingTtl;
  }

  /** etcd's RemainingTTL(): the checkpointed remaining TTL when set, else the granted TTL. */
  effectiveTtl(): number {
    return this.remainingTtl > 0 ? this.remainingTtl : this.ttl;
  }

  /** etcd's refresh(extend): the lease now lives `extendMs` plus its effective TTL from `now`. */
  refresh(now: number, extendMs: number): void {
    this.refreshWithTtl(now, extendMs, this.effectiveTtl());
  }

  /** Sets the expiry to now + extend + ttlSeconds (renew uses the full TTL when clearing a checkpoint). */
  refreshWithTtl(now: number, extendMs: number, ttlSeconds: number): void {
    this.expiryMs = now + extendMs + ttlSeconds * 1000;
  }

  /** etcd's forever(): the lease cannot expire until the lessor is promoted. */
  forever(): void {
    this.expiryMs = null;
  }

  /** Milliseconds left at `now`; Infinity for a lease that never expires here. May be negative. */
  remainingMs(now: number): number {
    return this.expiryMs === null ? Number.POSITIVE_INFINITY : this.expiryMs - now;
  }

  /** etcd's expired(): Remaining() <= 0. A forever lease never expires. */
  expired(now: number): boolean {
    return this.remainingMs(now) <= 0;
  }

  /** Attached keys in byte order (etcd sorts them before deleting, so all members agree). */
  sortedKeys(): string[] {
    return [...this.keys].sort(compareBytes);
  }

  /** The row etcd would write for this lease (persistTo). */
  toRecord(): LeaseRecord {
    return { id: this.id, ttl: this.ttl, remainingTtl: this.remainingTtl };
  }

  /** A detached view for callers. */
  info(): LeaseInfo {
    return {
      id: this.id,
      ttl: this.ttl,
      remainingTtl: this.remainingTtl,
      expiryMs: this.expiryMs,
      keys: this.sortedKeys(),
    };
  }
}

/**
 * Byte order for byte strings (every code unit in 0..255, see src/mvcc/types.ts), which is also
 * UTF-16 code unit order: what Go's sort.Strings does on the same bytes.
 */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numeric order of lease IDs (no subtraction: IDs above 2^53 are compared exactly). */
export function compareIds(a: LeaseId, b: LeaseId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
