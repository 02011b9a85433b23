// The watchable store and its watch streams (etcd's mvcc/watchable_store.go, watcher.go and the
// server half of etcdserver/api/v3rpc/watch.go). Pure: no goroutines, no timers. The caller drives
// what etcd runs in the background: syncWatchers() (etcd: every 100 ms), syncVictims() (etcd: every
// 10 ms while there are victims), and WatchStream.advanceTime(now) for progress notifications.
// Responses come out through WatchStream.pollResponses(); nothing calls back into the caller.
//
// Watchers live in one of three places:
//   synced    caught up; each committed write transaction sends them its events at once (one
//             response per watcher per transaction, so a transaction's events arrive together);
//   unsynced  behind (a past start revision, a victim that recovered, a snapshot restore);
//             syncWatchers() replays history from the key bucket, for at most 512 watchers and
//             1000 revisions per watcher per pass, then moves them to synced;
//   victims   their stream's channel was full; syncVictims() retries the pending batch.
// A watcher whose next revision is below the compacted revision gets one response carrying
// `compactRevision` (and canceled) and stops.
//
// Each stream has one bounded channel of CHAN_BUF_LEN responses, like etcd's (shared by the
// stream's watchers): pollResponses() drains it. A send into a full channel makes the watcher a
// victim, so a slow consumer loses nothing but falls behind, as in etcd.

import { assert } from '../lib/assert';
import { MvccError, isMvccError } from './errors';
import { copyKeyValue, tombstoneKeyValue } from './keyBucket';
import { KVStore, type StoreSnapshot, type WriteResult } from './kvStore';
import { eventSize, varintSize, watchResponseSize } from './protobuf';
import type { HeaderFields } from './txn';
import type { KeyValue, MvccEvent, WatchCreateRequest, WatchResponse } from './types';
import {
  EventBatch,
  WATCH_BATCH_MAX_REVS,
  Watcher,
  WatcherGroup,
  newWatcherBatch,
  type RawWatchResponse,
  type WatchSink,
} from './watcherGroup';

/** etcd's chanBufLen: responses a stream's channel holds before senders become victims. */
export const CHAN_BUF_LEN = 128;
/** etcd's maxWatchersPerSync: unsynced watchers handled by one syncWatchers() pass. */
export const MAX_WATCHERS_PER_SYNC = 512;
/** etcd's default progress notification interval (10 minutes; etcd adds up to 10% jitter). */
export const PROGRESS_REPORT_INTERVAL_MS = 600_000;
/** etcd's watch fragment threshold: --max-request-bytes (1.5 MiB) plus gRPC overhead (512 KiB). */
export const WATCH_MAX_REQUEST_BYTES = 1_572_864 + 524_288;
/** clientv3.InvalidWatchID: failed creates and stream-wide progress notifications. */
export const INVALID_WATCH_ID = -1;
/** clientv3.AutoWatchID: let the stream choose the ID. */
export const AUTO_WATCH_ID = 0;

/** Tunables, defaulting to etcd's values (tests shrink them). */
export interface WatchableStoreOptions {
  chanBufLen?: number;
  maxWatchersPerSync?: number;
  watchBatchMaxRevs?: number;
  /** Responses at least this large (encoded) are split for watches created with `fragment`. */
  maxRequestBytes?: number;
}

/** Options of a new stream. */
export interface WatchStreamOptions {
  /** Virtual time at creation (ms), the origin of the progress ticker. */
  nowMs?: number;
  /** The progress ticker period; the caller adds etcd's jitter if it wants it. */
  progressIntervalMs?: number;
}

/** Counts of watchers per group, for views and tests. */
export interface WatcherCounts {
  synced: number;
  unsynced: number;
  victims: number;
}

/** What a stream needs from its store. Internal. */
export interface StreamHooks {
  chanBufLen: number;
  maxRequestBytes: number;
  currentRevision(): number;
  watch(key: string, end: string | undefined, startRev: number, id: number, sink: WatchSink, filters: Watcher['filters']): Watcher;
  cancel(w: Watcher): void;
  progressIfSync(watchers: readonly Watcher[], responseWatchId: number): boolean;
  /** The key at `rev` for prev_kv, undefined when absent or compacted. */
  valueAt(key: string, rev: number): KeyValue | undefined;
}

