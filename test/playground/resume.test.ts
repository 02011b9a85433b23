// Reloading resumes the cluster: the session record plus every member's IndexedDB data rebuild it
// (members that were down stay down, links and clock carry on), time travel covers the resumed
// run, and a damaged record or member database is reported, never trusted.

import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { createPlayground, loadSavedSession, clearSavedSession } from '../../src/playground/index';
import { IdbBackend } from '../../src/storage/index';

let n = 0;
const prefix = (): string => `resume-test-${++n}`;

describe('resuming a saved cluster', () => {
  it('comes back with its data, its down member, its links and its clock', async () => {
    const dbPrefix = prefix();
    const a = await createPlayground({ nodes: 3, seed: 21, storage: 'indexeddb', dbPrefix });
    await a.waitForLeader();
    const c = a.client();
    await c.put('greeting', 'hello');
    const ids = a.status().map((s) => s.id);
    const follower = ids.find((id) => id !== a.leader())!;
    await a.kill(follower);
    const other = ids.find((id) => id !== follower && id !== a.leader())!;
    a.setLink(a.leader()!, other, { latencyMs: 80 });
    await a.advance(2000);
    await a.persistNow();
    const savedAt = a.now();
    await a.dispose();

    const loaded = await loadSavedSession(dbPrefix);
    expect(loaded.session).toBeDefined();
    const b = await createPlayground({ resume: loaded.session!, dbPrefix });
    expect(b.now()).toBe(savedAt);
    expect(b.status().map((s) => s.id)).toEqual(ids);
    expect(b.status().find((s) => s.id === follower)!.alive).toBe(false);
    expect(b.links().find((l) => l.from !== other && l.to === other && l.state.latencyMs === 80)).toBeDefined();
    await b.waitForLeader();
    const c2 = b.client();
    expect((await c2.get('greeting')).kvs[0]?.value).toBe('hello');
    await b.restart(follower);
    await b.advance(3000);
    expect(b.status().find((s) => s.id === follower)!.applied).toBe(b.status().find((s) => s.id === b.leader())!.applied);
    // Time travel reaches back to the resumption, not before.
    expect(b.timeline.start).toBe(savedAt);
    await b.seek(savedAt + 100);
    expect(b.now()).toBe(savedAt + 100);
    expect(b.status().find((s) => s.id === follower)!.alive).toBe(false);
    await b.seek(b.timeline.end);
    expect(b.timeline.viewing).toBe(false);
    // Its recording says where it comes from, and refuses to pretend it replays from the seed.
    const rec = b.record();
    expect(rec.resumedAt).toBe(savedAt);
    await expect(createPlayground({ replay: rec })).rejects.toThrow(/resumed from saved storage/);
    await b.dispose();
  });

  it('reports a missing or damaged session record instead of using it', async () => {
    const dbPrefix = prefix();
    expect((await loadSavedSession(dbPrefix)).session).toBeUndefined();
    const db = await openDB(`${dbPrefix}/session`, 1, { upgrade: (d) => void d.createObjectStore('session') });
    await db.put('session', { version: 1, seed: 'x' }, 'current');
    db.close();
    const r = await loadSavedSession(dbPrefix);
    expect(r.session).toBeUndefined();
    expect(r.session === undefined && r.reason).toMatch(/unreadable/);
    await clearSavedSession(dbPrefix);
    const gone = await loadSavedSession(dbPrefix);
    expect(gone.session === undefined && gone.reason).toBe('no saved cluster');
  });

  it('starts the other members when one member database is corrupt, and says why that one cannot', async () => {
    const dbPrefix = prefix();
    const a = await createPlayground({ nodes: 3, seed: 8, storage: 'indexeddb', dbPrefix });
    await a.waitForLeader();
    await a.client().put('k', 'v');
    await a.advance(500);
    await a.persistNow();
    const victim = a.status()[2]!;
    const clusterId = a.cluster.clusterId;
    await a.dispose();
    const idb = await IdbBackend.open(`${dbPrefix}/${clusterId.toString(16)}/${victim.name}`);
    await idb.corruptRecordForTest('wal', 3);
    await idb.close();

    const b = await createPlayground({ resume: (await loadSavedSession(dbPrefix)).session!, dbPrefix });
    const st = b.status().find((s) => s.id === victim.id)!;
    expect(st.alive).toBe(false);
    expect(st.failed).toMatch(/CorruptionError/);
    await b.waitForLeader();
    expect((await b.client().get('k')).kvs[0]?.value).toBe('v');
    await b.dispose();
  });
});
