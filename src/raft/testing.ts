// Test support for the Raft core (used only by *.test.ts files; not exported from index.ts).
//
// Two levels, as in etcd-io/raft's own tests:
//   - a bare Raft state machine driven through step()/tick() (etcd's newTestRaft, readMessages,
//     nextEnts), for tests that check one node's reaction to one message;
//   - TestNetwork, an in-memory cluster of RawNodes that handles every Ready the way an application
//     must (persist snapshot, entries and HardState to MemoryStorage, send the messages, apply the
//     committed entries including configuration changes, advance) and delivers messages in FIFO
//     order, with etcd's cut / isolate / ignore / msgHook filters.
//
// Pure: no clock, no timer, no Math.random. Randomness comes from a seeded Prng.

import { Prng } from '../lib/prng';
import { entryConfChange } from './codec';
import type { Config } from './config';
import { LevelLogger, discardLogger } from './logger';
import { ProposalDroppedError, Raft } from './raft';
import { NO_LIMIT, RaftLog } from './raftLog';
import { RawNode } from './rawNode';
import { MemoryStorage } from './storage';
import type { ConfState, Entry, HardState, Message, MessageType, ReadState, StateType } from './types';

/** Entries with consecutive indexes from `first`, one per term given (etcd's index(i).terms(...)). */
export function ents(first: number, ...terms: number[]): Entry[] {
  return terms.map((term, i) => ({ term, index: first + i, type: 'EntryNormal' as const, data: '' }));
}

/** A ConfState with the given voters and learners. */
export function confState(voters: readonly number[], learners: readonly number[] = []): ConfState {
  return { voters: [...voters], learners: [...learners], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/**
 * A MemoryStorage that knows the configuration but holds no entries (etcd's
 * newTestMemoryStorage(withPeers(...))): the log starts at index 1.
 */
export function newTestStorage(voters: readonly number[], learners: readonly number[] = []): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ data: '', metadata: { index: 0, term: 0, confState: confState(voters, learners) } });
  return s;
}

/** A MemoryStorage bootstrapped with a snapshot at (index 1, term 1) holding the configuration. */
export function newBootstrappedStorage(voters: readonly number[], learners: readonly number[] = []): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ data: '', metadata: { index: 1, term: 1, confState: confState(voters, learners) } });
  return s;
}

/** The house test Config: election 10, heartbeat 1, no size limit, 256 inflight, seeded random. */
export function testConfig(id: number, storage: MemoryStorage, overrides: Partial<Config> = {}): Config {
  return {
    id,
    electionTick: 10,
    heartbeatTick: 1,
    storage,
    maxSizePerMsg: NO_LIMIT,
    maxInflightMsgs: 256,
    random: new Prng(`raft-test-${id}`),
    ...overrides,
  };
}

/** A bare Raft state machine over `storage` (or over a fresh storage holding `voters`). */
export function newTestRaft(id: number, storageOrVoters: MemoryStorage | readonly number[], overrides: Partial<Config> = {}): Raft {
  const storage = storageOrVoters instanceof MemoryStorage ? storageOrVoters : newTestStorage(storageOrVoters);
  return new Raft(testConfig(id, storage, overrides));
}

/** A RaftLog over `storage` that logs nothing. */
export function newTestLog(storage: MemoryStorage): RaftLog {
  return new RaftLog(storage, new LevelLogger(discardLogger));
}

/**
 * Steps the messages that wait for persistence and are addressed to the node itself (its own vote,
 * its own append acknowledgement), and moves the others to `msgs` (etcd's
 * advanceMessagesAfterAppend, as if storage were instantly durable).
 */
export function advanceMessagesAfterAppend(r: Raft): void {
  for (;;) {
    const msgs = r.msgsAfterAppend;
    if (msgs.length === 0) return;
    r.msgsAfterAppend = [];
    for (const m of msgs) {
      if (m.to === r.id) r.step(m);
      else r.msgs.push(m);
    }
  }
}

/** Takes every outgoing message of a bare Raft (etcd's readMessages). */
export function readMessages(r: Raft): Message[] {
  advanceMessagesAfterAppend(r);
  const msgs = r.msgs;
  r.msgs = [];
  return msgs;
}

/** The acknowledgement a follower would send for a MsgApp it accepted (etcd's acceptAndReply). */
export function acceptAndReply(m: Message): Message {
  if (m.type !== 'MsgApp') throw new Error(`acceptAndReply: not a MsgApp: ${m.type}`);
  return {
    type: 'MsgAppResp',
    from: m.to,
    to: m.from,
    term: m.term,
    logTerm: 0,
    index: m.index + (m.entries?.length ?? 0),
    commit: 0,
    reject: false,
    rejectHint: 0,
  };
}

/**
 * Persists the unstable entries of a bare Raft to `storage`, steps the self-addressed responses,
 * and returns the committed entries, marking them applied (etcd's nextEnts).
 */
