// IdbBackend against the Backend contract, plus what only IndexedDB can do. Goal: a worker's
// database keeps a member's state exactly as etcd keeps its WAL and bolt file, one transaction per
// Ready, and refuses to hand back damaged data. Method: fake-indexeddb (toolchain.md §4(d): logic
// only, never timings) with a fresh IDBFactory per case; `reopen` closes the connection and opens
// the same database name again, as a restarted worker would. The IndexedDB-only cases look at the
// transactions a write opens, at the rows as stored, and at a second connection deleting the
// database under a live one.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { wrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crc32c } from '../mvcc/index';
import { BackendError } from './backend';
import { BIG_LEASE_ID, entry, fullBatch, registerBackendContractTests } from './contract';
import { IdbBackend } from './idbBackend';

let databaseCount = 0;

registerBackendContractTests('IdbBackend', async () => {
  const factory = new IDBFactory();
  const name = `member-${++databaseCount}`;
  let current = await IdbBackend.open(name, { indexedDB: factory });
  return {
    backend: current,
    reopen: async () => {
      await current.close();
      current = await IdbBackend.open(name, { indexedDB: factory });
      return current;
    },
  };
});

/** Opens `name` directly, without the backend, to look at the rows as stored. */
async function rawDatabase(factory: IDBFactory, name: string) {
  const request = factory.open(name);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return wrap(db);
}

describe('IdbBackend', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('I1: a write is one readwrite transaction, durability "default", over exactly the stores it touches', async () => {
    const backend = await IdbBackend.open('transactions', { indexedDB: new IDBFactory() });
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    await backend.write(fullBatch());
    await backend.write({ hardState: { term: 2, vote: 1, commit: 4 }, entries: [entry(5, 2)] });
    const writes = spy.mock.calls.filter(([, mode]) => mode === 'readwrite');
    expect(writes).toHaveLength(2);
    expect(writes[0]![0]).toEqual(['state', 'wal', 'kv', 'kvMeta', 'lease', 'members', 'serverMeta']);
    expect(writes[1]![0]).toEqual(['state', 'wal']);
    for (const call of writes) expect(call[2]).toEqual({ durability: 'default' });
    await backend.close();
  });

  it('I2: rows are { v, c } under the documented keys; a lease ID above 2^53 is itself the key', async () => {
    const factory = new IDBFactory();
    const backend = await IdbBackend.open('layout', { indexedDB: factory });
    await backend.write(fullBatch());
    await backend.close();
    const db = await rawDatabase(factory, 'layout');
    expect([...db.objectStoreNames].sort()).toEqual(
      ['kv', 'kvMeta', 'lease', 'members', 'removedMembers', 'serverMeta', 'state', 'wal'],
    );
    expect(await db.getAllKeys('wal')).toEqual([1, 2, 3, 4]);
    expect(await db.getAllKeys('lease')).toEqual([BIG_LEASE_ID]);
    expect(await db.getAllKeys('state')).toEqual(['format', 'hardState']);
    const row = (await db.get('wal', 1)) as { v: unknown; c: number };
    expect(row.v).toEqual(entry(1, 2));
    const canonical = '{"data":"put k1","index":1,"term":2,"type":"EntryNormal"}';
    expect(row.c).toBe(crc32c(canonical));
    db.close();
  });

  it('I3: another connection deleting the database closes this one; its writes then reject', async () => {
    const factory = new IDBFactory();
    const first = await IdbBackend.open('shared', { indexedDB: factory });
    await first.write(fullBatch());
    const second = await IdbBackend.open('shared', { indexedDB: factory });
    await second.destroy();
    const error = await first.write({ serverMeta: { a: 1 } }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/database "shared" was deleted or upgraded elsewhere/);
    const reopened = await IdbBackend.open('shared', { indexedDB: factory });
    expect(await reopened.load()).toBeUndefined();
    await reopened.close();
  });
});
