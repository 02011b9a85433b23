// The etcd member end to end, on an inline 3-member cluster: bootstrap as etcd does it, the KV API
// through Raft, linearizable reads batched into ReadIndex rounds, serializable reads, leases, the
// quota and request-size limits, membership changes with their refusals, transfer on graceful
// stop, snapshots catching up a lagging member, and restart from storage. Every test drives the
// real members through the coordinator and the client, in virtual time.

import { describe, expect, it } from 'vitest';
import { EtcdError } from '../../src/client/api';
import { MemberHost } from '../../src/cluster/memberHost';
import { newInlineCluster, settle } from '../helpers/inlineCluster';
import type { Cluster } from '../../src/cluster/cluster';

export function memberOf(cluster: Cluster, id: number) {
  return (cluster.host(id) as MemberHost).etcdMember!;
}

async function expectRpcError(p: Promise<unknown>, message: string): Promise<void> {
  await expect(p).rejects.toSatisfy((e: unknown) => e instanceof EtcdError && e.message === message);
}

describe('bootstrap', () => {
  it('elects a leader and reaches raft index 8 like etcd 3.4 (3 conf changes, the empty entry, 3 publishes, the cluster version)', async () => {
    const { cluster } = await newInlineCluster({ seed: 11, nodes: 3 });
    await settle(cluster);
    for (const id of cluster.ids()) {
      expect(cluster.status(id)!.commit).toBe(8);
      expect(cluster.status(id)!.revision).toBe(1);
    }
    const c = cluster.client();
    const list = await c.memberList();
    expect(list.members.map((m) => m.name).sort()).toEqual(['infra1', 'infra2', 'infra3']);
    expect(list.members.every((m) => !m.isLearner && m.clientUrls.length === 1)).toBe(true);
  });

  it('elects the first leader within the initial tick advance (well under an election timeout)', async () => {
    const { cluster } = await newInlineCluster({ seed: 12, nodes: 5, start: false });
    await cluster.start();
    expect(await cluster.runUntil(() => cluster.leader() !== undefined, { timeoutMs: 5000 })).toBe(true);
    // 8 ticks are fast-forwarded: the first campaign starts within 2..11 ticks.
    expect(cluster.now()).toBeLessThan(1500);
  });
});

describe('KV through Raft', () => {
  it('puts, gets, deletes and runs txns with etcd revisions, and every member ends with the same hash', async () => {
    const { cluster } = await newInlineCluster({ seed: 21, nodes: 3 });
    const c = cluster.client();
    expect((await c.put('foo', 'bar')).header.revision).toBe(2);
    expect((await c.put('foo', 'bar2', { prevKv: true })).prevKv?.value).toBe('bar');
    const g = await c.get('foo');
    expect(g.kvs[0]).toMatchObject({ key: 'foo', value: 'bar2', createRevision: 2, modRevision: 3, version: 2 });
    const t = await c.txn({
      compare: [{ key: 'foo', target: 'VALUE', result: 'EQUAL', value: 'bar2' }],
      success: [{ requestPut: { key: 'moved', value: 'yes' } }, { requestDeleteRange: { key: 'foo' } }],
      failure: [],
    });
    expect(t.succeeded).toBe(true);
    expect(t.header.revision).toBe(4);
    expect((await c.get('foo')).kvs).toEqual([]);
    expect((await c.delete('moved')).deleted).toBe(1);
    await settle(cluster);
    const hashes = await Promise.all(cluster.ids().map((id) => c.hashKV(cluster.spec(id).clientUrl, 0)));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
    expect(hashes.every((h) => h.header.revision === 5)).toBe(true);
  });

  it('answers with etcd errors for future and compacted revisions and empty keys', async () => {
    const { cluster } = await newInlineCluster({ seed: 22, nodes: 3 });
    const c = cluster.client();
    for (let i = 0; i < 5; i++) await c.put('k', `v${i}`);
    await expectRpcError(c.get('k', { revision: 100 }), 'etcdserver: mvcc: required revision is a future revision');
    await c.compact(4);
    await expectRpcError(c.get('k', { revision: 2 }), 'etcdserver: mvcc: required revision has been compacted');
    await expectRpcError(c.put('', 'x'), 'etcdserver: key is not provided');
  });

  it('refuses a request over --max-request-bytes (1.5 MiB) with etcd error', async () => {
    const { cluster } = await newInlineCluster({ seed: 24, nodes: 3 });
    const c = cluster.client();
    await expectRpcError(c.put('big', 'x'.repeat(1.6 * 1024 * 1024)), 'etcdserver: request is too large');
    await c.put('small', 'ok');
  });

  it('once over quota, raises the NOSPACE alarm and refuses writes until disarmed', async () => {
    const { cluster } = await newInlineCluster({ seed: 23, nodes: 3, quotaBackendBytes: 64 * 1024 });
    const c = cluster.client();
    let failed: unknown;
    for (let i = 0; i < 200 && failed === undefined; i++) {
      try {
        await c.put(`key${i}`, 'v'.repeat(2000));
      } catch (e) {
        failed = e;
      }
    }
    expect(failed).toBeInstanceOf(EtcdError);
    expect((failed as EtcdError).message).toBe('etcdserver: mvcc: database space exceeded');
    await settle(cluster);
    const alarms = await c.alarmList();
    expect(alarms.alarms.some((a) => a.alarm === 'NOSPACE')).toBe(true);
    await expectRpcError(c.put('more', 'x'), 'etcdserver: mvcc: database space exceeded');
    // Reads still work.
    expect((await c.get('key0')).kvs.length).toBe(1);
  });
});

