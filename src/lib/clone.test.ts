import { describe, expect, it } from 'vitest';
import { CLONE_AS, CloneError, cloneGraph, shareOnClone } from './clone';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

class Holder {
  items: Point[] = [];
  byName = new Map<string, Point>();
  tags = new Set<string>();
  self: Holder | undefined;
  bytes = new Uint8Array([1, 2, 3]);
}

describe('cloneGraph', () => {
  it('keeps classes, shared references and cycles, and copies every level', () => {
    const h = new Holder();
    const p = new Point(3, 4);
    h.items.push(p, p);
    h.byName.set('p', p);
    h.tags.add('a');
    h.self = h;
    const c = cloneGraph(h);
    expect(c).not.toBe(h);
    expect(c).toBeInstanceOf(Holder);
    expect(c.items[0]).toBeInstanceOf(Point);
    expect(c.items[0]!.norm()).toBe(5);
    expect(c.items[0]).toBe(c.items[1]);
    expect(c.byName.get('p')).toBe(c.items[0]);
    expect(c.items[0]).not.toBe(p);
    expect(c.self).toBe(c);
    expect([...c.tags]).toEqual(['a']);
    c.bytes[0] = 9;
    c.items[0]!.x = 6;
    c.tags.add('b');
    expect(h.bytes[0]).toBe(1);
    expect(p.x).toBe(3);
    expect(h.tags.has('b')).toBe(false);
  });

  it('keeps the order of maps and sets, and the length of sparse arrays', () => {
    const m = new Map<number, string>([
      [3, 'c'],
      [1, 'a'],
      [2, 'b'],
    ]);
    const arr: unknown[] = [];
    arr[4] = 'x';
    const c = cloneGraph({ m, arr });
    expect([...c.m.keys()]).toEqual([3, 1, 2]);
    expect(c.arr.length).toBe(5);
    expect(c.arr[4]).toBe('x');
  });

  it('copies errors with their message', () => {
    const e = new RangeError('out of range');
    const c = cloneGraph({ e });
    expect(c.e).toBeInstanceOf(RangeError);
    expect(c.e.message).toBe('out of range');
    expect(c.e).not.toBe(e);
  });

  it('refuses an unregistered function and names where it is', () => {
    const world = { nodes: [{ name: 'a', onTick: () => 1 }] };
    expect(() => cloneGraph(world)).toThrow(CloneError);
    expect(() => cloneGraph(world)).toThrow(/root\.nodes\.0\.onTick/);
  });

  it('refuses a promise', () => {
    expect(() => cloneGraph({ lock: Promise.resolve() })).toThrow(/Promise at root\.lock/);
  });

  it('shares registered functions and puts replacements in place', () => {
    const step = shareOnClone(function stepFollower(): number {
      return 1;
    });
    const cb = (): number => 2;
    const noop = (): number => 0;
    const p = Promise.resolve();
    const d = cloneGraph({ step, cb, p }, { replace: new Map<unknown, unknown>([[cb, noop], [p, undefined]]) });
    expect(d.step).toBe(step);
    expect(d.cb).toBe(noop);
    expect(d.p).toBeUndefined();
  });

  it('copies an object from what CLONE_AS returns', () => {
    class Client {
      state = { n: 1 };
      callers = new Map<number, () => void>([[1, () => {}]]);
      [CLONE_AS](): Client {
        const copy = Object.create(Client.prototype) as Client;
        copy.state = this.state;
        copy.callers = new Map();
        return copy;
      }
    }
    const a = new Client();
    const b = cloneGraph({ a, again: a });
    expect(b.a).toBeInstanceOf(Client);
    expect(b.a.callers.size).toBe(0);
    expect(b.a.state).toEqual({ n: 1 });
    expect(b.a.state).not.toBe(a.state);
    expect(b.again).toBe(b.a);
  });

  it('copies deep linked structures without recursion', () => {
    type Node = { next: Node | undefined; v: number };
    let head: Node | undefined;
    for (let i = 0; i < 200_000; i++) head = { next: head, v: i };
    const c = cloneGraph(head!);
    let n = 0;
    for (let x: Node | undefined = c; x !== undefined; x = x.next) n++;
    expect(n).toBe(200_000);
  });
});

describe('cloneGraph and frozen values', () => {
  it('shares a frozen object instead of copying it', () => {
    const row = Object.freeze({ text: 'a', crc: 1 });
    const g = { rows: [row, row], live: { n: 1 } };
    const c = cloneGraph(g);
    expect(c.rows[0]).toBe(row);
    expect(c.live).not.toBe(g.live);
  });
});
