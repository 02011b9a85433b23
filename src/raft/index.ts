// The Raft core: etcd-io/raft's semantics in TypeScript. Contract 1 of DESIGN.md: RawNode,
// MemoryStorage and the wire/state types, with etcd's names.
//
// Pure: this layer imports only src/lib, reads no clock, starts no timer and does no I/O.

export { RawNode, bootstrapPeers, confChangeMessage, ErrStepLocalMsg, ErrStepPeerNotFound } from './rawNode';
export { Raft, ErrProposalDropped, ProposalDroppedError, CAMPAIGN_TRANSFER_CONTEXT } from './raft';
export type { CampaignType } from './raft';
export {
  MemoryStorage,
  StorageError,
  ErrCompacted,
  ErrSnapOutOfDate,
  ErrUnavailable,
  ErrSnapshotTemporarilyUnavailable,
} from './storage';
export type { Storage } from './storage';
export { validateConfig, ConfigError } from './config';
export type { Config, RandomSource, ResolvedConfig } from './config';
export type { Logger, LogLevel } from './logger';
export { discardLogger, RaftPanic } from './logger';
export type { Status, BasicStatus, ProgressStatus } from './status';
export * from './types';
export * from './describe';
export {
  encodeConfChange,
  encodeConfChangeV2,
  decodeConfChange,
  decodeConfChangeV2,
  confChangeAsV2,
  entryConfChange,
  confChangesFromString,
  confChangesToString,
  entrySize,
  payloadsSize,
} from './codec';
export { trackerConfigString } from './tracker/tracker';
export type { TrackerConfig } from './tracker/tracker';
export { ConfChangeError } from './confchange/changer';
export { NO_LIMIT } from './raftLog';
