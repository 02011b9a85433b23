// The protobuf wire encoding of the responses `-w protobuf` prints (gogo-protobuf Marshal of
// etcdserverpb / mvccpb messages): fields in number order, proto3 zero values left out, nested
// messages present when their pointer is set. Output is a byte string. Pure.

import type { KeyValue, MvccEvent, RangeResponse, ResponseHeader, ResponseOp, TxnResponse, WatchResponse } from '../../mvcc/types';
import type { AlarmMember, Member } from '../../server/api';

/** Bytes of one message under construction. */
class Message {
  private out = '';

  private varint(v: bigint): void {
    let x = v < 0n ? v + (1n << 64n) : v;
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) byte |= 0x80;
      this.out += String.fromCharCode(byte);
    } while (x > 0n);
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  /** A varint field; left out when zero. */
  int(field: number, value: number): this {
    if (value !== 0) {
      this.key(field, 0);
      this.varint(BigInt(value));
    }
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.int(field, value ? 1 : 0);
  }

  /** A bytes/string field (a byte string); left out when empty. */
  bytes(field: number, value: string): this {
    if (value.length > 0) this.raw(field, value);
    return this;
  }

  /** A length-delimited field written even when empty (a set message pointer, a repeated item). */
  raw(field: number, value: string): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    this.out += value;
    return this;
  }

  done(): string {
    return this.out;
  }
}

export function encodeHeader(h: ResponseHeader): string {
  return new Message().int(1, h.clusterId).int(2, h.memberId).int(3, h.revision).int(4, h.raftTerm).done();
}

export function encodeKeyValue(kv: KeyValue): string {
  return new Message()
    .bytes(1, kv.key)
    .int(2, kv.createRevision)
    .int(3, kv.modRevision)
    .int(4, kv.version)
    .bytes(5, kv.value)
    .int(6, kv.lease)
    .done();
}

/** A message that is just a header (and, for a few types, what the caller appends). */
export function encodeHeaderOnly(h: ResponseHeader | undefined): string {
  const m = new Message();
  if (h) m.raw(1, encodeHeader(h));
  return m.done();
}

export function encodeRange(r: RangeResponse): string {
  const m = new Message().raw(1, encodeHeader(r.header));
  for (const kv of r.kvs) m.raw(2, encodeKeyValue(kv));
  return m.bool(3, r.more).int(4, r.count).done();
}

export function encodePut(r: { header: ResponseHeader; prevKv?: KeyValue }): string {
  const m = new Message().raw(1, encodeHeader(r.header));
  if (r.prevKv) m.raw(2, encodeKeyValue(r.prevKv));
  return m.done();
}

export function encodeDelete(r: { header: ResponseHeader; deleted: number; prevKvs: KeyValue[] }): string {
  const m = new Message().raw(1, encodeHeader(r.header)).int(2, r.deleted);
  for (const kv of r.prevKvs) m.raw(3, encodeKeyValue(kv));
  return m.done();
}

function encodeResponseOp(op: ResponseOp): string {
  const m = new Message();
  if ('responseRange' in op) m.raw(1, encodeRange(op.responseRange));
  else if ('responsePut' in op) m.raw(2, encodePut(op.responsePut));
  else if ('responseDeleteRange' in op) m.raw(3, encodeDelete(op.responseDeleteRange));
  else m.raw(4, encodeTxn(op.responseTxn));
  return m.done();
}

export function encodeTxn(r: TxnResponse): string {
  const m = new Message().raw(1, encodeHeader(r.header)).bool(2, r.succeeded);
  for (const op of r.responses) m.raw(3, encodeResponseOp(op));
  return m.done();
}

function encodeEvent(e: MvccEvent): string {
  const m = new Message().int(1, e.type === 'DELETE' ? 1 : 0).raw(2, encodeKeyValue(e.kv));
  if (e.prevKv) m.raw(3, encodeKeyValue(e.prevKv));
  return m.done();
}

/** etcdctl's pbPrinter.Watch: header, compact revision, canceled, created and the events. */
export function encodeWatch(r: WatchResponse): string {
  const m = new Message().raw(1, encodeHeader(r.header)).bool(3, r.created).bool(4, r.canceled).int(5, r.compactRevision);
  for (const e of r.events) m.raw(11, encodeEvent(e));
  return m.done();
}

function encodeMember(mb: Member): string {
  const m = new Message().int(1, mb.id).bytes(2, mb.name);
  for (const u of mb.peerUrls) m.raw(3, u);
  for (const u of mb.clientUrls) m.raw(4, u);
  return m.bool(5, mb.isLearner).done();
}

/** MemberAdd (member at 2, members at 3) or the others (members at 2). */
export function encodeMembers(header: ResponseHeader, members: Member[], added?: Member): string {
  const m = new Message().raw(1, encodeHeader(header));
  if (added) m.raw(2, encodeMember(added));
  for (const mb of members) m.raw(added ? 3 : 2, encodeMember(mb));
  return m.done();
}

const ALARM_NUMBER = { NONE: 0, NOSPACE: 1, CORRUPT: 2 } as const;

export function encodeAlarms(header: ResponseHeader | undefined, alarms: AlarmMember[]): string {
  const m = new Message();
  if (header) m.raw(1, encodeHeader(header));
  for (const a of alarms) m.raw(2, new Message().int(1, a.memberId).int(2, ALARM_NUMBER[a.alarm]).done());
  return m.done();
}
