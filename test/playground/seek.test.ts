// Time travel: seek(t) shows exactly the instant the run had at t (checkpoint + replay), time
// moving on from there rejoins the live run, and acting in the past forks the recording.

import { describe, expect, it } from 'vitest';
import { createPlayground, type Playground } from '../../src/playground/index';

/** Everything a person could look at, as one comparable value. */
async function snapshot(p: Playground): Promise<unknown> {
  const nodes = [];
  for (const s of p.status()) {
    if (!s.alive) {
      nodes.push(s);
      continue;
    }
    const ks = await p.nodeKeyspace(s.id);
    const log = await p.nodeLog(s.id, Math.max(1, s.lastIndex - 5), s.lastIndex + 1);
    const d = await p.nodeDetail(s.id);
    nodes.push({ s, ks, log, timers: [d.electionElapsed, d.heartbeatElapsed, d.randomizedElectionTimeout], progress: d.progress });
  }
  return {
    now: p.now(),
    position: p.cluster.position,
    nodes,
    inFlight: p.inFlight().map((m) => `${m.id} ${m.type} ${m.from}->${m.to} ${m.sentAt}..${m.at} ${m.fate}`),
    links: p.links(),
    history: p.history().length,
  };
}

/** A busy run: writes, a watch and a keep-alive going on, faults, a command. */
async function busyRun(p: Playground, stops: number[], seen: Map<number, unknown>): Promise<void> {
  // Clients that do not move time themselves: the test says when time moves.
  const c = p.client({ autoAdvance: false });
  const w = p.client({ autoAdvance: false });
  const events: string[] = [];
  w.watch('k', { prefix: true }, (r) => events.push(String(r.events.length)));
  const grant = c.leaseGrant(5);
  await p.advance(1000);
  const lease = await grant;
  w.leaseKeepAlive(lease.id, () => {});
  let i = 0;
  const at = async (t: number): Promise<void> => {
    await p.advance(t - p.now());
    if (stops.includes(t)) seen.set(t, await snapshot(p));
  };
  for (let t = 1500; t <= 30_000; t += 500) {
    if (t % 1500 === 0) void c.put(`k${i++ % 7}`, `v${t}`).catch(() => undefined);
    if (t === 6000) await p.kill(p.leader()!);
    if (t === 9000) await p.restart(p.status().find((s) => !s.alive)!.id);
    if (t === 12_000) p.isolate(p.status()[1]!.id);
    if (t === 15_000) p.heal();
    if (t === 16_000) void p.exec('put via-etcdctl yes');
    if (t === 20_000) p.setLink(p.status()[0]!.id, p.status()[2]!.id, { dropRate: 0.5 });
    if (t === 24_000) p.heal();
    await at(t);
  }
}

describe('seek', () => {
  it('restores any instant exactly as it was, backwards and forwards', async () => {
    const stops = [1500, 6000, 6500, 9500, 12_500, 16_500, 21_000, 27_500, 30_000];
    const seen = new Map<number, unknown>();
    const p = await createPlayground({ nodes: 3, seed: 42 });
    await p.waitForLeader();
    await busyRun(p, stops, seen);
    expect(p.timeline.checkpoints.length).toBeGreaterThan(5);
    expect(p.timeline.checkpointError).toBeUndefined();
    const live = await snapshot(p);
    // Out of order, so each seek starts from some other instant.
    for (const t of [16_500, 1500, 27_500, 6000, 21_000, 9500, 6500, 12_500]) {
      await p.seek(t);
      expect(p.timeline.viewing).toBe(true);
      expect(await snapshot(p)).toEqual(seen.get(t));
    }
    // Moving on from an earlier instant replays the recorded future and rejoins the live run.
    await p.seek(21_000);
    await p.advance(30_000 - 21_000);
    expect(p.timeline.viewing).toBe(false);
    expect(await snapshot(p)).toEqual(live);
    await p.dispose();
  });

  it('plays the recorded future event by event after a seek', async () => {
    const a = await createPlayground({ nodes: 3, seed: 5 });
    const trace: string[] = [];
    a.subscribe((e) => {
      if (e.type === 'message') trace.push(`${e.time} ${e.phase} ${e.message.id} ${e.message.type}`);
    });
    await a.waitForLeader();
    const c = a.client();
    await c.put('a', '1');
    await a.advance(2000);
    await a.kill(a.leader()!);
    await a.advance(4000);
    const end = a.now();
    const from = trace.findIndex((l) => Number(l.split(' ')[0]) > 1000);
    const expected = trace.slice(from);
    trace.length = 0;
    await a.seek(1000);
    while (a.timeline.viewing) await a.stepEvent();
    expect(a.now()).toBe(end);
    expect(trace).toEqual(expected);
    expect(trace.length).toBeGreaterThan(100);
    await a.dispose();
  });

  it('forks when acting on an earlier instant, and the fork replays', async () => {
    const p = await createPlayground({ nodes: 3, seed: 11 });
    await p.waitForLeader();
    const c = p.client();
    await c.put('x', 'before');
    await p.advance(3000);
    const forkAt = p.now();
    await c.put('x', 'lost in the fork');
    await p.advance(5000);
    expect(p.record().actions.length).toBe(3);
    // Just before the second write: acting here forks it away.
    await p.seek(forkAt - 1);
    let forked = false;
    p.subscribe((e) => {
      if (e.type === 'fork') forked = true;
    });
    // The client handle from before still works, on the world on screen.
    expect((await c.get('x')).kvs[0]?.value).toBe('before');
    expect(forked).toBe(true);
    expect(p.timeline.viewing).toBe(false);
    await c.put('x', 'after the fork');
    await p.advance(1000);
    const rec = p.record();
    expect(rec.actions.map((a) => `${a.type} ${String((a.args as unknown[])[1] ?? '')}`)).toEqual(['client ', 'call put', 'call get', 'call put']);
    const want = await snapshot(p);
    const replay = await createPlayground({ replay: rec });
    await replay.advance(p.now());
    expect(await snapshot(replay)).toEqual(want);
    expect((await replay.nodeKeyspace(replay.leader()!)).kvs.find((kv) => kv.key === 'x')?.value).toBe('after the fork');
    await p.dispose();
  });
});
