// RawNode: the single-threaded, deterministic public API of the Raft core (etcd's RawNode). The
// application ticks it, steps in messages, proposes, and repeatedly takes a Ready, persists and
// sends what it holds, applies committed entries, and calls advance().
//
// Pure. With asyncStorageWrites the Ready's messages include MsgStorageAppend / MsgStorageApply
// for local storage threads instead, and advance() must not be called.

import { assert } from '../lib/assert';
import { encodeConfChange, encodeConfChangeV2, entriesSize } from './codec';
import type { Config } from './config';
import { RaftPanic } from './logger';
import { ErrProposalDropped, Raft, type StepFunc } from './raft';
import { getBasicStatus, getStatus, type BasicStatus, type Status } from './status';
import {
  LocalAppendThread,
  LocalApplyThread,
  None,
  isEmptyHardState,
  isEmptySnap,
  isHardStateEqual,
  isLocalMsg,
  isLocalMsgTarget,
  isResponseMsg,
  makeMessage,
  type Bytes,
  type ConfChange,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Ready,
  type SnapshotStatus,
  type SoftState,
} from './types';
import { confChangeAsV2 } from './codec';

/** Stepping a message that only a node may send itself. */
export class StepLocalMsgError extends Error {
  override name = 'StepLocalMsgError';
  constructor() {
    super('raft: cannot step raft local message');
  }
}
export const ErrStepLocalMsg = new StepLocalMsgError();

/** Stepping a response from a node that is not in the configuration. */
export class StepPeerNotFoundError extends Error {
  override name = 'StepPeerNotFoundError';
  constructor() {
    super('raft: cannot step as peer not found');
  }
}
export const ErrStepPeerNotFound = new StepPeerNotFoundError();

export class RawNode {
  /** The state machine. Exposed for tests and tooling; applications use the methods. */
  readonly raft: Raft;
  readonly asyncStorageWrites: boolean;
  private prevSoftSt: SoftState;
  private prevHardSt: HardState;
  /** Self-addressed responses and local acks to step on advance() (sync mode). */
  private stepsOnAdvance: Message[] = [];

  constructor(config: Config) {
    this.raft = new Raft(config);
    this.asyncStorageWrites = config.asyncStorageWrites ?? false;
    this.prevSoftSt = this.raft.softState();
    this.prevHardSt = this.raft.hardState();
  }

  /** Advances the logical clock by one tick. */
  tick(): void {
    this.raft.tick();
  }

  /** Only advances the election timer (etcd's deprecated TickQuiesced). */
  tickQuiesced(): void {
    this.raft.electionElapsed++;
  }

  /** Campaigns to become leader (pre-vote first when enabled). */
  campaign(): void {
    this.throwIf(this.raft.step(makeMessage({ type: 'MsgHup' })));
  }

  /** Proposes data to be appended to the log. Throws ErrProposalDropped when it cannot be. */
  propose(data: Bytes): void {
    this.throwIf(
      this.raft.step(
        makeMessage({ type: 'MsgProp', from: this.raft.id, entries: [{ term: 0, index: 0, type: 'EntryNormal', data }] }),
      ),
    );
  }

  /** Proposes a configuration change (V1 ConfChange or V2 ConfChangeV2). */
  proposeConfChange(cc: ConfChange | ConfChangeV2): void {
    this.throwIf(this.raft.step(confChangeMessage(cc)));
  }

  /**
   * Applies a committed configuration change; must be called for every conf-change entry when it
   * is applied (zero the node ID to neutralize one). Returns the new ConfState.
   */
  applyConfChange(cc: ConfChange | ConfChangeV2): ConfState {
    return this.raft.applyConfChange(confChangeAsV2(cc));
  }

  /** Steps a message from the network. Throws for local-only types and unknown responders. */
  step(m: Message): void {
    if (isLocalMsg(m.type) && !isLocalMsgTarget(m.from)) throw ErrStepLocalMsg;
    if (isResponseMsg(m.type) && !isLocalMsgTarget(m.from) && !this.raft.trk.progress.has(m.from)) {
      throw ErrStepPeerNotFound;
    }
    this.throwIf(this.raft.step(m));
  }

  /** Like step, but returns the error instead of throwing (what the conformance runner prints). */
  stepResult(m: Message): Error | undefined {
    try {
      this.step(m);
      return undefined;
    } catch (err) {
      if (err instanceof RaftPanic) throw err;
      if (err instanceof Error && !(err.name === 'AssertionError')) return err;
      throw err;
    }
  }

  /** Returns the current Ready and marks it handed out; call advance() after handling it. */
  ready(): Ready {
    const rd = this.readyWithoutAccept();
    this.acceptReady(rd);
    return rd;
  }

