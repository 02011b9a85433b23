// The watchable store and its streams: synced and unsynced watchers, history replay in batches,
// prev_kv, filters, compaction cancels, progress (requested and periodic), victims on a full
// channel, fragments, snapshot restore. Method: etcd's documented behaviour (mvcc/
// watchable_store.go, v3rpc/watch.go, the etcdctl 3.4 watch transcripts), then a seeded property
// test: many random watchers with random ranges and start revisions over a random workload, with
// random syncs, polls and (in one variant) compactions; every watcher must receive exactly the
// history filtered by its range from its start, in order, without gap or duplicate, each
// transaction's events in one response.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import type { TxnWrite, WriteResult } from './kvStore';
import type { KeyValue, MvccEvent, WatchCreateRequest, WatchResponse } from './types';
import { WatchableStore, type WatchStream } from './watchableStore';

function write(store: WatchableStore, f: (txn: TxnWrite) => void): WriteResult {
  const txn = store.write();
  f(txn);
  return txn.end();
}
const put = (store: WatchableStore, key: string, value: string) => write(store, (t) => void t.put(key, value));
const del = (store: WatchableStore, key: string, end?: string) => write(store, (t) => void t.deleteRange(key, end));

const eventsOf = (responses: WatchResponse[]) => responses.flatMap((r) => r.events);
const brief = (events: MvccEvent[]) => events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}${e.type === 'PUT' ? `=${e.kv.value}` : ''}`);

describe('WatchStream basics', () => {
  it('answers a create first, then one response per transaction at its revision', () => {
    const store = new WatchableStore();
    put(store, 'x', '0'); // 2
    const stream = store.newWatchStream();
    const id = stream.watch({ key: 'wkey', rangeEnd: 'wkez' });
    expect(id).toBe(0);
    write(store, (t) => {
      t.put('wkey', 'v1');
      t.put('other', 'o');
      t.put('wkey2', 'x');
    }); // 3
    const responses = stream.pollResponses({ clusterId: 12, memberId: 13, raftTerm: 2 });
    expect(responses).toHaveLength(2);
    expect(responses[0]).toEqual({
      header: { clusterId: 12, memberId: 13, revision: 2, raftTerm: 2 },
      watchId: 0, created: true, canceled: false, compactRevision: 0, cancelReason: '', fragment: false, events: [],
    });
    expect(responses[1]!.header.revision).toBe(3);
    expect(brief(responses[1]!.events)).toEqual(['PUT wkey@3=v1', 'PUT wkey2@3=x']);
    expect(stream.pollResponses()).toEqual([]);
  });

  it('replays history for a past start revision on syncWatchers, then follows new writes', () => {
    const store = new WatchableStore();
    put(store, 'wkey', 'v0'); // 2
    put(store, 'wkey', 'v1'); // 3
    del(store, 'wkey'); // 4
    put(store, 'wkey', 'v2'); // 5
    const stream = store.newWatchStream();
    stream.watch({ key: 'wkey', startRevision: 3 });
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 1, victims: 0 });
    expect(stream.pollResponses().map((r) => r.created)).toEqual([true]);
    expect(store.syncWatchers()).toBe(0);
    const [replay] = stream.pollResponses();
    expect(replay!.header.revision).toBe(5);
    expect(brief(replay!.events)).toEqual(['PUT wkey@3=v1', 'DELETE wkey@4', 'PUT wkey@5=v2']);
    expect(replay!.events[1]!.kv).toEqual({ key: 'wkey', createRevision: 0, modRevision: 4, version: 0, value: '', lease: 0 });
    put(store, 'wkey', 'v3'); // 6
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT wkey@6=v3']);
    expect(store.watcherCounts()).toEqual({ synced: 1, unsynced: 0, victims: 0 });
  });

  it('starts a future watcher at its start revision', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    stream.watch({ key: 'k', startRevision: 4 });
    put(store, 'k', 'a'); // 2
    put(store, 'k', 'b'); // 3
    put(store, 'k', 'c'); // 4
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT k@4=c']);
  });

  it('watches a prefix, every key from a key on, and everything from an empty key', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    const prefix = stream.watch({ key: 'wa', rangeEnd: 'wz' });
    const fromKey = stream.watch({ key: 'wb', rangeEnd: '\0' });
    const all = stream.watch({ key: '', rangeEnd: '\0' });
    put(store, 'wb', '1');
    put(store, 'wz', '1');
    put(store, 'a', '1');
    const responses = stream.pollResponses();
    const keysFor = (id: number) => eventsOf(responses.filter((r) => r.watchId === id)).map((e) => e.kv.key);
    expect(keysFor(prefix)).toEqual(['wb']);
    expect(keysFor(fromKey)).toEqual(['wb', 'wz']);
    expect(keysFor(all)).toEqual(['wb', 'wz', 'a']);
  });

  it('adds prev_kv to updates and deletes but not to creations', () => {
    const store = new WatchableStore();
    put(store, 'wkey', 'v0'); // 2
    const stream = store.newWatchStream();
    stream.watch({ key: 'wkey', prevKv: true });
    stream.watch({ key: 'new', prevKv: true });
    put(store, 'wkey', 'v1'); // 3
    del(store, 'wkey'); // 4
    put(store, 'new', 'n'); // 5
    const events = eventsOf(stream.pollResponses());
    expect(events).toEqual([
      {
        type: 'PUT',
        kv: { key: 'wkey', createRevision: 2, modRevision: 3, version: 2, value: 'v1', lease: 0 },
        prevKv: { key: 'wkey', createRevision: 2, modRevision: 2, version: 1, value: 'v0', lease: 0 },
      },
      {
        type: 'DELETE',
        kv: { key: 'wkey', createRevision: 0, modRevision: 4, version: 0, value: '', lease: 0 },
        prevKv: { key: 'wkey', createRevision: 2, modRevision: 3, version: 2, value: 'v1', lease: 0 },
      },
      { type: 'PUT', kv: { key: 'new', createRevision: 5, modRevision: 5, version: 1, value: 'n', lease: 0 } },
    ]);
  });

  it('filters puts or deletes and sends nothing for a fully filtered transaction', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    const noPut = stream.watch({ key: 'k', filters: ['NOPUT'] });
    const noDelete = stream.watch({ key: 'k', filters: ['NODELETE'] });
    stream.pollResponses();
    put(store, 'k', '1');
    const afterPut = stream.pollResponses();
    expect(afterPut.map((r) => r.watchId)).toEqual([noDelete]);
    del(store, 'k');
    const afterDelete = stream.pollResponses();
    expect(afterDelete.map((r) => r.watchId)).toEqual([noPut]);
    expect(afterDelete[0]!.events[0]!.type).toBe('DELETE');
  });

  it('assigns watch IDs from 0, skipping IDs given explicitly, and refuses a duplicate', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    expect(stream.watch({ key: 'a', watchId: 1 })).toBe(1);
    expect(stream.watch({ key: 'a' })).toBe(0);
    expect(stream.watch({ key: 'a' })).toBe(2);
    expect(stream.watch({ key: 'b', watchId: 2 })).toBe(-1);
    const last = stream.pollResponses().at(-1)!;
    expect(last).toMatchObject({ watchId: -1, created: true, canceled: true, cancelReason: 'mvcc: duplicate watch ID provided on the WatchStream' });
  });

  it('refuses an empty range and a negative start revision with etcd reasons', () => {
    const store = new WatchableStore();
    put(store, 'a', '1');
    const stream = store.newWatchStream();
    expect(stream.watch({ key: 'b', rangeEnd: 'a' })).toBe(-1);
    expect(stream.watch({ key: 'a', startRevision: -1 })).toBe(-1);
    expect(stream.pollResponses()).toEqual([
      expect.objectContaining({ watchId: -1, created: true, canceled: true, cancelReason: 'mvcc: watcher range is empty', header: expect.objectContaining({ revision: 2 }) }),
      expect.objectContaining({ watchId: -1, created: true, canceled: true, cancelReason: 'etcdserver: mvcc: required revision has been compacted' }),
    ]);
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 0, victims: 0 });
  });

  it('cancels a watcher with a canceled response and sends it nothing more', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    const id = stream.watch({ key: 'k' });
    put(store, 'k', '1'); // 2
    expect(stream.cancel(id)).toBe(true);
    expect(stream.cancel(id)).toBe(false);
    put(store, 'k', '2');
    const responses = stream.pollResponses();
    expect(responses.map((r) => [r.created, r.canceled, r.events.length, r.header.revision])).toEqual([
      [true, false, 0, 1],
      [false, false, 1, 2],
      [false, true, 0, 2],
    ]);
    expect(store.watcherCounts().synced).toBe(0);
  });

  it('cancels every watcher when the stream closes', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream();
    stream.watch({ key: 'a' });
    stream.watch({ key: 'a', startRevision: 1 });
    stream.close();
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 0, victims: 0 });
    expect(stream.pendingResponses).toBe(0);
  });
});

describe('compaction and watchers', () => {
  it('cancels a watcher whose next revision was compacted, with the compact revision and header revision 0', () => {
    const store = new WatchableStore();
    for (let i = 0; i < 5; i++) put(store, 'ckey', `c${i}`); // 2..6
    store.compact(5);
    const stream = store.newWatchStream();
    const id = stream.watch({ key: 'ckey', startRevision: 4 });
    stream.pollResponses();
    store.syncWatchers();
    expect(stream.pollResponses()).toEqual([
      {
        header: { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 },
        watchId: id, created: false, canceled: true, compactRevision: 5, cancelReason: '', fragment: false, events: [],
      },
    ]);
    put(store, 'ckey', 'later');
    store.syncWatchers();
    expect(stream.pollResponses()).toEqual([]);
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 0, victims: 0 });
    // The client then cancels it, which etcd still acknowledges.
    expect(stream.cancel(id)).toBe(true);
  });

  it('serves a watcher that starts exactly at the compacted revision', () => {
    const store = new WatchableStore();
    for (let i = 0; i < 5; i++) put(store, 'ckey', `c${i}`); // 2..6
    store.compact(5);
    const stream = store.newWatchStream();
    stream.watch({ key: 'ckey', startRevision: 5 });
    store.syncWatchers();
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT ckey@5=c3', 'PUT ckey@6=c4']);
  });
});

describe('progress notifications', () => {
  it('answers a progress request only when every watcher of the stream is synced', () => {
    const store = new WatchableStore();
    put(store, 'a', '1');
    put(store, 'a', '2'); // 3
    const stream = store.newWatchStream();
    expect(stream.requestProgress()).toBe(true);
    expect(stream.pollResponses()).toEqual([]); // no watcher: nothing to send
    stream.watch({ key: 'a' });
    stream.watch({ key: 'a', startRevision: 2 });
    stream.pollResponses();
    expect(stream.requestProgress()).toBe(false);
    expect(stream.pollResponses()).toEqual([]);
    store.syncWatchers();
    stream.pollResponses();
    expect(stream.requestProgress()).toBe(true);
    expect(stream.pollResponses()).toEqual([
      expect.objectContaining({ watchId: -1, events: [], created: false, canceled: false, header: expect.objectContaining({ revision: 3 }) }),
    ]);
    stream.watch({ key: 'a', startRevision: 10 });
    stream.pollResponses();
    expect(stream.requestProgress()).toBe(false);
  });

  it('sends periodic progress to quiet synced progress_notify watchers and skips a period with events', () => {
    const store = new WatchableStore();
    const stream = store.newWatchStream({ nowMs: 0, progressIntervalMs: 100 });
    const id = stream.watch({ key: 'a', progressNotify: true });
    stream.watch({ key: 'a' });
    stream.pollResponses();
    stream.advanceTime(99);
    expect(stream.pollResponses()).toEqual([]);
    stream.advanceTime(100);
    expect(stream.pollResponses()).toEqual([expect.objectContaining({ watchId: id, events: [], header: expect.objectContaining({ revision: 1 }) })]);
    put(store, 'a', '1'); // 2
    stream.pollResponses();
    stream.advanceTime(200); // events went out in this period: elided
    expect(stream.pollResponses()).toEqual([]);
    stream.advanceTime(300);
    expect(stream.pollResponses()).toEqual([expect.objectContaining({ watchId: id, header: expect.objectContaining({ revision: 2 }) })]);
    stream.advanceTime(520); // two periods at once: two ticks
    expect(stream.pollResponses()).toHaveLength(2);
  });
});

describe('slow consumers and large histories', () => {
  it('turns a watcher into a victim on a full channel and delivers everything after a poll', () => {
    const store = new WatchableStore({ chanBufLen: 2 });
    const stream = store.newWatchStream();
    stream.watch({ key: 'k' });
    for (let i = 0; i < 6; i++) put(store, 'k', String(i)); // 2..7
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 0, victims: 1 });
    const first = stream.pollResponses();
    expect(brief(eventsOf(first))).toEqual(['PUT k@2=0', 'PUT k@3=1']);
    expect(store.syncVictims()).toBe(1);
    expect(store.watcherCounts()).toEqual({ synced: 0, unsynced: 1, victims: 0 });
    store.syncWatchers();
    const rest = stream.pollResponses();
    expect(brief(eventsOf(rest))).toEqual(['PUT k@4=2', 'PUT k@5=3', 'PUT k@6=4', 'PUT k@7=5']);
    expect(rest.map((r) => r.header.revision)).toEqual([4, 7]);
    expect(store.watcherCounts()).toEqual({ synced: 1, unsynced: 0, victims: 0 });
  });

  it('replays at most watchBatchMaxRevs revisions per pass', () => {
    const store = new WatchableStore({ watchBatchMaxRevs: 3 });
    for (let i = 0; i < 8; i++) put(store, 'k', String(i)); // 2..9
    const stream = store.newWatchStream();
    stream.watch({ key: 'k', startRevision: 2 });
    stream.pollResponses();
    const passes: string[][] = [];
    for (let i = 0; i < 5 && store.watcherCounts().unsynced > 0; i++) {
      store.syncWatchers();
      passes.push(brief(eventsOf(stream.pollResponses())).map((s) => s.split('@')[1]!));
    }
    expect(passes).toEqual([
      ['2=0', '3=1', '4=2'],
      ['5=3', '6=4', '7=5'],
      ['8=6', '9=7'],
    ]);
  });

  it('syncs at most maxWatchersPerSync watchers per pass', () => {
    const store = new WatchableStore({ maxWatchersPerSync: 2 });
    put(store, 'k', '1');
    const stream = store.newWatchStream();
    for (let i = 0; i < 5; i++) stream.watch({ key: 'k', startRevision: 2 });
    expect(store.syncWatchers()).toBe(3);
    expect(store.syncWatchers()).toBe(1);
    expect(store.syncWatchers()).toBe(0);
    expect(eventsOf(stream.pollResponses())).toHaveLength(5);
  });

  it('splits a large response into fragments for watches that asked for them', () => {
    const store = new WatchableStore({ maxRequestBytes: 300 });
    const stream = store.newWatchStream();
    const fragmented = stream.watch({ key: 'f/', rangeEnd: 'f0', fragment: true });
    const whole = stream.watch({ key: 'f/', rangeEnd: 'f0' });
    stream.pollResponses();
    write(store, (t) => {
      for (let i = 0; i < 6; i++) t.put(`f/${i}`, 'x'.repeat(100));
    });
    const responses = stream.pollResponses();
    const pieces = responses.filter((r) => r.watchId === fragmented);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((r) => r.fragment)).toEqual([...pieces.slice(1).map(() => true), false]);
    expect(eventsOf(pieces).map((e) => e.kv.key)).toEqual(['f/0', 'f/1', 'f/2', 'f/3', 'f/4', 'f/5']);
    expect(responses.filter((r) => r.watchId === whole)).toHaveLength(1);
  });
});

describe('snapshot restore', () => {
  it('moves synced watchers to unsynced and catches them up from the new data', () => {
    const leader = new WatchableStore();
    const follower = new WatchableStore();
    put(leader, 'k', '1');
    put(follower, 'k', '1'); // both at 2
    const stream = follower.newWatchStream();
    stream.watch({ key: 'k' });
    stream.pollResponses();
    put(leader, 'k', '2'); // 3
    put(leader, 'k', '3'); // 4
    follower.restoreSnapshot(leader.snapshot());
    expect(follower.watcherCounts()).toEqual({ synced: 0, unsynced: 1, victims: 0 });
    follower.syncWatchers();
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT k@3=2', 'PUT k@4=3']);
    put(follower, 'k', '4');
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT k@5=4']);
  });
});

describe('restart', () => {
  it('restores a watchable store with its options from persisted records and replays them to a watcher', () => {
    const before = new WatchableStore();
    put(before, 'k', '1'); // 2
    del(before, 'k'); // 3
    put(before, 'k', '2'); // 4
    const changes = before.drainChanges();
    const after = WatchableStore.restore(changes.put, changes.meta, new WatchableStore({ chanBufLen: 1 }));
    expect(after).toBeInstanceOf(WatchableStore);
    expect(after.currentRevision).toBe(4);
    const stream = after.newWatchStream();
    stream.watch({ key: 'k', startRevision: 2 });
    stream.watch({ key: 'k', startRevision: 2 });
    stream.pollResponses();
    after.syncWatchers();
    // A channel of one response: the second watcher waits as a victim until the first is polled.
    expect(after.watcherCounts()).toEqual({ synced: 1, unsynced: 0, victims: 1 });
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT k@2=1', 'DELETE k@3', 'PUT k@4=2']);
    after.syncVictims();
    expect(brief(eventsOf(stream.pollResponses()))).toEqual(['PUT k@2=1', 'DELETE k@3', 'PUT k@4=2']);
    expect(after.watcherCounts()).toEqual({ synced: 2, unsynced: 0, victims: 0 });
  });
});

// ---- Property test -------------------------------------------------------------------------

interface ModelEvent {
  rev: number;
  event: MvccEvent;
}

interface TrackedWatcher {
  stream: number;
  id: number;
  key: string;
  end: string | undefined; // undefined: single key; '': from key
  from: number; // first revision it must see
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
  responses: WatchResponse[];
  canceled: boolean;
  compactRevision: number;
}

function covers(w: TrackedWatcher, key: string): boolean {
  if (w.end === undefined) return key === w.key;
  return key >= w.key && (w.end === '' || key < w.end);
}

const KEYS = ['a', 'b', 'foo', 'foo/1', 'foo/2', 'fop', 'z', '\xff'];

/** A write transaction on distinct keys; a range delete only ever stands alone. */
function randomOps(prng: Prng): ((t: TxnWrite) => void)[] {
  if (prng.chance(1, 8)) {
    const key = prng.pick(KEYS);
    return [(t) => void t.deleteRange(key, key + '\xff')];
  }
  const keys = new Set<string>();
  const n = 1 + prng.int(3);
  for (let i = 0; i < n; i++) keys.add(prng.pick(KEYS));
  return [...keys].map((key) =>
    prng.chance(1, 4) ? (t: TxnWrite) => void t.deleteRange(key, undefined) : ((v) => (t: TxnWrite) => void t.put(key, v))(`v${prng.int(1000)}`),
  );
}

function runProperty(seed: number, withCompaction: boolean): void {
  const prng = new Prng(seed);
  const store = new WatchableStore({
    chanBufLen: 2 + prng.int(6),
    watchBatchMaxRevs: 2 + prng.int(20),
    maxWatchersPerSync: 1 + prng.int(6),
  });
  const streams: WatchStream[] = [store.newWatchStream(), store.newWatchStream(), store.newWatchStream()];
  const history: ModelEvent[] = [];
  /** key -> [revision, kv or null after a delete], to know prev_kv. */
  const states = new Map<string, [number, KeyValue | null][]>();
  const watchers: TrackedWatcher[] = [];
  const byStreamAndId = new Map<string, TrackedWatcher>();
  let victimsSeen = 0;

  const collect = (s: number, max?: number) => {
    for (const r of streams[s]!.pollResponses(undefined, max)) {
      if (r.created || r.watchId === -1) continue;
      const w = byStreamAndId.get(`${s}/${r.watchId}`);
      expect(w, `response for unknown watcher ${s}/${r.watchId}`).toBeDefined();
      if (r.canceled && r.compactRevision === 0) continue; // our own cancel
      expect(w!.compactRevision, 'nothing after a compaction cancel').toBe(0);
      if (r.compactRevision !== 0) w!.compactRevision = r.compactRevision;
      w!.responses.push(r);
    }
  };

  for (let step = 0; step < 500; step++) {
    const roll = prng.int(100);
    if (roll < 40) {
      const ops = randomOps(prng);
      const result = write(store, (t) => ops.forEach((op) => op(t)));
      for (const event of result.events) {
        history.push({ rev: result.revision, event });
        const list = states.get(event.kv.key) ?? [];
        list.push([result.revision, event.type === 'PUT' ? event.kv : null]);
        states.set(event.kv.key, list);
      }
    } else if (roll < 55) {
      const s = prng.int(streams.length);
      const key = prng.pick(KEYS);
      const shape = prng.int(3);
      const req: WatchCreateRequest = { key };
      let end: string | undefined;
      if (shape === 1) end = req.rangeEnd = key + '\xff';
      if (shape === 2) {
        req.rangeEnd = '\0';
        end = '';
      }
      const current = store.currentRevision;
      const lowest = Math.max(1, store.compactRevision - 2);
      const startChoice = prng.int(3);
      const start = startChoice === 0 ? 0 : startChoice === 1 ? prng.rangeInclusive(lowest, current) : current + 1 + prng.int(5);
      req.startRevision = start;
      req.prevKv = prng.chance(1, 3);
      const filter = prng.int(6);
      if (filter === 0) req.filters = ['NOPUT'];
      if (filter === 1) req.filters = ['NODELETE'];
      const id = streams[s]!.watch(req);
      expect(id).toBeGreaterThanOrEqual(0);
      const w: TrackedWatcher = {
        stream: s, id, key, end,
        from: start === 0 ? current + 1 : start,
        prevKv: req.prevKv, noPut: filter === 0, noDelete: filter === 1,
        responses: [], canceled: false, compactRevision: 0,
      };
      watchers.push(w);
      byStreamAndId.set(`${s}/${id}`, w);
    } else if (roll < 60) {
      const live = watchers.filter((w) => !w.canceled);
      if (live.length > 0) {
        const w = prng.pick(live);
        collect(w.stream); // what came before the cancel
        expect(streams[w.stream]!.cancel(w.id)).toBe(true);
        w.canceled = true;
        byStreamAndId.delete(`${w.stream}/${w.id}`);
        streams[w.stream]!.pollResponses();
      }
    } else if (roll < 72) {
      victimsSeen += store.watcherCounts().victims;
      store.syncWatchers();
    } else if (roll < 80) {
      store.syncVictims();
    } else if (roll < 95) {
      collect(prng.int(streams.length), prng.chance(1, 2) ? 1 + prng.int(3) : undefined);
    } else if (withCompaction && prng.chance(1, 3)) {
      const low = Math.max(store.compactRevision + 1, 1);
      if (low <= store.currentRevision) store.compact(prng.rangeInclusive(low, store.currentRevision));
    }
  }
  // Drain: everything still pending must arrive.
  for (let i = 0; i < 10_000; i++) {
    for (let s = 0; s < streams.length; s++) collect(s);
    store.syncVictims();
    store.syncWatchers();
    const counts = store.watcherCounts();
    if (counts.unsynced === 0 && counts.victims === 0 && streams.every((st) => st.pendingResponses === 0)) break;
  }
  expect(store.watcherCounts().unsynced + store.watcherCounts().victims).toBe(0);

  let checkedEvents = 0;
  for (const w of watchers) {
    const expected = history.filter(
      (h) => h.rev >= w.from && covers(w, h.event.kv.key) && !(h.event.type === 'PUT' ? w.noPut : w.noDelete),
    );
    const eventResponses = w.responses.filter((r) => r.compactRevision === 0);
    const received = eventResponses.flatMap((r) => r.events);
    const strip = (e: MvccEvent) => ({ type: e.type, kv: e.kv });
    if (w.canceled || w.compactRevision !== 0) {
      // A prefix of the history: in order, no gap, no duplicate, up to the cancel.
      expect(received.map(strip)).toEqual(expected.slice(0, received.length).map((h) => h.event));
      if (w.compactRevision !== 0) {
        expect(w.responses.at(-1)!.compactRevision).toBe(w.compactRevision);
        expect(w.responses.at(-1)!.canceled).toBe(true);
        for (const e of received) expect(e.kv.modRevision).toBeLessThan(w.compactRevision);
      }
    } else {
      expect(received.map(strip)).toEqual(expected.map((h) => h.event));
    }
    checkedEvents += received.length;
    for (const r of eventResponses) {
      // A transaction's events arrive together, and the header is not behind them.
      const revs = new Set(r.events.map((e) => e.kv.modRevision));
      for (const rev of revs) {
        expect(r.events.filter((e) => e.kv.modRevision === rev).map(strip)).toEqual(expected.filter((h) => h.rev === rev).map((h) => h.event));
        expect(r.header.revision).toBeGreaterThanOrEqual(rev);
      }
    }
    for (const e of received) {
      const isCreate = e.type === 'PUT' && e.kv.createRevision === e.kv.modRevision;
      if (!w.prevKv || isCreate) {
        expect(e.prevKv).toBeUndefined();
        continue;
      }
      const before = (states.get(e.kv.key) ?? []).filter(([rev]) => rev < e.kv.modRevision).at(-1);
      const want = before?.[1] ?? undefined;
      if (withCompaction && e.prevKv === undefined) continue; // may have been compacted away
      expect(e.prevKv).toEqual(want);
    }
  }
  expect(watchers.length).toBeGreaterThan(30);
  // The run must have exercised full channels (victims), and compactions when asked for.
  expect(victimsSeen).toBeGreaterThan(0);
  if (withCompaction) expect(watchers.some((w) => w.compactRevision !== 0)).toBe(true);
  expect(checkedEvents).toBeGreaterThan(100);
}

describe('watch property: every watcher sees exactly its slice of history', () => {
  it.each([1, 2, 3, 4, 5, 6])('holds without compaction (seed %i)', (seed) => {
    runProperty(seed, false);
  });

  it.each([11, 12, 13, 14, 15, 16])('holds with random compactions, which cancel with the compact revision (seed %i)', (seed) => {
    runProperty(seed, true);
  });
});
