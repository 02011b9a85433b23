// The rows both backends store: which object store holds what, how a row is checksummed and sized,
// and the shape rules a row must meet before it is written and again after it is read back.
// Owns no state and does no I/O; memoryBackend.ts and idbBackend.ts share it so that their checks,
// their checksums and their error messages are the same.
//
// Every row is one record (one log entry, one MVCC row, one lease, …) plus the CRC-32C of its
// canonical serialization: JSON with object keys sorted, so that the checksum depends only on the
// values and not on property order or on how a structured clone rebuilt the object.

import { assert } from '../lib/assert';
import type { Entry, HardState, Snapshot } from '../raft/index';
import { bytesToRev, crc32c, isTombstoneKey, type BackendRecord, type StoreMeta } from '../mvcc/index';
import type { LeaseRecord } from '../lease/index';
import { CorruptionError, type Backend, type StoredMember } from './backend';

/**
 * The object stores. IndexedDB keys: `wal` by entry index, `kv` by revKey (a byte string, so it
 * sorts like bolt), `lease` by lease ID (a number key, exact for IDs above 2^53), `members` and
 * `removedMembers` by member ID, `state` and `serverMeta` by name, `kvMeta` under 'meta'.
 */
export type StoreName =
  | 'wal'
  | 'state'
  | 'kv'
  | 'kvMeta'
  | 'lease'
  | 'members'
  | 'removedMembers'
  | 'serverMeta';

/** Every store, in the order load() reads them. */
export const STORE_NAMES: readonly StoreName[] = [
  'state',
  'wal',
  'kv',
  'kvMeta',
  'lease',
  'members',
  'removedMembers',
  'serverMeta',
];

/** A row key: a number (index, lease ID, member ID) or a string (revKey, a name). */
export type RowKey = number | string;

/** Keys in the `state` store. */
export const STATE_FORMAT_KEY = 'format';
export const STATE_HARD_STATE_KEY = 'hardState';
export const STATE_SNAPSHOT_KEY = 'snapshot';
/** The one key of the `kvMeta` store. */
export const KV_META_KEY = 'meta';

/** The layout version written in the `format` row; load() refuses any other. */
export const FORMAT_VERSION = 1;

/** A payload ready to store: the value, its canonical text, its checksum and its size estimate. */
export interface EncodedRow {
  value: unknown;
  /** Canonical JSON (keys sorted); the memory backend stores this text itself. */
  text: string;
  /** CRC-32C of `text` (one byte per char for byte strings, UTF-8 otherwise). */
  crc: number;
  /** Estimated stored bytes: string lengths, 8 per number, 1 per boolean, plus property names. */
  size: number;
}

/**
 * Tests only: the damage a test can do to one stored row behind the backend's back, to show that
 * load() notices. Both backends implement it; production code never calls it.
 */
export interface BackendTestHooks {
  /** Flips bits in the stored row's payload but keeps its old checksum (a torn or rotten write). */
  corruptRecordForTest(store: StoreName, key: RowKey): Promise<void>;
  /** Deletes one stored row without updating anything else (a lost write). */
  deleteRecordForTest(store: StoreName, key: RowKey): Promise<void>;
  /** Makes the next non-empty write fail inside the storage layer, after it started writing. */
  failNextWriteForTest(): void;
}

/** A backend that also offers the test hooks (what the contract suite runs against). */
export type TestableBackend = Backend & BackendTestHooks;

/** Thrown by canonicalize() for a value that has no canonical form (a bug at write, rot at load). */
class NotEncodableError extends Error {}

/** The canonical text and size estimate of a plain-data value. */
function canonicalize(value: unknown): { text: string; size: number } {
  const out: string[] = [];
  const size = writeCanonical(value, out);
  return { text: out.length === 1 ? out[0]! : out.join(''), size };
}

/**
 * Appends the canonical text of `value` to `out` (pieces, joined once by the caller) and returns
 * its size estimate. One pass and no intermediate objects: every row of every batch of every
 * member goes through here, thousands of times per simulated second.
 */
function writeCanonical(value: unknown, out: string[]): number {
  if (value === null) {
    out.push('null');
    return 1;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return value.length;
    case 'number':
      if (!Number.isFinite(value)) throw new NotEncodableError(`non-finite number ${value}`);
      out.push(JSON.stringify(value));
      return 8;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return 1;
    case 'object':
      return Array.isArray(value) ? writeCanonicalArray(value, out) : writeCanonicalObject(value, out);
    default:
      throw new NotEncodableError(`a ${typeof value} cannot be stored`);
  }
}

