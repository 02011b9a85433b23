// The lessor: every lease of one member, etcd 3.4's lease/lessor.go without its goroutines. Pure:
// no clock (time arrives as `now`, virtual ms), no timer (the server calls findExpired and
// checkpointsDue on its 500 ms beat), no I/O (durability leaves as plain records in drainChanges),
// and it never deletes keys or proposes anything itself.
//
// Who calls what, as in etcd's server:
// - on every member, when a Raft entry is applied: grant, revoke, applyCheckpoint, attach/detach
//   (from puts and deletes in the MVCC store);
// - on the leader only: renew (keep-alive), timeToLive, findExpired (→ propose LeaseRevoke),
//   checkpointsDue (→ propose LeaseCheckpoint);
// - promote(now, electionTimeout) once the new leader has applied the entries of earlier terms;
//   demote() when the member stops being leader.
//
// A worked example with checkpoints on (interval 5 s) and a 60 s lease granted at t=0 on leader A:
//   t=5 s  A.checkpointsDue → [{id, 55}]; proposed and applied on A and B: remainingTtl = 55
//   t=7 s  A crashes; B wins the election and is promoted at t=8 s with extend 1 s:
//          B expires it at 8 + 1 + 55 = 64 s (with checkpoints off: 8 + 1 + 60 = 69 s).

import { assert } from '../lib/assert';
import { CheckpointSchedule } from './checkpointSchedule';
import { MAX_LEASE_CHECKPOINT_BATCH_SIZE, resolveLessorConfig, type LessorConfig } from './config';
import { LeaseError } from './errors';
import { ExpiryQueue } from './expiryQueue';
import {
  compareIds,
  FOREVER_TTL_SECONDS,
  Lease,
  NO_LEASE,
  type LeaseCheckpoint,
  type LeaseId,
  type LeaseInfo,
  type LeaseRecord,
  type TimeToLive,
} from './lease';
import { RevokeBudget } from './revokeBudget';

/** What `renew` tells the server. */
export interface RenewResult {
  /** The granted TTL, what the keep-alive response carries. */
  ttl: number;
  /**
   * With checkpointing on and a checkpoint set on the lease: the checkpoint {id, 0} the server
   * must propose through Raft, so every member forgets the old remaining TTL (etcd's Renew
   * proposes it before refreshing). The lease is already refreshed to the full TTL here.
   */
  clearCheckpoint: LeaseCheckpoint | null;
}

/**
 * Lease rows changed since the last drain, for the server to write in the same storage
 * transaction as the applied entries that changed them (etcd writes them in the apply's batch tx).
 */
export interface LeaseChanges {
  /** True after restoreSnapshot: drop every stored row first, then write `put`. */
  reset: boolean;
  /** Rows to write, by ID. */
  put: LeaseRecord[];
  /** IDs whose rows to delete, ascending. */
  deleted: LeaseId[];
}

/** The lessor's part of a Raft snapshot: the lease bucket, as etcd's backend snapshot carries it. */
export interface LessorSnapshot {
  leases: LeaseRecord[];
}

/**
 * One member's leases with etcd 3.4 semantics. Expected failures throw LeaseError; broken
 * invariants throw AssertionError.
 */
export class Lessor {
  readonly config: Readonly<LessorConfig>;

  /** True between promote and demote: this member's lessor manages expiry (etcd: demotec != nil). */
  private primary = false;
  private readonly leaseMap = new Map<LeaseId, Lease>();
  /** Invariant: key → lease holding it; the inverse of every Lease.keys. */
  private readonly itemMap = new Map<string, LeaseId>();
  /** Invariant: empty unless primary. */
  private readonly expiryQueue = new ExpiryQueue();
  /** Invariant: empty unless primary and checkpointing is enabled. */
  private readonly checkpointSchedule = new CheckpointSchedule();
  private readonly revokeBudget: RevokeBudget;

  /** The persisted "lease" bucket as of the last write (what a restart or a snapshot sees). */
  private readonly bucket = new Map<LeaseId, LeaseRecord>();
  /** Rows changed since the last drain: a record to write, or null to delete. */
  private readonly dirty = new Map<LeaseId, LeaseRecord | null>();
  private dirtyReset = false;

