// etcd 3.4's functional tester cases as named scenarios on a 3-member cluster (functional/rpcpb
// Case; see the reference notes §6): each case injects its failure under client stress, keeps it
// for the case delay (or, for the UNTIL_TRIGGER_SNAPSHOT variants, until the leader's revision
// advanced past the snapshot count, so the victim must be caught up by a snapshot), recovers, then
// runs etcd's checkers: health (a put through every member), KV_HASH (the same hash at the same
// revision on every member) and LEASE_EXPIRE (short-lived leases expired and their keys gone,
// long-lived ones alive with their keys, revoked ones gone).

import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng';
import type { Cluster } from '../../src/cluster/cluster';
import type { Client } from '../../src/client/client';
import { InvariantChecker } from '../../src/cluster/checkers/invariants';
import { newInlineCluster, quiescent } from '../helpers/inlineCluster';

const SNAPSHOT_COUNT = 60;
const CASE_DELAY_MS = 7000;

interface Ctx {
  cluster: Cluster;
  ids: number[];
  leader(): number;
  follower(): number;
  quorum(): number[];
}

interface CaseDef {
  name: string;
  inject(ctx: Ctx): Promise<{ victims: number[]; recover: () => Promise<void> }>;
  untilSnapshot?: boolean;
  /**
   * Whether the victim must then be caught up by a snapshot (it was cut off). A delayed link is
   * still a stream: the victim gets every entry in order, late, so it may need none; etcd's
   * tester only holds the fault that long.
   */
  needsSnapshot?: boolean;
}

/** Stress: puts, txns and deletes on a small key space, some keys on short or long leases. */
class Stresser {
  running = true;
  ops = 0;
  errors = 0;
  readonly shortLeases = new Map<number, string>();
  readonly longLeases = new Map<number, string>();
  readonly revoked: number[] = [];
  private seq = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly c: Client,
    private readonly rnd: Prng,
  ) {}

  start(): void {
    for (let i = 0; i < 3; i++) this.loop();
    this.leaseLoop();
  }

  private next(f: () => void): void {
    const at = this.cluster.now() + 20 + this.rnd.int(60);
    void this.cluster.when(() => this.cluster.now() >= at).then(f);
  }

  private loop(): void {
    if (!this.running) return;
    const key = `stress-${this.rnd.int(20)}`;
    const roll = this.rnd.int(10);
    const p: Promise<unknown> =
      roll < 6
        ? this.c.put(key, `v${this.seq++}`)
        : roll < 9
          ? this.c.txn({ compare: [], success: [{ requestPut: { key, value: `t${this.seq++}` } }, { requestDeleteRange: { key: `${key}-x` } }], failure: [] })
          : this.c.delete(key);
    p.then(
      () => this.ops++,
      () => this.errors++,
    ).finally(() => this.next(() => this.loop()));
  }

  /** etcd's lease stresser: short-lived leases left to expire, long-lived ones kept, some revoked. */
  private leaseLoop(): void {
    if (!this.running) return;
    const kind = this.rnd.int(3);
    const ttl = kind === 0 ? 2 : 120;
    this.c
      .leaseGrant(ttl)
      .then(async (l) => {
        const key = `lease-${l.id.toString(16)}`;
        await this.c.put(key, 'attached', { lease: l.id });
        if (kind === 0) this.shortLeases.set(l.id, key);
        else if (kind === 1) this.longLeases.set(l.id, key);
        else {
          await this.c.leaseRevoke(l.id);
          this.revoked.push(l.id);
        }
      })
      .catch(() => this.errors++)
      .finally(() => this.next(() => this.leaseLoop()));
  }
}

async function drive<T>(cluster: Cluster, p: Promise<T>, ms = 15_000): Promise<T> {
  const r = await cluster.settleWithin(p, ms);
  if (!r.done) throw new Error('operation did not complete in virtual time');
  if ('error' in r) throw r.error;
  return r.value;
}

