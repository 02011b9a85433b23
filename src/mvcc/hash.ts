// The KV hash at a revision (etcd's HashByRev, behind the HashKV RPC and the corruption check).
// Pure: a CRC over the records handed in.
//
// The hash is CRC-32C over the bucket name "key" followed by, for each record up to the revision
// in bolt order, its key bytes (revision, 't'-marked for tombstones) and its marshalled KeyValue.
// Two replicas that applied the same history hash alike even if one compacted and the other did
// not yet: records at or below the compacted revision count only if a compaction at the hashed
// revision would keep them, and a tombstone exactly at the compacted revision never counts (etcd
// >= 3.4.34 keeps that tombstone in bolt, older versions dropped it; skipping it makes both agree).

import { CRC32C_INIT, crc32cFinish, crc32cUpdate } from './crc32c';
import type { StoredRecord } from './keyBucket';
import { marshalKeyValue } from './protobuf';
import { revisionId, revToBytes } from './revision';

/** What HashKV answers: the hash, the store's current revision and its compacted revision. */
export interface HashKVResult {
  hash: number;
  /** The store's current revision when hashed (etcd's HashKVResponse header revision). */
  revision: number;
  /** The compacted revision (-1 before the first compaction, as etcd's compactMainRev). */
  compactRevision: number;
}

/** The bucket name etcd feeds first. */
const KEY_BUCKET_NAME = 'key';

/**
 * CRC-32C of the records that count for a hash at main revision `rev`, given the store's
 * compacted revision and the revisions a compaction at `rev` would keep (treeIndex.keep(rev)).
 */
export function hashRecords(
  records: readonly StoredRecord[],
  options: { rev: number; compactRev: number; keep: ReadonlySet<string> },
): number {
  const { rev, compactRev, keep } = options;
  let state = crc32cUpdate(CRC32C_INIT, KEY_BUCKET_NAME);
  for (const record of records) {
    if (record.rev.main > rev) break;
    // Below the compacted revision, only what a compaction at `rev` keeps; an empty keep set
    // (no keys at all) means "no filter", as in etcd.
    if (record.rev.main <= compactRev && keep.size > 0 && !keep.has(revisionId(record.rev))) continue;
    if (record.rev.main === compactRev && record.tombstone) continue;
    state = crc32cUpdate(state, revToBytes(record.rev, record.tombstone));
    state = crc32cUpdate(state, marshalKeyValue(record.kv));
  }
  return crc32cFinish(state);
}
