// Durability of the etcd member on IndexedDB (fake-indexeddb in Node): a 3-member cluster runs a
// workload of acknowledged writes, and a member (or the whole cluster) is killed and restarted from
// its IndexedDB at every step boundary. Every acknowledged write must survive, and every member
// must end with the same KV hash at the same revision. Corrupt or missing stored data must keep a
// member from starting, with a clear error, while the rest of the cluster goes on.

import { describe, expect, it } from 'vitest';
import { newInlineCluster, settle } from '../helpers/inlineCluster';
import type { Cluster } from '../../src/cluster/cluster';

async function hashesAgree(cluster: Cluster): Promise<{ hash: number; revision: number }> {
  const c = cluster.client();
  const live = cluster.ids().filter((id) => cluster.isAlive(id));
  const hs = await Promise.all(live.map((id) => c.hashKV(cluster.spec(id).clientUrl, 0)));
  c.close();
  expect(new Set(hs.map((h) => h.hash)).size).toBe(1);
  expect(new Set(hs.map((h) => h.header.revision)).size).toBe(1);
  return { hash: hs[0]!.hash, revision: hs[0]!.header.revision };
}

describe('crash and restart from IndexedDB at every step boundary', () => {
  it('keeps every acknowledged write when one member is killed and restarted after each write', async () => {
    const { cluster } = await newInlineCluster({ seed: 71, nodes: 3, storage: 'indexeddb' });
    const c = cluster.client();
    const acked = new Map<string, string>();
    const ids = cluster.ids();
    let failures = 0;
    for (let step = 0; step < 18; step++) {
      const key = `key${step}`;
      const value = `value${step}`;
      // A write caught in a leader's crash may time out (its proposal died with the leader, as in
      // etcd); it is not acknowledged, so retry until it is.
      for (let attempt = 0; ; attempt++) {
        try {
          await c.put(key, value);
          break;
        } catch (e) {
          failures++;
          expect((e as Error).message).toMatch(/context deadline exceeded|request timed out/);
          expect(attempt).toBeLessThan(3);
        }
      }
      acked.set(key, value);
      // Boundary: kill one member (rotating, the leader included) and bring it back.
      const victim = ids[step % ids.length]!;
      await cluster.kill(victim);
      if (step % 3 === 0) await cluster.advance(1500); // sometimes long enough for a new election
      await cluster.restart(victim);
    }
    await settle(cluster);
    for (const [k, v] of acked) expect((await c.get(k)).kvs[0]?.value).toBe(v);
    const { revision } = await hashesAgree(cluster);
    // One revision per acknowledged write, plus at most one per timed-out attempt that still landed.
    expect(revision).toBeGreaterThanOrEqual(19);
    expect(revision).toBeLessThanOrEqual(19 + failures);
  });

  it('keeps every acknowledged write when the whole cluster is killed and restarted between writes', async () => {
    const { cluster } = await newInlineCluster({ seed: 72, nodes: 3, storage: 'indexeddb' });
    const c = cluster.client();
    const acked = new Map<string, string>();
    for (let step = 0; step < 8; step++) {
      await c.put(`k${step}`, `v${step}`);
      acked.set(`k${step}`, `v${step}`);
      for (const id of cluster.ids()) await cluster.kill(id);
      for (const id of cluster.ids()) await cluster.restart(id);
      await settle(cluster);
    }
    for (const [k, v] of acked) expect((await c.get(k)).kvs[0]?.value).toBe(v);
    await hashesAgree(cluster);
  });

  it('a restarted cluster still has its leases and their keys, and applies nothing twice', async () => {
    const { cluster } = await newInlineCluster({ seed: 73, nodes: 3, storage: 'indexeddb' });
    const c = cluster.client();
    const l = await c.leaseGrant(600);
    await c.put('with-lease', 'x', { lease: l.id });
    await c.put('counter', '1');
    await settle(cluster);
    const before = await hashesAgree(cluster);
    for (const id of cluster.ids()) await cluster.kill(id);
    for (const id of cluster.ids()) await cluster.restart(id);
    await settle(cluster);
    const after = await hashesAgree(cluster);
    // Same data, same revision: replaying the log after the consistent index applies nothing twice.
    expect(after).toEqual(before);
    const ttl = await c.leaseTimeToLive(l.id, { keys: true });
    expect(ttl.keys).toEqual(['with-lease']);
    expect(ttl.grantedTtl).toBe(600);
  });
});

describe('damaged storage', () => {
  it('refuses to start a member whose stored log entry fails its checksum, naming the record', async () => {
    const { cluster, backends } = await newInlineCluster({ seed: 74, nodes: 3, storage: 'indexeddb' });
    const c = cluster.client();
    for (let i = 0; i < 5; i++) await c.put(`k${i}`, 'v');
    await settle(cluster);
    const victim = cluster.ids().find((id) => id !== cluster.leader())!;
    await cluster.kill(victim);
    await backends.get(victim)!.corruptRecordForTest('wal', 3);
    const failures: string[] = [];
    cluster.subscribe((e) => {
      if (e.type === 'node' && e.state === 'failed') failures.push(e.detail ?? '');
    });
    await cluster.restart(victim);
    expect(cluster.isAlive(victim)).toBe(false);
    expect(failures.length).toBe(1);
    expect(failures[0]).toMatch(/^CorruptionError: /);
    expect(failures[0]).toMatch(/crc mismatch/);
    // The other two keep serving.
    await c.put('still', 'works');
    expect((await c.get('still')).kvs[0]?.value).toBe('works');
  });

  it('refuses to start a member whose log has a hole', async () => {
    const { cluster, backends } = await newInlineCluster({ seed: 75, nodes: 3, storage: 'indexeddb' });
    const c = cluster.client();
    for (let i = 0; i < 5; i++) await c.put(`k${i}`, 'v');
    await settle(cluster);
    const victim = cluster.ids()[0]!;
    await cluster.kill(victim);
    await backends.get(victim)!.deleteRecordForTest('wal', 4);
    await cluster.restart(victim);
    expect(cluster.isAlive(victim)).toBe(false);
    expect(cluster.failure(victim)).toMatch(/CorruptionError/);
  });
});