async function runCase(def: CaseDef, seed: number): Promise<void> {
  const { cluster } = await newInlineCluster({ seed, nodes: 3, snapshotCount: SNAPSHOT_COUNT, snapshotCatchUpEntries: 10, preVote: true });
  const checker = new InvariantChecker();
  cluster.subscribe((e) => checker.observe(e));
  const restores: number[] = [];
  cluster.subscribe((e) => {
    if (e.type === 'member' && e.event.kind === 'restore') restores.push(e.node);
  });
  const rnd = new Prng(seed);
  const ids = cluster.ids();
  const ctx: Ctx = {
    cluster,
    ids,
    leader: () => cluster.leader()!,
    follower: () => ids.find((id) => id !== cluster.leader() && cluster.isAlive(id))!,
    quorum: () => [...ids].sort((a, b) => a - b).slice(0, 2),
  };
  const stressClient = cluster.client({ autoAdvance: false });
  const stresser = new Stresser(cluster, stressClient, rnd);
  stresser.start();
  await cluster.advance(3000);

  const probe = cluster.client({ autoAdvance: false });
  const revisionAt = async (): Promise<number> => {
    const r = await cluster.settleWithin(probe.get('health', { serializable: true }), 2000);
    return r.done && 'value' in r ? r.value.header.revision : 0;
  };
  const startRev = await revisionAt();
  const { victims, recover } = await def.inject(ctx);
  if (def.untilSnapshot) {
    // Hold the fault until the leader's revision moved past the snapshot count.
    const ok = await cluster.runUntil(() => {
      const lead = cluster.leader();
      return lead !== undefined && !victims.includes(lead) && (cluster.status(lead)?.revision ?? 0) > startRev + SNAPSHOT_COUNT + 10;
    }, { timeoutMs: 60_000 });
    expect(ok, `${def.name}: the cluster made no progress with the fault held`).toBe(true);
  } else {
    await cluster.advance(CASE_DELAY_MS);
  }
  await recover();
  stresser.running = false;

  // Wait for health: a put through every member.
  for (const id of ids.filter((x) => !cluster.isRemoved(x))) {
    const c = cluster.client({ endpoints: [cluster.spec(id).clientUrl], autoAdvance: false });
    let healthy = false;
    for (let attempt = 0; attempt < 20 && !healthy; attempt++) {
      const r = await cluster.settleWithin(c.put('health', 'good'), 6000);
      healthy = r.done && 'value' in r;
      if (!healthy) await cluster.advance(1000);
    }
    c.close();
    expect(healthy, `${def.name}: member ${cluster.spec(id).name} never became healthy`).toBe(true);
  }
  // Let short leases expire (2 s TTL, plus the time for the revoke to commit).
  await cluster.advance(4000);
  expect(await cluster.runUntil(() => quiescent(cluster), { timeoutMs: 20_000 })).toBe(true);

  // KV_HASH.
  const live = cluster.ids().filter((id) => cluster.isAlive(id));
  const hashes = await drive(cluster, Promise.all(live.map((id) => probe.hashKV(cluster.spec(id).clientUrl, 0))));
  expect(new Set(hashes.map((h) => h.hash)).size, `${def.name}: KV hashes differ`).toBe(1);
  expect(new Set(hashes.map((h) => h.header.revision)).size, `${def.name}: revisions differ`).toBe(1);

  // LEASE_EXPIRE.
  for (const [id, key] of stresser.shortLeases) {
    const ttl = await cluster.settleWithin(probe.leaseTimeToLive(id), 10_000);
    expect(ttl.done && 'error' in ttl, `${def.name}: short lease ${id.toString(16)} still exists`).toBe(true);
    expect((await drive(cluster, probe.get(key))).kvs, `${def.name}: key of expired lease survives`).toEqual([]);
  }
  for (const [id, key] of stresser.longLeases) {
    const ttl = await drive(cluster, probe.leaseTimeToLive(id, { keys: true }));
    expect(ttl.ttl, `${def.name}: long lease ${id.toString(16)} expired`).toBeGreaterThan(0);
    expect(ttl.keys).toContain(key);
  }
  for (const id of stresser.revoked) {
    const ttl = await cluster.settleWithin(probe.leaseTimeToLive(id), 10_000);
    expect(ttl.done && 'error' in ttl, `${def.name}: revoked lease ${id.toString(16)} still exists`).toBe(true);
  }
  expect(stresser.ops, `${def.name}: the stresser did nothing`).toBeGreaterThan(20);
  if (def.untilSnapshot && def.needsSnapshot !== false) {
    expect(victims.some((v) => restores.includes(v) || cluster.isRemoved(v)), `${def.name}: no victim was caught up by a snapshot`).toBe(true);
  }
  await checker.deepCheck(
    {
      ids: () => cluster.ids(),
      isAlive: (id) => cluster.isAlive(id),
      leader: () => cluster.leader(),
      status: (id) => cluster.status(id),
      log: (id, from, to) => cluster.host(id).log(from, to),
    },
    cluster.now(),
  );
  expect(checker.violations, `${def.name}: ${checker.violations.map((v) => v.message).join('; ')}`).toEqual([]);
  stressClient.close();
  probe.close();
}

const sigterm = (pick: (ctx: Ctx) => number[]) => async (ctx: Ctx) => {
  const victims = pick(ctx);
  for (const v of victims) await ctx.cluster.stop(v);
  return {
    victims,
    recover: async () => {
      for (const v of victims) await ctx.cluster.restart(v);
    },
  };
};

const sigquitAndRemove = (pick: (ctx: Ctx) => number) => async (ctx: Ctx) => {
  const victim = pick(ctx);
  const c = ctx.cluster;
  await c.kill(victim);
  await c.wipe(victim);
  await c.runUntil(() => c.leader() !== undefined, { timeoutMs: 10_000 });
  await c.advance(5000); // strict reconfig check: peers connected for 5 s
  await drive(c, c.removeMember(victim));
  return {
    victims: [victim],
    recover: async () => {
      const added = await drive(c, c.addMember({ name: `${c.spec(victim).name}-new` }));
      ctx.ids.push(added);
    },
  };
};