/**
 * The store seen through StreamHooks. A class with a back-reference rather than closures, so that
 * the whole state is plain objects and can be checkpointed and transferred.
 */
export class StoreStreamHooks implements StreamHooks {
  constructor(
    private readonly store: WatchableStore,
    readonly chanBufLen: number,
    readonly maxRequestBytes: number,
  ) {}
  currentRevision(): number {
    return this.store.currentRevision;
  }
  watch(key: string, end: string | undefined, startRev: number, id: number, sink: WatchSink, filters: Watcher['filters']): Watcher {
    return this.store.addWatcher(key, end, startRev, id, sink, filters);
  }
  cancel(w: Watcher): void {
    this.store.cancelWatcher(w);
  }
  progressIfSync(watchers: readonly Watcher[], responseWatchId: number): boolean {
    return this.store.progressIfSync(watchers, responseWatchId);
  }
  valueAt(key: string, rev: number): KeyValue | undefined {
    try {
      return this.store.range(key, undefined, { rev }).kvs[0];
    } catch (error) {
      if (isMvccError(error)) return undefined;
      throw error;
    }
  }
}

/**
 * The store with watchers. Watch through newWatchStream(); the caller runs syncWatchers() and
 * syncVictims() periodically in virtual time.
 */
export class WatchableStore extends KVStore {
  private synced = new WatcherGroup();
  private unsynced = new WatcherGroup();
  /** Batches of watchers whose channel was full, with the events they still have to get. */
  private victims: Map<Watcher, EventBatch>[] = [];
  private nextWatcherSeq = 0;
  private readonly chanBufLen: number;
  private readonly maxWatchersPerSync: number;
  private readonly watchBatchMaxRevs: number;
  private readonly maxRequestBytes: number;

  constructor(options: WatchableStoreOptions = {}) {
    super();
    this.chanBufLen = options.chanBufLen ?? CHAN_BUF_LEN;
    this.maxWatchersPerSync = options.maxWatchersPerSync ?? MAX_WATCHERS_PER_SYNC;
    this.watchBatchMaxRevs = options.watchBatchMaxRevs ?? WATCH_BATCH_MAX_REVS;
    this.maxRequestBytes = options.maxRequestBytes ?? WATCH_MAX_REQUEST_BYTES;
    assert(this.chanBufLen > 0 && this.maxWatchersPerSync > 0 && this.watchBatchMaxRevs > 0, 'bad watch limits');
  }

  /** A new watch stream (one per client gRPC Watch stream). */
  newWatchStream(options: WatchStreamOptions = {}): WatchStream {
    const hooks = new StoreStreamHooks(this, this.chanBufLen, this.maxRequestBytes);
    return new WatchStream(hooks, options);
  }

  /** How many watchers are synced, unsynced and victims. */
  watcherCounts(): WatcherCounts {
    let victims = 0;
    for (const batch of this.victims) victims += batch.size;
    return { synced: this.synced.size, unsynced: this.unsynced.size, victims };
  }

