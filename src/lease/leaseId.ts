// Lease IDs as etcd makes and prints them. Pure: the timestamp and member ID are handed in.
//
// etcd's server picks the ID of a `lease grant` from its request ID generator (pkg/idutil):
//
//   | 2 bytes: member ID (low 16 bits) | 5 bytes: ms timestamp at start | 1 byte: counter |
//
// incremented by one per request, with the sign bit cleared (LeaseGrant keeps IDs positive). The
// member 21b3e7a735b3f4dd thus grants 74dda1ff59a3ba14, 74dda1ff59a3ba16, …
//
// A JavaScript number holds 53 significant bits, so the playground keeps the layout but steps the
// low 48 bits by 1024 instead of 1: every ID is an exact double below 2^63 (its low 10 bits are 0),
// and equality, ordering, Map keys, IndexedDB and JSON round trips stay exact. The IDs read like
// etcd's (74dda1ff59a3b800, 74dda1ff59a3bc00, …) but consecutive ones differ in the last 3 digits.

import { assert } from '../lib/assert';
import type { Prng } from '../lib/prng';
import type { LeaseId } from './lease';

const SUFFIX_BITS = 48n;
const SUFFIX_MASK = (1n << SUFFIX_BITS) - 1n;
const TIMESTAMP_MASK = (1n << 40n) - 1n;
/** Step between consecutive IDs: 2^10 keeps IDs below 2^63 exactly representable. */
const ID_STEP = 1024n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Generates lease IDs like etcd's idutil.Generator, reproducibly: the same member ID and start
 * timestamp give the same sequence. Hand it virtual time (or a Prng draw) for the timestamp.
 */
export class LeaseIdGenerator {
  private readonly prefix: bigint;
  /** Invariant: a multiple of ID_STEP below 2^48. */
  private suffix: bigint;

  /**
   * `memberId`: the granting member (only its low 15 bits show, as in etcd once the sign bit is
   * cleared). `timestampMs`: etcd uses the wall clock at member start; pass the virtual epoch.
   */
  constructor(options: { memberId: number | bigint; timestampMs: number }) {
    const { memberId, timestampMs } = options;
    assert(Number.isInteger(timestampMs) && timestampMs >= 0, 'LeaseIdGenerator: bad timestampMs');
    const member = typeof memberId === 'bigint' ? memberId : BigInt(memberId);
    this.prefix = (member & 0x7fffn) << SUFFIX_BITS;
    const suffix = (BigInt(timestampMs) & TIMESTAMP_MASK) << 8n;
    this.suffix = suffix - (suffix % ID_STEP);
  }

  /** A generator whose timestamp field is drawn from `prng` (for runs without a virtual epoch). */
  static fromPrng(memberId: number | bigint, prng: Prng): LeaseIdGenerator {
    // 40 bits from two draws: 8 high bits and 32 low bits.
    const high = prng.int(256);
    const low = prng.nextUint32();
    return new LeaseIdGenerator({ memberId, timestampMs: high * 0x1_0000_0000 + low });
  }

  /** The next ID; never 0 (etcd's NoLease), always positive. */
  next(): LeaseId {
    for (;;) {
      this.suffix = (this.suffix + ID_STEP) & SUFFIX_MASK;
      const id = this.prefix | this.suffix;
      if (id !== 0n) return Number(id);
    }
  }
}

/** Prints an ID as etcdctl does (`%016x` of an int64): 16 hex digits, zero-padded. */
export function formatLeaseId(id: LeaseId): string {
  assert(Number.isInteger(id), () => `formatLeaseId: ${id} is not an integer`);
  const big = BigInt(id);
  if (big < 0n) return '-' + (-big).toString(16).padStart(15, '0');
  return big.toString(16).padStart(16, '0');
}

/** The exact decimal of an ID, as etcdctl's `-w json` prints it (String(id) would round above 2^53). */
export function leaseIdDecimal(id: LeaseId): string {
  assert(Number.isInteger(id), () => `leaseIdDecimal: ${id} is not an integer`);
  return BigInt(id).toString();
}

/**
 * Parses a hex ID as etcdctl does (strconv.ParseInt(s, 16, 64)). `syntax` and `range` are
 * ParseInt's two failures; `unrepresentable` is a valid int64 that no double equals: no lease
 * with that ID can exist in the playground, so the caller answers as etcd does for an unknown ID.
 */
export function parseLeaseId(
  text: string,
): { ok: true; id: LeaseId } | { ok: false; error: 'syntax' | 'range' | 'unrepresentable' } {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(text)) return { ok: false, error: 'syntax' };
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  const magnitude = BigInt('0x' + digits);
  const value = negative ? -magnitude : magnitude;
  if (value > INT64_MAX || value < INT64_MIN) return { ok: false, error: 'range' };
  const id = Number(value);
  if (BigInt(id) !== value) return { ok: false, error: 'unrepresentable' };
  return { ok: true, id };
}