const blackhole = (pick: (ctx: Ctx) => number[]) => async (ctx: Ctx) => {
  const victims = pick(ctx);
  for (const v of victims) ctx.cluster.isolate(v);
  return { victims, recover: async () => ctx.cluster.heal() };
};

const delay = (pick: (ctx: Ctx) => number[], random: boolean) => async (ctx: Ctx) => {
  const victims = pick(ctx);
  const rnd = new Prng(victims[0]!);
  for (const v of victims) {
    for (const other of ctx.ids) {
      if (other === v) continue;
      // 5 s ± 500 ms in etcd's sample config; the random variant stays below the election timeout.
      const latencyMs = random ? 200 + rnd.int(700) : 5000;
      ctx.cluster.setLink(v, other, { latencyMs, jitterMs: random ? 0 : 500 });
      ctx.cluster.setLink(other, v, { latencyMs, jitterMs: random ? 0 : 500 });
    }
  }
  return {
    victims,
    recover: async () => {
      for (const a of ctx.ids) for (const b of ctx.ids) if (a !== b) ctx.cluster.setLink(a, b, { latencyMs: 30, jitterMs: 10 });
    },
  };
};

const CASES: CaseDef[] = [
  { name: 'SIGTERM_ONE_FOLLOWER', inject: sigterm((c) => [c.follower()]) },
  { name: 'SIGTERM_ONE_FOLLOWER_UNTIL_TRIGGER_SNAPSHOT', inject: sigterm((c) => [c.follower()]), untilSnapshot: true },
  { name: 'SIGTERM_LEADER', inject: sigterm((c) => [c.leader()]) },
  { name: 'SIGTERM_LEADER_UNTIL_TRIGGER_SNAPSHOT', inject: sigterm((c) => [c.leader()]), untilSnapshot: true },
  { name: 'SIGTERM_QUORUM', inject: sigterm((c) => c.quorum()) },
  { name: 'SIGTERM_ALL', inject: sigterm((c) => [...c.ids]) },
  { name: 'SIGQUIT_AND_REMOVE_ONE_FOLLOWER', inject: sigquitAndRemove((c) => c.follower()) },
  { name: 'SIGQUIT_AND_REMOVE_ONE_FOLLOWER_UNTIL_TRIGGER_SNAPSHOT', inject: sigquitAndRemove((c) => c.follower()), untilSnapshot: true },
  { name: 'SIGQUIT_AND_REMOVE_LEADER', inject: sigquitAndRemove((c) => c.leader()) },
  { name: 'SIGQUIT_AND_REMOVE_LEADER_UNTIL_TRIGGER_SNAPSHOT', inject: sigquitAndRemove((c) => c.leader()), untilSnapshot: true },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_ONE_FOLLOWER', inject: blackhole((c) => [c.follower()]) },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_ONE_FOLLOWER_UNTIL_TRIGGER_SNAPSHOT', inject: blackhole((c) => [c.follower()]), untilSnapshot: true },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_LEADER', inject: blackhole((c) => [c.leader()]) },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_LEADER_UNTIL_TRIGGER_SNAPSHOT', inject: blackhole((c) => [c.leader()]), untilSnapshot: true },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_QUORUM', inject: blackhole((c) => c.quorum()) },
  { name: 'BLACKHOLE_PEER_PORT_TX_RX_ALL', inject: blackhole((c) => [...c.ids]) },
  { name: 'DELAY_PEER_PORT_TX_RX_ONE_FOLLOWER', inject: delay((c) => [c.follower()], false) },
  { name: 'RANDOM_DELAY_PEER_PORT_TX_RX_ONE_FOLLOWER', inject: delay((c) => [c.follower()], true) },
  { name: 'DELAY_PEER_PORT_TX_RX_ONE_FOLLOWER_UNTIL_TRIGGER_SNAPSHOT', inject: delay((c) => [c.follower()], false), untilSnapshot: true, needsSnapshot: false },
  { name: 'DELAY_PEER_PORT_TX_RX_LEADER', inject: delay((c) => [c.leader()], false) },
  { name: 'RANDOM_DELAY_PEER_PORT_TX_RX_LEADER', inject: delay((c) => [c.leader()], true) },
  { name: 'DELAY_PEER_PORT_TX_RX_QUORUM', inject: delay((c) => c.quorum(), false) },
  { name: 'RANDOM_DELAY_PEER_PORT_TX_RX_QUORUM', inject: delay((c) => c.quorum(), true) },
  { name: 'DELAY_PEER_PORT_TX_RX_ALL', inject: delay((c) => [...c.ids], false) },
  { name: 'RANDOM_DELAY_PEER_PORT_TX_RX_ALL', inject: delay((c) => [...c.ids], true) },
  { name: 'NO_FAIL_WITH_STRESS', inject: async () => ({ victims: [], recover: async () => {} }) },
];

describe("etcd's functional tester cases", () => {
  it.each(CASES.map((c, i) => [c.name, c, 500 + i] as const))('%s', async (_name, def, seed) => {
    await runCase(def, seed);
  });
});
