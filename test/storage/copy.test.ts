// Copying a member's stored state into another backend gives back the same state, and a member
// restarted from the copy is the same member (what a resumed cluster's time-travel shadow needs).

import { describe, expect, it } from 'vitest';
import { newInlineCluster } from '../helpers/inlineCluster';
import { MemoryBackend, copyBackend } from '../../src/storage/index';

describe('copyBackend', () => {
  it('copies every stored part of real members (log, snapshot, MVCC, leases, membership)', async () => {
    const { cluster, backends } = await newInlineCluster({ seed: 3, nodes: 3, storage: 'indexeddb', snapshotCount: 20, snapshotCatchUpEntries: 5 });
    const c = cluster.client();
    const lease = await c.leaseGrant(60);
    for (let i = 0; i < 40; i++) await c.put(`k${i % 7}`, `v${i}`, i % 5 === 0 ? { lease: lease.id } : {});
    await c.compact((await c.get('k1')).header.revision - 3);
    await cluster.advance(500);
    let withSnapshot = 0;
    for (const b of backends.values()) {
      const copy = new MemoryBackend();
      await copyBackend(b, copy);
      const want = await b.load();
      expect(want).toBeDefined();
      if (want!.snapshot !== undefined) withSnapshot++;
      expect(await copy.load()).toEqual(want);
    }
    expect(withSnapshot).toBeGreaterThan(0);
  });

  it('copies nothing from a backend never written', async () => {
    const copy = new MemoryBackend();
    await copyBackend(new MemoryBackend(), copy);
    expect(await copy.load()).toBeUndefined();
  });
});
