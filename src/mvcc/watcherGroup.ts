// Watchers, the groups that hold them, and per-watcher event batches (etcd's mvcc/watcher_group.go
// and the watcher struct of watchable_store.go). Pure: in memory only.
//
// A group finds the watchers interested in a key: single-key watchers through a Map, range
// watchers by scanning them (etcd uses an interval tree; a playground has few range watchers, so a
// scan is simpler and fast enough). Iteration orders are deterministic: groups keep insertion
// order and batches are ordered by watcher creation, where etcd uses Go maps (random order).

import { assert } from '../lib/assert';
import type { MvccEvent } from './types';

/** etcd's watchBatchMaxRevs: an unsynced watcher gets at most this many revisions per sync. */
export const WATCH_BATCH_MAX_REVS = 1000;

/** A response as the store hands it to a stream (etcd's mvcc.WatchResponse). */
export interface RawWatchResponse {
  watchId: number;
  events: MvccEvent[];
  /** The store revision the response speaks for (its header revision). */
  revision: number;
  /** Non-zero: the watcher was compacted away at this revision. */
  compactRevision: number;
}

/** Where a watcher's responses go: its stream's bounded channel. */
export interface WatchSink {
  /** Queues a response; false when the channel is full (the watcher becomes a victim). */
  offer(response: RawWatchResponse): boolean;
}

/** One watcher (etcd's mvcc watcher). */
export class Watcher {
  /** The next revision the watcher accepts. Invariant: events below it were already sent. */
  minRev: number;
  /** Its channel was full; it waits in a victim batch (watchableStore.syncVictims). */
  victim = false;
  /** Removed because its next revision was compacted. */
  compacted = false;
  /** Moved from synced to unsynced by a snapshot restore; may briefly be ahead of the store. */
  restore = false;

  constructor(
    /** Creation order, for deterministic iteration. */
    readonly seq: number,
    readonly id: number,
    readonly key: string,
    /** undefined: the single key; '': every key >= key; else [key, end). */
    readonly end: string | undefined,
    readonly startRev: number,
    readonly filters: { noPut: boolean; noDelete: boolean },
    readonly sink: WatchSink,
  ) {
    this.minRev = startRev;
  }

  /** True when the watcher's key or range covers `key`. */
  matches(key: string): boolean {
    if (this.end === undefined) return key === this.key;
    return key >= this.key && (this.end === '' || key < this.end);
  }

  /**
   * Sends a response after the filters. A response whose events were all filtered out is not sent
   * and counts as delivered; a response with no events (progress) always goes.
   */
  send(response: RawWatchResponse): boolean {
    const isProgress = response.events.length === 0;
    let events = response.events;
    if (this.filters.noPut || this.filters.noDelete) {
      events = events.filter((e) => !(e.type === 'PUT' ? this.filters.noPut : this.filters.noDelete));
    }
    if (!isProgress && events.length === 0) return true;
    return this.sink.offer({ ...response, events });
  }
}

/** A set of watchers indexed by the keys they watch (etcd's watcherGroup). */
export class WatcherGroup {
  private readonly keyWatchers = new Map<string, Set<Watcher>>();
  private readonly rangeWatchers = new Set<Watcher>();
  /** Every watcher of the group, in insertion order. */
  private readonly all = new Set<Watcher>();

  get size(): number {
    return this.all.size;
  }

  has(w: Watcher): boolean {
    return this.all.has(w);
  }

  /** The watchers in insertion order (a copy, safe to iterate while changing the group). */
  watchers(): Watcher[] {
    return [...this.all];
  }

  add(w: Watcher): void {
    assert(!this.all.has(w), 'watcher added to a group twice');
    this.all.add(w);
    if (w.end !== undefined) {
      this.rangeWatchers.add(w);
      return;
    }
    let set = this.keyWatchers.get(w.key);
    if (!set) {
      set = new Set();
      this.keyWatchers.set(w.key, set);
    }
    set.add(w);
  }

  /** Removes a watcher; false when it was not in the group. */
  delete(w: Watcher): boolean {
    if (!this.all.delete(w)) return false;
    if (w.end !== undefined) {
      this.rangeWatchers.delete(w);
      return true;
    }
    const set = this.keyWatchers.get(w.key)!;
    set.delete(w);
    if (set.size === 0) this.keyWatchers.delete(w.key);
    return true;
  }

  /** True when some watcher of the group covers `key`. */
  contains(key: string): boolean {
    if (this.keyWatchers.has(key)) return true;
    for (const w of this.rangeWatchers) if (w.matches(key)) return true;
    return false;
  }

  /** The watchers covering `key`. */
  watchersFor(key: string): Watcher[] {
    const out = [...(this.keyWatchers.get(key) ?? [])];
    for (const w of this.rangeWatchers) if (w.matches(key)) out.push(w);
    return out;
  }
}

/**
 * The events one watcher gets from one pass, in revision order, capped at `maxRevs` distinct
 * revisions: the first revision that does not fit becomes `moreRev` (the watcher stays unsynced
 * and continues from there). A revision is never split.
 */
export class EventBatch {
  readonly events: MvccEvent[] = [];
  /** Distinct revisions in `events`. */
  revs = 0;
  /** The first revision left out, 0 when nothing was. */
  moreRev = 0;

  constructor(private readonly maxRevs: number = WATCH_BATCH_MAX_REVS) {}

  add(event: MvccEvent): void {
    if (this.revs > this.maxRevs) return;
    if (this.events.length === 0) {
      this.revs = 1;
      this.events.push(event);
      return;
    }
    const last = this.events[this.events.length - 1]!.kv.modRevision;
    if (event.kv.modRevision > last) {
      this.revs++;
      if (this.revs > this.maxRevs) {
        this.moreRev = event.kv.modRevision;
        return;
      }
    }
    this.events.push(event);
  }
}

/**
 * Each watcher of `group` with the events (in order) it has not seen yet, i.e. at or after its
 * minRev; ordered by watcher creation.
 */
export function newWatcherBatch(
  group: WatcherGroup,
  events: readonly MvccEvent[],
  maxRevs: number = WATCH_BATCH_MAX_REVS,
): Map<Watcher, EventBatch> {
  const batches = new Map<Watcher, EventBatch>();
  if (group.size === 0) return batches;
  for (const event of events) {
    for (const w of group.watchersFor(event.kv.key)) {
      if (event.kv.modRevision < w.minRev) continue; // already sent
      let batch = batches.get(w);
      if (!batch) {
        batch = new EventBatch(maxRevs);
        batches.set(w, batch);
      }
      batch.add(event);
    }
  }
  return new Map([...batches].sort(([a], [b]) => a.seq - b.seq));
}
