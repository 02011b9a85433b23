// The concurrency recipes (Session, Mutex, Election and the EtcdClient-facing lockWith, …).
// Goal: etcd 3.4's semantics over plain KV/lease/watch calls — key layout "name/<lease hex>",
// ownership by create revision, a waiter woken only by its predecessor's deletion, cleanup on
// abort, sessions kept alive and left to expire or revoked, election proposals, proclamations,
// resignation and observation. Method: run the recipes against the etcdctl test double (one real
// MVCC store and lessor, virtual time) and inspect the store, the lessor and the watchers.

import { describe, expect, it } from 'vitest';
import { EtcdError, type EtcdClient } from './api';
import { ContextCanceledError, Election, Mutex, Session, leaseHex, prefixEnd } from './concurrency';
import { TestCluster } from './etcdctl/testClient';

function setup() {
  const cluster = new TestCluster();
  return { cluster, client: cluster.createClient() };
}

const value = (cluster: TestCluster, key: string) => cluster.store.range(key, undefined).kvs[0];

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  const promise = p.finally(() => {
    settled = true;
  });
  promise.catch(() => undefined);
  return { settled: () => settled, promise };
}

describe('prefixEnd', () => {
  it.each([
    ['a', 'b'],
    ['job/', 'job0'],
    ['a\xff', 'b'],
    ['\xff\xff', '\0'],
    ['', '\0'],
  ])('ends the prefix %j at %j', (key, end) => {
    expect(prefixEnd(key)).toBe(end);
  });
});

describe('Session', () => {
  it('grants a 60 s lease by default and keeps it alive past its TTL', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client);
    expect(cluster.lessor.lookup(s.leaseId)?.ttl).toBe(60);
    await cluster.advance(150_000);
    expect(cluster.lessor.lookup(s.leaseId)).toBeDefined();
    expect(s.isDone()).toBe(false);
  });

  it('lets an orphaned lease expire after its TTL', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client, { ttlSeconds: 5 });
    s.orphan();
    await cluster.advance(4_000);
    expect(cluster.lessor.lookup(s.leaseId)).toBeDefined();
    await cluster.advance(2_000);
    expect(cluster.lessor.lookup(s.leaseId)).toBeUndefined();
    expect(s.isDone()).toBe(true);
  });

  it('revokes the lease on close, deleting the keys attached to it', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client, { ttlSeconds: 30 });
    await client.put('owned', 'x', { lease: s.leaseId });
    await s.close();
    expect(cluster.lessor.lookup(s.leaseId)).toBeUndefined();
    expect(value(cluster, 'owned')).toBeUndefined();
  });

  it('reports done when its lease is revoked by someone else', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client, { ttlSeconds: 30 });
    cluster.revokeLease(s.leaseId);
    await cluster.advance(10_001);
    await s.done;
    expect(s.isDone()).toBe(true);
  });
});

describe('Mutex', () => {
  it('acquires an uncontended lock with one txn: an empty key under name/ with the session lease', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client);
    const m = new Mutex(s, 'job');
    await m.lock();
    expect(m.key()).toBe(`job/${leaseHex(s.leaseId)}`);
    const kv = value(cluster, m.key())!;
    expect({ value: kv.value, lease: kv.lease, createRevision: kv.createRevision }).toEqual({ value: '', lease: s.leaseId, createRevision: m.header()!.revision });
  });

  it('orders contenders by create revision and wakes each only when its predecessor goes', async () => {
    const { cluster, client } = setup();
    const sessions = await Promise.all([1, 2, 3].map(() => Session.create(client)));
    const [a, b, c] = sessions.map((s) => new Mutex(s, 'job'));
    await a!.lock();
    const lockB = track(b!.lock());
    await cluster.settle();
    const lockC = track(c!.lock());
    await cluster.settle();
    expect([lockB.settled(), lockC.settled()]).toEqual([false, false]);
    // B watches A's key, C watches B's key: one watcher each, not all on the holder.
    expect(cluster.store.watcherCounts().synced).toBe(2);
    await a!.unlock();
    await cluster.settle();
    expect([lockB.settled(), lockC.settled()]).toEqual([true, false]);
    await b!.unlock();
    await cluster.settle();
    expect(lockC.settled()).toBe(true);
    await lockC.promise;
    expect(value(cluster, c!.key())).toBeDefined();
  });

  it('hands the lock on when the holder session expires', async () => {
    const { cluster, client } = setup();
    const holder = await Session.create(client, { ttlSeconds: 5 });
    await new Mutex(holder, 'job').lock();
    const waiter = new Mutex(await Session.create(client), 'job');
    const waiting = track(waiter.lock());
    holder.orphan();
    await cluster.advance(4_000);
    expect(waiting.settled()).toBe(false);
    await cluster.advance(2_000);
    expect(waiting.settled()).toBe(true);
  });

  it('gives up with "context canceled" and deletes its key when aborted while waiting', async () => {
    const { cluster, client } = setup();
    await new Mutex(await Session.create(client), 'job').lock();
    const m = new Mutex(await Session.create(client), 'job');
    const stop = new AbortController();
    const waiting = track(m.lock(stop.signal));
    await cluster.settle();
    const key = `job/${leaseHex((m as unknown as { session: Session }).session.leaseId)}`;
    expect(value(cluster, key)).toBeDefined();
    stop.abort();
    await expect(waiting.promise).rejects.toThrow(ContextCanceledError);
    expect(value(cluster, key)).toBeUndefined();
  });

  it('re-locks with the same session by reusing its key', async () => {
    const { cluster, client } = setup();
    const s = await Session.create(client);
    const m = new Mutex(s, 'job');
    await m.lock();
    const created = value(cluster, m.key())!.createRevision;
    await new Mutex(s, 'job').lock();
    expect(value(cluster, m.key())!.createRevision).toBe(created);
  });

  it('guards writes with isOwner while the lock is held', async () => {
    const { client } = setup();
    const m = new Mutex(await Session.create(client), 'job');
    await m.lock();
    const guarded = () => client.txn({ compare: [m.isOwner()], success: [{ requestPut: { key: 'x', value: '1' } }], failure: [] });
    expect((await guarded()).succeeded).toBe(true);
    await m.unlock();
    expect((await guarded()).succeeded).toBe(false);
  });
});

