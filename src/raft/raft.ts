// The Raft state machine of one node (etcd-io/raft's `raft` struct): terms and roles, the Step
// dispatcher with the term rules every message goes through, elections (pre-vote, vote, transfer),
// and the leader's replication and commit machinery. Role-specific message handling lives in
// stepLeader.ts, stepCandidate.ts and stepFollower.ts.
//
// Pure: no timers, no clock, no randomness except the injected source, no I/O. Time arrives as
// tick(), input as step(message); output is queued in `msgs` / `msgsAfterAppend` and the log, and
// handed to the application by RawNode as a Ready.

import { assert } from '../lib/assert';
import { Prng } from '../lib/prng';
import { encodeConfChangeV2, entriesSize, entryConfChange, payloadsSize } from './codec';
import { validateConfig, type Config, type RandomSource, type ResolvedConfig } from './config';
import { restoreConfState } from './confchange/restore';
import { Changer, type ChangeResult } from './confchange/changer';
import { enterJoint, isLeaveJoint } from './codec';
import { describeConfState, goSlice } from './describe';
import { discardLogger, LevelLogger } from './logger';
import { ReadOnly } from './readOnly';
import { NO_LIMIT, RaftLog } from './raftLog';
import { ErrSnapshotTemporarilyUnavailable } from './storage';
import { ProgressTracker, trackerConfigString } from './tracker/tracker';
import type { VoteResult } from './quorum/quorum';
import type { Progress } from './tracker/progress';
import { stepCandidate } from './stepCandidate';
import { stepFollower } from './stepFollower';
import { stepLeader } from './stepLeader';
import {
  None,
  isEmptyHardState,
  makeMessage,
  voteRespMsgType,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type MessageType,
  type ReadState,
  type Snapshot,
  type SoftState,
  type StateType,
} from './types';

/** Returned (thrown by RawNode) when a proposal cannot be accepted now. */
export class ProposalDroppedError extends Error {
  override name = 'ProposalDroppedError';
  constructor() {
    super('raft proposal dropped');
  }
}
export const ErrProposalDropped = new ProposalDroppedError();

export type CampaignType = 'CampaignPreElection' | 'CampaignElection' | 'CampaignTransfer';

/** The context a transfer campaign's MsgVote carries so that voters skip the lease check. */
export const CAMPAIGN_TRANSFER_CONTEXT = 'CampaignTransfer';

export type StepFunc = (r: Raft, m: Message) => Error | undefined;

export class Raft {
  readonly id: number;
  term = 0;
  vote = 0;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  readonly maxMsgSize: number;
  readonly maxUncommittedSize: number;
  trk: ProgressTracker;
  state: StateType = 'StateFollower';
  /** True when this node is a learner in its own view of the configuration. */
  isLearner = false;
  /** Messages to send right away. Invariant: none is addressed to this node. */
  msgs: Message[] = [];
  /**
   * Messages to send only after the unstable state (entries, term, vote) they depend on is
   * durable: MsgAppResp, MsgVoteResp and MsgPreVoteResp, including those addressed to self.
   */
  msgsAfterAppend: Message[] = [];
  lead = None;
  /** The transfer target while a leadership transfer is in progress (Raft thesis §3.10). */
  leadTransferee = None;
  /**
   * Only one configuration change may be pending (in the log, not yet applied); proposals of
   * another are refused until applied >= pendingConfIndex.
   */
  pendingConfIndex = 0;
  readonly disableConfChangeValidation: boolean;
  /** Payload bytes of the uncommitted tail of a leader's log. */
  uncommittedSize = 0;
  readOnly: ReadOnly;
  /**
   * Ticks since the last election timeout (leader, candidate) or since the last valid message
   * from the leader (follower).
   */
  electionElapsed = 0;
  /** Ticks since the last heartbeat (leader only). */
  heartbeatElapsed = 0;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly heartbeatTimeout: number;
  readonly electionTimeout: number;
  /** In [electionTimeout, 2*electionTimeout - 1]; reset on every role change. */
  randomizedElectionTimeout = 0;
  readonly disableProposalForwarding: boolean;
  readonly stepDownOnRemoval: boolean;
  /** Which timer a tick drives: followers and candidates count toward an election, leaders heartbeat. */
  tickKind: 'election' | 'heartbeat' = 'election';
  stepFn: StepFunc;
  readonly logger: LevelLogger;
  /** ReadIndex requests held until this leader has committed an entry in its term. */
  pendingReadIndexMessages: Message[] = [];
  readonly random: RandomSource;
  readonly config: ResolvedConfig;