  /**
   * Catches unsynced watchers up from history (etcd's syncWatchers, run every 100 ms): up to
   * maxWatchersPerSync of them; compacted ones get their compaction response; each gets the events
   * from its next revision to the current one (at most watchBatchMaxRevs revisions) in one
   * response whose header revision is the current revision. Returns how many stay unsynced.
   */
  syncWatchers(): number {
    if (this.unsynced.size === 0) return 0;
    const curRev = this.currentRevision;
    const compactRev = this.compactRevision;

    const chosen = this.unsynced.watchers().slice(0, this.maxWatchersPerSync);
    const group = new WatcherGroup();
    let minRev = Number.POSITIVE_INFINITY;
    for (const w of chosen) {
      if (w.minRev > curRev) {
        // Only a watcher moved here by a snapshot restore may be ahead of the store.
        assert(w.restore, () => `watcher minimum revision ${w.minRev} should not exceed current revision ${curRev}`);
        w.restore = false;
      }
      if (w.minRev < compactRev) {
        if (w.send({ watchId: w.id, events: [], revision: 0, compactRevision: compactRev })) {
          w.compacted = true;
          this.unsynced.delete(w);
        }
        // Otherwise the channel is full: retried on the next pass.
        continue;
      }
      group.add(w);
      minRev = Math.min(minRev, w.minRev);
    }
    if (group.size === 0) return this.unsynced.size;
    minRev = Math.max(minRev, 0);

    const events: MvccEvent[] = [];
    for (const record of this.core.bucket.between(minRev, curRev)) {
      if (!group.contains(record.kv.key)) continue;
      events.push(
        record.tombstone
          ? { type: 'DELETE', kv: { ...tombstoneKeyValue(record.kv.key), modRevision: record.rev.main } }
          : { type: 'PUT', kv: copyKeyValue(record.kv) },
      );
    }
    const batches = newWatcherBatch(group, events, this.watchBatchMaxRevs);

    const victims = new Map<Watcher, EventBatch>();
    for (const w of group.watchers()) {
      w.minRev = Math.max(curRev + 1, w.minRev);
      const batch = batches.get(w);
      if (!batch) {
        this.unsynced.delete(w);
        this.synced.add(w);
        continue;
      }
      if (batch.moreRev !== 0) w.minRev = batch.moreRev;
      if (w.send({ watchId: w.id, events: batch.events, revision: curRev, compactRevision: 0 })) {
        if (batch.moreRev !== 0) continue; // more history to send: stays unsynced
        this.synced.add(w);
      } else {
        w.victim = true;
        victims.set(w, batch);
      }
      this.unsynced.delete(w);
    }
    this.addVictims(victims);
    return this.unsynced.size;
  }

  /**
   * Retries the victims' pending responses (etcd's syncVictimsLoop / moveVictims) until no more
   * can be delivered; delivered watchers go to unsynced (behind) or synced. Returns how many
   * responses were delivered.
   */
  syncVictims(): number {
    let total = 0;
    for (;;) {
      const moved = this.moveVictims();
      if (moved === 0) return total;
      total += moved;
    }
  }

  /** Moves synced watchers to unsynced after a snapshot replaced the data (etcd's Restore). */
  override restoreSnapshot(data: StoreSnapshot): void {
    super.restoreSnapshot(data);
    for (const w of this.synced.watchers()) {
      w.restore = true;
      this.unsynced.add(w);
    }
    this.synced = new WatcherGroup();
  }

  /** Sends a committed transaction's events to the synced watchers (etcd's notify). */
  protected override afterCommit(result: WriteResult): void {
    const rev = result.revision;
    const victims = new Map<Watcher, EventBatch>();
    for (const [w, batch] of newWatcherBatch(this.synced, result.events, this.watchBatchMaxRevs)) {
      assert(batch.revs === 1, () => `unexpected multiple revisions in watch notification: ${batch.revs}`);
      if (!w.send({ watchId: w.id, events: batch.events, revision: rev, compactRevision: 0 })) {
        w.victim = true;
        victims.set(w, batch);
        this.synced.delete(w);
      }
      // Always advance: a synced watcher for restore, a victim for its later catch-up.
      w.minRev = rev + 1;
    }
    this.addVictims(victims);
  }

  /** @internal For StoreStreamHooks. */
  addWatcher(
    key: string,
    end: string | undefined,
    startRev: number,
    id: number,
    sink: WatchSink,
    filters: Watcher['filters'],
  ): Watcher {
    const w = new Watcher(this.nextWatcherSeq++, id, key, end, startRev, filters, sink);
    const current = this.currentRevision;
    if (startRev === 0 || startRev > current) {
      w.minRev = Math.max(current + 1, startRev);
      this.synced.add(w);
    } else {
      this.unsynced.add(w);
    }
    return w;
  }

  /** @internal For StoreStreamHooks. */
  cancelWatcher(w: Watcher): void {
    if (this.unsynced.delete(w) || this.synced.delete(w)) return;
    if (w.compacted) return;
    if (w.victim) {
      for (const batch of this.victims) {
        if (batch.delete(w)) return;
      }
    }
    assert(false, 'canceled watcher is in no group');
  }

