// The boundary between the coordinator and one node, the same for both executors: the inline
// executor calls an EtcdMember in this thread, the worker executor calls one in a Web Worker
// through comlink. Everything that crosses it is plain, structured-clone-safe data, and failures
// come back as values (comlink loses error classes).

import type { ClientRequest, MemberOutputs, MemberStatus, PeerMessage, MemberConfig } from '../server/index';
import type { Entry } from '../raft/index';
import type { KeyValue } from '../mvcc/types';
import type { PersistedState } from '../storage/index';

/** What the coordinator asks a node to do at a virtual instant. */
export type HostInput =
  | { kind: 'tick' }
  | { kind: 'peer'; msg: PeerMessage }
  | { kind: 'client'; req: ClientRequest }
  | { kind: 'activity'; activeSince: Array<[number, number]> }
  | { kind: 'reportSnapshot'; to: number; ok: boolean }
  | { kind: 'unreachable'; to: number }
  | { kind: 'beginStop' }
  /** Campaign now, as if the election timer fired (the "force timeout" button). */
  | { kind: 'campaign' };

export interface HostResult {
  outputs: MemberOutputs;
  /** A batch is being written; the coordinator calls commitWrite() when the virtual disk is done. */
  writing: boolean;
  status: MemberStatus;
  /** Graceful stop: leadership is handed over, the node may go. */
  readyToStop: boolean;
}

/** Failure to open a node (corrupt storage, bad config): the node does not start. */
export interface HostOpenError {
  ok: false;
  name: string;
  message: string;
}

/** Detail views the UI asks for (not part of the simulation). */
export interface NodeDetail {
  status: MemberStatus;
  /** Leader only: progress of every member (etcd's Progress.String and fields). */
  progress: Array<{ id: number; match: number; next: number; state: string; paused: boolean; inflight: number; inflightFull: boolean; isLearner: boolean; pendingSnapshot: number; recentActive: boolean }>;
  config: { voters: number[]; votersOutgoing: number[]; learners: number[]; learnersNext: number[]; autoLeave: boolean };
  electionElapsed: number;
  randomizedElectionTimeout: number;
  electionTimeout: number;
  heartbeatElapsed: number;
  leadTransferee: number;
  votes: Array<[number, boolean]>;
}

export interface LogSlice {
  firstIndex: number;
  lastIndex: number;
  committed: number;
  applied: number;
  /** Stable and unstable entries in [from, to). */
  entries: Entry[];
  /** 'storage': read from the stored data of a member that is down (its unstable entries are gone). */
  source?: 'memory' | 'storage';
}

export interface KeyspaceView {
  revision: number;
  compactRevision: number;
  kvs: KeyValue[];
  leases: Array<{ id: number; ttl: number; remaining: number; keys: string[] }>;
  /** 'storage': read from the stored data of a member that is down. */
  source?: 'memory' | 'storage';
}

/** One node as the coordinator drives it. Every call is awaited before the next one is made. */
export interface NodeHost {
  /** Opens the member from its backend (restart) or fresh. */
  open(config: Omit<MemberConfig, 'backend' | 'logger'>, now: number): Promise<HostResult | HostOpenError>;
  step(input: HostInput, now: number): Promise<HostResult>;
  /** The virtual disk finished: complete the pending write, commit, and start the next one. */
  commitWrite(now: number): Promise<HostResult>;
  /** Terminates the node (kill -9): everything volatile is lost, the backend stays. */
  kill(): Promise<void>;
  /** Deletes the node's stored data (a wiped data directory). */
  wipe(): Promise<void>;
  detail(): Promise<NodeDetail>;
  log(from: number, to: number): Promise<LogSlice>;
  keyspace(opts: { prefix?: string; limit?: number; now: number }): Promise<KeyspaceView>;
  /** The member's stored state, read while it is down (undefined: never written). */
  stored?(): Promise<PersistedState | undefined>;
}
