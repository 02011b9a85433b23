// The protobuf wire encoding of mvccpb.KeyValue, and the encoded sizes of watch events and
// responses. Pure: byte strings in, byte strings or numbers out.
//
// Why protobuf at all: etcd's HashKV hashes the bolt rows, whose values are marshalled KeyValues,
// so hashing the same bytes makes the playground's hash the one a real etcd member computes for the
// same history; and the watch server splits (fragments) responses by their encoded size. The
// encoding is proto3 as gogo/protobuf emits it: fields in ascending number order, zero values
// omitted, int64 as varints (negative ones as ten-byte two's complement).

import { assert } from '../lib/assert';
import type { KeyValue, MvccEvent } from './types';

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

/** The bytes of a varint-encoded int64 (any integer-valued double in the int64 range). */
export function encodeVarint(value: number): string {
  assert(Number.isInteger(value), () => `varint of a non-integer: ${value}`);
  let out = '';
  if (value >= 0) {
    let n = value;
    while (n >= 128) {
      out += String.fromCharCode((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    return out + String.fromCharCode(n);
  }
  let n = BigInt.asUintN(64, BigInt(value));
  while (n >= 128n) {
    out += String.fromCharCode(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  return out + String.fromCharCode(Number(n));
}

/** The length in bytes of a varint-encoded int64. */
export function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  let n = value;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function tag(field: number, wire: number): string {
  // Every field used here has a number below 16, so its tag fits in one byte.
  return String.fromCharCode((field << 3) | wire);
}

function bytesField(field: number, data: string): string {
  return data.length === 0 ? '' : tag(field, WIRE_BYTES) + encodeVarint(data.length) + data;
}

function int64Field(field: number, value: number): string {
  return value === 0 ? '' : tag(field, WIRE_VARINT) + encodeVarint(value);
}

/**
 * mvccpb.KeyValue marshalled as etcd writes it into bolt: key=1, create_revision=2,
 * mod_revision=3, version=4, value=5, lease=6. A tombstone's value is just its key.
 */
export function marshalKeyValue(kv: KeyValue): string {
  return (
    bytesField(1, kv.key) +
    int64Field(2, kv.createRevision) +
    int64Field(3, kv.modRevision) +
    int64Field(4, kv.version) +
    bytesField(5, kv.value) +
    int64Field(6, kv.lease)
  );
}

function bytesFieldSize(length: number): number {
  return length === 0 ? 0 : 1 + varintSize(length) + length;
}

function int64FieldSize(value: number): number {
  return value === 0 ? 0 : 1 + varintSize(value);
}

/** The encoded size of a KeyValue, without building it. */
export function keyValueSize(kv: KeyValue): number {
  return (
    bytesFieldSize(kv.key.length) +
    int64FieldSize(kv.createRevision) +
    int64FieldSize(kv.modRevision) +
    int64FieldSize(kv.version) +
    bytesFieldSize(kv.value.length) +
    int64FieldSize(kv.lease)
  );
}

function messageFieldSize(size: number): number {
  // A present sub-message is written even when empty.
  return 1 + varintSize(size) + size;
}

/** The encoded size of an mvccpb.Event: type=1 (DELETE only), kv=2, prev_kv=3. */
export function eventSize(event: MvccEvent): number {
  let size = event.type === 'DELETE' ? 2 : 0;
  size += messageFieldSize(keyValueSize(event.kv));
  if (event.prevKv) size += messageFieldSize(keyValueSize(event.prevKv));
  return size;
}

/**
 * An upper bound of an encoded ResponseHeader: cluster_id, member_id and raft_term are counted at
 * their widest (ten-byte varints) because the header's identity fields are filled by the caller
 * after the size decision.
 */
export function headerSizeBound(revision: number): number {
  return 3 * (1 + 10) + int64FieldSize(revision);
}

/** The encoded size of an etcdserverpb.WatchResponse with the given parts (events=11). */
export function watchResponseSize(parts: {
  revision: number;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  fragment: boolean;
  events: readonly MvccEvent[];
}): number {
  let size = messageFieldSize(headerSizeBound(parts.revision));
  size += int64FieldSize(parts.watchId);
  size += parts.created ? 2 : 0;
  size += parts.canceled ? 2 : 0;
  size += int64FieldSize(parts.compactRevision);
  size += bytesFieldSize(parts.cancelReason.length);
  size += parts.fragment ? 2 : 0;
  for (const event of parts.events) size += messageFieldSize(eventSize(event));
  return size;
}
