// Torn writes: members crash while a batch is on its way to disk, so that batch is lost (as an
// IndexedDB transaction that never committed). No acknowledged write may be lost, and a restarted
// member must never answer a client with the result of another request. This found a real bug:
// request IDs restarted from zero after a crash, so a new request could be "answered" by an older
// incarnation's entry with the same ID (etcd puts the start time in its request IDs for this).

import { describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster';
import { MemberHost } from '../../src/cluster/memberHost';
import { MemoryBackend } from '../../src/storage/index';
import { Prng } from '../../src/lib/prng';

async function run(seed: number): Promise<{ lost: string[]; wrong: string[]; acked: number; torn: number }> {
  const backends = new Map<number, MemoryBackend>();
  const cluster = new Cluster({
    seed,
    nodes: 3,
    timing: { diskLatencyMs: 5 },
    hostFactory: (spec) =>
      new MemberHost(
        {
          open: async () => {
            let b = backends.get(spec.id);
            if (b === undefined) backends.set(spec.id, (b = new MemoryBackend()));
            return b;
          },
        },
        { writeAtCommit: true },
      ),
  });
  await cluster.start();
  await cluster.runUntil(() => cluster.leader() !== undefined, { timeoutMs: 5000 });
  const rnd = new Prng(seed);
  const c = cluster.client({ autoAdvance: false, requestTimeoutMs: 8000 });
  const acked = new Map<string, string>();
  const wrong: string[] = [];
  let torn = 0;
  for (let i = 0; i < 20; i++) {
    const key = `k${i}`;
    c.put(key, `v${i}`).then(
      (r) => {
        // A put's answer carries the revision it wrote; anything else answers another request.
        if (typeof r?.header?.revision !== 'number' || r.header.revision < 2) wrong.push(`${key}: ${JSON.stringify(r)}`);
        acked.set(key, `v${i}`);
      },
      () => {},
    );
    for (let k = 1 + rnd.int(30); k > 0; k--) await cluster.stepOne();
    const alive = cluster.ids().filter((id) => cluster.isAlive(id));
    const writing = alive.filter((id) => cluster.isWriting(id));
    if (writing.length > 0) torn++;
    const victim = writing.length > 0 ? rnd.pick(writing) : rnd.pick(alive);
    await cluster.crash(victim);
    await cluster.advance(rnd.int(800));
    await cluster.restart(victim);
    await cluster.runUntil(() => acked.has(key), { timeoutMs: 10_000 });
  }
  await cluster.advance(3000);
  const probe = cluster.client({ autoAdvance: false });
  const lost: string[] = [];
  for (const [k, v] of acked) {
    const r = await cluster.settleWithin(probe.get(k), 8000);
    const got = r.done && 'value' in r ? r.value.kvs[0]?.value : 'error';
    if (got !== v) lost.push(`${k}: want ${v}, got ${got}`);
  }
  return { lost, wrong, acked: acked.size, torn };
}

describe('torn writes', () => {
  it.each([19, 23, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18])(
    'seed %i: crashes in the middle of writes lose no acknowledged write',
    async (seed) => {
      const r = await run(seed);
      expect(r.wrong).toEqual([]);
      expect(r.lost).toEqual([]);
      expect(r.acked).toBeGreaterThan(8);
      expect(r.torn).toBeGreaterThan(0);
    },
  );
});