  private readyWithoutAccept(): Ready {
    const r = this.raft;
    const rd: Ready = {
      entries: r.raftLog.nextUnstableEnts(),
      committedEntries: r.raftLog.nextCommittedEnts(this.applyUnstableEntries()),
      messages: [...r.msgs],
      readStates: [],
      mustSync: false,
    };
    const softSt = r.softState();
    if (softSt.lead !== this.prevSoftSt.lead || softSt.raftState !== this.prevSoftSt.raftState) rd.softState = softSt;
    const hardSt = r.hardState();
    if (!isHardStateEqual(hardSt, this.prevHardSt)) rd.hardState = hardSt;
    const snap = r.raftLog.nextUnstableSnapshot();
    if (snap !== undefined) rd.snapshot = snap;
    if (r.readStates.length !== 0) rd.readStates = r.readStates;
    rd.mustSync = mustSync(hardSt, this.prevHardSt, rd.entries.length);

    if (this.asyncStorageWrites) {
      if (this.needStorageAppendMsg(rd)) rd.messages.push(this.newStorageAppendMsg(rd));
      if (rd.committedEntries.length > 0) rd.messages.push(this.newStorageApplyMsg(rd.committedEntries));
    } else {
      for (const m of r.msgsAfterAppend) {
        if (m.to !== r.id) rd.messages.push(m);
      }
    }
    return rd;
  }

  private needStorageAppendMsg(rd: Ready): boolean {
    return (
      rd.entries.length > 0 || !isEmptyHardState(rd.hardState) || !isEmptySnap(rd.snapshot) || this.raft.msgsAfterAppend.length > 0
    );
  }

  private needStorageAppendRespMsg(rd: Ready): boolean {
    return this.raft.raftLog.hasNextOrInProgressUnstableEnts() || !isEmptySnap(rd.snapshot);
  }

  private newStorageAppendMsg(rd: Ready): Message {
    const r = this.raft;
    const m = makeMessage({ type: 'MsgStorageAppend', to: LocalAppendThread, from: r.id });
    if (rd.entries.length > 0) m.entries = rd.entries;
    if (!isEmptyHardState(rd.hardState)) {
      m.term = rd.hardState!.term;
      m.vote = rd.hardState!.vote;
      m.commit = rd.hardState!.commit;
    }
    if (!isEmptySnap(rd.snapshot)) m.snapshot = rd.snapshot!;
    // Responses to deliver once the write is durable: the held-back votes and acks, and an
    // acknowledgement to ourselves naming the last entry written.
    const responses = [...r.msgsAfterAppend];
    if (this.needStorageAppendRespMsg(rd)) responses.push(this.newStorageAppendRespMsg(rd));
    m.responses = responses;
    return m;
  }

  private newStorageAppendRespMsg(rd: Ready): Message {
    const r = this.raft;
    const m = makeMessage({ type: 'MsgStorageAppendResp', to: r.id, from: LocalAppendThread, term: r.term });
    if (r.raftLog.hasNextOrInProgressUnstableEnts()) {
      // The term at send time lets a stale response (after the log was overwritten in a later
      // term) be told apart; the (index, logTerm) pair identifies the last entry written.
      const last = r.raftLog.lastEntryID();
      m.index = last.index;
      m.logTerm = last.term;
    }
    if (!isEmptySnap(rd.snapshot)) m.snapshot = rd.snapshot!;
    return m;
  }

  private newStorageApplyMsg(ents: Entry[]): Message {
    const r = this.raft;
    const m = makeMessage({ type: 'MsgStorageApply', to: LocalApplyThread, from: r.id, entries: ents });
    m.responses = [this.newStorageApplyRespMsg(ents)];
    return m;
  }

  private newStorageApplyRespMsg(ents: Entry[]): Message {
    return makeMessage({ type: 'MsgStorageApplyResp', to: this.raft.id, from: LocalApplyThread, entries: ents });
  }

  private acceptReady(rd: Ready): void {
    const r = this.raft;
    if (rd.softState !== undefined) this.prevSoftSt = rd.softState;
    if (!isEmptyHardState(rd.hardState)) this.prevHardSt = rd.hardState!;
    if (rd.readStates.length !== 0) r.readStates = [];
    if (!this.asyncStorageWrites) {
      if (this.stepsOnAdvance.length !== 0) r.logger.panic('two accepted Ready structs without call to Advance');
      for (const m of r.msgsAfterAppend) {
        if (m.to === r.id) this.stepsOnAdvance.push(m);
      }
      if (this.needStorageAppendRespMsg(rd)) this.stepsOnAdvance.push(this.newStorageAppendRespMsg(rd));
      if (rd.committedEntries.length > 0) this.stepsOnAdvance.push(this.newStorageApplyRespMsg(rd.committedEntries));
    }
    r.msgs = [];
    r.msgsAfterAppend = [];
    r.raftLog.acceptUnstable();
    if (rd.committedEntries.length > 0) {
      const ents = rd.committedEntries;
      r.raftLog.acceptApplying(ents[ents.length - 1]!.index, entriesSize(ents), this.applyUnstableEntries());
    }
  }

  /** In sync mode entries are persisted before they are applied, so unstable ones may be applied. */
  private applyUnstableEntries(): boolean {
    return !this.asyncStorageWrites;
  }

