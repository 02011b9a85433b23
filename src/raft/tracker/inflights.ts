// Inflights: the leader's window of MsgApp messages sent to one follower in StateReplicate and not
// yet acknowledged. Replication to that follower pauses while the window is full (by count, or by
// payload bytes when a byte limit is set).
//
// Pure. A FIFO of (last index, bytes) pairs; acknowledgements free every message up to an index.

import { assert } from '../../lib/assert';

interface Inflight {
  /** Index of the last entry inside the message. */
  index: number;
  /** Payload bytes of the entries inside the message. */
  bytes: number;
}

export class Inflights {
  private queue: Inflight[] = [];
  private head = 0;
  private totalBytes = 0;

  /**
   * @param size the maximum number of messages in flight (MaxInflightMsgs)
   * @param maxBytes the maximum payload bytes in flight; 0 means no limit (MaxInflightBytes)
   */
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    assert(size > 0, 'inflights size must be positive');
  }

  clone(): Inflights {
    const c = new Inflights(this.size, this.maxBytes);
    c.queue = this.queue.slice(this.head);
    c.totalBytes = this.totalBytes;
    return c;
  }

  /** Records a message whose last entry has `index`. Invariant: indexes are increasing. */
  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add into a Full inflights');
    this.queue.push({ index, bytes });
    this.totalBytes += bytes;
  }

  /** Frees every message whose last index is <= to. */
  freeLE(to: number): void {
    while (this.head < this.queue.length && this.queue[this.head]!.index <= to) {
      this.totalBytes -= this.queue[this.head]!.bytes;
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  full(): boolean {
    return this.count() === this.size || (this.maxBytes !== 0 && this.totalBytes >= this.maxBytes);
  }

  count(): number {
    return this.queue.length - this.head;
  }

  bytes(): number {
    return this.totalBytes;
  }

  reset(): void {
    this.queue = [];
    this.head = 0;
    this.totalBytes = 0;
  }
}