  /** @internal For StoreStreamHooks. */
  progressIfSync(watchers: readonly Watcher[], responseWatchId: number): boolean {
    const rev = this.currentRevision;
    for (const w of watchers) {
      if (!this.synced.has(w)) return false;
      if (rev < w.startRev) return false;
    }
    // All synced: one notification, sent through the first watcher (they share the channel).
    const first = watchers[0];
    if (first) first.send({ watchId: responseWatchId, events: [], revision: rev, compactRevision: 0 });
    return true;
  }

  private addVictims(batch: Map<Watcher, EventBatch>): void {
    if (batch.size > 0) this.victims.push(batch);
  }

  private moveVictims(): number {
    const batches = this.victims;
    this.victims = [];
    let moved = 0;
    const stillBlocked = new Map<Watcher, EventBatch>();
    for (const batch of batches) {
      for (const [w, eb] of batch) {
        // The watcher has seen the store up to, not including, minRev.
        if (w.send({ watchId: w.id, events: eb.events, revision: w.minRev - 1, compactRevision: 0 })) moved++;
        else stillBlocked.set(w, eb);
      }
      const curRev = this.currentRevision;
      for (const [w, eb] of batch) {
        if (stillBlocked.has(w)) continue;
        w.victim = false;
        if (eb.moreRev !== 0) w.minRev = eb.moreRev;
        if (w.minRev <= curRev) this.unsynced.add(w);
        else this.synced.add(w);
      }
    }
    this.addVictims(stillBlocked);
    return moved;
  }
}

/** A response waiting in a stream, and whether it occupies a channel slot. */
interface QueuedResponse {
  response: WatchResponse;
  /**
   * Whether taking it frees a channel slot: false for control responses (created, canceled), which
   * etcd queues apart from the channel, and for all but the last fragment of a response.
   */
  channel: boolean;
}

const BLANK_HEADER: HeaderFields = { clusterId: 0, memberId: 0, raftTerm: 0 };

/**
 * One watch stream (etcd's mvcc watchStream plus the server's serverWatchStream): creates and
 * cancels watchers, answers progress requests, ticks progress notifications, and queues the
 * responses for pollResponses(). Obtain one from WatchableStore.newWatchStream().
 */
export class WatchStream implements WatchSink {
  private readonly watchers = new Map<number, Watcher>();
  /** The next ID to try for an automatic watch ID (etcd starts at 0). */
  private nextId = 0;
  /** Watch IDs with progress_notify: true when no event went out since the last tick. */
  private readonly progress = new Map<number, boolean>();
  private readonly prevKv = new Set<number>();
  private readonly fragment = new Set<number>();
  private queue: QueuedResponse[] = [];
  /** Invariant: the number of queued responses with `channel` set; at most chanBufLen. */
  private channelUsed = 0;
  private readonly progressIntervalMs: number;
  private nowMs: number;
  private nextProgressAtMs: number;
  private closed = false;

  /** Use WatchableStore.newWatchStream(). */
  constructor(
    private readonly hooks: StreamHooks,
    options: WatchStreamOptions,
  ) {
    this.nowMs = options.nowMs ?? 0;
    this.progressIntervalMs = options.progressIntervalMs ?? PROGRESS_REPORT_INTERVAL_MS;
    assert(this.progressIntervalMs > 0, 'progress interval must be positive');
    this.nextProgressAtMs = this.nowMs + this.progressIntervalMs;
  }