  /** A new, empty, non-primary lessor (etcd: NewLessor over an empty backend). */
  constructor(config: Partial<LessorConfig> = {}) {
    this.config = resolveLessorConfig(config);
    this.revokeBudget = new RevokeBudget(this.config.leaseRevokeRate);
  }

  /**
   * Rebuilds a member's lessor from its stored lease rows after a restart (etcd: initAndRecover).
   * Leases come back non-primary ("forever") with the TTL raised to the current minimum and the
   * stored remaining TTL; the server then re-attaches keys from the MVCC store's `lease` fields.
   */
  static restore(records: readonly LeaseRecord[], config: Partial<LessorConfig> = {}): Lessor {
    const lessor = new Lessor(config);
    lessor.load(records);
    return lessor;
  }

  /** True when this lessor manages expiry and renewals (the Raft leader's, once promoted). */
  isPrimary(): boolean {
    return this.primary;
  }

  /** The number of leases. */
  get size(): number {
    return this.leaseMap.size;
  }

  /**
   * Applies a LeaseGrant entry (every member). The server picks the ID (see LeaseIdGenerator);
   * 0 is refused as etcd does. The TTL is raised to the minimum so a lease outlives an election.
   * Only the primary starts the clock; elsewhere the lease lives forever until a promotion.
   */
  grant(id: LeaseId, ttlSeconds: number, now: number): LeaseInfo {
    assert(Number.isInteger(id), () => `grant: lease ID ${id} is not an integer`);
    assert(Number.isInteger(ttlSeconds), () => `grant: TTL ${ttlSeconds} is not an integer`);
    if (id === NO_LEASE) throw new LeaseError('ErrLeaseNotFound');
    if (ttlSeconds > this.config.maxLeaseTtlSeconds) throw new LeaseError('ErrLeaseTTLTooLarge');
    if (this.leaseMap.has(id)) throw new LeaseError('ErrLeaseExists');

    const lease = new Lease(id, Math.max(ttlSeconds, this.config.minLeaseTtlSeconds));
    if (this.primary) lease.refresh(now, 0);
    this.leaseMap.set(id, lease);
    this.persist(lease);
    if (this.primary) {
      this.expiryQueue.set(id, lease.expiryMs as number);
      this.scheduleCheckpointIfNeeded(lease, now);
    }
    return lease.info();
  }

  /**
   * Applies a LeaseRevoke entry (every member): removes the lease and returns its keys in byte
   * order. The server deletes them in ONE write txn in that order, so every member reaches the
   * same revision and hash. The keys are already detached here: the server need not (and cannot,
   * the lease being gone) detach them again while deleting.
   */
  revoke(id: LeaseId): string[] {
    const lease = this.mustGet(id);
    const keys = lease.sortedKeys();
    for (const key of keys) {
      if (this.itemMap.get(key) === id) this.itemMap.delete(key);
    }
    this.leaseMap.delete(id);
    this.expiryQueue.delete(id);
    this.unpersist(id);
    return keys;
  }

  /**
   * A keep-alive, served by the primary only (the server forwards it to the leader on
   * ErrNotPrimary). Resets the expiry to now + TTL and returns the TTL. An expired lease cannot be
   * renewed: etcd waits for its revoke (→ not found) or a demotion (→ not primary); here that is
   * ErrLeaseExpired, and the server retries after the next apply or leadership change.
   */
  renew(id: LeaseId, now: number): RenewResult {
    if (!this.primary) throw new LeaseError('ErrNotPrimary');
    const lease = this.mustGet(id);
    if (lease.expired(now)) throw new LeaseError('ErrLeaseExpired');
    // etcd clears a checkpointed remaining TTL through Raft, then refreshes with the full TTL. The
    // lessor refreshes now and leaves remainingTtl to the applied checkpoint, so it stays a value
    // every member agrees on. Without a checkpointer etcd never clears it (RemainingTTL() wins).
    const clear = this.config.checkpointingEnabled && lease.remainingTtl > 0;
    lease.refreshWithTtl(now, 0, clear ? lease.ttl : lease.effectiveTtl());
    this.expiryQueue.set(id, lease.expiryMs as number);
    return {
      ttl: lease.ttl,
      clearCheckpoint: clear ? { id, remainingTtlSeconds: 0 } : null,
    };
  }

