// The primary's expiry order: one entry per lease, keyed by the time at which to look at it next
// (its expiry, or a retry time after it was handed out as expired). etcd's LeaseExpiredNotifier.
// Pure: times are virtual milliseconds given by the caller.

import { shareOnClone } from '../lib/clone';
import { MinHeap } from './heap';
import type { LeaseId } from './lease';

export interface ExpiryItem {
  id: LeaseId;
  /** Virtual ms at which the lease is due to be looked at. */
  timeMs: number;
  /** Position in the heap. */
  index: number;
}

/** Heap order: earlier due time first, ties by ID (deterministic). Module-level so that state holds no closures. */
export function expiryLess(a: ExpiryItem, b: ExpiryItem): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.id < b.id);
}

/** Keeps each item's heap position current. */
export function expiryMoved(item: ExpiryItem, index: number): void {
  item.index = index;
}

/**
 * Leases ordered by due time, ties by ID. Only the primary fills it; demotion empties it. Unlike
 * etcd, which unregisters revoked leases lazily when it meets them, the lessor removes them at once
 * (the observable behaviour is the same: a revoked lease is never reported as expired).
 */
export class ExpiryQueue {
  /** Invariant: holds exactly the items in `heap`, one per lease ID. */
  private readonly byId = new Map<LeaseId, ExpiryItem>();
  private readonly heap = new MinHeap<ExpiryItem>(expiryLess, expiryMoved);

  get size(): number {
    return this.byId.size;
  }

  /** etcd's RegisterOrUpdate: (re)sets the due time of a lease. */
  set(id: LeaseId, timeMs: number): void {
    const item = this.byId.get(id);
    if (item) {
      item.timeMs = timeMs;
      this.heap.fix(item.index);
    } else {
      const fresh: ExpiryItem = { id, timeMs, index: -1 };
      this.byId.set(id, fresh);
      this.heap.push(fresh);
    }
  }

  /** The lease due first, if any. */
  peek(): { id: LeaseId; timeMs: number } | undefined {
    const top = this.heap.peek();
    return top ? { id: top.id, timeMs: top.timeMs } : undefined;
  }

  /** The due time of a lease, if it is queued. */
  timeOf(id: LeaseId): number | undefined {
    return this.byId.get(id)?.timeMs;
  }

  delete(id: LeaseId): void {
    const item = this.byId.get(id);
    if (!item) return;
    this.heap.removeAt(item.index);
    this.byId.delete(id);
  }

  clear(): void {
    this.heap.clear();
    this.byId.clear();
  }
}

shareOnClone(expiryLess);
shareOnClone(expiryMoved);
