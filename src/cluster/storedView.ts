// What a member's storage holds, as the views show a running member: its log and its keyspace,
// read from the persisted state of a member that is down (killed, stopped, crashed, failed), so a
// down member's row in the UI shows what it would restart from rather than nothing.

import type { PersistedState } from '../storage/index';
import { bytesToRev, isTombstoneKey } from '../mvcc/index';
import type { KeyValue } from '../mvcc/types';
import type { KeyspaceView, LogSlice } from './host';

/** Entries [from, to) of the stored log, with its bounds; "applied" is the stored consistent index. */
export function storedLog(st: PersistedState | undefined, from: number, to: number): LogSlice {
  if (st === undefined) return { firstIndex: 1, lastIndex: 0, committed: 0, applied: 0, entries: [], source: 'storage' };
  const snapIndex = st.snapshot?.metadata.index ?? 0;
  const firstIndex = st.entries[0]?.index ?? snapIndex + 1;
  const lastIndex = st.entries.length > 0 ? st.entries[st.entries.length - 1]!.index : snapIndex;
  const entries = st.entries.filter((e) => e.index >= from && e.index < to);
  return { firstIndex, lastIndex, committed: st.hardState.commit, applied: st.kv.meta?.consistentIndex ?? 0, entries, source: 'storage' };
}

/** The latest revision of every live key (optionally under a prefix), and the stored leases. */
export function storedKeyspace(st: PersistedState | undefined, opts: { prefix?: string; limit?: number }): KeyspaceView {
  if (st === undefined) return { revision: 0, compactRevision: 0, kvs: [], leases: [], source: 'storage' };
  const latest = new Map<string, { main: number; sub: number; kv: KeyValue | undefined }>();
  let revision = 0;
  for (const r of st.kv.records) {
    const rev = bytesToRev(r.revKey);
    revision = Math.max(revision, rev.main);
    const prev = latest.get(r.kv.key);
    if (prev !== undefined && (prev.main > rev.main || (prev.main === rev.main && prev.sub > rev.sub))) continue;
    latest.set(r.kv.key, { main: rev.main, sub: rev.sub, kv: isTombstoneKey(r.revKey) ? undefined : r.kv });
  }
  const prefix = opts.prefix ?? '';
  let kvs = [...latest.values()]
    .map((x) => x.kv)
    .filter((kv): kv is KeyValue => kv !== undefined && kv.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (opts.limit !== undefined && opts.limit > 0) kvs = kvs.slice(0, opts.limit);
  const leases = st.leases.map((l) => ({
    id: l.id,
    ttl: l.ttl,
    remaining: l.remainingTtl > 0 ? l.remainingTtl : l.ttl,
    keys: kvs.filter((kv) => kv.lease === l.id).map((kv) => kv.key),
  }));
  return { revision, compactRevision: st.kv.meta?.finishedCompactRevision ?? 0, kvs, leases, source: 'storage' };
}
