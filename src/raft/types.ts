// The Raft wire and state types (etcd's raftpb), as plain structured-clone-safe data.
//
// Pure: no I/O. Names and message types are etcd's. Node IDs, terms and indexes are JavaScript
// numbers (etcd uses uint64; the playground stays far below 2^53). Byte fields (entry data,
// snapshot data, message context) are byte strings: strings whose code units are all 0..255, one
// per byte, which are cheap to copy between workers and to store in IndexedDB.

/** A byte string: every code unit is in 0..255 (one per byte). */
export type Bytes = string;

/** Node ID 0 means "no node" (no leader, no vote). */
export const None = 0;

/**
 * Targets of the local storage threads used with `asyncStorageWrites` (etcd's LocalAppendThread =
 * MaxUint64 and LocalApplyThread = MaxUint64 - 1). They cannot collide with a node ID because node
 * IDs are safe integers.
 */
export const LocalAppendThread = Number.MAX_SAFE_INTEGER;
export const LocalApplyThread = Number.MAX_SAFE_INTEGER - 1;

export const MESSAGE_TYPES = [
  'MsgHup',
  'MsgBeat',
  'MsgProp',
  'MsgApp',
  'MsgAppResp',
  'MsgVote',
  'MsgVoteResp',
  'MsgSnap',
  'MsgHeartbeat',
  'MsgHeartbeatResp',
  'MsgUnreachable',
  'MsgSnapStatus',
  'MsgCheckQuorum',
  'MsgTransferLeader',
  'MsgTimeoutNow',
  'MsgReadIndex',
  'MsgReadIndexResp',
  'MsgPreVote',
  'MsgPreVoteResp',
  'MsgStorageAppend',
  'MsgStorageAppendResp',
  'MsgStorageApply',
  'MsgStorageApplyResp',
  'MsgForgetLeader',
] as const;

/** etcd's raftpb.MessageType, by name. */
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type EntryType = 'EntryNormal' | 'EntryConfChange' | 'EntryConfChangeV2';

/** A log entry. `data` is the proposal payload, or an encoded ConfChange / ConfChangeV2. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Bytes;
}

/** The state every node must persist before it sends messages (Raft §5, Figure 2). */
export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

/** A configuration: voters (incoming ∥ outgoing when joint), learners, learners-next. */
export interface ConfState {
  voters: number[];
  learners: number[];
  votersOutgoing: number[];
  learnersNext: number[];
  autoLeave: boolean;
}

export interface SnapshotMetadata {
  confState: ConfState;
  index: number;
  term: number;
}

export interface Snapshot {
  data: Bytes;
  metadata: SnapshotMetadata;
}

/**
 * A Raft message. Unused fields are zero / empty, as in etcd; `entries` and `snapshot` may be
 * omitted when empty. `context` carries the campaign-transfer marker on MsgVote and the
 * read-index sequence number on heartbeats.
 */
export interface Message {
  type: MessageType;
  to: number;
  from: number;
  term: number;
  logTerm: number;
  index: number;
  entries?: Entry[];
  commit: number;
  /** Only with asyncStorageWrites: the vote to persist (MsgStorageAppend). */
  vote?: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  context?: Bytes;
  /** Only with asyncStorageWrites: messages to deliver once the local storage work is done. */
  responses?: Message[];
}

export type ConfChangeType =
  | 'ConfChangeAddNode'
  | 'ConfChangeRemoveNode'
  | 'ConfChangeUpdateNode'
  | 'ConfChangeAddLearnerNode';

export type ConfChangeTransition =
  | 'ConfChangeTransitionAuto'
  | 'ConfChangeTransitionJointImplicit'
  | 'ConfChangeTransitionJointExplicit';

/** A version 1 configuration change: exactly one operation, never joint. */
export interface ConfChange {
  type: ConfChangeType;
  nodeId: number;
  context?: Bytes;
  /** Deprecated in etcd; kept so that encodings match. */
  id?: number;
}

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: number;
}

/**
 * A version 2 configuration change: several operations, entered atomically through a joint
 * configuration when needed. An empty `changes` with the Auto transition means "leave joint".
 */
export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context?: Bytes;
}

/** etcd's raft.StateType. */
export type StateType = 'StateFollower' | 'StateCandidate' | 'StateLeader' | 'StatePreCandidate';

/** State that changes often and need not be persisted: who leads, and our role. */
export interface SoftState {
  lead: number;
  raftState: StateType;
}

/** A ReadIndex answer: serve the read carrying `requestCtx` once applied >= index. */
export interface ReadState {
  index: number;
  requestCtx: Bytes;
}

/**
 * What the application must do next (etcd's Ready): persist `hardState`, `entries` and
 * `snapshot`, then send `messages`, apply `snapshot` and `committedEntries`, then call advance.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  mustSync: boolean;
}

export type ProgressStateType = 'StateProbe' | 'StateReplicate' | 'StateSnapshot';

export type ReadOnlyOption = 'Safe' | 'LeaseBased';

export type SnapshotStatus = 'SnapshotFinish' | 'SnapshotFailure';

/** Creates a message with etcd's zero values, overridden by `fields`. */
export function makeMessage(fields: Partial<Message> & { type: MessageType }): Message {
  return {
    to: 0,
    from: 0,
    term: 0,
    logTerm: 0,
    index: 0,
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields,
  };
}

export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export function emptySnapshot(): Snapshot {
  return { data: '', metadata: { confState: emptyConfState(), index: 0, term: 0 } };
}

export function isEmptySnap(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export const emptyHardState: HardState = Object.freeze({ term: 0, vote: 0, commit: 0 });

export function isEmptyHardState(h: HardState | undefined): boolean {
  return h === undefined || (h.term === 0 && h.vote === 0 && h.commit === 0);
}

export function isHardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

const LOCAL_MSGS = new Set<MessageType>([
  'MsgHup',
  'MsgBeat',
  'MsgUnreachable',
  'MsgSnapStatus',
  'MsgCheckQuorum',
  'MsgStorageAppend',
  'MsgStorageAppendResp',
  'MsgStorageApply',
  'MsgStorageApplyResp',
]);

const RESPONSE_MSGS = new Set<MessageType>([
  'MsgAppResp',
  'MsgVoteResp',
  'MsgHeartbeatResp',
  'MsgUnreachable',
  'MsgReadIndexResp',
  'MsgPreVoteResp',
  'MsgStorageAppendResp',
  'MsgStorageApplyResp',
]);

/** Messages that only a node sends to itself and that must never arrive from the network. */
export function isLocalMsg(t: MessageType): boolean {
  return LOCAL_MSGS.has(t);
}

/** Messages that answer another node and therefore need a progress entry for the sender. */
export function isResponseMsg(t: MessageType): boolean {
  return RESPONSE_MSGS.has(t);
}

export function isLocalMsgTarget(id: number): boolean {
  return id === LocalAppendThread || id === LocalApplyThread;
}

export function voteRespMsgType(t: MessageType): MessageType {
  if (t === 'MsgVote') return 'MsgVoteResp';
  if (t === 'MsgPreVote') return 'MsgPreVoteResp';
  throw new Error(`not a vote message: ${t}`);
}
