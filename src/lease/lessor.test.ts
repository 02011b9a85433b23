// The lessor against etcd 3.4's lease/lessor.go semantics: grant, revoke, renew, attach/detach,
// TimeToLive, promote/demote, expiry with its rate limit and retry, and checkpoint scheduling.
// Method: one Lessor driven with explicit virtual times; every expectation is a number etcd's
// code yields for the same inputs (derivations in the comments).
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { LeaseError, isLeaseError, type LeaseErrorCode } from './errors';
import { FOREVER_TTL_SECONDS } from './lease';
import { Lessor } from './lessor';

function leaseErrorOf(fn: () => unknown): LeaseErrorCode | 'no error' {
  try {
    fn();
  } catch (error) {
    if (isLeaseError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

function primaryAt(now: number, config: ConstructorParameters<typeof Lessor>[0] = {}): Lessor {
  const lessor = new Lessor(config);
  lessor.promote(now, 0);
  return lessor;
}

describe('grant', () => {
  it('raises a TTL below the minimum to the minimum (lease grant 0 and 1 give TTL(2s))', () => {
    const lessor = new Lessor({ minLeaseTtlSeconds: 2 });
    expect(lessor.grant(1, 0, 0).ttl).toBe(2);
    expect(lessor.grant(2, 1, 0).ttl).toBe(2);
    expect(lessor.grant(3, -5, 0).ttl).toBe(2);
    expect(lessor.grant(4, 60, 0).ttl).toBe(60);
  });

  it('refuses a TTL above 9,000,000,000 s with etcd’s texts', () => {
    const lessor = new Lessor();
    let caught: unknown;
    try {
      lessor.grant(1, 9_000_000_001, 0);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LeaseError);
    const error = caught as LeaseError;
    expect(error.code).toBe('ErrLeaseTTLTooLarge');
    expect(error.message).toBe('too large lease TTL');
    expect(error.grpcMessage).toBe('etcdserver: too large lease TTL');
    expect(error.grpcCode).toBe('OutOfRange');
    expect(lessor.grant(2, 9_000_000_000, 0).ttl).toBe(9_000_000_000);
    expect(lessor.lookup(1)).toBeUndefined();
  });

  it('refuses a duplicate ID, and checks the TTL before the duplicate as etcd does', () => {
    const lessor = new Lessor();
    lessor.grant(7, 10, 0);
    expect(leaseErrorOf(() => lessor.grant(7, 20, 0))).toBe('ErrLeaseExists');
    expect(leaseErrorOf(() => lessor.grant(7, 9_000_000_001, 0))).toBe('ErrLeaseTTLTooLarge');
    expect(new LeaseError('ErrLeaseExists').grpcMessage).toBe('etcdserver: lease already exists');
    expect(lessor.lookup(7)?.ttl).toBe(10);
  });

  it('refuses ID 0 (NoLease) as not found: the server picks IDs before proposing', () => {
    const lessor = new Lessor();
    expect(leaseErrorOf(() => lessor.grant(0, 10, 0))).toBe('ErrLeaseNotFound');
    expect(lessor.size).toBe(0);
  });

  it('starts the clock on the primary only; elsewhere the lease lives forever', () => {
    const follower = new Lessor();
    const leader = primaryAt(0);
    expect(follower.grant(1, 10, 1000).expiryMs).toBeNull();
    expect(leader.grant(1, 10, 1000).expiryMs).toBe(11_000);
  });

  it('treats a non-integer TTL as a bug, not an expected error', () => {
    expect(() => new Lessor().grant(1, 1.5, 0)).toThrow(AssertionError);
  });
});

describe('revoke', () => {
  it('returns the attached keys in byte order and removes the lease', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.attach(1, ['b', 'a', '\xff', 'Z', 'a/b']);
    expect(lessor.revoke(1)).toEqual(['Z', 'a', 'a/b', 'b', '\xff']);
    expect(lessor.lookup(1)).toBeUndefined();
    expect(lessor.getLease('a')).toBe(0);
    expect(lessor.size).toBe(0);
  });

  it('reports a lease that is not there (a second revoke) as not found', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.revoke(1);
    expect(leaseErrorOf(() => lessor.revoke(1))).toBe('ErrLeaseNotFound');
    expect(new LeaseError('ErrLeaseNotFound').grpcMessage).toBe('etcdserver: requested lease not found');
  });

  it('leaves other leases and their keys alone', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.grant(2, 10, 0);
    lessor.attach(2, ['x']);
    lessor.revoke(1);
    expect(lessor.getLease('x')).toBe(2);
    expect(lessor.lookup(2)?.keys).toEqual(['x']);
  });
});

