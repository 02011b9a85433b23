// When the primary next checkpoints each lease: etcd's leaseCheckpointHeap. Pure: times are
// virtual milliseconds given by the caller.
//
// Like etcd's heap it may hold several entries for one lease (a grant, a promote and an applied
// checkpoint each push one, nothing dedupes); stale entries are dropped when they come due and the
// lease is gone, expired or not worth a checkpoint. Demotion empties it.

import { shareOnClone } from '../lib/clone';
import { MinHeap } from './heap';
import type { LeaseId } from './lease';

interface ScheduledCheckpoint {
  id: LeaseId;
  timeMs: number;
  /** Insertion number: equal (time, id) entries come out in the order they went in. */
  seq: number;
}

/** Heap order: due time, then lease ID, then insertion. Module-level so that state holds no closures. */
function checkpointLess(a: ScheduledCheckpoint, b: ScheduledCheckpoint): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && (a.id < b.id || (a.id === b.id && a.seq < b.seq)));
}
shareOnClone(checkpointLess);

/** The checkpoint schedule, ordered by (due time, lease ID, insertion). */
export class CheckpointSchedule {
  private seq = 0;
  private readonly heap = new MinHeap<ScheduledCheckpoint>(checkpointLess);

  get size(): number {
    return this.heap.size;
  }

  /** Schedules one checkpoint of `id` at `timeMs`. */
  push(id: LeaseId, timeMs: number): void {
    this.heap.push({ id, timeMs, seq: this.seq++ });
  }

  /** Removes and returns the first entry due at or before `now`, if any. */
  popDue(now: number): { id: LeaseId; timeMs: number } | undefined {
    const top = this.heap.peek();
    if (!top || top.timeMs > now) return undefined;
    this.heap.pop();
    return { id: top.id, timeMs: top.timeMs };
  }

  clear(): void {
    this.heap.clear();
  }
}
