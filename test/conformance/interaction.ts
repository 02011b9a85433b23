// The interaction environment: an interpreter of etcd-io/raft's scenario language (rafttest's
// InteractionEnv) driving real RawNodes over MemoryStorage, and printing what etcd's harness
// prints. Commands: add-nodes, campaign, compact, deliver-msgs, process-ready,
// process-append-thread, process-apply-thread, log-level, raft-log, raft-state,
// set-randomized-election-timeout, stabilize, status, tick-election, tick-heartbeat,
// transfer-leadership, forget-leader, send-snapshot, propose, propose-conf-change,
// report-unreachable, _breakpoint.
//
// The environment mirrors etcd's harness (read for facts, written anew): one in-flight message
// list in queue order, an "appender" state machine whose history of snapshots is what a node sends
// when asked for a snapshot, and persist-then-apply-then-advance for every Ready.

import { Prng } from '../../src/lib/prng';
import {
  MemoryStorage,
  NO_LIMIT,
  RawNode,
  confChangesFromString,
  decodeConfChange,
  decodeConfChangeV2,
  describeEntries,
  describeMessage,
  describeReady,
  emptySnapshot,
  isEmptyHardState,
  isEmptySnap,
  isLocalMsgTarget,
  MESSAGE_TYPES,
  type Config,
  type ConfChange,
  type ConfChangeTransition,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type LogLevel,
  type Logger,
  type Message,
  type MessageType,
  type Snapshot,
} from '../../src/raft/index';
import { progressMapString, Progress } from '../../src/raft/tracker/progress';
import { Inflights } from '../../src/raft/tracker/inflights';
import { parseBool, parseUint, positional, type CmdArg, type TestCase } from './datadriven';

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'NONE'] as const;

/** Collects output; log lines below the level are dropped; NONE silences everything. */
class Output implements Logger {
  buf = '';
  level = 0;

  quiet(): boolean {
    return this.level === LEVELS.length - 1;
  }
  write(s: string): void {
    if (!this.quiet()) this.buf += s;
  }
  log(level: LogLevel, message: string): void {
    const lvl = LEVELS.indexOf(level);
    if (this.level <= lvl) this.write(`${level} ${message}\n`);
  }
  enabled(level: LogLevel): boolean {
    return this.level <= LEVELS.indexOf(level);
  }
}

/** MemoryStorage whose snapshot() returns the appender state machine's latest snapshot. */
class EnvStorage extends MemoryStorage {
  constructor(private readonly latest: () => Snapshot) {
    super();
  }
  override snapshot(): Snapshot {
    return this.latest();
  }
}

interface EnvNode {
  id: number;
  rawNode: RawNode;
  storage: EnvStorage;
  config: Config & { asyncStorageWrites: boolean };
  appendWork: Message[];
  applyWork: Message[];
  /** Snapshots of the appender state machine after each applied entry (data = concatenation). */
  history: Snapshot[];
}

