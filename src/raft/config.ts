// Configuration of one Raft node, with etcd's validation rules and defaults.
//
// Pure. Timing is in ticks; the caller decides how long a tick is (etcd: 100 ms).

import type { Logger } from './logger';
import type { Storage } from './storage';
import type { ReadOnlyOption } from './types';
import { isLocalMsgTarget } from './types';
import { NO_LIMIT } from './raftLog';

/** A seeded source of randomness; the playground passes a Prng derived from the cluster seed. */
export interface RandomSource {
  /** A uniform integer in [0, max). */
  int(max: number): number;
}

export interface Config {
  /** This node's ID; never 0 and never reused. */
  id: number;
  /** Ticks without hearing from a leader before a follower campaigns; must exceed heartbeatTick. */
  electionTick: number;
  /** Ticks between heartbeats from a leader. */
  heartbeatTick: number;
  /** The stable log; the core only reads it. */
  storage: Storage;
  /** The last applied index when restarting; entries up to it are not handed out again. */
  applied?: number;
  /**
   * Persist through MsgStorageAppend / MsgStorageApply messages to local threads instead of the
   * Ready/Advance contract (etcd-io/raft's AsyncStorageWrites).
   */
  asyncStorageWrites?: boolean;
  /** Max encoded bytes of entries per MsgApp; 0 means one entry per message. Default 1 MiB (etcd server). */
  maxSizePerMsg?: number;
  /** Max encoded bytes of committed entries handed out for application at once; 0 → maxSizePerMsg. */
  maxCommittedSizePerReady?: number;
  /** Leader's budget of uncommitted payload bytes; proposals beyond it are dropped. 0 → unlimited. */
  maxUncommittedEntriesSize?: number;
  /** Max MsgApp in flight per follower in StateReplicate. Default 512 (etcd server). */
  maxInflightMsgs?: number;
  /** Max payload bytes in flight per follower; 0 → unlimited. */
  maxInflightBytes?: number;
  /** Leader steps down without a quorum of recent contact; enables in-lease vote rejection. */
  checkQuorum?: boolean;
  /** Pre-vote phase before campaigning (Raft thesis §9.6). */
  preVote?: boolean;
  /** How ReadIndex is served: 'Safe' (a heartbeat round) or 'LeaseBased' (needs checkQuorum). */
  readOnlyOption?: ReadOnlyOption;
  /** Receives etcd's log lines. */
  logger?: Logger;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /** Skip the propose-time checks on configuration changes. */
  disableConfChangeValidation?: boolean;
  /** A leader steps down when it is removed or demoted to learner. */
  stepDownOnRemoval?: boolean;
  /** Source of the randomized election timeout. Default: a fixed-seed generator per node ID. */
  random?: RandomSource;
}

/** A Config with defaults filled in, after validation. */
export interface ResolvedConfig extends Required<Omit<Config, 'logger' | 'random'>> {
  logger: Logger | undefined;
  random: RandomSource | undefined;
}

/** Invalid configuration, with etcd's message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function validateConfig(c: Config): ResolvedConfig {
  if (!Number.isSafeInteger(c.id) || c.id <= 0) throw new ConfigError('cannot use none as id');
  if (isLocalMsgTarget(c.id)) throw new ConfigError('cannot use local target as id');
  if (c.heartbeatTick <= 0) throw new ConfigError('heartbeat tick must be greater than 0');
  if (c.electionTick <= c.heartbeatTick) throw new ConfigError('election tick must be greater than heartbeat tick');
  if (c.storage === undefined || c.storage === null) throw new ConfigError('storage cannot be nil');

  const maxSizePerMsg = c.maxSizePerMsg ?? 1024 * 1024;
  const maxInflightMsgs = c.maxInflightMsgs ?? 512;
  if (maxInflightMsgs <= 0) throw new ConfigError('max inflight messages must be greater than 0');
  let maxInflightBytes = c.maxInflightBytes ?? 0;
  if (maxInflightBytes === 0) maxInflightBytes = NO_LIMIT;
  else if (maxInflightBytes < maxSizePerMsg) throw new ConfigError('max inflight bytes must be >= max message size');
  const readOnlyOption = c.readOnlyOption ?? 'Safe';
  const checkQuorum = c.checkQuorum ?? false;
  if (readOnlyOption === 'LeaseBased' && !checkQuorum) {
    throw new ConfigError('CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased');
  }
  const maxUncommitted = c.maxUncommittedEntriesSize ?? 0;
  const maxCommittedSizePerReady = c.maxCommittedSizePerReady ?? 0;

  return {
    id: c.id,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    storage: c.storage,
    applied: c.applied ?? 0,
    asyncStorageWrites: c.asyncStorageWrites ?? false,
    maxSizePerMsg,
    maxCommittedSizePerReady: maxCommittedSizePerReady === 0 ? maxSizePerMsg : maxCommittedSizePerReady,
    maxUncommittedEntriesSize: maxUncommitted === 0 ? NO_LIMIT : maxUncommitted,
    maxInflightMsgs,
    maxInflightBytes,
    checkQuorum,
    preVote: c.preVote ?? false,
    readOnlyOption,
    logger: c.logger,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    disableConfChangeValidation: c.disableConfChangeValidation ?? false,
    stepDownOnRemoval: c.stepDownOnRemoval ?? false,
    random: c.random,
  };
}