  constructor(c: Config) {
    const cfg = validateConfig(c);
    this.config = cfg;
    this.id = cfg.id;
    this.logger = new LevelLogger(cfg.logger ?? discardLogger);
    this.random = cfg.random ?? new Prng(cfg.id);
    this.raftLog = new RaftLog(cfg.storage, this.logger, cfg.maxCommittedSizePerReady);
    const { hardState, confState } = cfg.storage.initialState();
    this.maxMsgSize = cfg.maxSizePerMsg;
    this.maxUncommittedSize = cfg.maxUncommittedEntriesSize;
    this.trk = new ProgressTracker(cfg.maxInflightMsgs, cfg.maxInflightBytes === NO_LIMIT ? 0 : cfg.maxInflightBytes);
    this.electionTimeout = cfg.electionTick;
    this.heartbeatTimeout = cfg.heartbeatTick;
    this.checkQuorum = cfg.checkQuorum;
    this.preVote = cfg.preVote;
    this.readOnly = new ReadOnly(cfg.readOnlyOption);
    this.disableProposalForwarding = cfg.disableProposalForwarding;
    this.disableConfChangeValidation = cfg.disableConfChangeValidation;
    this.stepDownOnRemoval = cfg.stepDownOnRemoval;
    this.stepFn = stepFollower;

    const lastID = this.raftLog.lastEntryID();
    const restored = restoreConfState(this.trk, lastID.index, confState);
    assertConfStatesEquivalent(confState, this.switchToConfig(restored));

    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    if (cfg.applied > 0) this.raftLog.appliedTo(cfg.applied, 0);
    this.becomeFollower(this.term, None);

    const peers = this.trk.voterNodes().map((n) => n.toString(16));
    this.logger.info(
      `newRaft ${this.hex()} [peers: [${peers.join(',')}], term: ${this.term}, commit: ${this.raftLog.committed}, ` +
        `applied: ${this.raftLog.applied}, lastindex: ${lastID.index}, lastterm: ${lastID.term}]`,
    );
  }

  /** This node's ID as etcd prints it (%x). */
  hex(): string {
    return this.id.toString(16);
  }

  hasLeader(): boolean {
    return this.lead !== None;
  }

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  /**
   * Queues a message: responses that depend on unstable state wait for persistence; everything
   * else may go out at once. Stamps `from` and, except for proposals and read requests (which are
   * forwarded like local messages), the current term.
   */
  send(m: Message): void {
    if (m.from === None) m.from = this.id;
    if (m.type === 'MsgVote' || m.type === 'MsgVoteResp' || m.type === 'MsgPreVote' || m.type === 'MsgPreVoteResp') {
      // Campaign messages carry an explicit term: the campaign's, or for pre-votes the next one.
      if (m.term === 0) this.logger.panic(`term should be set when sending ${m.type}`);
    } else {
      if (m.term !== 0) this.logger.panic(`term should not be set when sending ${m.type} (was ${m.term})`);
      if (m.type !== 'MsgProp' && m.type !== 'MsgReadIndex') m.term = this.term;
    }
    if (m.type === 'MsgAppResp' || m.type === 'MsgVoteResp' || m.type === 'MsgPreVoteResp') {
      // A vote or an append acknowledgement must not leave before the state it vouches for is
      // durable (Raft thesis §3.8); rejections are held back too, conservatively, as etcd does.
      this.msgsAfterAppend.push(m);
    } else {
      if (m.to === this.id) this.logger.panic(`message should not be self-addressed when sending ${m.type}`);
      this.msgs.push(m);
    }
  }