/** Fails a command the way a Go test's t.Fatal would: the runner reports it. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

export class InteractionEnv {
  readonly nodes: EnvNode[] = [];
  messages: Message[] = [];
  readonly output = new Output();

  /** Runs one command and returns its output as etcd's harness would. */
  handle(tc: TestCase): string {
    this.output.buf = '';
    let err: Error | undefined;
    try {
      err = this.dispatch(tc);
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw e;
    }
    if (err !== undefined) {
      if (this.output.quiet()) return err.message;
      this.output.write(err.message);
    }
    if (this.output.buf.length === 0) return 'ok';
    return this.output.buf;
  }

  private dispatch(tc: TestCase): Error | undefined {
    const a = tc.args;
    switch (tc.cmd) {
      case '_breakpoint':
        return undefined;
      case 'add-nodes':
        return this.addNodes(a);
      case 'campaign':
        return this.guard(() => this.node(firstIdx(a)).rawNode.campaign());
      case 'compact': {
        const idx = firstIdx(a);
        const newFirst = parseUint(a[1]!.key);
        return this.guard(() => {
          this.node(idx).storage.compact(newFirst);
          this.raftLog(idx);
        });
      }
      case 'deliver-msgs':
        return this.handleDeliverMsgs(a);
      case 'process-ready':
        return this.forEachIdx(a, 'handling Ready', (idx) => this.processReady(idx));
      case 'process-append-thread':
        return this.forEachIdx(a, 'processing append thread', (idx) => this.processAppendThread(idx));
      case 'process-apply-thread':
        return this.forEachIdx(a, 'processing apply thread', (idx) => this.processApplyThread(idx));
      case 'log-level':
        return this.logLevel(a[0]!.key);
      case 'raft-log':
        return this.raftLog(firstIdx(a));
      case 'raft-state':
        return this.raftState();
      case 'set-randomized-election-timeout': {
        const timeout = Number(scanArg(a, 'timeout'));
        if (!(timeout > 0)) throw new HarnessError('timeout must be non-zero');
        this.node(firstIdx(a)).rawNode.setRandomizedElectionTimeout(timeout);
        return undefined;
      }
      case 'stabilize':
        return this.handleStabilize(a);
      case 'status':
        return this.status(firstIdx(a));
      case 'tick-election': {
        const n = this.node(firstIdx(a));
        for (let i = 0; i < n.config.electionTick; i++) n.rawNode.tick();
        return undefined;
      }
      case 'tick-heartbeat': {
        const n = this.node(firstIdx(a));
        for (let i = 0; i < n.config.heartbeatTick; i++) n.rawNode.tick();
        return undefined;
      }
      case 'transfer-leadership': {
        const from = Number(scanArg(a, 'from'));
        const to = Number(scanArg(a, 'to'));
        if (!(from > 0 && from <= this.nodes.length)) throw new HarnessError('expected valid "from" argument');
        if (!(to > 0 && to <= this.nodes.length)) throw new HarnessError('expected valid "to" argument');
        this.node(from - 1).rawNode.transferLeader(to);
        return undefined;
      }
      case 'forget-leader':
        return this.guard(() => this.node(firstIdx(a)).rawNode.forgetLeader());
      case 'send-snapshot': {
        const idxs = positional(a).map((s) => parseUint(s) - 1);
        if (idxs.length !== 2) throw new HarnessError('send-snapshot needs two node IDs');
        return this.sendSnapshot(idxs[0]!, idxs[1]!);
      }
      case 'propose':
        return this.guard(() => this.node(firstIdx(a)).rawNode.propose(utf8ToBytes(a[1]!.key)));
      case 'propose-conf-change':
        return this.proposeConfChange(a, tc.input);
      case 'report-unreachable': {
        const idxs = positional(a).map((s) => parseUint(s) - 1);
        this.node(idxs[0]!).rawNode.reportUnreachable(this.node(idxs[1]!).id);
        return undefined;
      }
      default:
        return new Error('unknown command');
    }
  }

  private node(idx: number): EnvNode {
    const n = this.nodes[idx];
    if (n === undefined) throw new HarnessError(`no node ${idx + 1}`);
    return n;
  }

  /** Runs an action and returns the error it threw (as Go returns errors), except for bugs. */
  private guard(f: () => void): Error | undefined {
    try {
      f();
      return undefined;
    } catch (e) {
      if (e instanceof Error && (e.name === 'AssertionError' || e.name === 'RaftPanic' || e instanceof HarnessError)) throw e;
      if (e instanceof Error) return e;
      throw e;
    }
  }

  private withIndent(f: () => Error | undefined): Error | undefined {
    const saved = this.output.buf;
    this.output.buf = '';
    let err: Error | undefined;
    try {
      err = f();
    } finally {
      const inner = this.output.buf;
      this.output.buf = saved;
      // Go's bufio.Scanner drops a final newline and splits lines; each gets two spaces.
      const lines = inner.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (const l of lines) this.output.write('  ' + l + '\n');
    }
    return err;
  }

  private forEachIdx(a: CmdArg[], what: string, f: (idx: number) => Error | undefined): Error | undefined {
    const idxs = positional(a).map((s) => parseUint(s) - 1);
    for (const idx of idxs) {
      let err: Error | undefined;
      if (idxs.length > 1) {
        this.output.write(`> ${idx + 1} ${what}\n`);
        err = this.withIndent(() => f(idx));
      } else {
        err = f(idx);
      }
      if (err !== undefined) return err;
    }
    return undefined;
  }

  private addNodes(a: CmdArg[]): Error | undefined {
    const n = parseUint(a[0]!.key);
    const snap = emptySnapshot();
    const cfg: Config & { asyncStorageWrites: boolean } = {
      id: 0,
      electionTick: 3,
      heartbeatTick: 1,
      storage: undefined as unknown as MemoryStorage,
      maxSizePerMsg: NO_LIMIT,
      maxInflightMsgs: 2 ** 31 - 1,
      asyncStorageWrites: false,
    };
    let bootstrapRequested = false;
    for (const arg of a.slice(1)) {
      for (const v of arg.vals) {
        switch (arg.key) {
          case 'voters':
            snap.metadata.confState.voters.push(parseUint(v));
            bootstrapRequested = true;
            break;
          case 'learners':
            snap.metadata.confState.learners.push(parseUint(v));
            bootstrapRequested = true;
            break;
          case 'inflight':
            cfg.maxInflightMsgs = parseUint(v);
            break;
          case 'index':
            snap.metadata.index = parseUint(v);
            cfg.applied = snap.metadata.index;
            bootstrapRequested = true;
            break;
          case 'content':
            snap.data = utf8ToBytes(v);
            bootstrapRequested = true;
            break;
          case 'async-storage-writes':
            cfg.asyncStorageWrites = parseBool(v);
            break;
          case 'prevote':
            cfg.preVote = parseBool(v);
            break;
          case 'checkquorum':
            cfg.checkQuorum = parseBool(v);
            break;
          case 'max-committed-size-per-ready':
            cfg.maxCommittedSizePerReady = parseUint(v);
            break;
          case 'disable-conf-change-validation':
            cfg.disableConfChangeValidation = parseBool(v);
            break;
          case 'read-only':
            if (v === 'safe') cfg.readOnlyOption = 'Safe';
            else if (v === 'lease-based') cfg.readOnlyOption = 'LeaseBased';
            else return new Error(`invalid read-only option "${v}"`);
            break;
          case 'step-down-on-removal':
            cfg.stepDownOnRemoval = parseBool(v);
            break;
        }
      }
    }
    const bootstrap = bootstrapRequested && !snapshotIsZero(snap);
    for (let i = 0; i < n; i++) {
      const id = this.nodes.length + 1;
      const storage = new EnvStorage(() => {
        const h = this.nodes[id - 1]!.history;
        return h[h.length - 1]!;
      });
      if (bootstrap) {
        if (snap.metadata.index <= 1) return new Error('index must be specified as > 1 due to bootstrap');
        snap.metadata.term = 1;
        storage.applySnapshot(snap);
        const fi = storage.firstIndex();
        if (fi !== snap.metadata.index + 1) {
          return new Error(`failed to establish first index ${snap.metadata.index + 1}; got ${fi}`);
        }
      }
      const nodeCfg = {
        ...cfg,
        id,
        storage,
        logger: this.output,
        // etcd draws election jitter from crypto/rand; transcripts never depend on it. A fixed
        // seed per node keeps runs reproducible.
        random: new Prng(`conformance-${id}`),
      };
      const rawNode = new RawNode(nodeCfg);
      this.nodes.push({
        id,
        rawNode,
        storage,
        config: nodeCfg,
        appendWork: [],
        applyWork: [],
        history: [cloneSnap(snap)],
      });
    }
    return undefined;
  }

  private processReady(idx: number): Error | undefined {
    const n = this.node(idx);
    const rd = n.rawNode.ready();
    this.output.write(describeReady(rd));
    if (!n.config.asyncStorageWrites) {
      const err = processAppend(n, rd.hardState, rd.entries, rd.snapshot);
      if (err !== undefined) return err;
      processApply(n, rd.committedEntries);
    }
    for (const m of rd.messages) {
      if (isLocalMsgTarget(m.to)) {
        if (!n.config.asyncStorageWrites) throw new HarnessError('unexpected local msg target');
        if (m.type === 'MsgStorageAppend') n.appendWork.push(m);
        else if (m.type === 'MsgStorageApply') n.applyWork.push(m);
        else throw new HarnessError(`unexpected message type ${m.type}`);
      } else {
        this.messages.push(m);
      }
    }
    if (!n.config.asyncStorageWrites) n.rawNode.advance();
    return undefined;
  }

  private processAppendThread(idx: number): Error | undefined {
    const n = this.node(idx);
    const m = n.appendWork.shift();
    if (m === undefined) {
      this.output.write('no append work to perform');
      return undefined;
    }
    const resps = m.responses ?? [];
    const shown: Message = { ...m, responses: [] };
    this.output.write('Processing:\n' + describeMessage(shown) + '\n');
    const st: HardState = { term: m.term, vote: m.vote ?? 0, commit: m.commit };
    const err = processAppend(n, st, m.entries ?? [], m.snapshot ?? emptySnapshot());
    if (err !== undefined) return err;
    this.output.write('Responses:\n');
    for (const r of resps) this.output.write(describeMessage(r) + '\n');
    this.messages.push(...resps);
    return undefined;
  }

  private processApplyThread(idx: number): Error | undefined {
    const n = this.node(idx);
    const m = n.applyWork.shift();
    if (m === undefined) {
      this.output.write('no apply work to perform');
      return undefined;
    }
    const resps = m.responses ?? [];
    const shown: Message = { ...m, responses: [] };
    this.output.write('Processing:\n' + describeMessage(shown) + '\n');
    processApply(n, m.entries ?? []);
    this.output.write('Responses:\n');
    for (const r of resps) this.output.write(describeMessage(r) + '\n');
    this.messages.push(...resps);
    return undefined;
  }

  private handleDeliverMsgs(a: CmdArg[]): Error | undefined {
    let typ: MessageType | undefined;
    const rs: Array<{ id: number; drop: boolean }> = [];
    for (const arg of a) {
      if (arg.vals.length === 0) rs.push({ id: parseUint(arg.key), drop: false });
      for (const v of arg.vals) {
        if (arg.key === 'drop') {
          const id = parseUint(v);
          if (rs.some((r) => r.id === id)) throw new HarnessError(`can't both deliver and drop msgs to ${id}`);
          rs.push({ id, drop: true });
        } else if (arg.key === 'type') {
          if (!(MESSAGE_TYPES as readonly string[]).includes(v)) throw new HarnessError(`unknown message type ${v}`);
          typ = v as MessageType;
        }
      }
    }
    if (this.deliverMsgs(typ, rs) === 0) this.output.write('no messages\n');
    return undefined;
  }

  /** Delivers (or drops) in-flight messages for each recipient, in queue order. */
  deliverMsgs(typ: MessageType | undefined, rs: Array<{ id: number; drop: boolean }>): number {
    let n = 0;
    for (const r of rs) {
      const { to, rest } = splitMsgs(this.messages, r.id, typ, r.drop);
      this.messages = rest;
      n += to.length;
      for (const m of to) {
        if (r.drop) this.output.write('dropped: ');
        this.output.write(describeMessage(m) + '\n');
        if (r.drop) continue;
        const err = this.node(m.to - 1).rawNode.stepResult(m);
        if (err !== undefined) this.output.write(err.message + '\n');
      }
    }
    return n;
  }

  private handleStabilize(a: CmdArg[]): Error | undefined {
    const idxs = positional(a).map((s) => parseUint(s) - 1);
    const saved = this.output.level;
    for (const arg of a) {
      if (arg.key === 'log-level') {
        for (const v of arg.vals) {
          const err = this.logLevel(v);
          if (err !== undefined) return err;
        }
      }
    }
    try {
      return this.stabilize(idxs);
    } finally {
      this.output.level = saved;
    }
  }

  /**
   * Repeats until nothing changes: every node with a Ready handles it; every node with messages
   * receives them; then the append and apply threads do their work. Nodes in ID order.
   */
  stabilize(idxs: number[]): Error | undefined {
    const nodes = idxs.length > 0 ? idxs.map((i) => this.node(i)) : [...this.nodes];
    for (let round = 0; ; round++) {
      if (round > 100_000) throw new HarnessError('stabilize did not converge');
      let done = true;
      for (const n of nodes) {
        if (n.rawNode.hasReady()) {
          this.output.write(`> ${n.id} handling Ready\n`);
          const err = this.withIndent(() => this.processReady(n.id - 1));
          if (err !== undefined) return err;
          done = false;
        }
      }
      for (const n of nodes) {
        if (splitMsgs(this.messages, n.id, undefined, false).to.length > 0) {
          this.output.write(`> ${n.id} receiving messages\n`);
          this.withIndent(() => {
            this.deliverMsgs(undefined, [{ id: n.id, drop: false }]);
            return undefined;
          });
          done = false;
        }
      }
      for (const n of nodes) {
        if (n.appendWork.length > 0) {
          this.output.write(`> ${n.id} processing append thread\n`);
          while (n.appendWork.length > 0) {
            const err = this.withIndent(() => this.processAppendThread(n.id - 1));
            if (err !== undefined) return err;
          }
          done = false;
        }
      }
      for (const n of nodes) {
        if (n.applyWork.length > 0) {
          this.output.write(`> ${n.id} processing apply thread\n`);
          while (n.applyWork.length > 0) this.withIndent(() => this.processApplyThread(n.id - 1));
          done = false;
        }
      }
      if (done) return undefined;
    }
  }

  private logLevel(name: string): Error | undefined {
    const i = LEVELS.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (i < 0) return new Error(`log levels must be either of [${LEVELS.join(' ')}]`);
    this.output.level = i;
    return undefined;
  }

  private raftLog(idx: number): Error | undefined {
    const s = this.node(idx).storage;
    const fi = s.firstIndex();
    const li = s.lastIndex();
    if (li < fi) {
      this.output.write(`log is empty: first index=${fi}, last index=${li}`);
      return undefined;
    }
    this.output.write(describeEntries(s.entries(fi, li + 1, NO_LIMIT)));
    return undefined;
  }

  private raftState(): Error | undefined {
    for (const n of this.nodes) {
      const st = n.rawNode.status();
      const isVoter = st.config.voters.incoming.has(st.id) || st.config.voters.outgoing.has(st.id);
      this.output.write(
        `${st.id}: ${st.softState.raftState} ${isVoter ? '(Voter)' : '(Non-Voter)'} Term:${st.hardState.term} Lead:${st.softState.lead}\n`,
      );
    }
    return undefined;
  }

  private status(idx: number): Error | undefined {
    const st = this.node(idx).rawNode.status();
    const m = new Map<number, Progress>();
    for (const [id, ps] of st.progress ?? []) {
      const pr = new Progress(new Inflights(Math.max(1, ps.inflightCount), 0));
      pr.match = ps.match;
      pr.next = ps.next;
      pr.state = ps.state;
      pr.pendingSnapshot = ps.pendingSnapshot;
      pr.recentActive = ps.recentActive;
      pr.msgAppFlowPaused = ps.msgAppFlowPaused;
      pr.isLearner = ps.isLearner;
      m.set(id, pr);
      // Print exactly what the node's own Progress prints (inflight counts included).
      pr.toString = () => ps.text;
    }
    this.output.write(progressMapString(m));
    return undefined;
  }

  private sendSnapshot(fromIdx: number, toIdx: number): Error | undefined {
    const from = this.node(fromIdx);
    const snap = from.storage.snapshot();
    const m: Message = {
      type: 'MsgSnap',
      term: from.rawNode.basicStatus().hardState.term,
      from: fromIdx + 1,
      to: toIdx + 1,
      snapshot: snap,
      logTerm: 0,
      index: 0,
      commit: 0,
      reject: false,
      rejectHint: 0,
    };
    this.messages.push(m);
    this.output.write(describeMessage(m));
    return undefined;
  }

  private proposeConfChange(a: CmdArg[], input: string): Error | undefined {
    const idx = firstIdx(a);
    let v1 = false;
    let transition: ConfChangeTransition = 'ConfChangeTransitionAuto';
    for (const arg of a.slice(1)) {
      for (const v of arg.vals) {
        switch (arg.key) {
          case 'v1':
            v1 = parseBool(v);
            break;
          case 'transition':
            if (v === 'auto') transition = 'ConfChangeTransitionAuto';
            else if (v === 'implicit') transition = 'ConfChangeTransitionJointImplicit';
            else if (v === 'explicit') transition = 'ConfChangeTransitionJointExplicit';
            else return new Error(`unknown transition ${v}`);
            break;
          default:
            return new Error(`unknown command ${arg.key}`);
        }
      }
    }
    let ccs;
    try {
      ccs = confChangesFromString(input);
    } catch (e) {
      return e as Error;
    }
    let cc: ConfChange | ConfChangeV2;
    if (v1) {
      if (ccs.length > 1 || transition !== 'ConfChangeTransitionAuto') {
        return new Error('v1 conf change can only have one operation and no transition');
      }
      cc = { type: ccs[0]!.type, nodeId: ccs[0]!.nodeId };
    } else {
      cc = { transition, changes: ccs };
    }
    return this.guard(() => this.node(idx).rawNode.proposeConfChange(cc));
  }
}

