// The in-memory backend: the "disk" of a member in tests and in the inline executor. Owns one
// member's stored rows, held as canonical JSON text plus checksum, so that nothing is shared with
// the caller in either direction and load() verifies checksums exactly as the IndexedDB backend
// does. Never touches IndexedDB, clocks or timers.
//
// Cheap by design: the inline simulation writes one batch per Ready, thousands of times a second,
// so a write encodes only the rows it changes (one map entry per log entry, MVCC row, lease and
// member) and never re-serializes the whole state.

import { BackendError, type Backend, type PersistedState, type WriteBatch } from './backend';
import { assembleState } from './load';
import { Catalog, planWrite, type WritePlan } from './plan';
import {
  STORE_NAMES,
  checksumText,
  crcMismatch,
  describeKey,
  type BackendTestHooks,
  type RowKey,
  type StoreName,
} from './records';
import { CorruptionError } from './backend';

/** One stored row: its canonical text, the checksum of that text, and its size estimate. */
interface MemoryRow {
  text: string;
  crc: number;
  size: number;
}

/**
 * What survives a kill: the rows and the catalog summarizing them. Handles opened with
 * MemoryBackend.reopen() share it, as two processes opening one data directory would.
 */
class MemoryDisk {
  stores = MemoryDisk.emptyStores();
  catalog = new Catalog();

  static emptyStores(): Map<StoreName, Map<RowKey, MemoryRow>> {
    return new Map(STORE_NAMES.map((name) => [name, new Map<RowKey, MemoryRow>()]));
  }

  store(name: StoreName): Map<RowKey, MemoryRow> {
    return this.stores.get(name)!;
  }

  /** Applies a checked, encoded plan. Plain map operations: nothing here can fail halfway. */
  apply(plan: WritePlan): void {
    for (const op of plan.ops) {
      const rows = this.store(op.store);
      switch (op.kind) {
        case 'put':
          // Rows are replaced, never changed: frozen, a checkpoint's copy shares them.
          rows.set(op.key, Object.freeze({ text: op.row.text, crc: op.row.crc, size: op.row.size }));
          break;
        case 'delete':
          rows.delete(op.key);
          break;
        case 'deleteRange':
          for (let index = op.from; index <= op.to; index++) rows.delete(index);
          break;
        case 'clear':
          rows.clear();
          break;
      }
    }
    this.catalog.apply(plan);
  }

  wipe(): void {
    this.stores = MemoryDisk.emptyStores();
    this.catalog = new Catalog();
  }
}

/** IndexedDB's key order: numbers before strings, numbers by value, strings by code unit. */
function compareKeys(a: RowKey, b: RowKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A Backend kept in memory. The coordinator keeps the object across kill and restart (the member
 * is dropped, its disk is not); tests use reopen() to get a fresh handle on the same rows.
 */
export class MemoryBackend implements Backend, BackendTestHooks {
  readonly kind = 'memory' as const;
  private disk = new MemoryDisk();
  private closedReason: string | undefined = undefined;
  private failNextWrite = false;

  /** A new, open handle on the same stored rows (a restart); this handle may be closed already. */
  reopen(): MemoryBackend {
    const handle = new MemoryBackend();
    handle.disk = this.disk;
    return handle;
  }

  async load(): Promise<PersistedState | undefined> {
    this.assertOpen();
    const verified = new Map<StoreName, Array<readonly [RowKey, unknown]>>();
    for (const name of STORE_NAMES) {
      const rows = [...this.disk.store(name)].sort(([a], [b]) => compareKeys(a, b));
      verified.set(name, rows.map(([key, row]) => [key, verifyRow(name, key, row)] as const));
    }
    return assembleState(verified);
  }

  async write(batch: WriteBatch): Promise<void> {
    this.assertOpen();
    const plan = planWrite(this.disk.catalog, batch);
    if (plan.ops.length === 0) return;
    if (this.failNextWrite) {
      // Nothing in apply() can fail, so the injected failure strikes before it: the contract is
      // the same as IndexedDB's aborted transaction (rejected, nothing of the batch stored).
      this.failNextWrite = false;
      throw new BackendError('memory: write failed: injected failure (failNextWriteForTest)');
    }
    this.disk.apply(plan);
  }

  sizeBytes(): number {
    return this.disk.catalog.sizeBytes;
  }

  async close(): Promise<void> {
    this.closedReason ??= 'backend is closed';
  }

  async destroy(): Promise<void> {
    this.closedReason ??= 'backend is closed (its data was destroyed)';
    this.disk.wipe();
  }

  async corruptRecordForTest(store: StoreName, key: RowKey): Promise<void> {
    const row = this.disk.store(store).get(key);
    if (row === undefined) throw new Error(`corruptRecordForTest: no row at ${store} ${describeKey(store, key)}`);
    // Flip the lowest bit of one byte in the middle of the stored text; keep the old checksum.
    const at = Math.floor(row.text.length / 2);
    const flipped = String.fromCharCode(row.text.charCodeAt(at) ^ 1);
    this.disk.store(store).set(key, Object.freeze({ ...row, text: row.text.slice(0, at) + flipped + row.text.slice(at + 1) }));
  }

  async deleteRecordForTest(store: StoreName, key: RowKey): Promise<void> {
    const deleted = this.disk.store(store).delete(key);
    if (!deleted) throw new Error(`deleteRecordForTest: no row at ${store} ${describeKey(store, key)}`);
  }

  failNextWriteForTest(): void {
    this.failNextWrite = true;
  }

  private assertOpen(): void {
    if (this.closedReason !== undefined) throw new BackendError(this.closedReason);
  }
}

/** The payload of a stored row, after its checksum matched. */
function verifyRow(store: StoreName, key: RowKey, row: MemoryRow): unknown {
  const computed = checksumText(row.text);
  if (computed !== row.crc) throw crcMismatch(store, key, row.crc, computed);
  try {
    return JSON.parse(row.text) as unknown;
  } catch {
    throw new CorruptionError(`${store}: malformed row at ${describeKey(store, key)} (not JSON)`);
  }
}