function writeCanonicalArray(list: readonly unknown[], out: string[]): number {
  let size = 0;
  out.push('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out.push(',');
    size += writeCanonical(list[i], out);
  }
  out.push(']');
  return size;
}

function writeCanonicalObject(object: object, out: string[]): number {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new NotEncodableError('only plain objects can be stored');
  }
  const record = object as Record<string, unknown>;
  let size = 0;
  let first = true;
  out.push('{');
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field === undefined) continue;
    out.push(first ? quotedKey(key) : ',' + quotedKey(key));
    first = false;
    size += key.length + writeCanonical(field, out);
  }
  out.push('}');
  return size;
}

/** `"key":` for a property name; the few names rows use are quoted once. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < 1024) quotedKeys.set(key, q);
  }
  return q;
}

const NON_BYTE_CHAR = /[^\x00-\xff]/;
const utf8 = new TextEncoder();

/** CRC-32C of a canonical text: byte strings byte for byte, anything wider as UTF-8. */
export function checksumText(text: string): number {
  return NON_BYTE_CHAR.test(text) ? crc32c(utf8.encode(text)) : crc32c(text);
}

/**
 * Encodes a normalized payload for storage. Throws AssertionError if it has no canonical form;
 * `where` names the row in that message (a function, so the name is only built when needed).
 */
export function encodeRow(value: unknown, where: string | (() => string)): EncodedRow {
  let encoded: { text: string; size: number };
  try {
    encoded = canonicalize(value);
  } catch (error) {
    if (error instanceof NotEncodableError) assert(false, `${typeof where === 'string' ? where : where()}: ${error.message}`);
    throw error;
  }
  return { value, text: encoded.text, crc: checksumText(encoded.text), size: encoded.size };
}

/** The checksum and size of a payload read back, or a CorruptionError if it cannot be encoded. */
export function checksumStoredValue(store: StoreName, key: RowKey, value: unknown): EncodedRow {
  try {
    const encoded = canonicalize(value);
    return { value, text: encoded.text, crc: checksumText(encoded.text), size: encoded.size };
  } catch (error) {
    if (!(error instanceof NotEncodableError)) throw error;
    throw new CorruptionError(`${store}: malformed row at ${describeKey(store, key)} (${error.message})`);
  }
}

/** The size estimate of a payload read back; 0 for one with no canonical form (load() refuses it). */
export function measureStoredValue(value: unknown): number {
  try {
    return canonicalize(value).size;
  } catch (error) {
    if (error instanceof NotEncodableError) return 0;
    throw error;
  }
}

/** Formats a checksum as etcd prints hashes in errors: 0x and 8 hex digits. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** The CorruptionError for a row whose payload does not match its stored checksum. */
export function crcMismatch(store: StoreName, key: RowKey, stored: unknown, computed: number): CorruptionError {
  const storedText = typeof stored === 'number' ? hex32(stored) : String(stored);
  return new CorruptionError(
    `${store}: crc mismatch at ${describeKey(store, key)} (stored ${storedText}, computed ${hex32(computed)})`,
  );
}

/** A row's key in words, for error messages: `entry index 42`, `revision 5_0 (tombstone)`, … */
export function describeKey(store: StoreName, key: RowKey): string {
  switch (store) {
    case 'wal':
      return `entry index ${key}`;
    case 'kv':
      return describeRevKey(key);
    case 'lease':
      return `lease ${describeLeaseId(key)}`;
    case 'members':
      return `member ${describeMemberId(key)}`;
    case 'removedMembers':
      return `removed member ${describeMemberId(key)}`;
    case 'state':
    case 'kvMeta':
    case 'serverMeta':
      return `key "${String(key)}"`;
  }
}

function describeRevKey(key: RowKey): string {
  if (typeof key === 'string' && revKeyProblem(key) === undefined) {
    const rev = bytesToRev(key);
    return `revision ${rev.main}_${rev.sub}${isTombstoneKey(key) ? ' (tombstone)' : ''}`;
  }
  if (typeof key !== 'string') return `revKey ${String(key)}`;
  let bytes = '';
  for (let i = 0; i < key.length; i++) bytes += key.charCodeAt(i).toString(16).padStart(2, '0');
  return `revKey 0x${bytes}`;
}

