import { describe, expect, it } from 'vitest';
import { AppendLog } from './appendLog';
import { cloneGraph } from './clone';

describe('AppendLog', () => {
  it('keeps every item in order across chunks', () => {
    const log = new AppendLog<{ n: number }>();
    for (let i = 0; i < 2500; i++) log.push({ n: i });
    expect(log.length).toBe(2500);
    expect(log.toArray().map((x) => x.n)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('is copied by sharing its full chunks, and the copy grows on its own', () => {
    const log = new AppendLog<{ n: number }>();
    for (let i = 0; i < 2100; i++) log.push({ n: i });
    const copy = cloneGraph(log);
    expect(copy.toArray()[5]).toBe(log.toArray()[5]);
    expect(copy.toArray()[2099]).not.toBe(log.toArray()[2099]);
    copy.push({ n: -1 });
    expect(copy.length).toBe(2101);
    expect(log.length).toBe(2100);
  });
});