  /**
   * Creates a watcher and queues its `created` response; returns its ID. On failure returns -1
   * and queues a created-and-canceled response with etcd's reason: a negative start revision
   * (compacted), an empty range (key >= range end), or a watch ID already in use.
   */
  watch(req: WatchCreateRequest): number {
    assert(!this.closed, 'watch on a closed stream');
    const key = req.key.length === 0 ? '\0' : req.key;
    let end: string | undefined;
    if (req.rangeEnd !== undefined && req.rangeEnd.length > 0) end = req.rangeEnd === '\0' ? '' : req.rangeEnd;
    const startRev = req.startRevision ?? 0;
    const rev = this.hooks.currentRevision();

    if (startRev < 0) {
      this.queueControl({ revision: rev, watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: new MvccError('compacted').grpcMessage });
      return INVALID_WATCH_ID;
    }
    let id = req.watchId ?? AUTO_WATCH_ID;
    let failure: MvccError | null = null;
    if (end !== undefined && end !== '' && key >= end) {
      failure = new MvccError('emptyWatcherRange');
    } else if (id === AUTO_WATCH_ID) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      failure = new MvccError('duplicateWatchId');
    }
    if (failure) {
      this.queueControl({ revision: rev, watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: failure.message });
      return INVALID_WATCH_ID;
    }