function describeLeaseId(key: RowKey): string {
  if (typeof key !== 'number' || !Number.isInteger(key)) return String(key);
  // etcdctl prints lease IDs as %016x; BigInt keeps IDs above 2^53 exact.
  const id = BigInt(key);
  return id < 0n ? `-${(-id).toString(16)}` : id.toString(16).padStart(16, '0');
}

function describeMemberId(key: RowKey): string {
  if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) return String(key);
  return BigInt(key).toString(16);
}

// --- Shape rules. Each returns a problem in words, or undefined when the value is well formed. ---
// The write path turns a problem into an AssertionError (the caller has a bug); the load path
// turns it into a CorruptionError (the stored data is bad). Same rule, checked on both sides.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isUintList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isUint);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

const ENTRY_TYPES: ReadonlySet<unknown> = new Set(['EntryNormal', 'EntryConfChange', 'EntryConfChangeV2']);

export function entryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'entry is not an object';
  if (!isUint(value.index) || value.index < 1) return `bad entry index ${String(value.index)}`;
  if (!isUint(value.term)) return `bad term ${String(value.term)}`;
  if (!ENTRY_TYPES.has(value.type)) return `bad entry type ${String(value.type)}`;
  if (typeof value.data !== 'string') return 'entry data is not a string';
  return undefined;
}

export function hardStateProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'hardState is not an object';
  if (!isUint(value.term)) return `bad hardState.term ${String(value.term)}`;
  if (!isUint(value.vote)) return `bad hardState.vote ${String(value.vote)}`;
  if (!isUint(value.commit)) return `bad hardState.commit ${String(value.commit)}`;
  return undefined;
}

export function snapshotProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'snapshot is not an object';
  if (typeof value.data !== 'string') return 'snapshot data is not a string';
  const metadata = value.metadata;
  if (!isRecord(metadata)) return 'snapshot metadata is not an object';
  if (!isUint(metadata.index) || metadata.index < 1) return `bad snapshot index ${String(metadata.index)}`;
  if (!isUint(metadata.term)) return `bad snapshot term ${String(metadata.term)}`;
  const confState = metadata.confState;
  if (!isRecord(confState)) return 'snapshot confState is not an object';
  for (const field of ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const) {
    if (!isUintList(confState[field])) return `bad snapshot confState.${field}`;
  }
  if (typeof confState.autoLeave !== 'boolean') return 'bad snapshot confState.autoLeave';
  return undefined;
}

/** The shape of a bolt key: 17 bytes (8 main, '_', 8 sub), or 18 with a trailing 't'. */
export function revKeyProblem(revKey: unknown): string | undefined {
  if (typeof revKey !== 'string') return 'revKey is not a string';
  if (revKey.length !== 17 && !(revKey.length === 18 && revKey[17] === 't')) {
    return `bad revKey length ${revKey.length}`;
  }
  if (revKey[8] !== '_') return 'bad revKey separator';
  if (NON_BYTE_CHAR.test(revKey)) return 'revKey is not a byte string';
  const rev = bytesToRev(revKey);
  if (!Number.isSafeInteger(rev.main) || !Number.isSafeInteger(rev.sub)) return 'revKey beyond 2^53';
  return undefined;
}

/** A kv row: the same rules as mvcc's fromBackendRecord (etcd's bolt key bucket). */
export function kvRowProblem(revKey: unknown, kv: unknown): string | undefined {
  const keyProblem = revKeyProblem(revKey);
  if (keyProblem !== undefined) return keyProblem;
  if (!isRecord(kv)) return 'kv is not an object';
  if (typeof kv.key !== 'string' || kv.key.length === 0) return 'kv has no key';
  if (typeof kv.value !== 'string') return 'kv.value is not a string';
  if (!isUint(kv.createRevision)) return `bad kv.createRevision ${String(kv.createRevision)}`;
  if (!isUint(kv.modRevision)) return `bad kv.modRevision ${String(kv.modRevision)}`;
  if (!isUint(kv.version)) return `bad kv.version ${String(kv.version)}`;
  if (typeof kv.lease !== 'number' || !Number.isInteger(kv.lease)) return `bad kv.lease ${String(kv.lease)}`;
  const rev = bytesToRev(revKey as string);
  if (isTombstoneKey(revKey as string)) {
    if (kv.createRevision !== 0 || kv.modRevision !== 0) return 'tombstone with revisions';
    return undefined;
  }
  if (kv.modRevision !== rev.main) return `kv.modRevision ${kv.modRevision} does not match the revKey`;
  if (kv.createRevision < 1 || kv.createRevision > rev.main) {
    return `bad kv.createRevision ${kv.createRevision}`;
  }
  if (kv.version < 1) return `bad kv.version ${kv.version}`;
  return undefined;
}

