// The Playground API (contract 3) on the inline executor: the calls work as documented, and a
// recording replays to the very same run, message for message.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createPlayground, type Playground, type PlaygroundEvent } from '../../src/playground/index';

function trace(p: Playground): string[] {
  const out: string[] = [];
  p.subscribe((e: PlaygroundEvent) => {
    if (e.type === 'message') out.push(`${e.time} ${e.phase} ${e.message.id} ${e.message.type} ${e.message.from}->${e.message.to}`);
    else if (e.type === 'status') out.push(`${e.time} status ${e.node} ${e.status.role} t${e.status.term} c${e.status.commit}`);
    else if (e.type === 'fault') out.push(`${e.time} fault ${e.action} ${e.detail}`);
  });
  return out;
}

async function scenario(p: Playground): Promise<void> {
  const lead = await p.waitForLeader();
  const c = p.client();
  await c.put('a', '1');
  await p.advance(300);
  await p.kill(lead);
  await p.waitForLeader({ timeoutMs: 5000 });
  await c.put('b', '2');
  const others = p.status().filter((s) => s.alive).map((s) => s.id);
  p.partition([[others[0]!], [others[1]!]]);
  await p.advance(2500);
  p.heal();
  await p.restart(lead);
  await p.advance(3000);
  expect((await c.get('b')).kvs[0]?.value).toBe('2');
}

describe('createPlayground', () => {
  it('runs a cluster: status, leader, client operations, faults', async () => {
    const p = await createPlayground({ nodes: 5, seed: 7 });
    const lead = await p.waitForLeader();
    const st = p.status();
    expect(st).toHaveLength(5);
    expect(st.filter((s) => s.role === 'StateLeader').map((s) => s.id)).toEqual([lead]);
    const c = p.client();
    await c.put('k', 'v');
    expect((await c.get('k')).kvs[0]!.value).toBe('v');
    await p.kill(lead);
    expect(p.status().find((s) => s.id === lead)!.role).toBe('StateDead');
    const next = await p.waitForLeader({ timeoutMs: 5000 });
    expect(next).not.toBe(lead);
    expect(p.history().filter((h) => h.op === 'Put')).toHaveLength(1);
    await p.dispose();
  });

  it("shows a down member's log and keyspace from its storage", async () => {
    for (const storage of ['memory', 'indexeddb'] as const) {
      const p = await createPlayground({ nodes: 3, seed: 31, storage, dbPrefix: `down-views-${storage}` });
      await p.waitForLeader();
      const c = p.client();
      const lease = await c.leaseGrant(30);
      await c.put('a', '1');
      await c.put('b', '2', { lease: lease.id });
      await c.put('a', '3');
      await c.delete('b');
      await c.put('c', '4', { lease: lease.id });
      await p.advance(500);
      const victim = p.status().find((n) => n.id !== p.leader())!.id;
      const liveLog = await p.nodeLog(victim, 1, 1000);
      const liveKeys = await p.nodeKeyspace(victim);
      await p.kill(victim);
      const log = await p.nodeLog(victim, 1, 1000);
      const keys = await p.nodeKeyspace(victim);
      expect(log.source).toBe('storage');
      expect(log.entries.map((e) => `${e.index}/${e.term}`)).toEqual(liveLog.entries.map((e) => `${e.index}/${e.term}`));
      expect(log.committed).toBe(liveLog.committed);
      expect(keys.source).toBe('storage');
      expect(keys.kvs).toEqual(liveKeys.kvs);
      expect(keys.kvs.map((kv) => `${kv.key}=${kv.value}`)).toEqual(['a=3', 'c=4']);
      expect(keys.revision).toBe(liveKeys.revision);
      expect(keys.leases.map((l) => [l.id, l.keys])).toEqual([[lease.id, ['c']]]);
      await p.dispose();
    }
  });

  it('replays a recording to the same run, message for message', async () => {
    const a = await createPlayground({ nodes: 3, seed: 99 });
    const ta = trace(a);
    await scenario(a);
    const rec = a.record();
    const endA = a.now();
    expect(rec.actions.length).toBeGreaterThan(5);

    const b = await createPlayground({ replay: JSON.parse(JSON.stringify(rec)) });
    const tb = trace(b);
    await b.advance(endA - b.now());
    expect(tb.length).toBeGreaterThan(300);
    expect(tb).toEqual(ta.slice(0, tb.length));
    expect(tb.length).toBe(ta.length);
  });
});
