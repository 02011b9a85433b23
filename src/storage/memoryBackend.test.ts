// MemoryBackend against the Backend contract, plus what is particular to it. Goal: the inline
// executor's in-memory disk keeps every promise the IndexedDB backend keeps (same batch semantics,
// same checksums and load checks), so a simulation in Node tells the truth about the browser.
// Method: run the shared contract suite with a factory whose `reopen` closes the handle and opens
// a new one on the same rows (MemoryBackend.reopen()), then check the handle-sharing rules.

import { describe, expect, it } from 'vitest';
import { registerBackendContractTests, fullBatch } from './contract';
import { MemoryBackend } from './memoryBackend';

registerBackendContractTests('MemoryBackend', async () => {
  let current = new MemoryBackend();
  return {
    backend: current,
    reopen: async () => {
      await current.close();
      current = current.reopen();
      return current;
    },
  };
});

describe('MemoryBackend', () => {
  it('M1: the rows outlive the handle: a member dropped and rebuilt finds them through reopen()', async () => {
    const first = new MemoryBackend();
    await first.write(fullBatch());
    const second = first.reopen();
    expect(await second.load()).toEqual(await first.load());
    expect(second.sizeBytes()).toBe(first.sizeBytes());
  });

  it('M2: destroy() through one handle wipes what every handle on the same rows sees', async () => {
    const first = new MemoryBackend();
    await first.write(fullBatch());
    const second = first.reopen();
    await first.destroy();
    expect(await second.load()).toBeUndefined();
    expect(second.sizeBytes()).toBe(0);
  });
});