  /**
   * Applies a LeaseCheckpoint entry (every member): records each lease's remaining TTL, which a
   * later promote uses instead of the full TTL. Unknown IDs are skipped, as in etcd. The primary
   * schedules the lease's next checkpoint; rows are rewritten only with checkpointPersist.
   */
  applyCheckpoint(checkpoints: readonly LeaseCheckpoint[], now: number): void {
    for (const cp of checkpoints) {
      assert(Number.isInteger(cp.remainingTtlSeconds), 'applyCheckpoint: remaining TTL is not an integer');
      const lease = this.leaseMap.get(cp.id);
      if (!lease) continue;
      lease.remainingTtl = cp.remainingTtlSeconds;
      if (this.config.checkpointPersist) this.persist(lease);
      if (this.primary) this.scheduleCheckpointIfNeeded(lease, now);
    }
  }

  /**
   * Attaches keys to a lease (a put with a lease, applied on every member; also used to re-attach
   * keys from the MVCC store after a restore). A key held by another lease moves, as etcd's put
   * detaches it from the old lease before attaching it to the new one.
   */
  attach(id: LeaseId, keys: readonly string[]): void {
    const lease = this.mustGet(id);
    for (const key of keys) {
      const previous = this.itemMap.get(key);
      if (previous !== undefined && previous !== id) this.leaseMap.get(previous)?.keys.delete(key);
      lease.keys.add(key);
      this.itemMap.set(key, id);
    }
  }

  /** Detaches keys from a lease (a delete, or a put moving the key elsewhere or to no lease). */
  detach(id: LeaseId, keys: readonly string[]): void {
    const lease = this.mustGet(id);
    for (const key of keys) {
      lease.keys.delete(key);
      if (this.itemMap.get(key) === id) this.itemMap.delete(key);
    }
  }

  /** The lease a key is attached to, or NO_LEASE (etcd's GetLease). */
  getLease(key: string): LeaseId {
    return this.itemMap.get(key) ?? NO_LEASE;
  }

  /** A view of one lease, or undefined (etcd's Lookup). */
  lookup(id: LeaseId): LeaseInfo | undefined {
    return this.leaseMap.get(id)?.info();
  }

  /**
   * Every lease, soonest expiry first (etcd's Leases() sorts by remaining time), forever last,
   * ties by ID; etcd leaves ties in Go's map order, which `etcdctl lease list` shows unsorted.
   */
  leases(): LeaseInfo[] {
    return this.sortedByExpiry().map((lease) => lease.info());
  }

  /**
   * What etcd's leader answers to LeaseTimeToLive: remaining seconds truncated toward zero (an
   * expired lease not yet revoked shows 0, later negative values), the granted TTL and, if asked,
   * the keys. An unknown lease gives { ttl: -1, grantedTtl: 0, keys: null } as the gRPC layer
   * builds it. A lease that never expires here reports FOREVER_TTL_SECONDS.
   */
  timeToLive(id: LeaseId, now: number, options: { keys?: boolean } = {}): TimeToLive {
    const lease = this.leaseMap.get(id);
    if (!lease) return { id, ttl: -1, grantedTtl: 0, keys: null };
    const remainingMs = lease.remainingMs(now);
    const ttl = remainingMs === Number.POSITIVE_INFINITY ? FOREVER_TTL_SECONDS : Math.trunc(remainingMs / 1000) || 0;
    return { id, ttl, grantedTtl: lease.ttl, keys: options.keys ? lease.sortedKeys() : null };
  }