describe('attach and detach', () => {
  it('moves a key attached to another lease, as a put with a new lease does', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.grant(2, 10, 0);
    lessor.attach(1, ['k', 'j']);
    lessor.attach(2, ['k']);
    expect(lessor.lookup(1)?.keys).toEqual(['j']);
    expect(lessor.lookup(2)?.keys).toEqual(['k']);
    expect(lessor.getLease('k')).toBe(2);
    // A late detach from the old lease does not undo the move.
    lessor.detach(1, ['k']);
    expect(lessor.getLease('k')).toBe(2);
  });

  it('detaches keys, and refuses both on an unknown lease', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.attach(1, ['a', 'b']);
    lessor.detach(1, ['a']);
    expect(lessor.lookup(1)?.keys).toEqual(['b']);
    expect(lessor.getLease('a')).toBe(0);
    expect(leaseErrorOf(() => lessor.attach(9, ['a']))).toBe('ErrLeaseNotFound');
    expect(leaseErrorOf(() => lessor.detach(9, ['a']))).toBe('ErrLeaseNotFound');
  });
});

describe('renew', () => {
  it('resets the expiry to now + TTL and returns the TTL', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 10, 0);
    expect(lessor.renew(1, 4000)).toEqual({ ttl: 10, clearCheckpoint: null });
    expect(lessor.lookup(1)?.expiryMs).toBe(14_000);
    expect(lessor.findExpired(13_999)).toEqual([]);
    expect(lessor.findExpired(14_000)).toEqual([1]);
  });

  it('is refused off the primary with ErrNotPrimary, checked before the lease exists', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    expect(leaseErrorOf(() => lessor.renew(1, 0))).toBe('ErrNotPrimary');
    expect(leaseErrorOf(() => lessor.renew(99, 0))).toBe('ErrNotPrimary');
    expect(new LeaseError('ErrNotPrimary').message).toBe('not a primary lessor');
  });

  it('reports an unknown lease on the primary as not found', () => {
    expect(leaseErrorOf(() => primaryAt(0).renew(99, 0))).toBe('ErrLeaseNotFound');
  });

  it('refuses an expired lease: etcd makes the renewal wait for the revoke', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 10, 0);
    expect(leaseErrorOf(() => lessor.renew(1, 9999))).toBe('no error');
    expect(leaseErrorOf(() => lessor.renew(1, 19_999 + 1))).toBe('ErrLeaseExpired');
    lessor.revoke(1);
    expect(leaseErrorOf(() => lessor.renew(1, 20_001))).toBe('ErrLeaseNotFound');
  });

  it('asks to clear a checkpointed remaining TTL through Raft and renews to the full TTL', () => {
    const lessor = primaryAt(0, { checkpointingEnabled: true });
    lessor.grant(1, 60, 0);
    lessor.applyCheckpoint([{ id: 1, remainingTtlSeconds: 20 }], 1000);
    const result = lessor.renew(1, 2000);
    expect(result).toEqual({ ttl: 60, clearCheckpoint: { id: 1, remainingTtlSeconds: 0 } });
    expect(lessor.lookup(1)?.expiryMs).toBe(62_000);
    // The remaining TTL changes only when the clearing checkpoint is applied.
    expect(lessor.lookup(1)?.remainingTtl).toBe(20);
    lessor.applyCheckpoint([result.clearCheckpoint!], 2000);
    expect(lessor.lookup(1)?.remainingTtl).toBe(0);
    expect(lessor.renew(1, 3000).clearCheckpoint).toBeNull();
  });

  it('without a checkpointer keeps a remaining TTL and renews to it, as etcd 3.4 does', () => {
    const lessor = primaryAt(0, { checkpointingEnabled: false });
    lessor.grant(1, 60, 0);
    lessor.applyCheckpoint([{ id: 1, remainingTtlSeconds: 20 }], 1000);
    expect(lessor.renew(1, 2000).clearCheckpoint).toBeNull();
    expect(lessor.lookup(1)?.expiryMs).toBe(22_000);
  });
});