  /** Whether there is anything for the application to do. */
  hasReady(): boolean {
    const r = this.raft;
    const softSt = r.softState();
    if (softSt.lead !== this.prevSoftSt.lead || softSt.raftState !== this.prevSoftSt.raftState) return true;
    const hardSt = r.hardState();
    if (!isEmptyHardState(hardSt) && !isHardStateEqual(hardSt, this.prevHardSt)) return true;
    if (r.raftLog.hasNextUnstableSnapshot()) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0) return true;
    if (r.raftLog.hasNextUnstableEnts() || r.raftLog.hasNextCommittedEnts(this.applyUnstableEntries())) return true;
    if (r.readStates.length !== 0) return true;
    return false;
  }

  /**
   * Tells the node the last Ready was handled: its entries and hard state are durable and its
   * committed entries applied. Steps the self-addressed responses that were waiting for that.
   */
  advance(): void {
    if (this.asyncStorageWrites) this.raft.logger.panic('Advance must not be called when using AsyncStorageWrites');
    const steps = this.stepsOnAdvance;
    this.stepsOnAdvance = [];
    for (const m of steps) this.raft.step(m);
  }

  status(): Status {
    return getStatus(this.raft);
  }

  basicStatus(): BasicStatus {
    return getBasicStatus(this.raft);
  }

  /** Tells the leader that the last message to `id` may not have arrived. */
  reportUnreachable(id: number): void {
    this.raft.step(makeMessage({ type: 'MsgUnreachable', from: id }));
  }

  /** Reports the outcome of sending a snapshot to `id`; required after every MsgSnap. */
  reportSnapshot(id: number, status: SnapshotStatus): void {
    this.raft.step(makeMessage({ type: 'MsgSnapStatus', from: id, reject: status === 'SnapshotFailure' }));
  }

  /** Asks the leader to transfer leadership to `transferee`. */
  transferLeader(transferee: number): void {
    this.raft.step(makeMessage({ type: 'MsgTransferLeader', from: transferee }));
  }

  /** Forgets the current leader (followers only; refused with lease-based reads). */
  forgetLeader(): void {
    this.throwIf(this.raft.step(makeMessage({ type: 'MsgForgetLeader' })));
  }

  /**
   * Requests a read index; the answer arrives as a ReadState carrying `rctx` in a later Ready.
   * Serve the read once applied >= its index.
   */
  readIndex(rctx: Bytes): void {
    this.raft.step(makeMessage({ type: 'MsgReadIndex', entries: [{ term: 0, index: 0, type: 'EntryNormal', data: rctx }] }));
  }

  /** Test hook: pins the randomized election timeout until the next role change. */
  setRandomizedElectionTimeout(timeout: number): void {
    this.raft.setRandomizedElectionTimeout(timeout);
  }

  /** The step function in use (for tests that assert the role machinery). */
  get stepFunction(): StepFunc {
    return this.raft.stepFn;
  }

  private throwIf(err: Error | undefined): void {
    if (err !== undefined) throw err;
  }
}

function mustSync(st: HardState, prev: HardState, entsNum: number): boolean {
  return entsNum !== 0 || st.vote !== prev.vote || st.term !== prev.term;
}

/** Wraps a V1 or V2 configuration change into the MsgProp that proposes it. */
export function confChangeMessage(cc: ConfChange | ConfChangeV2): Message {
  const entry: Entry =
    'transition' in cc
      ? { term: 0, index: 0, type: 'EntryConfChangeV2', data: encodeConfChangeV2(cc) }
      : { term: 0, index: 0, type: 'EntryConfChange', data: encodeConfChange(cc) };
  return makeMessage({ type: 'MsgProp', entries: [entry] });
}

/**
 * Bootstraps a new node's empty storage with the given voters, as etcd's RawNode.Bootstrap: one
 * ConfChangeAddNode entry per peer at term 1 (carrying the peer's context, e.g. etcd's member
 * JSON), all committed, and the configuration applied. The entries reach the application in the
 * first Ready, to be persisted and applied like any others.
 */
export function bootstrapPeers(rn: RawNode, peers: ReadonlyArray<number | { id: number; context?: Bytes }>): void {
  assert(peers.length > 0, 'must provide at least one peer to Bootstrap');
  const r = rn.raft;
  if (r.raftLog.storage.lastIndex() !== 0) throw new Error("can't bootstrap a nonempty Storage");
  // The first Ready must carry the hard state even if it equals the empty one's fields.
  (rn as unknown as { prevHardSt: HardState }).prevHardSt = { term: 0, vote: 0, commit: 0 };
  r.becomeFollower(1, None);
  const list = peers.map((p) => (typeof p === 'number' ? { id: p } : p));
  const ents: Entry[] = list.map((p, i) => {
    const cc: ConfChange = { type: 'ConfChangeAddNode', nodeId: p.id };
    if (p.context !== undefined) cc.context = p.context;
    return { term: 1, index: i + 1, type: 'EntryConfChange' as const, data: encodeConfChange(cc) };
  });
  r.raftLog.append(ents);
  r.raftLog.committed = ents.length;
  for (const p of list) r.applyConfChange(confChangeAsV2({ type: 'ConfChangeAddNode', nodeId: p.id }));
}

export { ErrProposalDropped };