export function persistAndApply(r: Raft, storage: MemoryStorage): Entry[] {
  storage.append(r.raftLog.nextUnstableEnts());
  const last = r.raftLog.lastEntryID();
  r.raftLog.stableTo(last.index, last.term);
  advanceMessagesAfterAppend(r);
  const committed = r.raftLog.nextCommittedEnts(true);
  r.raftLog.appliedTo(r.raftLog.committed, 0);
  return committed;
}

/** Delivers messages among bare Rafts in FIFO order until none is left; others are dropped. */
export function sendAmongRafts(peers: ReadonlyMap<number, Raft>, msgs: Message[], keep: (m: Message) => boolean = () => true): void {
  const queue = [...msgs];
  let budget = 100_000;
  while (queue.length > 0) {
    if (--budget === 0) throw new Error('sendAmongRafts: messages do not settle');
    const m = queue.shift()!;
    const r = peers.get(m.to);
    if (r === undefined) continue;
    r.step(m);
    for (const out of readMessages(r)) if (keep(out)) queue.push(out);
  }
}

/** One member of a TestNetwork. */
export class TestNode {
  /** Committed entries this node applied, in order. */
  readonly applied: Entry[] = [];
  /** ReadStates this node received through its Readys, in order. */
  readonly readStates: ReadState[] = [];
  /** Every HardState this node persisted, in order. */
  readonly hardStates: HardState[] = [];
  /** The index of the last entry (or snapshot) applied. */
  appliedIndex: number;

  constructor(
    readonly id: number,
    public rawNode: RawNode,
    readonly storage: MemoryStorage,
    readonly config: Config,
  ) {
    this.appliedIndex = config.applied ?? 0;
  }

  get raft(): Raft {
    return this.rawNode.raft;
  }

  get state(): StateType {
    return this.rawNode.raft.state;
  }

  get term(): number {
    return this.rawNode.raft.term;
  }

  /** The whole log as this node holds it (stable and unstable), from the first index. */
  log(): Entry[] {
    return this.rawNode.raft.raftLog.allEntries();
  }
}

export interface TestNetworkOptions {
  /** Node IDs that join as learners (their storages know them as learners). */
  learners?: readonly number[];
  /** Seed of the nodes' randomized election timeouts. */
  seed?: number;
}

/**
 * An in-memory cluster of RawNodes bootstrapped from a snapshot at (index 1, term 1). Delivery is
 * FIFO and synchronous: after each delivered message the receiver's Readys are handled at once and
 * its outgoing messages join the queue (like etcd's network.send).
 */
export class TestNetwork {
  readonly nodes = new Map<number, TestNode>();
  /** Messages sent and not yet delivered, oldest first. */
  readonly pending: Message[] = [];
  /** Every message delivered, in order. */
  readonly delivered: Message[] = [];
  /** Every message that a filter dropped, in order. */
  readonly dropped: Message[] = [];
  /** Extra filter on sent messages: return false to drop one. */
  msgHook: ((m: Message) => boolean) | undefined = undefined;
  private readonly cutLinks = new Set<string>();
  private readonly ignored = new Set<MessageType>();

  /** Adds a node over `storage` (bootstrapped by the caller) with the house Config plus overrides. */
  addNode(id: number, storage: MemoryStorage, overrides: Partial<Config> = {}, seed = 0): TestNode {
    const cfg = testConfig(id, storage, { random: new Prng(`net-${seed}-${id}`), ...overrides });
    const node = new TestNode(id, new RawNode(cfg), storage, cfg);
    this.nodes.set(id, node);
    return node;
  }

  /**
   * Crashes node `id` and starts it again from its storage alone: a new RawNode over the same
   * MemoryStorage, with `applied` set to what the application had applied. Unsent Readys are lost.
   */
  restart(id: number): TestNode {
    const node = this.node(id);
    node.rawNode = new RawNode({ ...node.config, applied: node.appliedIndex });
    return node;
  }

  node(id: number): TestNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  raft(id: number): Raft {
    return this.node(id).raft;
  }

