// The durable backend of one etcd member: everything a member must find again after a crash, as
// etcd keeps it in its WAL, its snap directory and its bbolt file. Raft's hard state, log entries
// and snapshot; the MVCC key bucket and meta; the lease bucket; the membership bucket; and a few
// server values (cluster and member IDs). One WriteBatch is written atomically (one IndexedDB
// transaction per Ready), so a crash leaves either all of it or none of it.
//
// Implementations: MemoryBackend (tests, the inline executor) and IdbBackend (a worker's own
// IndexedDB database). Every record carries a checksum; load() verifies them and the shape of the
// whole state, and throws CorruptionError rather than hand back data that is wrong.

import type { Entry, HardState, Snapshot } from '../raft/index';
import type { BackendRecord, StoreChanges, StoreMeta } from '../mvcc/index';
import type { LeaseChanges, LeaseRecord } from '../lease/index';

/** A member as the membership bucket stores it (etcd's membership.Member, plus removal). */
export interface StoredMember {
  id: number;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** Membership rows changed since the last write. */
export interface MemberChanges {
  /** Drop every stored member and removed-ID first (a snapshot restore). */
  reset?: boolean;
  put: StoredMember[];
  /** Members removed from the cluster; their IDs are remembered so they are never reused. */
  removed: number[];
}

/** Small server values: cluster ID, own member ID and name, cluster version, and such. */
export type ServerMeta = Record<string, string | number | boolean>;

/** One atomic write. Every field is optional; an empty batch is a no-op. */
export interface WriteBatch {
  /** Raft's term, vote and commit. */
  hardState?: HardState;
  /** Log entries to append; stored entries at or after entries[0].index are replaced first. */
  entries?: Entry[];
  /**
   * A Raft snapshot to keep (metadata and data). Stored entries at or below its index are dropped,
   * unless they match it (etcd keeps its WAL; what matters is that load() returns a usable log).
   * Applied before `entries` when both are present.
   */
  snapshot?: Snapshot;
  /** Drops stored log entries at or below this index (log compaction after a snapshot). */
  compactTo?: number;
  /** MVCC rows and meta, as KVStore.drainChanges() returns them. */
  kv?: StoreChanges;
  /** Lease rows, as Lessor.drainChanges() returns them. */
  leases?: LeaseChanges;
  members?: MemberChanges;
  serverMeta?: ServerMeta;
}

/** Everything a member restarts from. */
export interface PersistedState {
  hardState: HardState;
  /** The newest stored Raft snapshot, if any. */
  snapshot: Snapshot | undefined;
  /** Log entries after the snapshot (or from index 1), contiguous and in order. */
  entries: Entry[];
  kv: { records: BackendRecord[]; meta: StoreMeta | undefined };
  leases: LeaseRecord[];
  members: StoredMember[];
  removedMembers: number[];
  serverMeta: ServerMeta;
}

/** Stored data that fails its checksum or its consistency checks. The member must not start. */
export class CorruptionError extends Error {
  override name = 'CorruptionError';
}

/** The backend is closed, or the storage below it failed (quota, aborted transaction). */
export class BackendError extends Error {
  override name = 'BackendError';
}

export interface Backend {
  readonly kind: 'memory' | 'indexeddb';
  /** The stored state, or undefined for a backend that was never written. Throws CorruptionError. */
  load(): Promise<PersistedState | undefined>;
  /** Writes the batch atomically; resolves once it is durable. */
  write(batch: WriteBatch): Promise<void>;
  /** An estimate of the stored bytes (for the quota and `endpoint status`'s DB size). */
  sizeBytes(): number;
  close(): Promise<void>;
  /** Deletes everything (a wiped data directory). */
  destroy(): Promise<void>;
}