describe('reads', () => {
  it('batches concurrent linearizable reads on a follower into one ReadIndex round', async () => {
    const { cluster } = await newInlineCluster({ seed: 31, nodes: 3 });
    const lead = cluster.leader()!;
    const follower = cluster.ids().find((id) => id !== lead)!;
    const c = cluster.client({ endpoints: [cluster.spec(follower).clientUrl] });
    await c.put('x', '1');
    let readIndexMsgs = 0;
    const off = cluster.subscribe((e) => {
      if (e.type === 'message' && e.phase === 'send' && e.message.type === 'MsgReadIndex') readIndexMsgs++;
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => c.get('x')));
    off();
    expect(results.every((r) => r.kvs[0]?.value === '1')).toBe(true);
    // The first read starts a round; the seven that arrive while it is in flight share the next.
    expect(readIndexMsgs).toBeGreaterThanOrEqual(1);
    expect(readIndexMsgs).toBeLessThanOrEqual(2);
  });

  it('serves a serializable read on a partitioned follower from its own (stale) state, while a linearizable read times out', async () => {
    const { cluster } = await newInlineCluster({ seed: 32, nodes: 3 });
    const lead = cluster.leader()!;
    const follower = cluster.ids().find((id) => id !== lead)!;
    const all = cluster.client();
    await all.put('k', 'old');
    await settle(cluster);
    cluster.isolate(follower);
    await all.put('k', 'new');
    const onFollower = cluster.client({ endpoints: [cluster.spec(follower).clientUrl] });
    expect((await onFollower.get('k', { serializable: true })).kvs[0]!.value).toBe('old');
    await expect(onFollower.get('k')).rejects.toSatisfy((e: unknown) => e instanceof EtcdError && e.message === 'context deadline exceeded');
    cluster.heal();
    await settle(cluster);
    expect((await onFollower.get('k')).kvs[0]!.value).toBe('new');
  });
});

