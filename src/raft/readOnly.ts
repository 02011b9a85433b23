// ReadIndex bookkeeping on the leader (Raft thesis §6.4). In Safe mode every read request is
// numbered; heartbeats carry the number of the newest pending request as their context, followers
// echo it, and once a quorum has acknowledged number N every request up to N is confirmed: the
// leader was still leader when it recorded their commit index.
//
// Pure. This is etcd-io/raft v3.7's scheme (acks are "highest sequence number seen per voter"),
// which fixed stale reads when two requests carried the same context.

import type { Bytes, Message, ReadOnlyOption } from './types';
import { jointCommittedIndex, type JointConfig } from './quorum/quorum';

export interface ReadIndexRequest {
  req: Message;
  /** The leader's commit index when the request arrived. */
  index: number;
}

/** Encodes a sequence number as etcd does: 8 bytes little-endian. */
export function encodeSeq(n: number): Bytes {
  let s = '';
  let v = n;
  for (let i = 0; i < 8; i++) {
    s += String.fromCharCode(v % 256);
    v = Math.floor(v / 256);
  }
  return s;
}

export function decodeSeq(ctx: Bytes): number {
  let v = 0;
  for (let i = Math.min(ctx.length, 8) - 1; i >= 0; i--) v = v * 256 + ctx.charCodeAt(i);
  return v;
}

export class ReadOnly {
  /** Highest sequence number acknowledged by each voter. */
  private readonly acks = new Map<number, number>();
  /** Requests not yet confirmed, in arrival order; request k has sequence confirmedReads + k + 1. */
  private unconfirmed: ReadIndexRequest[] = [];
  private confirmedReads = 0;

  constructor(readonly option: ReadOnlyOption) {}

  addRequest(commitIndex: number, req: Message): void {
    this.unconfirmed.push({ req, index: commitIndex });
  }

  recvAck(from: number, ctx: Bytes | undefined): void {
    if (ctx === undefined || ctx.length === 0) return;
    this.acks.set(from, Math.max(this.acks.get(from) ?? 0, decodeSeq(ctx)));
  }

  /** Returns the requests that a quorum has now confirmed, oldest first. */
  maybeAdvance(voters: JointConfig): ReadIndexRequest[] {
    const confirmed = jointCommittedIndex(voters, (id) => this.acks.get(id));
    if (confirmed <= this.confirmedReads) return [];
    const n = Math.min(confirmed - this.confirmedReads, this.unconfirmed.length);
    const out = this.unconfirmed.slice(0, n);
    this.unconfirmed = this.unconfirmed.slice(n);
    this.confirmedReads += n;
    return out;
  }

  /** The context to attach to heartbeats: the newest pending sequence number, or none. */
  heartbeatCtx(): Bytes | undefined {
    if (this.unconfirmed.length === 0) return undefined;
    return encodeSeq(this.confirmedReads + this.unconfirmed.length);
  }

  pendingCount(): number {
    return this.unconfirmed.length;
  }
}