function firstIdx(a: CmdArg[]): number {
  return parseUint(a[0]!.key) - 1;
}

function scanArg(a: CmdArg[], key: string): string {
  const arg = a.find((x) => x.key === key);
  if (arg === undefined || arg.vals.length === 0) throw new HarnessError(`missing argument: ${key}`);
  return arg.vals[0]!;
}

/** Messages a node sends itself or its storage threads are never dropped. */
function isLocalMessage(m: Message): boolean {
  return m.from === m.to || isLocalMsgTarget(m.from) || isLocalMsgTarget(m.to);
}

function splitMsgs(
  msgs: Message[],
  to: number,
  typ: MessageType | undefined,
  drop: boolean,
): { to: Message[]; rest: Message[] } {
  const out: Message[] = [];
  const rest: Message[] = [];
  for (const m of msgs) {
    if (m.to === to && !(drop && isLocalMessage(m)) && (typ === undefined || m.type === typ)) out.push(m);
    else rest.push(m);
  }
  return { to: out, rest };
}

function processAppend(n: EnvNode, st: HardState | undefined, ents: Entry[], snap: Snapshot | undefined): Error | undefined {
  if (!isEmptyHardState(st)) n.storage.setHardState(st!);
  if (!isEmptySnap(snap)) {
    if (ents.length > 0) return new Error("can't apply snapshot and entries at the same time");
    n.storage.applySnapshot(snap!);
    return undefined;
  }
  n.storage.append(ents);
  return undefined;
}

