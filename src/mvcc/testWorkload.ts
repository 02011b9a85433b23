// A seeded random write workload, shared by the store's tests (hash, restore, watch). Pure: it
// draws from the Prng it is given and only writes through the store's public API. Not used by
// production code.

import type { Prng } from '../lib/prng';
import type { KVStore, TxnWrite } from './kvStore';

/** A small key space with byte-order edge cases (prefixes, "\0", 0xff). */
export const WORKLOAD_KEYS: readonly string[] = ['a', 'b', 'c', 'foo', 'foo/1', 'foo/2', '\xff', 'z\x00'];

/** One write transaction of the workload, replayable on several stores alike. */
export type WorkloadTxn = ((txn: TxnWrite) => void)[];

/**
 * Draws one write transaction: 1-3 ops on distinct keys, each a put (sometimes with lease 1-3)
 * or a delete of the key or of the key's "\xff"-bounded range.
 */
export function randomTxn(prng: Prng, keys: readonly string[] = WORKLOAD_KEYS): WorkloadTxn {
  const ops: WorkloadTxn = [];
  const used = new Set<string>();
  const n = 1 + prng.int(3);
  for (let j = 0; j < n; j++) {
    const key = prng.pick(keys);
    if (used.has(key)) continue;
    used.add(key);
    if (prng.chance(1, 4)) {
      const end = prng.chance(1, 3) ? key + '\xff' : undefined;
      ops.push((txn) => void txn.deleteRange(key, end));
    } else {
      const value = `v${prng.int(100)}`;
      const lease = prng.chance(1, 5) ? 1 + prng.int(3) : 0;
      ops.push((txn) => void txn.put(key, value, lease));
    }
  }
  return ops;
}

/** Applies one drawn transaction to a store. */
export function applyWorkloadTxn(store: KVStore, ops: WorkloadTxn): void {
  const txn = store.write();
  for (const op of ops) op(txn);
  txn.end();
}

/**
 * Applies `steps` random steps to every store alike: mostly write transactions, and with
 * `compact`, one step in ten a compaction at a random revision in (compacted, current].
 */
export function runWorkload(stores: readonly KVStore[], prng: Prng, steps: number, compact = true): void {
  for (let i = 0; i < steps; i++) {
    if (compact && prng.int(10) === 0) {
      const first = stores[0]!;
      const low = Math.max(first.compactRevision + 1, 1);
      if (low <= first.currentRevision) {
        const at = prng.rangeInclusive(low, first.currentRevision);
        for (const store of stores) store.compact(at);
      }
      continue;
    }
    const ops = randomTxn(prng);
    for (const store of stores) applyWorkloadTxn(store, ops);
  }
}