    const filters = { noPut: req.filters?.includes('NOPUT') ?? false, noDelete: req.filters?.includes('NODELETE') ?? false };
    const w = this.hooks.watch(key, end, startRev, id, this, filters);
    this.watchers.set(id, w);
    if (req.progressNotify) this.progress.set(id, true);
    if (req.prevKv) this.prevKv.add(id);
    if (req.fragment) this.fragment.add(id);
    this.queueControl({ revision: rev, watchId: id, created: true, canceled: false, cancelReason: '' });
    return id;
  }

  /**
   * Cancels a watcher and queues its `canceled` response. False (and nothing queued) for an
   * unknown ID, as etcd. A watcher stopped by compaction stays known until canceled.
   */
  cancel(watchId: number): boolean {
    assert(!this.closed, 'cancel on a closed stream');
    const w = this.watchers.get(watchId);
    if (!w) return false;
    this.hooks.cancel(w);
    this.watchers.delete(watchId);
    this.progress.delete(watchId);
    this.prevKv.delete(watchId);
    this.fragment.delete(watchId);
    this.queueControl({ revision: this.hooks.currentRevision(), watchId, created: false, canceled: true, cancelReason: '' });
    return true;
  }

  /**
   * A progress request (etcd 3.4's RequestProgressAll): if every watcher of the stream is synced,
   * queues one response with no events, watch ID -1 and the current revision; otherwise nothing.
   * Returns whether it was answered.
   */
  requestProgress(): boolean {
    assert(!this.closed, 'progress request on a closed stream');
    return this.hooks.progressIfSync([...this.watchers.values()], INVALID_WATCH_ID);
  }

  /**
   * Moves the stream's virtual clock to `nowMs` and runs the progress ticker for each period that
   * elapsed: a progress_notify watcher that got no events since the previous tick, and is synced,
   * gets an empty response with the current revision.
   */
  advanceTime(nowMs: number): void {
    assert(nowMs >= this.nowMs, () => `stream time went back: ${nowMs} < ${this.nowMs}`);
    this.nowMs = nowMs;
    if (this.nextProgressAtMs > nowMs) return;
    const elapsed = Math.floor((nowMs - this.nextProgressAtMs) / this.progressIntervalMs) + 1;
    // Beyond a full channel, more ticks without a poll in between change nothing.
    const ticks = Math.min(elapsed, this.hooks.chanBufLen + 1);
    for (let i = 0; i < ticks; i++) this.progressTick();
    this.nextProgressAtMs += elapsed * this.progressIntervalMs;
  }

  /**
   * Takes the queued responses, oldest first (at most `max`), with the given header identity (the
   * header revision was fixed when the response was made). This frees channel room: call
   * WatchableStore.syncVictims() afterwards if watchers were blocked on a full channel.
   */
  pollResponses(fields: HeaderFields = BLANK_HEADER, max = Number.POSITIVE_INFINITY): WatchResponse[] {
    const taken = this.queue.splice(0, Math.min(max, this.queue.length));
    for (const item of taken) if (item.channel) this.channelUsed--;
    return taken.map(({ response }) => ({
      ...response,
      header: { ...response.header, clusterId: fields.clusterId, memberId: fields.memberId, raftTerm: fields.raftTerm },
    }));
  }

  /** Responses waiting to be polled. */
  get pendingResponses(): number {
    return this.queue.length;
  }

  /** IDs of the stream's watchers, in creation order. */
  watchIds(): number[] {
    return [...this.watchers.keys()];
  }

  /** Cancels every watcher and drops what was not polled (the client went away). */
  close(): void {
    if (this.closed) return;
    for (const w of this.watchers.values()) this.hooks.cancel(w);
    this.watchers.clear();
    this.queue = [];
    this.channelUsed = 0;
    this.closed = true;
  }

  /** WatchSink: queues a store response if the channel has room (see the file header). */
  offer(raw: RawWatchResponse): boolean {
    if (this.closed) return true; // etcd drains a closed stream's channel
    if (this.channelUsed >= this.hooks.chanBufLen) return false;
    this.channelUsed++;
    const needPrevKv = this.prevKv.has(raw.watchId);
    const events = raw.events.map((e): MvccEvent => {
      const event: MvccEvent = { type: e.type, kv: copyKeyValue(e.kv) };
      const isCreate = e.type === 'PUT' && e.kv.createRevision === e.kv.modRevision;
      if (needPrevKv && !isCreate) {
        const prev = this.hooks.valueAt(e.kv.key, e.kv.modRevision - 1);
        if (prev) event.prevKv = prev;
      }
      return event;
    });
    const base = {
      revision: raw.revision,
      watchId: raw.watchId,
      created: false,
      canceled: raw.compactRevision !== 0,
      compactRevision: raw.compactRevision,
      cancelReason: '',
    };
    const pieces = this.fragment.has(raw.watchId) ? this.fragments(base, events) : [{ events, fragment: false }];
    // The fragments of one response share its one channel slot, freed with the last fragment.
    pieces.forEach((piece, i) => {
      this.queue.push({ response: this.makeResponse({ ...base, ...piece }), channel: i === pieces.length - 1 });
    });
    if (events.length > 0 && this.progress.get(raw.watchId) === true) this.progress.set(raw.watchId, false);
    return true;
  }

  private progressTick(): void {
    for (const [id, quiet] of this.progress) {
      if (quiet) {
        const w = this.watchers.get(id);
        if (w) this.hooks.progressIfSync([w], id);
      }
      this.progress.set(id, true);
    }
  }

  /** etcd's sendFragments: split a response whose encoding reaches maxRequestBytes, event-wise. */
  private fragments(
    base: { revision: number; watchId: number; created: boolean; canceled: boolean; compactRevision: number; cancelReason: string },
    events: MvccEvent[],
  ): { events: MvccEvent[]; fragment: boolean }[] {
    const max = this.hooks.maxRequestBytes;
    if (events.length < 2 || watchResponseSize({ ...base, fragment: false, events }) < max) return [{ events, fragment: false }];
    const emptySize = watchResponseSize({ ...base, fragment: true, events: [] });
    const pieces: { events: MvccEvent[]; fragment: boolean }[] = [];
    let current: MvccEvent[] = [];
    let size = emptySize;
    for (const event of events) {
      const s = eventSize(event);
      const field = 1 + varintSize(s) + s;
      if (current.length > 0 && size + field >= max) {
        pieces.push({ events: current, fragment: true });
        current = [];
        size = emptySize;
      }
      current.push(event);
      size += field;
    }
    pieces.push({ events: current, fragment: false });
    return pieces;
  }

  private makeResponse(parts: {
    revision: number;
    watchId: number;
    created: boolean;
    canceled: boolean;
    compactRevision: number;
    cancelReason: string;
    fragment: boolean;
    events: MvccEvent[];
  }): WatchResponse {
    return {
      header: { ...BLANK_HEADER, revision: parts.revision },
      watchId: parts.watchId,
      created: parts.created,
      canceled: parts.canceled,
      compactRevision: parts.compactRevision,
      cancelReason: parts.cancelReason,
      fragment: parts.fragment,
      events: parts.events,
    };
  }

  private queueControl(parts: { revision: number; watchId: number; created: boolean; canceled: boolean; cancelReason: string }): void {
    this.queue.push({
      response: this.makeResponse({ ...parts, compactRevision: 0, fragment: false, events: [] }),
      channel: false,
    });
  }
}
