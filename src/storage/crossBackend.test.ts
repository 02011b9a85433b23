// Both backends side by side. Goal: for any sequence of batches, MemoryBackend (the inline
// executor's disk) and IdbBackend (a worker's database) accept and refuse the same batches, load
// the same state, and report the same size, so that a seed replayed under either executor sees
// the same member restarts. Method: a seeded generator (src/lib/prng.ts) produces batches, mostly
// valid for the current state and about one in twelve not; each goes to both backends and to the
// naive reference model; every few steps one backend is restarted (reopened) and all three loads
// are compared, with the seed and step in the failure message.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import type { Backend, WriteBatch } from './backend';
import { IdbBackend } from './idbBackend';
import { MemoryBackend } from './memoryBackend';
import { BatchGenerator, ReferenceModel } from './referenceModel';

async function outcome(backend: Backend, batch: WriteBatch): Promise<string> {
  return backend.write(batch).then(
    () => 'ok',
    (error: unknown) => (error instanceof Error ? error.name : 'thrown'),
  );
}

describe('MemoryBackend and IdbBackend', () => {
  for (const seed of [7, 11, 99, 314159]) {
    it(`accept the same batches, load the same state and report the same size (seed ${seed})`, async () => {
      const prng = new Prng(seed);
      const model = new ReferenceModel();
      const generator = new BatchGenerator(prng.fork('batches'), model);
      const factory = new IDBFactory();
      let memory = new MemoryBackend();
      let idb = await IdbBackend.open(`cross-${seed}`, { indexedDB: factory });
      for (let step = 0; step < 300; step++) {
        const context = `seed ${seed} step ${step}`;
        const batch = generator.next();
        const modelOutcome = (() => {
          try {
            model.write(batch);
            return 'ok';
          } catch (error) {
            return (error as Error).name;
          }
        })();
        expect(await outcome(memory, batch), context).toBe(modelOutcome);
        expect(await outcome(idb, batch), context).toBe(modelOutcome);
        expect(idb.sizeBytes(), context).toBe(memory.sizeBytes());
        if (prng.chance(1, 20)) {
          await idb.close();
          idb = await IdbBackend.open(`cross-${seed}`, { indexedDB: factory });
          await memory.close();
          memory = memory.reopen();
          expect(idb.sizeBytes(), context).toBe(memory.sizeBytes());
        }
        if (step % 25 === 24) {
          const expected = model.load();
          expect(await memory.load(), context).toEqual(expected);
          expect(await idb.load(), context).toEqual(expected);
        }
      }
      await idb.destroy();
    });
  }
});