describe('timeToLive', () => {
  it('truncates the remaining time toward zero like int64(Remaining().Seconds())', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 60, 0);
    expect(lessor.timeToLive(1, 0).ttl).toBe(60);
    expect(lessor.timeToLive(1, 500).ttl).toBe(59);
    expect(lessor.timeToLive(1, 59_999).ttl).toBe(0);
    // Expired but not yet revoked: 0 for the first second (never -0), then negative.
    expect(Object.is(lessor.timeToLive(1, 60_999).ttl, 0)).toBe(true);
    expect(lessor.timeToLive(1, 62_000).ttl).toBe(-2);
  });

  it('answers ttl -1, granted 0 and no keys for an unknown lease (etcdctl: already expired)', () => {
    expect(new Lessor().timeToLive(0x1234abcd, 0, { keys: true })).toEqual({
      id: 0x1234abcd,
      ttl: -1,
      grantedTtl: 0,
      keys: null,
    });
  });

  it('lists keys in byte order only when asked, an empty list when there are none', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 60, 0);
    expect(lessor.timeToLive(1, 1000, { keys: true })).toEqual({ id: 1, ttl: 59, grantedTtl: 60, keys: [] });
    lessor.attach(1, ['lk2', 'lk1']);
    expect(lessor.timeToLive(1, 1000, { keys: true }).keys).toEqual(['lk1', 'lk2']);
    expect(lessor.timeToLive(1, 1000).keys).toBeNull();
  });

  it('reports MaxInt64 ns in seconds for a lease that never expires on this member', () => {
    const lessor = new Lessor();
    lessor.grant(1, 60, 0);
    expect(lessor.timeToLive(1, 5000).ttl).toBe(FOREVER_TTL_SECONDS);
  });
});

describe('leases', () => {
  it('lists leases by expiry, forever ones last, ties by ID', () => {
    const lessor = new Lessor();
    lessor.grant(5, 30, 0);
    lessor.grant(3, 30, 0);
    expect(lessor.leases().map((l) => l.id)).toEqual([3, 5]);
    lessor.promote(0, 0);
    lessor.grant(4, 10, 0);
    lessor.grant(9, 20, 0);
    lessor.grant(8, 20, 0);
    expect(lessor.leases().map((l) => l.id)).toEqual([4, 8, 9, 3, 5]);
  });
});

describe('promote and demote', () => {
  it('promote gives every lease now + extend + TTL, demote makes them all forever', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.grant(2, 30, 0);
    lessor.promote(5000, 1000);
    expect(lessor.isPrimary()).toBe(true);
    expect(lessor.lookup(1)?.expiryMs).toBe(16_000);
    expect(lessor.lookup(2)?.expiryMs).toBe(36_000);
    lessor.demote();
    expect(lessor.isPrimary()).toBe(false);
    expect(lessor.leases().map((l) => l.expiryMs)).toEqual([null, null]);
    expect(lessor.findExpired(100_000)).toEqual([]);
  });

  it('promote starts from a checkpointed remaining TTL when there is one', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    lessor.applyCheckpoint([{ id: 1, remainingTtlSeconds: 5 }], 0);
    lessor.promote(0, 0);
    expect(lessor.lookup(1)?.expiryMs).toBe(5000);
  });

  it('a lease renewed on the old leader is reset again by the next promote', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 10, 0);
    lessor.demote();
    lessor.promote(7000, 1000);
    expect(lessor.lookup(1)?.expiryMs).toBe(18_000);
  });

  it('spreads piled-up expiries so no second holds more than the revoke rate (TestLessorRenewExtendPileup)', () => {
    const rate = 10;
    const lessor = new Lessor({ leaseRevokeRate: rate });
    for (let i = 1; i <= rate * 10; i++) {
      lessor.grant(2 * i, 10, 0);
      lessor.grant(2 * i + 1, 11, 0);
    }
    lessor.promote(0, 0);
    const windowCounts = new Map<number, number>();
    for (const lease of lessor.leases()) {
      const second = Math.floor(((lease.expiryMs as number) + 100) / 1000);
      windowCounts.set(second, (windowCounts.get(second) ?? 0) + 1);
    }
    for (let second = 10; second < 30; second++) {
      const count = windowCounts.get(second) ?? 0;
      expect(count, `second ${second}`).toBeLessThanOrEqual(rate);
      expect(count, `second ${second}`).toBeGreaterThanOrEqual(rate / 2);
    }
  });

  it('does not spread leases when there are fewer than the revoke rate', () => {
    const lessor = new Lessor({ leaseRevokeRate: 10 });
    for (let id = 1; id <= 9; id++) lessor.grant(id, 10, 0);
    lessor.promote(0, 0);
    expect(new Set(lessor.leases().map((l) => l.expiryMs))).toEqual(new Set([10_000]));
  });
});

