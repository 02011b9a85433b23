// Lease IDs: generated like etcd's idutil (member prefix, timestamp, counter), printed and parsed
// like etcdctl. Method: known member IDs and IDs from the etcd 3.4 transcript
// (shared/reference/etcdctl-3.4.md §3.4), plus exactness checks through BigInt.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { LeaseIdGenerator, formatLeaseId, leaseIdDecimal, parseLeaseId } from './leaseId';

describe('LeaseIdGenerator', () => {
  it('puts the member ID low bits with the sign bit cleared on top, as etcd does (f4dd → 74dd)', () => {
    const gen = new LeaseIdGenerator({ memberId: 0x21b3e7a735b3f4ddn, timestampMs: 1_700_000_000_000 });
    const hex = formatLeaseId(gen.next());
    expect(hex).toHaveLength(16);
    expect(hex.slice(0, 4)).toBe('74dd');
    const other = new LeaseIdGenerator({ memberId: 0x73beeb3ef66e4c47n, timestampMs: 1_700_000_000_000 });
    expect(formatLeaseId(other.next()).slice(0, 4)).toBe('4c47');
  });

  it('yields increasing, positive, exactly representable IDs', () => {
    const gen = new LeaseIdGenerator({ memberId: 0xf4dd, timestampMs: 1_700_000_000_000 });
    const ids = Array.from({ length: 100 }, () => gen.next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    for (const id of ids) {
      expect(id).toBeGreaterThan(0);
      expect(parseLeaseId(formatLeaseId(id))).toEqual({ ok: true, id });
      expect(BigInt(leaseIdDecimal(id))).toBe(BigInt(id));
    }
  });

  it('gives the same sequence for the same member and timestamp, another for another member', () => {
    const a = new LeaseIdGenerator({ memberId: 1, timestampMs: 42_000 });
    const b = new LeaseIdGenerator({ memberId: 1, timestampMs: 42_000 });
    const c = new LeaseIdGenerator({ memberId: 2, timestampMs: 42_000 });
    const sa = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(sa);
    expect([c.next(), c.next(), c.next()]).not.toEqual(sa);
  });

  it('draws its timestamp from a seeded Prng reproducibly', () => {
    const a = LeaseIdGenerator.fromPrng(3, new Prng(9));
    const b = LeaseIdGenerator.fromPrng(3, new Prng(9));
    const c = LeaseIdGenerator.fromPrng(3, new Prng(10));
    const first = a.next();
    expect(b.next()).toBe(first);
    expect(c.next()).not.toBe(first);
  });

  it('wraps its counter within the low 48 bits and never yields 0', () => {
    const gen = new LeaseIdGenerator({ memberId: 0, timestampMs: 2 ** 40 - 1 });
    const ids = Array.from({ length: 3 }, () => gen.next());
    for (const id of ids) expect(id).not.toBe(0);
    expect(ids.every((id) => id < 2 ** 48)).toBe(true);
  });
});

describe('formatLeaseId and parseLeaseId', () => {
  it('print zero-padded 16-digit hex as etcdctl does (lease 000000001234abcd)', () => {
    expect(formatLeaseId(0x1234abcd)).toBe('000000001234abcd');
    expect(formatLeaseId(-1)).toBe('-000000000000001');
  });

  it('print the exact decimal for JSON output, which String() would round', () => {
    const id = Number(0x74dda1ff59a3b800n);
    expect(leaseIdDecimal(id)).toBe('8421064996345329664');
    expect(String(id)).not.toBe('8421064996345329664');
  });

  it('parse like strconv.ParseInt(s, 16, 64), reporting syntax and range errors', () => {
    expect(parseLeaseId('1234abcd')).toEqual({ ok: true, id: 0x1234abcd });
    expect(parseLeaseId('-1')).toEqual({ ok: true, id: -1 });
    expect(parseLeaseId('zzz')).toEqual({ ok: false, error: 'syntax' });
    expect(parseLeaseId('')).toEqual({ ok: false, error: 'syntax' });
    expect(parseLeaseId('8000000000000000')).toEqual({ ok: false, error: 'range' });
  });

  it('refuse an ID no double can hold, since no playground lease can have it', () => {
    expect(parseLeaseId('74dda1ff59a3ba16')).toEqual({ ok: false, error: 'unrepresentable' });
    expect(parseLeaseId('74dda1ff59a3b800')).toEqual({ ok: true, id: Number(0x74dda1ff59a3b800n) });
  });
});