  /** Sends a MsgApp with new entries (if any) and the commit index, even if it carries no entries. */
  sendAppend(to: number): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends a MsgApp to `to` if its progress is not paused. With sendIfEmpty false, a message with
   * no entries is not sent (used when batching). Falls back to a snapshot when the needed entries
   * are compacted. Returns whether a message was sent.
   */
  maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to)!;
    if (pr.isPaused()) return false;

    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    if ('err' in prevTerm) {
      // The log was compacted past what the follower needs: send a snapshot instead.
      return this.maybeSendSnapshot(to, pr);
    }

    let ents: Entry[] = [];
    let failed = false;
    // A throttled follower in StateReplicate gets only empty MsgApps, so that replication to it
    // cannot stall when every inflight message was lost: the empty one is acked or rejected.
    if (pr.state !== 'StateReplicate' || !pr.inflights.full()) {
      const r = this.raftLog.entries(pr.next, this.maxMsgSize);
      if ('err' in r) failed = true;
      else ents = r.ents;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    if (failed) return this.maybeSendSnapshot(to, pr);

    const m = makeMessage({ type: 'MsgApp', to, index: prevIndex, logTerm: prevTerm.term, commit: this.raftLog.committed });
    if (ents.length > 0) m.entries = ents;
    this.send(m);
    pr.sentEntries(ents.length, payloadsSize(ents));
    pr.sentCommitTo(this.raftLog.committed);
    return true;
  }

  /** Sends the current snapshot to a recently active follower and pauses its replication. */
  maybeSendSnapshot(to: number, pr: Progress): boolean {
    if (!pr.recentActive) {
      this.logger.debug(`ignore sending snapshot to ${to.toString(16)} since it is not recently active`);
      return false;
    }
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch (err) {
      if (err === ErrSnapshotTemporarilyUnavailable) {
        this.logger.debug(
          `${this.hex()} failed to send snapshot to ${to.toString(16)} because snapshot is temporarily unavailable`,
        );
        return false;
      }
      throw err;
    }
    if (snapshot.metadata.index === 0) this.logger.panic('need non-empty snapshot');
    const sindex = snapshot.metadata.index;
    const sterm = snapshot.metadata.term;
    this.logger.debug(
      `${this.hex()} [firstindex: ${this.raftLog.firstIndex()}, commit: ${this.raftLog.committed}] sent snapshot[index: ${sindex}, term: ${sterm}] to ${to.toString(16)} [${pr.toString()}]`,
    );
    pr.becomeSnapshot(sindex);
    this.logger.debug(`${this.hex()} paused sending replication messages to ${to.toString(16)} [${pr.toString()}]`);
    this.send(makeMessage({ type: 'MsgSnap', to, snapshot }));
    return true;
  }

  /**
   * Sends a heartbeat. Its commit is min(match, committed): a follower must never be told to
   * commit past what it is known to hold.
   */
  sendHeartbeat(to: number, ctx: string | undefined): void {
    const pr = this.trk.progress.get(to)!;
    const commit = Math.min(pr.match, this.raftLog.committed);
    const m = makeMessage({ type: 'MsgHeartbeat', to, commit });
    if (ctx !== undefined) m.context = ctx;
    this.send(m);
    pr.sentCommitTo(commit);
  }

  /** Sends MsgApp to every peer, in ID order. */
  bcastAppend(): void {
    this.trk.visit((id) => {
      if (id !== this.id) this.sendAppend(id);
    });
  }

  bcastHeartbeat(): void {
    this.bcastHeartbeatWithCtx(this.readOnly.heartbeatCtx());
  }

  bcastHeartbeatWithCtx(ctx: string | undefined): void {
    this.trk.visit((id) => {
      if (id !== this.id) this.sendHeartbeat(id, ctx);
    });
  }

  /**
   * Records that entries up to `index` were applied. A leader in an auto-leave joint
   * configuration proposes leaving it once everything up to the change is applied.
   */
  appliedTo(index: number, size: number): void {
    const newApplied = Math.max(index, this.raftLog.applied);
    this.raftLog.appliedTo(newApplied, size);
    if (this.trk.config.autoLeave && newApplied >= this.pendingConfIndex && this.state === 'StateLeader') {
      // An empty ConfChangeV2 (nil data) means "leave joint"; its size is zero, so it can only be
      // refused because a leadership transfer is in progress. Then the next apply retries.
      const m = confChangeToMsg(undefined);
      const err = this.step(m);
      const cfg = trackerConfigString(this.trk.config);
      if (err !== undefined) {
        this.logger.debug(`not initiating automatic transition out of joint configuration ${cfg}: ${err.message}`);
      } else {
        this.logger.info(`initiating automatic transition out of joint configuration ${cfg}`);
      }
    }
  }

  appliedSnap(snap: Snapshot): void {
    const index = snap.metadata.index;
    this.raftLog.stableSnapTo(index);
    this.appliedTo(index, 0);
  }

  /** Advances the commit index to what a quorum has replicated, if that entry is of this term. */
  maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.trk.committed(), this.term);
  }

  reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = None;
    }
    this.lead = None;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const lastIndex = this.raftLog.lastIndex();
    this.trk.visit((id, pr) => {
      pr.resetForNewTerm(id === this.id ? lastIndex : 0, lastIndex + 1, this.trk.newInflights());
    });
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly(this.readOnly.option);
  }

  /**
   * Appends entries at the current term (leader). Returns false when the uncommitted-size budget
   * refuses them. The leader acknowledges its own append through a self-addressed MsgAppResp that
   * takes effect once the entries are durable.
   */
  appendEntry(es: readonly Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    const ents = es.map((e, i) => ({ term: this.term, index: li + 1 + i, type: e.type, data: e.data }));
    if (!this.increaseUncommittedSize(ents)) {
      this.logger.warn(
        `${this.hex()} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`,
      );
      return false;
    }
    li = this.raftLog.append(ents);
    this.send(makeMessage({ type: 'MsgAppResp', to: this.id, index: li }));
    return true;
  }

  /** One logical clock tick. */
  tick(): void {
    if (this.tickKind === 'heartbeat') this.tickHeartbeat();
    else this.tickElection();
  }

  /** Followers and candidates: campaign once the randomized election timeout passed. */
  tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      const err = this.step(makeMessage({ type: 'MsgHup', from: this.id }));
      if (err !== undefined) this.logger.debug(`error occurred during election: ${err.message}`);
    }
  }

  /**
   * Leaders: heartbeat every heartbeatTimeout ticks; every electionTimeout ticks check the quorum
   * (with CheckQuorum) and give up a leadership transfer that did not complete. On the tick where
   * the quorum check fails no heartbeat goes out.
   */
  tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        const err = this.step(makeMessage({ type: 'MsgCheckQuorum', from: this.id }));
        if (err !== undefined) this.logger.debug(`error occurred during checking sending heartbeat: ${err.message}`);
      }
      if (this.state === 'StateLeader' && this.leadTransferee !== None) this.abortLeaderTransfer();
    }
    if (this.state !== 'StateLeader') return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      const err = this.step(makeMessage({ type: 'MsgBeat', from: this.id }));
      if (err !== undefined) this.logger.debug(`error occurred during checking sending heartbeat: ${err.message}`);
    }
  }

  becomeFollower(term: number, lead: number): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickKind = 'election';
    this.lead = lead;
    this.state = 'StateFollower';
    this.logger.info(`${this.hex()} became follower at term ${this.term}`);
  }

  becomeCandidate(): void {
    if (this.state === 'StateLeader') this.logger.panic('invalid transition [leader -> candidate]');
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickKind = 'election';
    this.vote = this.id;
    this.state = 'StateCandidate';
    this.logger.info(`${this.hex()} became candidate at term ${this.term}`);
  }

  /** A pre-candidate changes only its role: no term increase, no vote (Raft thesis §9.6). */
  becomePreCandidate(): void {
    if (this.state === 'StateLeader') this.logger.panic('invalid transition [leader -> pre-candidate]');
    this.stepFn = stepCandidate;
    this.trk.resetVotes();
    this.tickKind = 'election';
    this.lead = None;
    this.state = 'StatePreCandidate';
    this.logger.info(`${this.hex()} became pre-candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    if (this.state === 'StateFollower') this.logger.panic('invalid transition [follower -> leader]');
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickKind = 'heartbeat';
    this.lead = this.id;
    this.state = 'StateLeader';
    // The leader is trivially in Replicate with itself, and always counts as active.
    const pr = this.trk.progress.get(this.id)!;
    pr.becomeReplicate();
    pr.recentActive = true;
    // Conservatively hold off configuration changes until everything in the log is applied:
    // there may be an unapplied change in the tail.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // An empty entry of the new term lets the leader commit (Raft §5.4.2); its payload size is
    // zero, so it never counts against the uncommitted budget.
    if (!this.appendEntry([{ term: 0, index: 0, type: 'EntryNormal', data: '' }])) {
      this.logger.panic('empty entry was dropped');
    }
    this.logger.info(`${this.hex()} became leader at term ${this.term}`);
  }

  /** Starts an election if this node may: not a leader, promotable, no unapplied conf change. */
  hup(t: CampaignType): void {
    if (this.state === 'StateLeader') {
      this.logger.debug(`${this.hex()} ignoring MsgHup because already leader`);
      return;
    }
    if (!this.promotable()) {
      this.logger.warn(`${this.hex()} is unpromotable and can not campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger.warn(
        `${this.hex()} cannot campaign at term ${this.term} since there are still pending configuration changes to apply`,
      );
      return;
    }
    this.logger.info(`${this.hex()} is starting a new election at term ${this.term}`);
    this.campaign(t);
  }

  /** Whether a committed but unapplied entry is a configuration change. */
  hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    let found = false;
    const lo = this.raftLog.applied + 1;
    const hi = this.raftLog.committed + 1;
    this.raftLog.scan(lo, hi, this.raftLog.maxApplyingEntsSize, (ents) => {
      found = ents.some((e) => e.type === 'EntryConfChange' || e.type === 'EntryConfChangeV2');
      return found;
    });
    return found;
  }

  /**
   * Becomes (pre-)candidate and asks every voter, in ID order. The self-vote is a self-addressed
   * response that counts only once the vote is durable.
   */
  campaign(t: CampaignType): void {
    if (!this.promotable()) {
      this.logger.warn(`${this.hex()} is unpromotable; campaign() should have been called`);
    }
    let term: number;
    let voteMsg: MessageType;
    if (t === 'CampaignPreElection') {
      this.becomePreCandidate();
      voteMsg = 'MsgPreVote';
      // Pre-votes are sent for the next term without incrementing ours.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = 'MsgVote';
      term = this.term;
    }
    for (const id of this.trk.voterNodes()) {
      if (id === this.id) {
        this.send(makeMessage({ type: voteRespMsgType(voteMsg), to: id, term }));
        continue;
      }
      const last = this.raftLog.lastEntryID();
      this.logger.info(
        `${this.hex()} [logterm: ${last.term}, index: ${last.index}] sent ${voteMsg} request to ${id.toString(16)} at term ${this.term}`,
      );
      const m = makeMessage({ type: voteMsg, to: id, term, index: last.index, logTerm: last.term });
      if (t === 'CampaignTransfer') m.context = CAMPAIGN_TRANSFER_CONTEXT;
      this.send(m);
    }
  }

  poll(id: number, t: MessageType, granted: boolean): { granted: number; rejected: number; result: VoteResult } {
    if (granted) this.logger.info(`${this.hex()} received ${t} from ${id.toString(16)} at term ${this.term}`);
    else this.logger.info(`${this.hex()} received ${t} rejection from ${id.toString(16)} at term ${this.term}`);
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes();
  }

  /**
   * Advances the state machine with one message. Every message first goes through the term rules
   * (Raft §5.1): a higher term makes us a follower (with etcd's exceptions for pre-votes and for
   * votes arriving while we are in a leader's lease), a lower term is ignored or answered so the
   * stale sender learns the term. Returns an error (ErrProposalDropped) instead of throwing.
   */
  step(m: Message): Error | undefined {
    if (m.term === 0) {
      // A local message.
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const force = m.context === CAMPAIGN_TRANSFER_CONTEXT;
        const inLease = this.checkQuorum && this.lead !== None && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) {
          // Raft thesis §4.2.3: a server that heard from a current leader within the minimum
          // election timeout neither updates its term nor grants its vote.
          const last = this.raftLog.lastEntryID();
          this.logger.info(
            `${this.hex()} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote.toString(16)}] ignored ${m.type} from ${m.from.toString(16)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired (remaining ticks: ${this.electionTimeout - this.electionElapsed})`,
          );
          return undefined;
        }
      }
      if (m.type === 'MsgPreVote') {
        // Never change our term in response to a pre-vote.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // Pre-votes are requested for a future term; a granted one does not move our term (the
        // candidate moves it when it wins the pre-vote). A rejection carries the voter's real term.
      } else {
        this.logger.info(
          `${this.hex()} [term: ${this.term}] received a ${m.type} message with higher term from ${m.from.toString(16)} [term: ${m.term}]`,
        );
        if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap') {
          this.becomeFollower(m.term, m.from);
        } else {
          this.becomeFollower(m.term, None);
        }
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // A leader at a lower term: it may have been partitioned while we advanced our term.
        // Answering at our term makes it step down; with CheckQuorum or PreVote, votes from such
        // nodes are otherwise ignored and terms would never reconcile.
        this.send(makeMessage({ type: 'MsgAppResp', to: m.from }));
      } else if (m.type === 'MsgPreVote') {
        // Reject explicitly so a pre-candidate with a stale term learns the current one; dropping
        // the request could deadlock a cluster migrating to pre-vote.
        const last = this.raftLog.lastEntryID();
        this.logger.info(
          `${this.hex()} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote.toString(16)}] rejected ${m.type} from ${m.from.toString(16)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
        );
        this.send(makeMessage({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true }));
      } else if (m.type === 'MsgStorageAppendResp') {
        if (m.index !== 0) {
          // The appended entries may have been overwritten in the unstable log during a later
          // term: do not count them as stable.
          this.logger.info(
            `${this.hex()} [term: ${this.term}] ignored entry appends from a ${m.type} message with lower term [term: ${m.term}]`,
          );
        }
        // A snapshot holds committed, term-independent state: its application still counts.
        if (m.snapshot !== undefined) this.appliedSnap(m.snapshot);
      } else {
        this.logger.info(
          `${this.hex()} [term: ${this.term}] ignored a ${m.type} message with lower term from ${m.from.toString(16)} [term: ${m.term}]`,
        );
      }
      return undefined;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.preVote ? 'CampaignPreElection' : 'CampaignElection');
        return undefined;
      case 'MsgStorageAppendResp':
        if (m.index !== 0) this.raftLog.stableTo(m.index, m.logTerm);
        if (m.snapshot !== undefined) this.appliedSnap(m.snapshot);
        return undefined;
      case 'MsgStorageApplyResp': {
        const ents = m.entries ?? [];
        if (ents.length > 0) {
          this.appliedTo(ents[ents.length - 1]!.index, entriesSize(ents));
          this.reduceUncommittedSize(payloadsSize(ents));
        }
        return undefined;
      }
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVoteRequest(m);
        return undefined;
      default:
        return this.stepFn(this, m);
    }
  }

  /**
   * Decides a (pre-)vote: grant if we may vote for this candidate in this term and its log is at
   * least as up to date as ours (Raft §5.4.1). Learners vote too: a learner may already be a voter
   * in a configuration it has not applied yet, and the candidate's config knows it.
   */
  private handleVoteRequest(m: Message): void {
    const canVote =
      // A repeat of a vote we already cast...
      this.vote === m.from ||
      // ...or we have not voted and know no leader in this term...
      (this.vote === None && this.lead === None) ||
      // ...or a pre-vote for a future term.
      (m.type === 'MsgPreVote' && m.term > this.term);
    const last = this.raftLog.lastEntryID();
    if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
      this.logger.info(
        `${this.hex()} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote.toString(16)}] cast ${m.type} for ${m.from.toString(16)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
      );
      // Respond with the request's term, not ours: for pre-votes they differ, and a response at
      // our (older) term would be ignored by the pre-candidate.
      this.send(makeMessage({ type: voteRespMsgType(m.type), to: m.from, term: m.term }));
      if (m.type === 'MsgVote') {
        // Only real votes are recorded.
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.logger.info(
        `${this.hex()} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote.toString(16)}] rejected ${m.type} from ${m.from.toString(16)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
      );
      this.send(makeMessage({ type: voteRespMsgType(m.type), to: m.from, term: this.term, reject: true }));
    }
  }

  /** Follower side of MsgApp: append if the logs match at (index, logTerm), else reject with a hint. */
  handleAppendEntries(m: Message): void {
    const entries = m.entries ?? [];
    if (m.index < this.raftLog.committed) {
      this.send(makeMessage({ type: 'MsgAppResp', to: m.from, index: this.raftLog.committed }));
      return;
    }
    const lastNew = this.raftLog.maybeAppend(m.index, m.logTerm, entries, m.commit);
    if (lastNew !== undefined) {
      this.send(makeMessage({ type: 'MsgAppResp', to: m.from, index: lastNew }));
      return;
    }
    this.logger.debug(
      `${this.hex()} [logterm: ${this.raftLog.zeroTermOnOutOfBounds(this.raftLog.term(m.index))}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from.toString(16)}`,
    );
    // Hint the largest (index, term) in our log with term <= the leader's logTerm and index <=
    // its index: our uncommitted tail above that cannot match, so the leader can skip it
    // (fast log rejection; see the leader side in stepLeader).
    const hintIndex = Math.min(m.index, this.raftLog.lastIndex());
    const hint = this.raftLog.findConflictByTerm(hintIndex, m.logTerm);
    this.send(
      makeMessage({
        type: 'MsgAppResp',
        to: m.from,
        index: m.index,
        reject: true,
        rejectHint: hint.index,
        logTerm: hint.term,
      }),
    );
  }

  handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    const resp = makeMessage({ type: 'MsgHeartbeatResp', to: m.from });
    if (m.context !== undefined) resp.context = m.context;
    this.send(resp);
  }

  handleSnapshot(m: Message): void {
    const s = m.snapshot ?? emptySnapshotValue();
    const sindex = s.metadata.index;
    const sterm = s.metadata.term;
    if (this.restore(s)) {
      this.logger.info(
        `${this.hex()} [commit: ${this.raftLog.committed}] restored snapshot [index: ${sindex}, term: ${sterm}]`,
      );
      this.send(makeMessage({ type: 'MsgAppResp', to: m.from, index: this.raftLog.lastIndex() }));
    } else {
      this.logger.info(
        `${this.hex()} [commit: ${this.raftLog.committed}] ignored snapshot [index: ${sindex}, term: ${sterm}]`,
      );
      this.send(makeMessage({ type: 'MsgAppResp', to: m.from, index: this.raftLog.committed }));
    }
  }

  /**
   * Restores log and configuration from a snapshot. Returns false when it was ignored: obsolete,
   * already covered by our log (then commit just moves forward), or not including this node.
   */
  restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== 'StateFollower') {
      // Defense in depth: only followers restore snapshots.
      this.logger.warn(`${this.hex()} attempted to restore snapshot as leader; should never happen`);
      this.becomeFollower(this.term + 1, None);
      return false;
    }
    const cs = s.metadata.confState;
    const found = cs.voters.includes(this.id) || cs.learners.includes(this.id) || cs.votersOutgoing.includes(this.id);
    if (!found) {
      this.logger.warn(
        `${this.hex()} attempted to restore snapshot but it is not in the ConfState ${goConfState(cs)}; should never happen`,
      );
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      const last = this.raftLog.lastEntryID();
      this.logger.info(
        `${this.hex()} [commit: ${this.raftLog.committed}, lastindex: ${last.index}, lastterm: ${last.term}] fast-forwarded commit to snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`,
      );
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    // Rebuild the configuration from scratch from the snapshot's ConfState.
    this.trk = new ProgressTracker(this.trk.maxInflight, this.trk.maxInflightBytes);
    let restored: ChangeResult;
    try {
      restored = restoreConfState(this.trk, this.raftLog.lastIndex(), cs);
    } catch (err) {
      this.logger.panic(`unable to restore config ${describeConfState(cs)}: ${(err as Error).message}`);
    }
    assertConfStatesEquivalent(cs, this.switchToConfig(restored));
    const last = this.raftLog.lastEntryID();
    this.logger.info(
      `${this.hex()} [commit: ${this.raftLog.committed}, lastindex: ${last.index}, lastterm: ${last.term}] restored snapshot [index: ${s.metadata.index}, term: ${s.metadata.term}]`,
    );
    return true;
  }

  /** Whether this node may become leader: a voter, with no snapshot waiting to be applied. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasNextOrInProgressSnapshot();
  }

  /** Applies a committed configuration change; returns the new ConfState. */
  applyConfChange(cc: ConfChangeV2): ConfState {
    const changer = new Changer(this.trk, this.raftLog.lastIndex());
    let result: ChangeResult;
    if (isLeaveJoint(cc)) {
      result = changer.leaveJoint();
    } else {
      const joint = enterJoint(cc);
      result = joint !== undefined ? changer.enterJoint(joint.autoLeave, cc.changes) : changer.simple(cc.changes);
    }
    return this.switchToConfig(result);
  }

  /**
   * Switches to a new configuration and reacts: a removed or demoted leader steps down if so
   * configured; a leader commits what the new quorum allows, probes new members, and aborts a
   * transfer to a node that is no longer a voter.
   */
  switchToConfig(result: ChangeResult): ConfState {
    this.trk.config = result.config;
    this.trk.progress = result.progress;
    this.logger.info(`${this.hex()} switched to configuration ${trackerConfigString(this.trk.config)}`);
    const cs = this.trk.confState();
    const pr = this.trk.progress.get(this.id);
    this.isLearner = pr !== undefined && pr.isLearner;

    if ((pr === undefined || this.isLearner) && this.state === 'StateLeader') {
      if (this.stepDownOnRemoval) this.becomeFollower(this.term, None);
      return cs;
    }
    if (this.state !== 'StateLeader' || cs.voters.length === 0) return cs;

    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      // Probe newly added replicas now rather than at the next heartbeat or proposal.
      this.trk.visit((id) => {
        if (id !== this.id) this.maybeSendAppend(id, false);
      });
    }
    if (this.leadTransferee !== None && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }

  loadState(state: HardState): void {
    if (state.commit < this.raftLog.committed || state.commit > this.raftLog.lastIndex()) {
      this.logger.panic(
        `${this.hex()} state.commit ${state.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
      );
    }
    this.raftLog.committed = state.commit;
    this.term = state.term;
    this.vote = state.vote;
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTimeout + this.random.int(this.electionTimeout);
  }

  sendTimeoutNow(to: number): void {
    this.send(makeMessage({ type: 'MsgTimeoutNow', to }));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = None;
  }

  /** Whether this leader has committed an entry of its own term (needed before serving reads). */
  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.zeroTermOnOutOfBounds(this.raftLog.term(this.raftLog.committed)) === this.term;
  }

  /**
   * Answers a read request at `readIndex`: a ReadState for our own requests (returns undefined),
   * or a MsgReadIndexResp to the follower that forwarded it.
   */
  responseToReadIndexReq(req: Message, readIndex: number): Message | undefined {
    if (req.from === None || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries![0]!.data });
      return undefined;
    }
    const m = makeMessage({ type: 'MsgReadIndexResp', to: req.from, index: readIndex });
    m.entries = req.entries ?? [];
    return m;
  }

  /** Accounts proposed entries against the uncommitted budget; an empty tail accepts anything. */
  increaseUncommittedSize(ents: readonly Entry[]): boolean {
    const s = payloadsSize(ents);
    if (this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > this.maxUncommittedSize) return false;
    this.uncommittedSize += s;
    return true;
  }

  reduceUncommittedSize(s: number): void {
    // uncommittedSize may underestimate the tail; saturate at 0.
    this.uncommittedSize = s > this.uncommittedSize ? 0 : this.uncommittedSize - s;
  }

  /** Pending reads can be answered once the leader has committed in its term. */
  releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0) return;
    if (!this.committedEntryInCurrentTerm()) {
      this.logger.error('pending MsgReadIndex should be released only after first commit in current term');
      return;
    }
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendMsgReadIndexResponse(m);
  }

  sendMsgReadIndexResponse(m: Message): void {
    if (this.readOnly.option === 'Safe') {
      this.readOnly.addRequest(this.raftLog.committed, m);
      // The leader acknowledges its own request at once.
      this.readOnly.recvAck(this.id, this.readOnly.heartbeatCtx());
      this.bcastHeartbeat();
    } else {
      const resp = this.responseToReadIndexReq(m, this.raftLog.committed);
      if (resp !== undefined) this.send(resp);
    }
  }

  /** Test hook (etcd's SetRandomizedElectionTimeout): pins the timeout until the next role change. */
  setRandomizedElectionTimeout(timeout: number): void {
    assert(timeout > 0, 'randomized election timeout must be positive');
    this.randomizedElectionTimeout = timeout;
  }
}

