// The IndexedDB backend: one member's WAL, snapshot, hard state, MVCC rows, leases, membership and
// server values in one database of its own (in a node's worker, or on the page). Owns that
// database: its schema, the one transaction per write, and turning IndexedDB failures into
// BackendError. Shares the batch semantics (plan.ts) and the load checks (load.ts) with
// MemoryBackend, so both backends behave identically apart from where the bytes live.
//
// Layout (schema version 1), one object store per bucket, out-of-line keys, every value a row
// `{ v: payload, c: crc32c(canonical JSON of v) }`:
//
//   wal             entry index (number)    -> Entry
//   state           'format' | 'hardState' | 'snapshot' -> { version } | HardState | Snapshot
//   kv              revKey (byte string)    -> BackendRecord  (sorts like etcd's bolt key bucket)
//   kvMeta          'meta'                  -> StoreMeta
//   lease           lease ID (number)       -> LeaseRecord    (a number key is exact above 2^53)
//   members         member ID (number)      -> StoredMember
//   removedMembers  member ID (number)      -> { id }
//   serverMeta      name (string)           -> { name, value }
//
// idb's wrappers test values with `instanceof IDBRequest` and friends against the globals, so in
// Node import 'fake-indexeddb/auto' before opening (a fresh `new IDBFactory()` per test is fine).

import { wrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { BackendError, CorruptionError, type Backend, type PersistedState, type WriteBatch } from './backend';
import { assembleState } from './load';
import { Catalog, planWrite, type RowOp, type WritePlan } from './plan';
import {
  STORE_NAMES,
  checksumStoredValue,
  crcMismatch,
  describeKey,
  measureStoredValue,
  type BackendTestHooks,
  type RowKey,
  type StoreName,
} from './records';

/** Bumped when the layout changes; open() creates missing stores on upgrade. */
const SCHEMA_VERSION = 1;

/**
 * 'default', measured in Chromium 156 (toolchain.md §4(c)): it behaves like 'relaxed' (no fsync
 * per commit) and is ~30 % faster than 'strict' (1,576 vs 1,065 tx/s). A transaction's complete
 * event means the browser's storage process has the data, so terminating a node's worker (the
 * playground's `kill`) never loses an acknowledged write; only a browser or OS crash before the
 * flush could, which the playground does not simulate. 'strict' would buy nothing we model.
 */
const WRITE_DURABILITY: IDBTransactionDurability = 'default';

/** A stored value: the payload and the CRC-32C of its canonical serialization. */
interface StoredRow {
  v: unknown;
  c: number;
}

type Database = IDBPDatabase<unknown>;
type RawRows = Map<StoreName, Array<readonly [RowKey, unknown]>>;

/** Options of IdbBackend.open(). */
export interface IdbBackendOptions {
  /** The IndexedDB factory; defaults to the global `indexedDB` (tests pass fake-indexeddb's). */
  indexedDB?: IDBFactory;
}

/**
 * A Backend in one IndexedDB database. Writes and loads run one at a time in call order; each
 * write is one readwrite transaction over the stores it touches, so a crash keeps all of a batch
 * or none of it.
 */
export class IdbBackend implements Backend, BackendTestHooks {
  readonly kind = 'indexeddb' as const;
  /** Invariant: settles after every write and load issued so far; never rejects. */
  private queue: Promise<void> = Promise.resolve();
  private closedReason: string | undefined = undefined;
  private failNextWrite = false;

  private constructor(
    /** The database name (one per member). */
    readonly name: string,
    private readonly db: Database,
    private readonly factory: IDBFactory,
    private catalog: Catalog,
  ) {
    // Another connection deleting or upgrading the database (a destroy() elsewhere, a newer tab):
    // let it proceed, and refuse further work here instead of writing into a database going away.
    db.addEventListener('versionchange', () => {
      this.closedReason ??= `backend is closed: database "${name}" was deleted or upgraded elsewhere`;
      db.close();
    });
    // The browser closed the connection itself (storage cleared by the user, an I/O error).
    db.addEventListener('close', () => {
      this.closedReason ??= `backend is closed: the browser closed database "${name}"`;
    });
  }

  /** Opens (creating if needed) the database `name` and summarizes its rows for later writes. */
  static async open(name: string, options: IdbBackendOptions = {}): Promise<IdbBackend> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (factory === undefined) throw new BackendError('indexeddb: no IndexedDB in this environment');
    const db = await openDatabase(factory, name);
    let catalog: Catalog;
    try {
      catalog = summarize(await readRawRows(db));
    } catch (error) {
      db.close();
      throw toBackendError(`reading database "${name}"`, error);
    }
    return new IdbBackend(name, db, factory, catalog);
  }

  load(): Promise<PersistedState | undefined> {
    if (this.closedReason !== undefined) return Promise.reject(new BackendError(this.closedReason));
    return this.enqueue(async () => {
      let raw: RawRows;
      try {
        raw = await readRawRows(this.db);
      } catch (error) {
        throw toBackendError('load', error);
      }
      return assembleState(verifyRows(raw));
    });
  }

  write(batch: WriteBatch): Promise<void> {
    if (this.closedReason !== undefined) return Promise.reject(new BackendError(this.closedReason));
    return this.enqueue(async () => {
      // Checked and encoded before any transaction starts: an invalid batch touches nothing.
      const plan = planWrite(this.catalog, batch);
      if (plan.ops.length === 0) return;
      await this.commit(plan);
      this.catalog.apply(plan);
    });
  }

  sizeBytes(): number {
    return this.catalog.sizeBytes;
  }

  /** Lets queued writes finish, then closes the connection. Later calls reject with BackendError. */
  async close(): Promise<void> {
    this.closedReason ??= 'backend is closed';
    await this.queue;
    this.db.close();
  }

  /** Closes the connection and deletes the database (a wiped data directory). */
  async destroy(): Promise<void> {
    this.closedReason ??= 'backend is closed (its database was destroyed)';
    await this.queue;
    this.db.close();
    await deleteDatabase(this.factory, this.name);
    this.catalog = new Catalog();
  }

  async corruptRecordForTest(store: StoreName, key: RowKey): Promise<void> {
    const tx = this.db.transaction(store, 'readwrite');
    const row = (await tx.objectStore(store).get(key)) as StoredRow | undefined;
    if (row === undefined) throw new Error(`corruptRecordForTest: no row at ${store} ${describeKey(store, key)}`);
    await tx.objectStore(store).put({ v: flipFirstLeaf(row.v), c: row.c }, key);
    await tx.done;
  }

  async deleteRecordForTest(store: StoreName, key: RowKey): Promise<void> {
    const tx = this.db.transaction(store, 'readwrite');
    const count = await tx.objectStore(store).count(key);
    if (count === 0) throw new Error(`deleteRecordForTest: no row at ${store} ${describeKey(store, key)}`);
    await tx.objectStore(store).delete(key);
    await tx.done;
  }

  /** The next non-empty write issues all its requests, then aborts its transaction. */
  failNextWriteForTest(): void {
    this.failNextWrite = true;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Runs a plan in one readwrite transaction; resolves once it committed, else rejects. */
  private async commit(plan: WritePlan): Promise<void> {
    let tx: IDBPTransaction<unknown, StoreName[], 'readwrite'>;
    try {
      tx = this.db.transaction(plan.stores, 'readwrite', { durability: WRITE_DURABILITY });
    } catch (error) {
      throw toBackendError('write', error);
    }
    const requests: Promise<unknown>[] = [];
    let injected = false;
    try {
      for (const op of plan.ops) requests.push(issue(tx, op));
      if (this.failNextWrite) {
        this.failNextWrite = false;
        injected = true;
        tx.abort();
      }
      await Promise.all([...requests, tx.done]);
    } catch (error) {
      abortQuietly(tx);
      // Wait for the abort to finish so that the caller never sees a half-rolled-back state.
      await Promise.allSettled([...requests, tx.done]);
      const what = injected ? 'write (injected failure, failNextWriteForTest)' : 'write';
      throw toBackendError(what, error);
    }
  }
}

function issue(tx: IDBPTransaction<unknown, StoreName[], 'readwrite'>, op: RowOp): Promise<unknown> {
  const store = tx.objectStore(op.store);
  switch (op.kind) {
    case 'put': {
      const row: StoredRow = { v: op.row.value, c: op.row.crc };
      return store.put(row, op.key);
    }
    case 'delete':
      return store.delete(op.key);
    case 'deleteRange':
      return store.delete(keyRangeClass().bound(op.from, op.to));
    case 'clear':
      return store.clear();
  }
}

function keyRangeClass(): typeof IDBKeyRange {
  const keyRange = globalThis.IDBKeyRange;
  if (keyRange === undefined) throw new BackendError('indexeddb: IDBKeyRange is not defined in this environment');
  return keyRange;
}

function abortQuietly(tx: IDBPTransaction<unknown, StoreName[], 'readwrite'>): void {
  try {
    tx.abort();
  } catch {
    // Already committed or aborted: the error that brought us here is what gets reported.
  }
}

/** Wraps an IndexedDB failure in a BackendError that says what failed and why. */
function toBackendError(what: string, error: unknown): BackendError {
  if (error instanceof BackendError || error instanceof CorruptionError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  let hint = '';
  if (name === 'QuotaExceededError') hint = ' (the origin ran out of storage quota; nothing was written)';
  if (name === 'AbortError') hint = ' (the transaction was aborted; nothing of it was written)';
  return new BackendError(`indexeddb: ${what} failed: ${name}: ${message}${hint}`, { cause: error });
}

/** Opens `name` through `factory`, creating the stores on first use. Rejects if blocked. */
function openDatabase(factory: IDBFactory, name: string): Promise<Database> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, SCHEMA_VERSION);
    } catch (error) {
      reject(toBackendError(`opening database "${name}"`, error));
      return;
    }
    let settled = false;
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of STORE_NAMES) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
      }
    };
    request.onblocked = () => {
      if (settled) return;
      settled = true;
      reject(new BackendError(`indexeddb: opening database "${name}" is blocked by an older open connection`));
    };
    request.onsuccess = () => {
      if (settled) {
        request.result.close();
        return;
      }
      settled = true;
      resolve(wrap(request.result) as Database);
    };
    request.onerror = () => {
      if (settled) return;
      settled = true;
      reject(toBackendError(`opening database "${name}"`, request.error));
    };
  });
}

