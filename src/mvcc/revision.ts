// Revisions: the (main, sub) pair that names one change in the store, its order, and its bolt key
// bytes. Pure: no I/O.
//
// `main` is the store revision of one atomic write transaction; `sub` numbers the changes inside
// that transaction (0, 1, …). etcd stores each change in the bolt "key" bucket under 17 bytes:
// 8-byte big-endian main, '_', 8-byte big-endian sub, plus a trailing 't' for a tombstone. Bolt
// iterates keys in byte order, which is revision order, and so does a byte-string comparison here.

import { assert } from '../lib/assert';

/** One change in the store: main = its write transaction's revision, sub = its place inside it. */
export interface Revision {
  readonly main: number;
  /** Invariant: 0 <= sub; subs of one main revision are 0, 1, 2, … in change order. */
  readonly sub: number;
}

/** The length of an unmarked revision key: 8 bytes main, '_', 8 bytes sub. */
export const REV_BYTES_LEN = 17;
/** The length of a tombstone's key: the revision bytes and a trailing 't'. */
export const MARKED_REV_BYTES_LEN = 18;
const TOMBSTONE_MARK = 't';
const TWO_32 = 0x1_0000_0000;

/** Negative, zero or positive as `a` orders before, with or after `b` (main first, then sub). */
export function compareRevision(a: Revision, b: Revision): number {
  if (a.main !== b.main) return a.main < b.main ? -1 : 1;
  if (a.sub !== b.sub) return a.sub < b.sub ? -1 : 1;
  return 0;
}

/** True when `a` comes strictly after `b`: etcd's revision.GreaterThan. */
export function revisionGreaterThan(a: Revision, b: Revision): boolean {
  return compareRevision(a, b) > 0;
}

/** A string that identifies a revision in Sets and Maps ("main_sub"). */
export function revisionId(rev: Revision): string {
  return `${rev.main}_${rev.sub}`;
}

function uint64ToBytes(n: number): string {
  assert(Number.isSafeInteger(n) && n >= 0, () => `revision part out of range: ${n}`);
  const high = Math.floor(n / TWO_32);
  const low = n >>> 0;
  return String.fromCharCode(
    (high >>> 24) & 0xff, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff,
    (low >>> 24) & 0xff, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff,
  );
}

function bytesToUint64(bytes: string, at: number): number {
  let high = 0;
  let low = 0;
  for (let i = 0; i < 4; i++) high = high * 256 + bytes.charCodeAt(at + i);
  for (let i = 4; i < 8; i++) low = low * 256 + bytes.charCodeAt(at + i);
  return high * TWO_32 + low;
}

/**
 * The bolt key of a change: 17 bytes, or 18 with the tombstone mark. A byte string (one char per
 * byte), so IndexedDB and string comparison order records by revision exactly as bolt does.
 */
export function revToBytes(rev: Revision, tombstone = false): string {
  const bytes = `${uint64ToBytes(rev.main)}_${uint64ToBytes(rev.sub)}`;
  return tombstone ? bytes + TOMBSTONE_MARK : bytes;
}

/** The revision in a bolt key (marked or not). */
export function bytesToRev(bytes: string): Revision {
  assert(
    bytes.length === REV_BYTES_LEN || bytes.length === MARKED_REV_BYTES_LEN,
    () => `bad revision key length ${bytes.length}`,
  );
  assert(bytes[8] === '_', 'bad revision key separator');
  return { main: bytesToUint64(bytes, 0), sub: bytesToUint64(bytes, 9) };
}

/** True when a bolt key carries the tombstone mark (etcd's isTombstone). */
export function isTombstoneKey(bytes: string): boolean {
  return bytes.length === MARKED_REV_BYTES_LEN && bytes[MARKED_REV_BYTES_LEN - 1] === TOMBSTONE_MARK;
}
