// A lease expiry across a leader change, with and without etcd 3.4's lease checkpoints
// (--experimental-enable-lease-checkpoint). Goal: show what etcd documents: without checkpoints a
// new leader restarts every lease at its full TTL (+ election timeout); with them it resumes from
// the last checkpointed remaining TTL. Method: two Lessors stand for two members. Entries that
// etcd sends through Raft (grant, checkpoint) are applied to both at the same virtual time; the
// old leader is demoted, the new one promoted later, and we watch when the new leader expires it.
import { describe, expect, it } from 'vitest';
import type { LessorConfig } from './config';
import { Lessor } from './lessor';

const ELECTION_TIMEOUT_MS = 1000;

function cluster(config: Partial<LessorConfig>): { a: Lessor; b: Lessor; applyAll: (fn: (l: Lessor) => void) => void } {
  const a = new Lessor(config);
  const b = new Lessor(config);
  return { a, b, applyAll: (fn) => [a, b].forEach(fn) };
}

/** A leads from t=0, grants a 60 s lease, proposes due checkpoints every 5 s until t=20 s. */
function runUntilLeaderCrash(config: Partial<LessorConfig>): { a: Lessor; b: Lessor; applyAll: (fn: (l: Lessor) => void) => void } {
  const c = cluster({ checkpointIntervalMs: 5000, ...config });
  c.a.promote(0, ELECTION_TIMEOUT_MS);
  c.applyAll((l) => l.grant(1, 60, 0));
  for (let t = 5000; t <= 20_000; t += 5000) {
    const checkpoints = c.a.checkpointsDue(t);
    if (checkpoints.length > 0) c.applyAll((l) => l.applyCheckpoint(checkpoints, t));
  }
  return c;
}

describe('a lease expiry across a leader change', () => {
  it('with checkpoints, the new leader resumes from the remaining TTL (expires at 63 s, not 60 s)', () => {
    const { a, b } = runUntilLeaderCrash({ checkpointingEnabled: true });
    expect(a.lookup(1)?.expiryMs).toBe(60_000);
    // Checkpoints at 5, 10, 15, 20 s carried 55, 50, 45, 40 s to every member.
    expect(b.lookup(1)?.remainingTtl).toBe(40);

    a.demote(); // t = 21 s: A is cut off and steps down.
    b.promote(22_000, ELECTION_TIMEOUT_MS); // B wins and has applied its first entry at 22 s.

    // 22 s + 1 s (extend) + 40 s = 63 s: only the extension and the election gap are added.
    expect(b.lookup(1)?.expiryMs).toBe(63_000);
    expect(b.timeToLive(1, 22_000).ttl).toBe(41);
    expect(b.findExpired(62_999)).toEqual([]);
    expect(b.findExpired(63_000)).toEqual([1]);
  });

  it('without checkpoints, the new leader restarts the lease at its full TTL (expires at 83 s)', () => {
    const { a, b } = runUntilLeaderCrash({ checkpointingEnabled: false });
    expect(b.lookup(1)?.remainingTtl).toBe(0);

    a.demote();
    b.promote(22_000, ELECTION_TIMEOUT_MS);

    // 22 s + 1 s + 60 s: the 22 s the lease had already lived are forgotten.
    expect(b.lookup(1)?.expiryMs).toBe(83_000);
    expect(b.timeToLive(1, 22_000).ttl).toBe(61);
    expect(b.findExpired(63_000)).toEqual([]);
    expect(b.findExpired(82_999)).toEqual([]);
    expect(b.findExpired(83_000)).toEqual([1]);
  });

  it('the old leader, demoted, never reports the lease as expired', () => {
    const { a } = runUntilLeaderCrash({ checkpointingEnabled: true });
    a.demote();
    expect(a.findExpired(1_000_000)).toEqual([]);
    expect(a.timeToLive(1, 1_000_000).ttl).toBe(9_223_372_036);
  });

  it('a renewal clears the checkpoint on every member, so the next leader uses the full TTL', () => {
    const c = cluster({ checkpointingEnabled: true, checkpointIntervalMs: 5000 });
    c.a.promote(0, ELECTION_TIMEOUT_MS);
    c.applyAll((l) => l.grant(1, 60, 0));
    for (const t of [5000, 10_000]) {
      const checkpoints = c.a.checkpointsDue(t);
      c.applyAll((l) => l.applyCheckpoint(checkpoints, t));
    }
    expect(c.b.lookup(1)?.remainingTtl).toBe(50);

    const renewed = c.a.renew(1, 12_000);
    expect(renewed.clearCheckpoint).toEqual({ id: 1, remainingTtlSeconds: 0 });
    c.applyAll((l) => l.applyCheckpoint([renewed.clearCheckpoint!], 12_000));
    expect(c.b.lookup(1)?.remainingTtl).toBe(0);

    c.a.demote();
    c.b.promote(14_000, ELECTION_TIMEOUT_MS);
    // 14 s + 1 s + 60 s; had the clear not been applied, B would use 50 s and expire it at 65 s.
    expect(c.b.lookup(1)?.expiryMs).toBe(75_000);
  });

  it('the new leader schedules its own checkpoints after promotion', () => {
    const { a, b } = runUntilLeaderCrash({ checkpointingEnabled: true });
    expect(b.checkpointsDue(100_000)).toEqual([]); // not primary: B proposes nothing
    a.demote();
    b.promote(22_000, ELECTION_TIMEOUT_MS);
    expect(b.checkpointsDue(26_999)).toEqual([]);
    // Expiry 63 s, checkpoint at 27 s: 36 s remain.
    expect(b.checkpointsDue(27_000)).toEqual([{ id: 1, remainingTtlSeconds: 36 }]);
  });
});