describe('leases', () => {
  it('revokes an expired lease through the leader and deletes its keys on every member', async () => {
    const { cluster } = await newInlineCluster({ seed: 41, nodes: 3 });
    const c = cluster.client();
    const l = await c.leaseGrant(5);
    expect(l.ttl).toBe(5);
    await c.put('session', 'alive', { lease: l.id });
    const ttl = await c.leaseTimeToLive(l.id, { keys: true });
    expect(ttl.keys).toEqual(['session']);
    await cluster.advance(7000);
    await settle(cluster);
    expect((await c.get('session')).kvs).toEqual([]);
    await expectRpcError(c.leaseTimeToLive(l.id), 'etcdserver: requested lease not found');
  });

  it('keeps a lease alive through keep-alives served by the leader (forwarded from a follower)', async () => {
    const { cluster } = await newInlineCluster({ seed: 42, nodes: 3 });
    const lead = cluster.leader()!;
    const follower = cluster.ids().find((id) => id !== lead)!;
    const c = cluster.client({ endpoints: [cluster.spec(follower).clientUrl] });
    const l = await c.leaseGrant(3);
    await c.put('k', 'v', { lease: l.id });
    for (let i = 0; i < 5; i++) {
      await cluster.advance(1000);
      expect((await c.leaseKeepAliveOnce(l.id)).ttl).toBe(3);
    }
    expect((await c.get('k')).kvs.length).toBe(1);
    await expectRpcError(c.leaseKeepAliveOnce(0x7777), 'etcdserver: requested lease not found');
  });

  it('a leader change renews remaining TTLs without checkpoints and keeps them with checkpoints', async () => {
    const remainingAfterFailover = async (leaseCheckpoint: boolean): Promise<number> => {
      // Checkpoints come every 5 minutes in etcd; a shorter interval makes them visible here.
      const { cluster } = await newInlineCluster({ seed: 43, nodes: 3, leaseCheckpoint, leaseCheckpointIntervalMs: 2000 });
      const c = cluster.client();
      const l = await c.leaseGrant(60);
      await cluster.advance(10_000);
      await settle(cluster);
      const old = cluster.leader()!;
      await cluster.kill(old);
      await cluster.runUntil(() => cluster.leader() !== undefined && cluster.leader() !== old, { timeoutMs: 10_000 });
      await cluster.advance(2000);
      const t = await c.leaseTimeToLive(l.id);
      return t.ttl;
    };
    const without = await remainingAfterFailover(false);
    const withCp = await remainingAfterFailover(true);
    // Without checkpoints the new leader restarts the TTL (+ the election timeout).
    expect(without).toBeGreaterThanOrEqual(58);
    // With checkpoints it continues from the last checkpoint (granted 60 s, ~10 s elapsed).
    expect(withCp).toBeLessThanOrEqual(52);
    expect(withCp).toBeGreaterThanOrEqual(40);
  });
});