  ids(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** IDs of the nodes that currently believe they lead. */
  leaders(): number[] {
    return this.ids().filter((id) => this.raft(id).state === 'StateLeader');
  }

  /** Cuts the link between two nodes in both directions. */
  cut(a: number, b: number): void {
    this.cutLinks.add(`${a}>${b}`);
    this.cutLinks.add(`${b}>${a}`);
  }

  /** Cuts every link of `id`. */
  isolate(id: number): void {
    for (const other of this.ids()) if (other !== id) this.cut(id, other);
  }

  /** Drops every message of this type from now on. */
  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Restores every link, stops ignoring message types and removes the hook. */
  recover(): void {
    this.cutLinks.clear();
    this.ignored.clear();
    this.msgHook = undefined;
  }

  /** Whether a message sent now would be dropped by the filters. */
  isFiltered(m: Message): boolean {
    if (this.cutLinks.has(`${m.from}>${m.to}`)) return true;
    if (this.ignored.has(m.type)) return true;
    if (this.msgHook !== undefined && !this.msgHook(m)) return true;
    return false;
  }

  /**
   * Handles every Ready of one node as an application must: persist, then send, then apply, then
   * advance. Returns whether there was anything to do.
   */
  handleReady(id: number): boolean {
    const node = this.node(id);
    const rn = node.rawNode;
    let any = false;
    let budget = 10_000;
    while (rn.hasReady()) {
      if (--budget === 0) throw new Error(`node ${id}: Readys do not settle`);
      any = true;
      const rd = rn.ready();
      if (rd.snapshot !== undefined) {
        node.storage.applySnapshot(rd.snapshot);
        node.appliedIndex = rd.snapshot.metadata.index;
      }
      node.storage.append(rd.entries);
      if (rd.hardState !== undefined) {
        node.storage.setHardState(rd.hardState);
        node.hardStates.push({ ...rd.hardState });
      }
      for (const m of rd.messages) this.enqueue(m);
      for (const e of rd.committedEntries) {
        node.applied.push(e);
        node.appliedIndex = e.index;
        const cc = entryConfChange(e);
        if (cc !== undefined) rn.applyConfChange(cc);
      }
      for (const rs of rd.readStates) node.readStates.push(rs);
      rn.advance();
    }
    return any;
  }

  /** Queues a sent message unless a filter drops it. */
  enqueue(m: Message): void {
    if (this.isFiltered(m)) this.dropped.push(m);
    else this.pending.push(m);
  }

  /** Handles the Readys of every node, in ID order, until none has one. */
  flush(): void {
    let budget = 10_000;
    for (;;) {
      if (--budget === 0) throw new Error('flush: Readys do not settle');
      let any = false;
      for (const id of this.ids()) if (this.handleReady(id)) any = true;
      if (!any) return;
    }
  }

  /**
   * Delivers one message (already taken off `pending`) and handles the receiver's Readys. A
   * message to an unknown node vanishes. Returns the error the receiver's step returned, if any.
   */
  deliver(m: Message): Error | undefined {
    const node = this.nodes.get(m.to);
    if (node === undefined) return undefined;
    this.delivered.push(m);
    const err = node.rawNode.stepResult(m);
    this.handleReady(m.to);
    return err;
  }

  /** Handles Readys and delivers pending messages (FIFO) until the cluster is quiet. */
  stabilize(): void {
    let budget = 1_000_000;
    this.flush();
    while (this.pending.length > 0) {
      if (--budget === 0) throw new Error('stabilize: messages do not settle');
      this.deliver(this.pending.shift()!);
      if (this.pending.length === 0) this.flush();
    }
  }

  /** Injects messages (unfiltered, like etcd's network.send) and stabilizes. */
  send(...msgs: Message[]): void {
    for (const m of msgs) this.pending.push(m);
    this.stabilize();
  }

  /** Node `id` campaigns; the cluster stabilizes. */
  campaign(id: number): void {
    this.node(id).rawNode.campaign();
    this.stabilize();
  }

  /** Proposes `data` at node `id` and stabilizes. Returns the drop error instead of throwing it. */
  propose(id: number, data: string): ProposalDroppedError | undefined {
    try {
      this.node(id).rawNode.propose(data);
    } catch (err) {
      if (err instanceof ProposalDroppedError) return err;
      throw err;
    }
    this.stabilize();
    return undefined;
  }

  /** Requests a read index at node `id` and stabilizes. */
  readIndex(id: number, ctx: string): void {
    this.node(id).rawNode.readIndex(ctx);
    this.stabilize();
  }

  /** Asks node `id` to transfer leadership to `to` and stabilizes. */
  transferLeader(id: number, to: number): void {
    this.node(id).rawNode.transferLeader(to);
    this.stabilize();
  }

  /** Ticks node `id` `n` times, stabilizing after each tick. */
  tick(id: number, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.node(id).rawNode.tick();
      this.stabilize();
    }
  }

  /** Ticks every node once (in ID order) `n` times, stabilizing after each round. */
  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const id of this.ids()) this.node(id).rawNode.tick();
      this.stabilize();
    }
  }

  /** Forgets the record of delivered and dropped messages. */
  clearTrace(): void {
    this.delivered.length = 0;
    this.dropped.length = 0;
  }
}

/**
 * A cluster of RawNodes over storages bootstrapped at (index 1, term 1) with `ids` as voters (and
 * options.learners as learners), each with the house Config plus `configOverrides` (an object, or
 * a function of the node ID). Nodes start as followers at term 0 with applied = 1.
 */
export function newTestNetwork(
  ids: readonly number[],
  configOverrides: Partial<Config> | ((id: number) => Partial<Config>) = {},
  options: TestNetworkOptions = {},
): TestNetwork {
  const learners = options.learners ?? [];
  const net = new TestNetwork();
  for (const id of [...ids, ...learners]) {
    const storage = newBootstrappedStorage(ids, learners);
    const overrides = typeof configOverrides === 'function' ? configOverrides(id) : configOverrides;
    net.addNode(id, storage, { applied: 1, ...overrides }, options.seed ?? 0);
  }
  return net;
}

/** Sorts messages by recipient, then type, then sender (etcd's messageSlice order). */
export function sortMessages(msgs: readonly Message[]): Message[] {
  return [...msgs].sort((a, b) => a.to - b.to || a.type.localeCompare(b.type) || a.from - b.from);
}