  /**
   * Makes this lessor the primary (the leader's, after it applied its first entry of the term).
   * Every lease lives `extendMs` (etcd passes the election timeout) plus its remaining TTL from
   * `now`: the checkpointed one if set, else the full TTL. With as many leases as the revoke rate
   * or more, expiries piling up within a second are spread out so at most 3/4 of the rate fall in
   * any one second, as etcd's Promote does.
   */
  promote(now: number, extendMs: number): void {
    assert(Number.isInteger(extendMs) && extendMs >= 0, () => `promote: bad extend ${extendMs}`);
    this.primary = true;
    this.revokeBudget.reset(now);
    for (const lease of this.leaseMap.values()) {
      lease.refresh(now, extendMs);
      this.expiryQueue.set(lease.id, lease.expiryMs as number);
      this.scheduleCheckpointIfNeeded(lease, now);
    }
    if (this.leaseMap.size < this.config.leaseRevokeRate) return; // no possible pile-up

    const sorted = this.sortedByExpiry();
    const targetPerSecond = Math.floor((3 * this.config.leaseRevokeRate) / 4);
    let baseWindow = (sorted[0] as Lease).remainingMs(now);
    let nextWindow = baseWindow + 1000;
    let expires = 0;
    for (const lease of sorted) {
      const remaining = lease.remainingMs(now);
      if (remaining > nextWindow) {
        baseWindow = remaining;
        nextWindow = baseWindow + 1000;
        expires = 1;
        continue;
      }
      expires++;
      if (expires <= targetPerSecond) continue;
      // A lease n seconds past the base window needs n seconds less delay. etcd computes this in
      // nanoseconds; virtual time is whole milliseconds, so the delay is truncated to the ms.
      const delayMs = Math.trunc((1000 * expires) / targetPerSecond - (remaining - baseWindow));
      nextWindow = baseWindow + delayMs;
      lease.refresh(now, delayMs + extendMs);
      this.expiryQueue.set(lease.id, lease.expiryMs as number);
      this.scheduleCheckpointIfNeeded(lease, now);
    }
  }

  /** Stops being primary: every lease lives forever here, queued expiries and checkpoints go. */
  demote(): void {
    for (const lease of this.leaseMap.values()) lease.forever();
    this.expiryQueue.clear();
    this.checkpointSchedule.clear();
    this.primary = false;
  }

  /**
   * The expired leases the leader should propose to revoke now, soonest first; [] unless primary.
   * Rate-limited like etcd (leaseRevokeRate per second, see RevokeBudget). A lease handed out is
   * not handed out again before expiredLeasesRetryIntervalMs, so a revoke lost to a leader change
   * or a dropped proposal is retried. The lessor deletes nothing: the revoke comes back through
   * Raft as a LeaseRevoke entry, applied with `revoke`.
   */
  findExpired(now: number): LeaseId[] {
    if (!this.primary) return [];
    const limit = this.revokeBudget.available(now);
    const expired: LeaseId[] = [];
    while (expired.length < limit) {
      const next = this.expiryQueue.peek();
      if (!next || now < next.timeMs) break;
      const lease = this.leaseMap.get(next.id);
      assert(lease, () => `findExpired: queued lease ${next.id} does not exist`);
      // Recheck after the retry interval whether the revoke went through.
      this.expiryQueue.set(next.id, now + this.config.expiredLeasesRetryIntervalMs);
      if (lease.expired(now)) expired.push(next.id);
    }
    this.revokeBudget.spend(expired.length);
    return expired;
  }

  /**
   * The next batch (at most 1000, etcd's maxLeaseCheckpointBatchSize) of checkpoints the leader
   * should propose as one LeaseCheckpoint entry; [] unless primary with checkpointing on. Call
   * again while a full batch comes back (etcd: up to 500 batches per 500 ms loop). Remaining TTLs
   * are rounded up to whole seconds; leases already expired, or with nothing consumed, are skipped.
   */
  checkpointsDue(now: number): LeaseCheckpoint[] {
    if (!this.primary || !this.config.checkpointingEnabled) return [];
    const batch: LeaseCheckpoint[] = [];
    while (batch.length < MAX_LEASE_CHECKPOINT_BATCH_SIZE) {
      const due = this.checkpointSchedule.popDue(now);
      if (!due) break;
      const lease = this.leaseMap.get(due.id);
      if (!lease || lease.expiryMs === null || now >= lease.expiryMs) continue;
      const remainingTtlSeconds = Math.ceil((lease.expiryMs - now) / 1000);
      if (remainingTtlSeconds >= lease.ttl) continue;
      batch.push({ id: lease.id, remainingTtlSeconds });
    }
    return batch;
  }