describe('membership', () => {
  it('adds a learner that catches up by snapshot, refuses its promotion until it has, and refuses writes on it', async () => {
    const { cluster } = await newInlineCluster({ seed: 51, nodes: 3, snapshotCount: 50, snapshotCatchUpEntries: 10 });
    const c = cluster.client();
    for (let i = 0; i < 120; i++) await c.put(`k${i % 20}`, `v${i}`);
    await settle(cluster);
    const snaps: number[] = [];
    cluster.subscribe((e) => {
      if (e.type === 'member' && e.event.kind === 'restore') snaps.push(e.node);
    });
    const learner = await cluster.addMember({ learner: true });
    expect(cluster.status(learner)!.isLearner || cluster.status(learner)!.applied === 0).toBe(true);
    await settle(cluster);
    expect(snaps).toContain(learner);
    expect(cluster.status(learner)!.isLearner).toBe(true);
    const onLearner = cluster.client({ endpoints: [cluster.spec(learner).clientUrl] });
    await expectRpcError(onLearner.put('x', 'y'), 'etcdserver: rpc not supported for learner');
    expect((await onLearner.get('k1', { serializable: true })).kvs[0]!.value).toBe('v101');
    await cluster.promote(learner);
    await settle(cluster);
    expect(cluster.status(learner)!.isLearner).toBe(false);
    expect((await c.memberList()).members.find((m) => m.id === learner)?.isLearner).toBe(false);
  });

  it('refuses to promote a learner that has not caught up, with etcd error', async () => {
    const { cluster } = await newInlineCluster({ seed: 52, nodes: 3 });
    const c = cluster.client();
    const lead = cluster.leader()!;
    for (let i = 0; i < 50; i++) await c.put(`k${i}`, 'v');
    // Add the learner but keep it down, so it cannot catch up.
    const resp = await c.memberAdd(['http://127.0.0.1:99380'], { learner: true });
    await expectRpcError(c.memberPromote(resp.member.id), 'etcdserver: can only promote a learner member which is in sync with leader');
    expect(cluster.leader()).toBe(lead);
    await expectRpcError(c.memberAdd(['http://127.0.0.1:99381'], { learner: true }), 'etcdserver: too many learner members in cluster');
    await expectRpcError(c.memberAdd(['http://127.0.0.1:12380']), 'etcdserver: Peer URLs already exists');
    await expectRpcError(c.memberRemove(0x1234), 'etcdserver: member not found');
  });

  it('removes a member, which stops itself, and refuses to reuse its ID', async () => {
    const { cluster } = await newInlineCluster({ seed: 53, nodes: 3 });
    const c = cluster.client();
    // etcd refuses to remove a voter until the peers have been connected for 5 s (HealthInterval).
    await expectRpcError(c.memberRemove(cluster.ids().find((id) => id !== cluster.leader())!), 'etcdserver: unhealthy cluster');
    await cluster.advance(5000);
    const victim = cluster.ids().find((id) => id !== cluster.leader())!;
    await cluster.removeMember(victim);
    await settle(cluster);
    expect(cluster.isRemoved(victim)).toBe(true);
    expect(cluster.isAlive(victim)).toBe(false);
    expect((await c.memberList()).members.map((m) => m.id)).not.toContain(victim);
    await expectRpcError(c.memberRemove(victim), 'etcdserver: member not found');
    await c.put('after', 'removal');
  });
});

describe('graceful stop and restart', () => {
  it('a stopping leader transfers leadership first, so the cluster is leaderless for far less than an election timeout', async () => {
    const { cluster } = await newInlineCluster({ seed: 61, nodes: 3 });
    const c = cluster.client();
    await c.put('k', 'v');
    await settle(cluster);
    const old = cluster.leader()!;
    let leaderless = 0;
    let last = cluster.now();
    const off = cluster.subscribe(() => {
      const t = cluster.now();
      const hasLeader = cluster.ids().some((id) => cluster.isAlive(id) && id !== old && cluster.status(id)?.role === 'StateLeader');
      if (!hasLeader) leaderless += t - last;
      last = t;
    });
    const t0 = cluster.now();
    await cluster.stop(old);
    await cluster.runUntil(() => cluster.leader() !== undefined, { timeoutMs: 5000 });
    off();
    expect(cluster.leader()).not.toBe(old);
    expect(cluster.now() - t0).toBeLessThan(500);
    expect(leaderless).toBeLessThan(500);
    expect((await c.get('k')).kvs[0]!.value).toBe('v');
  });

  it('a follower that misses compacted entries is caught up by a snapshot after restart', async () => {
    const { cluster } = await newInlineCluster({ seed: 62, nodes: 3, snapshotCount: 40, snapshotCatchUpEntries: 5 });
    const c = cluster.client();
    const lagging = cluster.ids().find((id) => id !== cluster.leader())!;
    await cluster.kill(lagging);
    for (let i = 0; i < 100; i++) await c.put(`k${i % 10}`, `v${i}`);
    const restored: number[] = [];
    cluster.subscribe((e) => {
      if (e.type === 'member' && e.event.kind === 'restore') restored.push(e.node);
    });
    await cluster.restart(lagging);
    await settle(cluster);
    expect(restored).toContain(lagging);
    const hashes = await Promise.all(cluster.ids().map((id) => c.hashKV(cluster.spec(id).clientUrl, 0)));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
  });
});