/**
 * The appender state machine: each applied entry appends its payload to the previous snapshot's
 * data and records a new snapshot at that index; conf changes are applied to the RawNode.
 */
function processApply(n: EnvNode, ents: Entry[]): void {
  for (const ent of ents) {
    let update = '';
    let cs: ConfState | undefined;
    if (ent.type === 'EntryConfChange') {
      const cc = decodeConfChange(ent.data);
      update = cc.context ?? '';
      cs = n.rawNode.applyConfChange(cc);
    } else if (ent.type === 'EntryConfChangeV2') {
      const cc = decodeConfChangeV2(ent.data);
      cs = n.rawNode.applyConfChange(cc);
      update = cc.context ?? '';
    } else {
      update = ent.data;
    }
    const last = n.history[n.history.length - 1]!;
    const snap: Snapshot = {
      data: last.data + update,
      metadata: { index: ent.index, term: ent.term, confState: cs ?? last.metadata.confState },
    };
    n.history.push(snap);
  }
}

function snapshotIsZero(s: Snapshot): boolean {
  const cs = s.metadata.confState;
  return (
    s.data === '' &&
    s.metadata.index === 0 &&
    s.metadata.term === 0 &&
    cs.voters.length === 0 &&
    cs.learners.length === 0 &&
    cs.votersOutgoing.length === 0 &&
    cs.learnersNext.length === 0 &&
    !cs.autoLeave
  );
}

function cloneSnap(s: Snapshot): Snapshot {
  return structuredClone(s);
}

/** Encodes text as a UTF-8 byte string. */
export function utf8ToBytes(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}