describe('Election', () => {
  it('elects the oldest candidate and the next one when the leader resigns', async () => {
    const { cluster, client } = setup();
    const alice = new Election(await Session.create(client), 'ring');
    const bob = new Election(await Session.create(client), 'ring');
    await alice.campaign('alice');
    const bobWins = track(bob.campaign('bob'));
    await cluster.settle();
    expect(bobWins.settled()).toBe(false);
    expect((await alice.leader()).kv?.value).toBe('alice');
    await alice.resign();
    await bobWins.promise;
    expect((await bob.leader()).kv?.value).toBe('bob');
    expect(bob.key()).toMatch(/^ring\//);
  });

  it('proclaims a new value only while leading', async () => {
    const { client } = setup();
    const e = new Election(await Session.create(client), 'ring');
    await e.campaign('v1');
    await e.proclaim('v2');
    expect((await e.leader()).kv?.value).toBe('v2');
    await e.resign();
    await expect(e.proclaim('v3')).rejects.toThrow(new EtcdError('FailedPrecondition', 'election: not leader'));
  });

  it('updates the value when the same session campaigns again with another proposal', async () => {
    const { client } = setup();
    const s = await Session.create(client);
    await new Election(s, 'ring').campaign('first');
    const again = new Election(s, 'ring');
    await again.campaign('second');
    expect((await again.leader()).kv?.value).toBe('second');
  });

  it('resigns when a waiting campaign is aborted', async () => {
    const { cluster, client } = setup();
    await new Election(await Session.create(client), 'ring').campaign('leader');
    const e = new Election(await Session.create(client), 'ring');
    const stop = new AbortController();
    const waiting = track(e.campaign('hopeful', stop.signal));
    await cluster.settle();
    expect((await client.get('ring/', { prefix: true })).count).toBe(2);
    stop.abort();
    await expect(waiting.promise).rejects.toThrow('context canceled');
    expect((await client.get('ring/', { prefix: true })).count).toBe(1);
  });

  it('observes the leader, its proclamations and its successor, from no leader at all', async () => {
    const { cluster, client } = setup();
    const seen: string[] = [];
    const stop = new AbortController();
    const observer = new Election(await Session.create(client), 'ring');
    const done = observer.observe((r) => seen.push(r.kvs[0]!.value), stop.signal);
    await cluster.settle();
    const alice = new Election(await Session.create(client), 'ring');
    await alice.campaign('alice');
    const bob = new Election(await Session.create(client), 'ring');
    const bobWins = track(bob.campaign('bob'));
    await alice.proclaim('alice-2');
    await alice.resign();
    await bobWins.promise;
    await cluster.settle();
    expect(seen).toEqual(['alice', 'alice-2', 'bob']);
    stop.abort();
    await done;
  });
});

describe('the EtcdClient methods built on the recipes', () => {
  it('locks and unlocks through lockWith/unlockWith, ending the session on unlock', async () => {
    const { cluster, client } = setup();
    const held = await client.lock('job', { ttlSeconds: 20 });
    expect(held.key).toBe(`job/${leaseHex(held.lease)}`);
    expect(cluster.lessor.lookup(held.lease)?.ttl).toBe(20);
    const second = track(client.lock('job'));
    await cluster.settle();
    expect(second.settled()).toBe(false);
    await client.unlock(held.key);
    expect(cluster.lessor.lookup(held.lease)).toBeUndefined();
    const next = await second.promise;
    expect(next.header.revision).toBeGreaterThan(held.header.revision);
  });

  it('revokes the session when a lock is aborted while waiting', async () => {
    const { cluster, client } = setup();
    await client.lock('job');
    const stop = new AbortController();
    const leasesBefore = cluster.lessor.size;
    const waiting = track(client.lock('job', { signal: stop.signal }));
    await cluster.settle();
    expect(cluster.lessor.size).toBe(leasesBefore + 1);
    stop.abort();
    await expect(waiting.promise).rejects.toThrow('context canceled');
    expect(cluster.lessor.size).toBe(leasesBefore);
  });

  it('campaigns, proclaims, reports the leader, observes and resigns', async () => {
    const { cluster, client } = setup();
    const other: EtcdClient = cluster.createClient();
    const seen: (string | undefined)[] = [];
    const handle = other.observe('ring', (r) => seen.push(r.kv?.value));
    const won = await client.campaign('ring', 'alice');
    expect(won.leader).toMatchObject({ name: 'ring', key: `ring/${leaseHex(won.leader.lease)}` });
    await client.proclaim(won.leader, 'alice-2');
    expect((await other.leader('ring')).kv?.value).toBe('alice-2');
    await client.resign(won.leader);
    expect((await other.leader('ring')).kv).toBeUndefined();
    expect(cluster.lessor.lookup(won.leader.lease)).toBeUndefined();
    await expect(client.proclaim(won.leader, 'late')).rejects.toThrow('election: not leader');
    await cluster.settle();
    expect(seen).toEqual(['alice', 'alice-2']);
    handle.cancel();
    await handle.done;
  });
});