function emptySnapshotValue(): Snapshot {
  return {
    data: '',
    metadata: { index: 0, term: 0, confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  };
}

/** Go's %v of a ConfState struct, used in one warning. */
function goConfState(cs: ConfState): string {
  return `{Voters:${goSlice(cs.voters)} Learners:${goSlice(cs.learners)} VotersOutgoing:${goSlice(cs.votersOutgoing)} LearnersNext:${goSlice(cs.learnersNext)} AutoLeave:${cs.autoLeave}}`;
}

/** Wraps a configuration change in a MsgProp (undefined: the empty V2 change, "leave joint"). */
export function confChangeToMsg(cc: ConfChangeV2 | { v1: Entry } | undefined): Message {
  let entry: Entry;
  if (cc === undefined) entry = { term: 0, index: 0, type: 'EntryConfChangeV2', data: '' };
  else if ('v1' in cc) entry = cc.v1;
  else entry = { term: 0, index: 0, type: 'EntryConfChangeV2', data: encodeConfChangeV2(cc) };
  return makeMessage({ type: 'MsgProp', entries: [entry] });
}

function sortedCopy(a: readonly number[]): number[] {
  return [...a].sort((x, y) => x - y);
}

/** Asserts that a restored or switched-to configuration is the one asked for. */
function assertConfStatesEquivalent(a: ConfState, b: ConfState): void {
  const same = (x: readonly number[], y: readonly number[]): boolean => {
    const sx = sortedCopy(x);
    const sy = sortedCopy(y);
    return sx.length === sy.length && sx.every((v, i) => v === sy[i]);
  };
  assert(
    same(a.voters, b.voters) &&
      same(a.learners, b.learners) &&
      same(a.votersOutgoing, b.votersOutgoing) &&
      same(a.learnersNext, b.learnersNext) &&
      a.autoLeave === b.autoLeave,
    () => `ConfStates not equivalent after sorting:\n${describeConfState(a)}\n${describeConfState(b)}`,
  );
}

/** Decodes a proposal's conf change, if any (used by the leader's propose-time checks). */
export { entryConfChange };