/** Deletes `name` through `factory`. Rejects rather than wait forever when another connection blocks it. */
function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(toBackendError(`deleting database "${name}"`, request.error));
    request.onblocked = () =>
      reject(
        new BackendError(
          `indexeddb: deleting database "${name}" is blocked by another open connection; ` +
            'it completes once that connection closes',
        ),
      );
  });
}

/** Every row of every store, in key order, in one readonly transaction (a consistent view). */
async function readRawRows(db: Database): Promise<RawRows> {
  const tx = db.transaction([...STORE_NAMES], 'readonly');
  const reads = STORE_NAMES.map((store) =>
    Promise.all([tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()]),
  );
  const [results] = await Promise.all([Promise.all(reads), tx.done]);
  const rows: RawRows = new Map();
  STORE_NAMES.forEach((store, i) => {
    const [keys, values] = results[i]!;
    rows.set(
      store,
      keys.map((key, k) => [key as RowKey, values[k]] as const),
    );
  });
  return rows;
}

/** The payloads, after every row's checksum matched; a CorruptionError names the first that did not. */
function verifyRows(raw: RawRows): Map<StoreName, Array<readonly [RowKey, unknown]>> {
  const verified = new Map<StoreName, Array<readonly [RowKey, unknown]>>();
  for (const [store, rows] of raw) {
    const payloads: Array<readonly [RowKey, unknown]> = [];
    for (const [key, row] of rows) {
      if (typeof row !== 'object' || row === null || !('v' in row) || !('c' in row)) {
        throw new CorruptionError(`${store}: malformed row at ${describeKey(store, key)} (not { v, c })`);
      }
      const stored = row as StoredRow;
      const computed = checksumStoredValue(store, key, stored.v).crc;
      if (computed !== stored.c) throw crcMismatch(store, key, stored.c, computed);
      payloads.push([key, stored.v]);
    }
    verified.set(store, payloads);
  }
  return verified;
}

/** The catalog of rows read at open; tolerant of bad rows (load() is where they are refused). */
function summarize(raw: RawRows): Catalog {
  const rows = new Map<StoreName, Array<readonly [RowKey, unknown, number]>>();
  for (const [store, storeRows] of raw) {
    rows.set(
      store,
      storeRows.map(([key, row]) => {
        const value = typeof row === 'object' && row !== null ? (row as Partial<StoredRow>).v : undefined;
        return [key, value, measureStoredValue(value)] as const;
      }),
    );
  }
  return Catalog.fromRows(rows);
}

/**
 * Tests only: the payload with its first leaf (in canonical key order) changed: the low bit of a
 * string's first character flipped, a number moved by one, a boolean negated.
 */
function flipFirstLeaf(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 0) {
    return String.fromCharCode(value.charCodeAt(0) ^ 1) + value.slice(1);
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value + 1 : value * 2;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) {
    const index = value.findIndex((item) => flipFirstLeaf(item) !== item);
    return index < 0 ? value : value.map((item, i) => (i === index ? flipFirstLeaf(item) : item));
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const key = Object.keys(record)
      .sort()
      .find((name) => flipFirstLeaf(record[name]) !== record[name]);
    return key === undefined ? value : { ...record, [key]: flipFirstLeaf(record[key]) };
  }
  return value;
}
