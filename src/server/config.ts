// Configuration of one etcd member, with etcd 3.4's defaults and the timings derived from them.
// Times are virtual milliseconds; the member never reads a clock.

import type { Backend } from '../storage/backend';
import type { Member } from './api';

/** One log line from a member: Raft's lines verbatim, and the server's own. */
export interface MemberLogLine {
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** 'raft' for etcd-io/raft's lines, 'etcdserver' for the server's. */
  source: 'raft' | 'etcdserver';
  text: string;
}

export interface MemberConfig {
  id: number;
  name: string;
  clusterId: number;
  peerUrls: string[];
  clientUrls: string[];
  /**
   * The members of a new cluster (etcd's --initial-cluster with state "new"); empty when this
   * member joins an existing cluster after `member add` (state "existing").
   */
  initialCluster: Member[];
  backend: Backend;
  /** Seed of this member's randomness (election timeouts, lease and request IDs). */
  seed: number;
  /** Milliseconds per Raft tick (etcd's --heartbeat-interval). Default 100. */
  tickMs?: number;
  /** Ticks per election timeout (etcd: election-timeout / heartbeat-interval). Default 10. */
  electionTicks?: number;
  /** Default 1. */
  heartbeatTicks?: number;
  /** etcd 3.4 default false. */
  preVote?: boolean;
  /** etcd always enables CheckQuorum; turning it off is for lessons only. Default true. */
  checkQuorum?: boolean;
  /** Applied entries between Raft snapshots (etcd's --snapshot-count). Default 10000. */
  snapshotCount?: number;
  /** Entries kept behind a snapshot for slow followers (etcd: 5000). Default 5000. */
  snapshotCatchUpEntries?: number;
  /** etcd's --quota-backend-bytes. Default 2 GiB. */
  quotaBackendBytes?: number;
  /** etcd's --max-request-bytes. Default 1.5 MiB. */
  maxRequestBytes?: number;
  /** etcd's --max-txn-ops. Default 128. */
  maxTxnOps?: number;
  /** etcd 3.4's --experimental-enable-lease-checkpoint. Default false. */
  leaseCheckpoint?: boolean;
  /** Interval of lease checkpoints. Default 5 minutes (etcd). */
  leaseCheckpointIntervalMs?: number;
  /** etcd's --strict-reconfig-check. Default true. */
  strictReconfigCheck?: boolean;
  /** MaxSizePerMsg of Raft (etcd: 1 MiB). */
  maxSizePerMsg?: number;
  /** MaxInflightMsgs of Raft (etcd: 512). */
  maxInflightMsgs?: number;
  logger?: (line: MemberLogLine) => void;
}

export interface ResolvedMemberConfig extends Required<Omit<MemberConfig, 'logger'>> {
  logger: ((line: MemberLogLine) => void) | undefined;
  electionTimeoutMs: number;
  /** etcd's ReqTimeout(): 5 s + 2 × election timeout. */
  reqTimeoutMs: number;
}

export const ETCD_VERSION = '3.4.23';
export const CLUSTER_VERSION = '3.4.0';

export function resolveMemberConfig(c: MemberConfig): ResolvedMemberConfig {
  const tickMs = c.tickMs ?? 100;
  const electionTicks = c.electionTicks ?? 10;
  const electionTimeoutMs = tickMs * electionTicks;
  return {
    ...c,
    tickMs,
    electionTicks,
    heartbeatTicks: c.heartbeatTicks ?? 1,
    preVote: c.preVote ?? false,
    checkQuorum: c.checkQuorum ?? true,
    snapshotCount: c.snapshotCount ?? 10_000,
    snapshotCatchUpEntries: c.snapshotCatchUpEntries ?? 5_000,
    quotaBackendBytes: c.quotaBackendBytes ?? 2 * 1024 * 1024 * 1024,
    maxRequestBytes: c.maxRequestBytes ?? 1.5 * 1024 * 1024,
    maxTxnOps: c.maxTxnOps ?? 128,
    leaseCheckpoint: c.leaseCheckpoint ?? false,
    leaseCheckpointIntervalMs: c.leaseCheckpointIntervalMs ?? 5 * 60 * 1000,
    strictReconfigCheck: c.strictReconfigCheck ?? true,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 512,
    logger: c.logger,
    electionTimeoutMs,
    reqTimeoutMs: 5000 + 2 * electionTimeoutMs,
  };
}
