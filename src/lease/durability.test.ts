// What survives a restart or travels in a Raft snapshot: etcd's bolt "lease" bucket (ID, TTL,
// RemainingTTL). Goal: drainChanges reports exactly the rows etcd would write, restore rebuilds
// the lessor as etcd's initAndRecover does, and snapshots round-trip through structuredClone.
// Method: a Map stands for the server's store; changes are drained into it and read back.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from './lease';
import { Lessor, type LeaseChanges } from './lessor';

/** Applies drained changes to a stand-in for the server's lease store. */
function write(store: Map<number, LeaseRecord>, changes: LeaseChanges): void {
  if (changes.reset) store.clear();
  for (const id of changes.deleted) store.delete(id);
  for (const record of changes.put) store.set(record.id, record);
}

describe('drainChanges', () => {
  it('reports grants as rows to write and revokes as rows to delete, once', () => {
    const lessor = new Lessor();
    lessor.grant(2, 30, 0);
    lessor.grant(1, 1, 0);
    expect(lessor.drainChanges()).toEqual({
      reset: false,
      put: [
        { id: 1, ttl: 2, remainingTtl: 0 },
        { id: 2, ttl: 30, remainingTtl: 0 },
      ],
      deleted: [],
    });
    lessor.revoke(1);
    lessor.grant(3, 10, 0);
    lessor.grant(4, 10, 0);
    lessor.revoke(4);
    expect(lessor.drainChanges()).toEqual({
      reset: false,
      put: [{ id: 3, ttl: 10, remainingTtl: 0 }],
      deleted: [1, 4],
    });
    expect(lessor.drainChanges()).toEqual({ reset: false, put: [], deleted: [] });
  });

  it('never reports renewals, promotions or key attachments: etcd does not persist them', () => {
    const lessor = new Lessor();
    lessor.grant(1, 30, 0);
    lessor.drainChanges();
    lessor.promote(0, 1000);
    lessor.renew(1, 5000);
    lessor.attach(1, ['k']);
    lessor.demote();
    expect(lessor.drainChanges()).toEqual({ reset: false, put: [], deleted: [] });
  });

  it('reports applied checkpoints only with checkpoint persistence on', () => {
    const persisting = new Lessor({ checkpointingEnabled: true, checkpointPersist: true });
    const volatile = new Lessor({ checkpointingEnabled: true });
    for (const lessor of [persisting, volatile]) {
      lessor.grant(1, 60, 0);
      lessor.drainChanges();
      lessor.applyCheckpoint([{ id: 1, remainingTtlSeconds: 40 }], 0);
    }
    expect(persisting.drainChanges().put).toEqual([{ id: 1, ttl: 60, remainingTtl: 40 }]);
    expect(volatile.drainChanges().put).toEqual([]);
  });
});

describe('Lessor.restore', () => {
  it('rebuilds leases from stored rows as forever, non-primary, ready for keys to be re-attached', () => {
    const store = new Map<number, LeaseRecord>();
    const before = new Lessor({ checkpointingEnabled: true, checkpointPersist: true });
    before.promote(0, 0);
    before.grant(1, 60, 0);
    before.grant(2, 10, 0);
    before.attach(1, ['a']);
    before.applyCheckpoint([{ id: 1, remainingTtlSeconds: 25 }], 35_000);
    write(store, before.drainChanges());

    const after = Lessor.restore([...store.values()], before.config);
    expect(after.isPrimary()).toBe(false);
    expect(after.leases()).toEqual([
      { id: 1, ttl: 60, remainingTtl: 25, expiryMs: null, keys: [] },
      { id: 2, ttl: 10, remainingTtl: 0, expiryMs: null, keys: [] },
    ]);
    after.attach(1, ['a']); // the server does this from the MVCC store's kv.lease fields
    expect(after.getLease('a')).toBe(1);
    // Promoted after the restart, it resumes from the persisted remaining TTL.
    after.promote(100_000, 1000);
    expect(after.lookup(1)?.expiryMs).toBe(126_000);
    expect(after.lookup(2)?.expiryMs).toBe(111_000);
    expect(after.drainChanges()).toEqual({ reset: false, put: [], deleted: [] });
  });

  it('forgets an unpersisted checkpoint across a restart, as etcd 3.4 does by default', () => {
    const store = new Map<number, LeaseRecord>();
    const before = new Lessor({ checkpointingEnabled: true });
    before.grant(1, 60, 0);
    before.applyCheckpoint([{ id: 1, remainingTtlSeconds: 25 }], 0);
    write(store, before.drainChanges());
    expect(Lessor.restore([...store.values()]).lookup(1)?.remainingTtl).toBe(0);
  });

  it('raises stored TTLs to a larger current minimum without rewriting the rows', () => {
    const after = Lessor.restore([{ id: 1, ttl: 2, remainingTtl: 0 }], { minLeaseTtlSeconds: 5 });
    expect(after.lookup(1)?.ttl).toBe(5);
    expect(after.snapshot().leases).toEqual([{ id: 1, ttl: 2, remainingTtl: 0 }]);
  });
});

describe('snapshot and restoreSnapshot', () => {
  it('round-trip the lease bucket through structuredClone and replace every lease', () => {
    const leader = new Lessor();
    leader.promote(0, 0);
    const big = Number(0x74dda1ff59a3b800n);
    leader.grant(big, 60, 0);
    leader.grant(3, 5, 0);
    leader.attach(3, ['x']);
    const snapshot = structuredClone(leader.snapshot());
    expect(snapshot).toEqual({
      leases: [
        { id: 3, ttl: 5, remainingTtl: 0 },
        { id: big, ttl: 60, remainingTtl: 0 },
      ],
    });

    const follower = new Lessor();
    follower.grant(9, 30, 0);
    follower.attach(9, ['old']);
    follower.drainChanges();
    follower.restoreSnapshot(snapshot);
    expect(follower.lookup(9)).toBeUndefined();
    expect(follower.getLease('old')).toBe(0);
    expect(follower.leases().map((l) => [l.id, l.ttl, l.expiryMs, l.keys])).toEqual([
      [3, 5, null, []],
      [big, 60, null, []],
    ]);
    expect(follower.drainChanges()).toEqual({ reset: true, put: snapshot.leases, deleted: [] });
  });

  it('lets a store that applies the reset end up equal to the snapshot', () => {
    const store = new Map<number, LeaseRecord>([[9, { id: 9, ttl: 30, remainingTtl: 0 }]]);
    const follower = new Lessor();
    follower.restoreSnapshot({ leases: [{ id: 4, ttl: 10, remainingTtl: 3 }] });
    follower.grant(5, 20, 0);
    write(store, follower.drainChanges());
    expect([...store.values()]).toEqual([
      { id: 4, ttl: 10, remainingTtl: 3 },
      { id: 5, ttl: 20, remainingTtl: 0 },
    ]);
    expect(follower.snapshot().leases).toEqual([...store.values()]);
  });
});
