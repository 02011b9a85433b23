// Protobuf encoding of configuration changes (etcd puts a marshalled raftpb.ConfChange or
// ConfChangeV2 in the data of EntryConfChange / EntryConfChangeV2 entries), and the encoded size
// of entries, which etcd uses for MaxSizePerMsg and MaxCommittedSizePerReady.
//
// Pure. Encoding follows raftpb's field numbers so that entry sizes and data lengths match etcd.

import { assert } from '../lib/assert';
import type {
  Bytes,
  ConfChange,
  ConfChangeSingle,
  ConfChangeTransition,
  ConfChangeType,
  ConfChangeV2,
  Entry,
  EntryType,
} from './types';

const CONF_CHANGE_TYPES: ConfChangeType[] = [
  'ConfChangeAddNode',
  'ConfChangeRemoveNode',
  'ConfChangeUpdateNode',
  'ConfChangeAddLearnerNode',
];
const TRANSITIONS: ConfChangeTransition[] = [
  'ConfChangeTransitionAuto',
  'ConfChangeTransitionJointImplicit',
  'ConfChangeTransitionJointExplicit',
];
const ENTRY_TYPES: EntryType[] = ['EntryNormal', 'EntryConfChange', 'EntryConfChangeV2'];

/** Thrown when bytes do not decode as the expected protobuf message. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

function varint(n: number): string {
  assert(Number.isSafeInteger(n) && n >= 0, `varint: bad value ${n}`);
  let out = '';
  while (n >= 0x80) {
    out += String.fromCharCode((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return out + String.fromCharCode(n);
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function key(field: number, wireType: number): string {
  return varint(field * 8 + wireType);
}

function lengthDelimited(field: number, bytes: Bytes): string {
  return key(field, 2) + varint(bytes.length) + bytes;
}

/** Marshals a ConfChange as raftpb does (fields: id=1, type=2, node_id=3, context=4). */
export function encodeConfChange(cc: ConfChange): Bytes {
  let out = '';
  if (cc.id !== undefined) out += key(1, 0) + varint(cc.id);
  out += key(2, 0) + varint(CONF_CHANGE_TYPES.indexOf(cc.type));
  out += key(3, 0) + varint(cc.nodeId);
  if (cc.context !== undefined && cc.context.length > 0) out += lengthDelimited(4, cc.context);
  return out;
}

/** Marshals a ConfChangeV2 (fields: transition=1, changes=2 {type=1, node_id=2}, context=3). */
export function encodeConfChangeV2(cc: ConfChangeV2): Bytes {
  let out = key(1, 0) + varint(TRANSITIONS.indexOf(cc.transition));
  for (const c of cc.changes) {
    const single = key(1, 0) + varint(CONF_CHANGE_TYPES.indexOf(c.type)) + key(2, 0) + varint(c.nodeId);
    out += lengthDelimited(2, single);
  }
  if (cc.context !== undefined && cc.context.length > 0) out += lengthDelimited(3, cc.context);
  return out;
}

interface Field {
  field: number;
  value: number | Bytes;
}

function* fields(bytes: Bytes): Generator<Field> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= bytes.length) throw new DecodeError('unexpected EOF');
      const b = bytes.charCodeAt(pos++);
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
      if (mul > 2 ** 63) throw new DecodeError('varint overflow');
    }
  };
  while (pos < bytes.length) {
    const k = readVarint();
    const field = Math.floor(k / 8);
    const wireType = k % 8;
    if (wireType === 0) {
      yield { field, value: readVarint() };
    } else if (wireType === 2) {
      const len = readVarint();
      if (pos + len > bytes.length) throw new DecodeError('unexpected EOF');
      yield { field, value: bytes.slice(pos, pos + len) };
      pos += len;
    } else {
      throw new DecodeError(`proto: bad wiretype ${wireType}`);
    }
  }
}

function enumValue<T>(values: T[], v: number | Bytes, what: string): T {
  if (typeof v !== 'number' || v >= values.length) throw new DecodeError(`bad ${what} ${String(v)}`);
  return values[v] as T;
}

export function decodeConfChange(bytes: Bytes): ConfChange {
  const cc: ConfChange = { type: 'ConfChangeAddNode', nodeId: 0 };
  for (const { field, value } of fields(bytes)) {
    if (field === 1 && typeof value === 'number') cc.id = value;
    else if (field === 2) cc.type = enumValue(CONF_CHANGE_TYPES, value, 'ConfChangeType');
    else if (field === 3 && typeof value === 'number') cc.nodeId = value;
    else if (field === 4 && typeof value === 'string') cc.context = value;
  }
  return cc;
}