export function kvMetaProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'kv meta is not an object';
  for (const field of ['scheduledCompactRevision', 'finishedCompactRevision'] as const) {
    const revision = value[field];
    if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < -1) {
      return `bad kv meta ${field} ${String(revision)}`;
    }
  }
  if (!isUint(value.consistentIndex)) return `bad kv meta consistentIndex ${String(value.consistentIndex)}`;
  return undefined;
}

const TWO_63 = 2 ** 63;

/** A lease ID: a non-zero integer inside int64 (etcd's LeaseID), exact as a double. */
export function leaseIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'number' || !Number.isInteger(id)) return `bad lease id ${String(id)}`;
  if (id === 0) return 'lease id 0 (NoLease)';
  if (id >= TWO_63 || id < -TWO_63) return `lease id ${id} outside int64`;
  return undefined;
}

export function leaseProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'lease is not an object';
  const idProblem = leaseIdProblem(value.id);
  if (idProblem !== undefined) return idProblem;
  if (typeof value.ttl !== 'number' || !Number.isSafeInteger(value.ttl)) return `bad lease ttl ${String(value.ttl)}`;
  if (!isUint(value.remainingTtl)) return `bad lease remainingTtl ${String(value.remainingTtl)}`;
  return undefined;
}

/** A member ID: a positive integer (etcd's types.ID, 0 meaning none). */
export function memberIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) return `bad member id ${String(id)}`;
  return undefined;
}

export function memberProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'member is not an object';
  const idProblem = memberIdProblem(value.id);
  if (idProblem !== undefined) return idProblem;
  if (typeof value.name !== 'string') return 'member name is not a string';
  if (!isStringList(value.peerUrls)) return 'bad member peerUrls';
  if (!isStringList(value.clientUrls)) return 'bad member clientUrls';
  if (typeof value.isLearner !== 'boolean') return 'bad member isLearner';
  return undefined;
}

export function serverMetaValueProblem(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  return `bad server meta value ${String(value)}`;
}

// --- Normalizers: copy only the known fields, in a fixed order (never keep the caller's object). ---

export function normalizeEntry(entry: Entry): Entry {
  return { term: entry.term, index: entry.index, type: entry.type, data: entry.data };
}

export function normalizeHardState(hardState: HardState): HardState {
  return { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
}

export function normalizeSnapshot(snapshot: Snapshot): Snapshot {
  const { confState, index, term } = snapshot.metadata;
  return {
    data: snapshot.data,
    metadata: {
      confState: {
        voters: [...confState.voters],
        learners: [...confState.learners],
        votersOutgoing: [...confState.votersOutgoing],
        learnersNext: [...confState.learnersNext],
        autoLeave: confState.autoLeave,
      },
      index,
      term,
    },
  };
}

export function normalizeKvRecord(record: BackendRecord): BackendRecord {
  const kv = record.kv;
  return {
    revKey: record.revKey,
    kv: {
      key: kv.key,
      createRevision: kv.createRevision,
      modRevision: kv.modRevision,
      version: kv.version,
      value: kv.value,
      lease: kv.lease,
    },
  };
}

export function normalizeKvMeta(meta: StoreMeta): StoreMeta {
  return {
    scheduledCompactRevision: meta.scheduledCompactRevision,
    finishedCompactRevision: meta.finishedCompactRevision,
    consistentIndex: meta.consistentIndex,
  };
}

export function normalizeLease(lease: LeaseRecord): LeaseRecord {
  return { id: lease.id, ttl: lease.ttl, remainingTtl: lease.remainingTtl };
}

export function normalizeMember(member: StoredMember): StoredMember {
  return {
    id: member.id,
    name: member.name,
    peerUrls: [...member.peerUrls],
    clientUrls: [...member.clientUrls],
    isLearner: member.isLearner,
  };
}