describe('findExpired', () => {
  it('hands out a lease at its expiry, not before, and not again until the retry interval', () => {
    const lessor = primaryAt(0, { expiredLeasesRetryIntervalMs: 3000 });
    lessor.grant(1, 10, 0);
    expect(lessor.findExpired(9999)).toEqual([]);
    expect(lessor.findExpired(10_000)).toEqual([1]);
    expect(lessor.findExpired(10_500)).toEqual([]);
    expect(lessor.findExpired(12_999)).toEqual([]);
    // The revoke was lost (say, with the leader): it is handed out again.
    expect(lessor.findExpired(13_000)).toEqual([1]);
    lessor.revoke(1);
    expect(lessor.findExpired(20_000)).toEqual([]);
  });

  it('does nothing off the primary', () => {
    const lessor = new Lessor();
    lessor.grant(1, 10, 0);
    expect(lessor.findExpired(1_000_000)).toEqual([]);
  });

  it('hands out at most rate / 2 leases at once and refills at rate per second', () => {
    const lessor = primaryAt(0);
    for (let id = 1; id <= 1200; id++) lessor.grant(id, 5, 0);
    const first = lessor.findExpired(5000);
    expect(first).toHaveLength(500);
    expect(first.slice(0, 3)).toEqual([1, 2, 3]);
    expect(lessor.findExpired(5000)).toEqual([]);
    expect(lessor.findExpired(5100)).toHaveLength(100);
    expect(lessor.findExpired(5600)).toHaveLength(500);
    const last = lessor.findExpired(6100);
    expect(last).toHaveLength(100);
    expect(last[99]).toBe(1200);
    expect(lessor.findExpired(7000)).toEqual([]);
  });

  it('skips a lease renewed before its expiry and finds it at the new expiry', () => {
    const lessor = primaryAt(0);
    lessor.grant(1, 10, 0);
    lessor.grant(2, 10, 0);
    lessor.renew(1, 5000);
    expect(lessor.findExpired(10_000)).toEqual([2]);
    lessor.revoke(2);
    expect(lessor.findExpired(14_999)).toEqual([]);
    expect(lessor.findExpired(15_000)).toEqual([1]);
  });
});

describe('checkpointsDue', () => {
  const config = { checkpointingEnabled: true, checkpointIntervalMs: 5000 };

  it('checkpoints a lease one interval after its grant with the remaining TTL rounded up', () => {
    const lessor = primaryAt(0, config);
    lessor.grant(1, 60, 0);
    expect(lessor.checkpointsDue(4999)).toEqual([]);
    expect(lessor.checkpointsDue(5500)).toEqual([{ id: 1, remainingTtlSeconds: 55 }]);
    // Not again until the checkpoint is applied, which schedules the next one.
    expect(lessor.checkpointsDue(9000)).toEqual([]);
    lessor.applyCheckpoint([{ id: 1, remainingTtlSeconds: 55 }], 5500);
    expect(lessor.checkpointsDue(10_499)).toEqual([]);
    expect(lessor.checkpointsDue(10_500)).toEqual([{ id: 1, remainingTtlSeconds: 50 }]);
  });

  it('never schedules a lease whose TTL is not longer than the interval', () => {
    const lessor = primaryAt(0, config);
    lessor.grant(1, 5, 0);
    lessor.grant(2, 6, 0);
    expect(lessor.checkpointsDue(5000)).toEqual([{ id: 2, remainingTtlSeconds: 1 }]);
  });

  it('skips a lease renewed right when its checkpoint falls due (nothing consumed)', () => {
    const lessor = primaryAt(0, config);
    lessor.grant(1, 60, 0);
    lessor.renew(1, 5000);
    expect(lessor.checkpointsDue(5000)).toEqual([]);
  });

  it('batches at most 1000 checkpoints per entry', () => {
    const lessor = primaryAt(0, config);
    for (let id = 1; id <= 1500; id++) lessor.grant(id, 60, 0);
    expect(lessor.checkpointsDue(5000)).toHaveLength(1000);
    const rest = lessor.checkpointsDue(5000);
    expect(rest).toHaveLength(500);
    expect(rest[0]).toEqual({ id: 1001, remainingTtlSeconds: 55 });
    expect(lessor.checkpointsDue(5000)).toEqual([]);
  });

  it('yields nothing with checkpointing off or off the primary', () => {
    const off = primaryAt(0, { checkpointIntervalMs: 5000 });
    off.grant(1, 60, 0);
    expect(off.checkpointsDue(30_000)).toEqual([]);
    const follower = new Lessor(config);
    follower.grant(1, 60, 0);
    expect(follower.checkpointsDue(30_000)).toEqual([]);
    const demoted = primaryAt(0, config);
    demoted.grant(1, 60, 0);
    demoted.demote();
    expect(demoted.checkpointsDue(30_000)).toEqual([]);
  });

  it('ignores checkpoints of unknown leases when applying them', () => {
    const lessor = new Lessor(config);
    lessor.grant(1, 60, 0);
    lessor.applyCheckpoint([{ id: 9, remainingTtlSeconds: 5 }, { id: 1, remainingTtlSeconds: 30 }], 0);
    expect(lessor.lookup(1)?.remainingTtl).toBe(30);
    expect(lessor.lookup(9)).toBeUndefined();
  });
});
