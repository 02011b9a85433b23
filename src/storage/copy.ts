// A whole stored state as one write: how a backend's contents are copied into another (the time
// travel shadow of a resumed cluster starts on memory copies of the members' IndexedDB data).

import type { Backend, PersistedState, WriteBatch } from './backend';

/** The batch that, written to an empty backend, stores exactly `st`. */
export function stateAsBatch(st: PersistedState): WriteBatch {
  const batch: WriteBatch = {
    hardState: st.hardState,
    entries: st.entries,
    leases: { reset: true, put: st.leases, deleted: [] },
    members: { reset: true, put: st.members, removed: st.removedMembers },
    serverMeta: st.serverMeta,
  };
  if (st.snapshot !== undefined) batch.snapshot = st.snapshot;
  if (st.kv.meta !== undefined) {
    let main = 0;
    for (const r of st.kv.records) main = Math.max(main, r.kv.modRevision);
    batch.kv = { reset: true, put: st.kv.records, deleted: [], meta: st.kv.meta, currentRevision: main };
  }
  return batch;
}

/** Copies everything stored in `from` into `to` (which should be empty). */
export async function copyBackend(from: Backend, to: Backend): Promise<void> {
  const st = await from.load();
  if (st !== undefined) await to.write(stateAsBatch(st));
}