export function decodeConfChangeV2(bytes: Bytes): ConfChangeV2 {
  const cc: ConfChangeV2 = { transition: 'ConfChangeTransitionAuto', changes: [] };
  for (const { field, value } of fields(bytes)) {
    if (field === 1) cc.transition = enumValue(TRANSITIONS, value, 'ConfChangeTransition');
    else if (field === 2 && typeof value === 'string') {
      const single: ConfChangeSingle = { type: 'ConfChangeAddNode', nodeId: 0 };
      for (const f of fields(value)) {
        if (f.field === 1) single.type = enumValue(CONF_CHANGE_TYPES, f.value, 'ConfChangeType');
        else if (f.field === 2 && typeof f.value === 'number') single.nodeId = f.value;
      }
      cc.changes.push(single);
    } else if (field === 3 && typeof value === 'string') cc.context = value;
  }
  return cc;
}

/** A V1 change as the equivalent V2 change (one operation, Auto transition). */
export function confChangeAsV2(cc: ConfChange | ConfChangeV2): ConfChangeV2 {
  if ('transition' in cc) return cc;
  const v2: ConfChangeV2 = {
    transition: 'ConfChangeTransitionAuto',
    changes: [{ type: cc.type, nodeId: cc.nodeId }],
  };
  if (cc.context !== undefined) v2.context = cc.context;
  return v2;
}

/** Decodes the conf change carried by an entry, or undefined for a normal entry. */
export function entryConfChange(e: Entry): ConfChangeV2 | undefined {
  if (e.type === 'EntryConfChange') return confChangeAsV2(decodeConfChange(e.data));
  if (e.type === 'EntryConfChangeV2') return decodeConfChangeV2(e.data);
  return undefined;
}

/**
 * The protobuf-encoded size of an entry, as etcd counts it for MaxSizePerMsg and
 * MaxCommittedSizePerReady: type (field 1), term (2) and index (3) always, data (4) when non-empty.
 */
export function entrySize(e: Entry): number {
  let size = 1 + varintSize(ENTRY_TYPES.indexOf(e.type)) + 1 + varintSize(e.term) + 1 + varintSize(e.index);
  if (e.data.length > 0) size += 1 + varintSize(e.data.length) + e.data.length;
  return size;
}

export function entriesSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += entrySize(e);
  return s;
}

/** Payload bytes (data length), which etcd uses for the uncommitted-size and inflight budgets. */
export function payloadsSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/**
 * Keeps the longest prefix of `ents` whose encoded size stays within `maxSize`, but always at
 * least one entry (etcd's limitSize).
 */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  for (let limit = 1; limit < ents.length; limit++) {
    size += entrySize(ents[limit]!);
    if (size > maxSize) return ents.slice(0, limit);
  }
  return ents;
}

/** Parses etcd's short change notation ("v1 l2 r3 u4") used in logs and transcripts. */
export function confChangesFromString(s: string): ConfChangeSingle[] {
  const toks = s.trim().split(' ').filter((t) => t !== '');
  return toks.map((tok) => {
    if (tok.length < 2) throw new Error(`unknown token ${tok}`);
    const kind = { v: 'ConfChangeAddNode', l: 'ConfChangeAddLearnerNode', r: 'ConfChangeRemoveNode', u: 'ConfChangeUpdateNode' }[
      tok[0] as 'v' | 'l' | 'r' | 'u'
    ] as ConfChangeType | undefined;
    if (kind === undefined) throw new Error(`unknown input: ${tok}`);
    const idText = tok.slice(1);
    if (!/^\d+$/.test(idText)) throw new Error(`strconv.ParseUint: parsing "${idText}": invalid syntax`);
    return { type: kind, nodeId: Number(idText) };
  });
}

/** Formats changes in etcd's short notation ("v1 l2 r3 u4"). */
export function confChangesToString(ccs: readonly ConfChangeSingle[]): string {
  const letter: Record<ConfChangeType, string> = {
    ConfChangeAddNode: 'v',
    ConfChangeAddLearnerNode: 'l',
    ConfChangeRemoveNode: 'r',
    ConfChangeUpdateNode: 'u',
  };
  return ccs.map((c) => `${letter[c.type]}${c.nodeId}`).join(' ');
}

/** Whether a V2 change should enter a joint configuration, and whether to leave it automatically. */
export function enterJoint(cc: ConfChangeV2): { autoLeave: boolean } | undefined {
  if (cc.transition !== 'ConfChangeTransitionAuto' || cc.changes.length > 1) {
    return { autoLeave: cc.transition !== 'ConfChangeTransitionJointExplicit' };
  }
  return undefined;
}

/** An empty Auto change means "leave the joint configuration". */
export function isLeaveJoint(cc: ConfChangeV2): boolean {
  return cc.transition === 'ConfChangeTransitionAuto' && cc.changes.length === 0;
}