  /**
   * Lease rows written or deleted since the last call, as plain records (etcd's "lease" bucket:
   * ID, TTL, RemainingTTL). Rows change on grant, revoke, and applied checkpoints when
   * checkpointPersist is on; renewals and expiry are never persisted, as in etcd.
   */
  drainChanges(): LeaseChanges {
    const reset = this.dirtyReset;
    const put: LeaseRecord[] = [];
    const deleted: LeaseId[] = [];
    if (reset) {
      put.push(...this.bucketRecords());
    } else {
      for (const [id, record] of this.dirty) {
        if (record) put.push({ ...record });
        else deleted.push(id);
      }
      put.sort((a, b) => compareIds(a.id, b.id));
      deleted.sort(compareIds);
    }
    this.dirty.clear();
    this.dirtyReset = false;
    return { reset, put, deleted };
  }

  /** The lease bucket for a Raft snapshot (plain, structured-clone-safe, sorted by ID). */
  snapshot(): LessorSnapshot {
    return { leases: this.bucketRecords() };
  }

  /**
   * Replaces every lease with a Raft snapshot's (etcd: Recover after a backend snapshot). Leases
   * come back "forever" with no keys: the server re-attaches keys from the restored MVCC store,
   * and the next promote starts their clocks. The next drainChanges reports a reset.
   */
  restoreSnapshot(snapshot: LessorSnapshot): void {
    this.leaseMap.clear();
    this.itemMap.clear();
    this.expiryQueue.clear();
    this.checkpointSchedule.clear();
    this.load(snapshot.leases);
    this.dirty.clear();
    this.dirtyReset = true;
  }

  private load(records: readonly LeaseRecord[]): void {
    this.bucket.clear();
    for (const record of records) {
      assert(Number.isInteger(record.id) && record.id !== NO_LEASE, () => `restore: bad lease ID ${record.id}`);
      assert(!this.leaseMap.has(record.id), () => `restore: duplicate lease ${record.id}`);
      assert(Number.isInteger(record.ttl), () => `restore: lease ${record.id} has TTL ${record.ttl}`);
      this.bucket.set(record.id, { ...record });
      const ttl = Math.max(record.ttl, this.config.minLeaseTtlSeconds);
      this.leaseMap.set(record.id, new Lease(record.id, ttl, record.remainingTtl));
    }
  }

  private mustGet(id: LeaseId): Lease {
    const lease = this.leaseMap.get(id);
    if (!lease) throw new LeaseError('ErrLeaseNotFound');
    return lease;
  }

  /** Leases by expiry (forever last), ties by ID. */
  private sortedByExpiry(): Lease[] {
    return [...this.leaseMap.values()].sort((a, b) => {
      const ea = a.expiryMs ?? Number.POSITIVE_INFINITY;
      const eb = b.expiryMs ?? Number.POSITIVE_INFINITY;
      return ea !== eb ? (ea < eb ? -1 : 1) : compareIds(a.id, b.id);
    });
  }

  /** etcd schedules a checkpoint only for leases with more left than one interval. */
  private scheduleCheckpointIfNeeded(lease: Lease, now: number): void {
    if (!this.config.checkpointingEnabled) return;
    if (lease.effectiveTtl() > Math.trunc(this.config.checkpointIntervalMs / 1000)) {
      this.checkpointSchedule.push(lease.id, now + this.config.checkpointIntervalMs);
    }
  }

  private persist(lease: Lease): void {
    const record = lease.toRecord();
    this.bucket.set(lease.id, record);
    this.dirty.set(lease.id, record);
  }

  private unpersist(id: LeaseId): void {
    this.bucket.delete(id);
    this.dirty.set(id, null);
  }

  private bucketRecords(): LeaseRecord[] {
    return [...this.bucket.values()].map((r) => ({ ...r })).sort((a, b) => compareIds(a.id, b.id));
  }
}
