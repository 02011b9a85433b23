// The worker executor in Debian's Chromium: one Web Worker per member, each on its own IndexedDB
// database. (1) The same seed and actions give the same run as the inline executor, message for
// message. (2) Workers terminated in the middle of a write, at many random points, restart from
// IndexedDB with every acknowledged write intact and every member on the same data.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, type BrowserSession } from './browser';

describe('worker executor', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await openBrowser();
    await s.page.goto(new URL('harness.html', inject('baseUrl')).toString());
    await s.page.waitForFunction(() => document.body.dataset['ready'] === 'true');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('gives the same trace as the inline executor for the same seed and actions', async () => {
    const result = await s.page.evaluate(async () => {
      const run = async (executor: 'inline' | 'worker', storage: 'memory' | 'indexeddb') => {
        await window.harness.clearDatabases();
        const p = await window.harness.createPlayground({ nodes: 3, seed: 4242, executor, storage, dbPrefix: `det-${executor}` });
        const trace: string[] = [];
        p.subscribe((e) => {
          if (e.type === 'message') trace.push(`${e.time} ${e.phase} ${e.message.id} ${e.message.type} ${e.message.from}->${e.message.to}`);
          if (e.type === 'status') trace.push(`${e.time} st ${e.node} ${e.status.role} ${e.status.term} ${e.status.commit} ${e.status.applied}`);
        });
        const lead = await p.waitForLeader();
        const c = p.client();
        for (let i = 0; i < 5; i++) await c.put(`k${i}`, `v${i}`);
        await p.kill(lead);
        await p.waitForLeader({ timeoutMs: 5000 });
        await c.put('after', 'failover');
        await p.restart(lead);
        await p.advance(2000);
        const got = await c.get('after');
        await p.dispose();
        return { trace, value: got.kvs[0]?.value, end: p.now() };
      };
      const inline = await run('inline', 'memory');
      const worker = await run('worker', 'indexeddb');
      let firstDiff = -1;
      for (let i = 0; i < Math.max(inline.trace.length, worker.trace.length); i++) {
        if (inline.trace[i] !== worker.trace[i]) {
          firstDiff = i;
          break;
        }
      }
      return {
        inlineLen: inline.trace.length,
        workerLen: worker.trace.length,
        firstDiff,
        around: firstDiff >= 0 ? [inline.trace.slice(firstDiff - 2, firstDiff + 3), worker.trace.slice(firstDiff - 2, firstDiff + 3)] : [],
        values: [inline.value, worker.value],
        ends: [inline.end, worker.end],
      };
    });
    expect(result.values).toEqual(['failover', 'failover']);
    expect(result.inlineLen).toBeGreaterThan(300);
    expect(result.firstDiff, JSON.stringify(result.around)).toBe(-1);
    expect(result.workerLen).toBe(result.inlineLen);
    expect(result.ends[0]).toBe(result.ends[1]);
  });

  it('loses no acknowledged write when workers are terminated mid-write at random points', async () => {
    const result = await s.page.evaluate(async () => {
      await window.harness.clearDatabases();
      const p = await window.harness.createPlayground({ nodes: 3, seed: 77, executor: 'worker', storage: 'indexeddb', dbPrefix: 'crash' });
      await p.waitForLeader();
      const c = p.client({ requestTimeoutMs: 8000 });
      const acked = new Map<string, string>();
      let crashes = 0;
      let midWrite = 0;
      let rnd = 12345;
      const next = () => (rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 24; i++) {
        const key = `key${i}`;
        // Start a write, then crash a member somewhere in the middle of it.
        const put = c.put(key, `value${i}`).then(
          () => acked.set(key, `value${i}`),
          () => undefined,
        );
        const steps = 1 + Math.floor(next() * 30);
        for (let k = 0; k < steps; k++) await p.stepEvent();
        const ids = p.status().filter((n) => n.alive).map((n) => n.id);
        const writing = ids.filter((id) => p.cluster.isWriting(id));
        const victim = writing.length > 0 ? writing[Math.floor(next() * writing.length)]! : ids[Math.floor(next() * ids.length)]!;
        if (writing.length > 0) midWrite++;
        await p.crash(victim);
        crashes++;
        await p.advance(Math.floor(next() * 800));
        await p.restart(victim);
        await put;
      }
      await p.advance(3000);
      const reads: Array<[string, string | undefined, string]> = [];
      for (const [k, v] of acked) reads.push([k, (await c.get(k)).kvs[0]?.value, v]);
      const hashes = await Promise.all(p.status().map((n) => c.hashKV(p.cluster.spec(n.id).clientUrl, 0)));
      await p.dispose();
      return {
        crashes,
        midWrite,
        acked: acked.size,
        lost: reads.filter(([, got, want]) => got !== want),
        hashes: hashes.map((h) => `${h.hash}@${h.header.revision}`),
      };
    });
    expect(result.crashes).toBe(24);
    expect(result.midWrite).toBeGreaterThan(5);
    expect(result.acked).toBeGreaterThan(12);
    expect(result.lost).toEqual([]);
    expect(new Set(result.hashes).size).toBe(1);
  });
});
