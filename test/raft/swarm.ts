// A seeded randomized simulation of 5 RawNodes on an in-memory network with message loss,
// reordering, partitions, crashes and restarts from MemoryStorage, snapshots and log compaction.
// After every step it checks the Raft paper's safety properties (§5.2–5.4):
//   Election Safety       at most one leader per term;
//   Leader Append-Only    a leader never overwrites or deletes entries in its log during its term;
//   Log Matching          two logs with the same (index, term) agree on every entry up to it;
//   Leader Completeness   a committed entry is in the log of every leader of a later term;
//   State Machine Safety  no two nodes apply different entries at the same index.
// A run is fully determined by its seed; failures carry the seed and the last events.

import { Prng } from '../../src/lib/prng';
import {
  MemoryStorage,
  NO_LIMIT,
  RawNode,
  describeMessage,
  isEmptySnap,
  type ConfState,
  type Entry,
  type Message,
  type Snapshot,
} from '../../src/raft/index';

export interface SwarmOptions {
  seed: number;
  steps: number;
  nodes?: number;
  /** Run a final healed phase and require convergence. */
  liveness?: boolean;
  /**
   * Breaks the protocol on purpose, to show the checkers catch it: voters grant votes without
   * the up-to-date check of Raft §5.4.1.
   */
  sabotage?: 'skip-up-to-date-check';
}

export interface SwarmResult {
  seed: number;
  steps: number;
  leadersElected: number;
  maxTerm: number;
  committed: number;
  crashes: number;
  partitions: number;
  dropped: number;
  delivered: number;
  snapshotsSent: number;
}

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

interface SimNode {
  id: number;
  storage: MemoryStorage;
  rn: RawNode | undefined;
  /** The durable state machine: applied entries' payloads by index (compacted prefix in snap). */
  applied: number;
  appliedData: Map<number, string>;
}

interface InFlight {
  m: Message;
  deliverAt: number;
}

const ELECTION_TICK = 10;

export function runSwarm(opts: SwarmOptions): SwarmResult {
  const prng = new Prng(opts.seed);
  const n = opts.nodes ?? 5;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const trace: string[] = [];
  const log = (s: string): void => {
    trace.push(s);
    if (trace.length > 60) trace.shift();
  };
  const fail = (msg: string): never => {
    throw new SafetyViolation(`${msg}\nseed=${opts.seed} (rerun: SWARM_SEED=${opts.seed} npx vitest run test/raft)\nlast events:\n  ${trace.join('\n  ')}`);
  };

  const confState: ConfState = { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  const nodes: SimNode[] = ids.map((id) => {
    const storage = new MemoryStorage();
    storage.applySnapshot({ data: '', metadata: { index: 1, term: 1, confState } });
    return { id, storage, rn: undefined, applied: 1, appliedData: new Map() };
  });
  const start = (node: SimNode): void => {
    node.rn = new RawNode({
      id: node.id,
      electionTick: ELECTION_TICK,
      heartbeatTick: 1,
      storage: node.storage,
      applied: node.applied,
      maxSizePerMsg: 4096,
      maxInflightMsgs: 8,
      checkQuorum: prng.chance(1, 2),
      preVote: prng.chance(1, 2),
      random: prng.fork(`node-${node.id}-${opts.seed}`),
    });
    if (opts.sabotage === 'skip-up-to-date-check') node.rn.raft.raftLog.isUpToDate = () => true;
  };
  nodes.forEach(start);

  let network: InFlight[] = [];
  // A partition assigns each node a group; messages cross only within a group.
  let group = new Map<number, number>(ids.map((id) => [id, 0]));
  let dropPerMille = prng.int(150);
  let now = 0;
  const result: SwarmResult = {
    seed: opts.seed,
    steps: opts.steps,
    leadersElected: 0,
    maxTerm: 0,
    committed: 0,
    crashes: 0,
    partitions: 0,
    dropped: 0,
    delivered: 0,
    snapshotsSent: 0,
  };

  // Checker state.
  const leaderOfTerm = new Map<number, number>();
  const leaderLog = new Map<string, Map<number, number>>(); // `${id}@${term}` → index → term
  const committedEntries = new Map<number, { term: number; data: string }>();
  const appliedAt = new Map<number, string>(); // index → `${term}:${data}`
  let proposals = 0;

  const logOf = (node: SimNode): Map<number, number> => {
    const out = new Map<number, number>();
    const rl = node.rn!.raft.raftLog;
    const first = rl.firstIndex();
    const last = rl.lastIndex();
    for (let i = first - 1; i <= last; i++) {
      const t = rl.term(i);
      if (!('err' in t)) out.set(i, t.term);
    }
    return out;
  };

  const checkInvariants = (): void => {
    const live = nodes.filter((x) => x.rn !== undefined);
    const logs = new Map<number, Map<number, number>>();
    for (const x of live) logs.set(x.id, logOf(x));

    for (const x of live) {
      const r = x.rn!.raft;
      result.maxTerm = Math.max(result.maxTerm, r.term);
      if (r.state !== 'StateLeader') continue;
      // Election Safety.
      const prev = leaderOfTerm.get(r.term);
      if (prev === undefined) {
        leaderOfTerm.set(r.term, x.id);
        result.leadersElected++;
        log(`t=${now} ${x.id} leader at term ${r.term}`);
      } else if (prev !== x.id) {
        fail(`Election Safety violated: ${prev} and ${x.id} both leaders at term ${r.term}`);
      }
      // Leader Append-Only: everything seen in this leader's log during its term is still there.
      const key = `${x.id}@${r.term}`;
      const seen = leaderLog.get(key);
      const cur = logs.get(x.id)!;
      if (seen !== undefined) {
        const firstKnown = r.raftLog.firstIndex() - 1;
        for (const [i, t] of seen) {
          if (i < firstKnown) continue; // compacted, not deleted
          if (cur.get(i) !== t) fail(`Leader Append-Only violated: leader ${key} changed entry ${i} from term ${t} to ${cur.get(i)}`);
        }
      }
      leaderLog.set(key, cur);
      // Leader Completeness: committed entries of earlier terms are in this leader's log.
      const firstKnown = r.raftLog.firstIndex() - 1;
      for (const [i, e] of committedEntries) {
        if (e.term >= r.term || i < firstKnown) continue;
        if (cur.get(i) !== e.term) {
          fail(`Leader Completeness violated: leader ${x.id} (term ${r.term}) lacks committed entry ${i} of term ${e.term}`);
        }
      }
    }

    // Log Matching, pairwise over the overlapping ranges.
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const la = logs.get(live[a]!.id)!;
        const lb = logs.get(live[b]!.id)!;
        let matchedAbove = false;
        const hi = Math.min(Math.max(...la.keys()), Math.max(...lb.keys()));
        const lo = Math.max(Math.min(...la.keys()), Math.min(...lb.keys()));
        for (let i = hi; i >= lo; i--) {
          const ta = la.get(i);
          const tb = lb.get(i);
          if (ta === undefined || tb === undefined) continue;
          if (ta === tb) matchedAbove = true;
          else if (matchedAbove) {
            fail(`Log Matching violated: nodes ${live[a]!.id} and ${live[b]!.id} agree above index ${i} but differ there (${ta} vs ${tb})`);
          }
        }
      }
    }

    // Committed entries: record what each node's commit index covers, check agreement.
    for (const x of live) {
      const r = x.rn!.raft;
      const first = r.raftLog.firstIndex();
      for (let i = Math.max(first, r.raftLog.committed - 20); i <= r.raftLog.committed; i++) {
        const t = r.raftLog.term(i);
        if ('err' in t) continue;
        const known = committedEntries.get(i);
        if (known === undefined) {
          const s = r.raftLog.slice(i, i + 1, NO_LIMIT);
          const data = 'err' in s ? '' : s.ents[0]!.data;
          committedEntries.set(i, { term: t.term, data });
          result.committed = Math.max(result.committed, i);
        } else if (known.term !== t.term) {
          fail(`committed entry ${i} has term ${known.term} on one node and ${t.term} on node ${x.id}`);
        }
      }
    }
  };

  const handleReady = (node: SimNode): void => {
    const rn = node.rn!;
    for (let guard = 0; rn.hasReady(); guard++) {
      if (guard > 1000) fail(`node ${node.id}: Ready loop did not settle`);
      const rd = rn.ready();
      // Persist before sending (etcd's order).
      if (rd.hardState !== undefined) node.storage.setHardState(rd.hardState);
      if (!isEmptySnap(rd.snapshot)) {
        node.storage.applySnapshot(rd.snapshot!);
        restoreStateMachine(node, rd.snapshot!);
        log(`t=${now} ${node.id} restored snapshot at ${rd.snapshot!.metadata.index}`);
      }
      node.storage.append(rd.entries);
      for (const m of rd.messages) send(m);
      for (const e of rd.committedEntries) apply(node, e);
      rn.advance();
      maybeCompact(node);
    }
  };

  const apply = (node: SimNode, e: Entry): void => {
    if (e.index !== node.applied + 1) fail(`node ${node.id} applied ${e.index} after ${node.applied}`);
    node.applied = e.index;
    node.appliedData.set(e.index, e.data);
    // State Machine Safety.
    const v = `${e.term}:${e.data}`;
    const prev = appliedAt.get(e.index);
    if (prev === undefined) appliedAt.set(e.index, v);
    else if (prev !== v) fail(`State Machine Safety violated: index ${e.index} applied as ${prev} and as ${v} (node ${node.id})`);
  };

  const restoreStateMachine = (node: SimNode, snap: Snapshot): void => {
    const data = JSON.parse(snap.data) as Array<[number, string]>;
    node.appliedData = new Map(data);
    node.applied = snap.metadata.index;
  };

  const maybeCompact = (node: SimNode): void => {
    const s = node.storage;
    if (node.applied - s.firstIndex() < 40) return;
    const keep = [...node.appliedData].filter(([i]) => i <= node.applied && i > node.applied - 200);
    const cs = node.rn!.raft.trk.confState();
    s.createSnapshot(node.applied, cs, JSON.stringify(keep));
    s.compact(node.applied - 5);
  };

  const send = (m: Message): void => {
    const latency = 1 + prng.int(8);
    network.push({ m, deliverAt: now + latency });
    // Duplicate a few messages so the nodes see repeats too.
    if (prng.chance(1, 200)) network.push({ m: structuredClone(m), deliverAt: now + latency + prng.int(10) });
  };

  const deliverDue = (): void => {
    const due = network.filter((f) => f.deliverAt <= now);
    network = network.filter((f) => f.deliverAt > now);
    for (const f of due) {
      const to = nodes[f.m.to - 1]!;
      const from = nodes[f.m.from - 1]!;
      const cut = group.get(f.m.to) !== group.get(f.m.from);
      const lost = cut || to.rn === undefined || prng.int(1000) < dropPerMille;
      if (f.m.type === 'MsgSnap' && from.rn !== undefined) result.snapshotsSent++;
      if (lost) {
        result.dropped++;
        if (from.rn !== undefined && from.rn.raft.state === 'StateLeader') {
          if (f.m.type === 'MsgSnap') from.rn.reportSnapshot(f.m.to, 'SnapshotFailure');
          else if (prng.chance(1, 4)) from.rn.reportUnreachable(f.m.to);
        }
        continue;
      }
      result.delivered++;
      try {
        to.rn!.step(structuredClone(f.m));
      } catch (e) {
        // A forwarded proposal the leader cannot take is dropped, as in etcd; responses from
        // peers outside the configuration are refused.
        const name = (e as Error).name;
        if (name !== 'StepPeerNotFoundError' && name !== 'ProposalDroppedError') throw e;
      }
      if (f.m.type === 'MsgSnap' && from.rn !== undefined) from.rn.reportSnapshot(f.m.to, 'SnapshotFinish');
      log(`t=${now} deliver ${describeMessage(f.m).split('\n')[0]}`);
    }
  };

  const randomPartition = (): void => {
    const g = new Map<number, number>();
    const groups = 2 + prng.int(2);
    for (const id of ids) g.set(id, prng.int(groups));
    group = g;
    result.partitions++;
    log(`t=${now} partition ${ids.map((id) => `${id}:${g.get(id)}`).join(' ')}`);
  };

  const heal = (): void => {
    group = new Map(ids.map((id) => [id, 0]));
    log(`t=${now} heal`);
  };

  const stepOnce = (faults: boolean): void => {
    now++;
    const roll = prng.int(1000);
    if (faults && roll < 4) {
      const node = prng.pick(nodes);
      if (node.rn !== undefined) {
        // Crash: everything volatile is lost; storage and the state machine survive.
        node.rn = undefined;
        result.crashes++;
        log(`t=${now} crash ${node.id}`);
      }
    } else if (faults && roll < 14) {
      const node = prng.pick(nodes);
      if (node.rn === undefined) {
        start(node);
        log(`t=${now} restart ${node.id}`);
      }
    } else if (faults && roll < 18) {
      randomPartition();
    } else if (faults && roll < 26) {
      heal();
    } else if (faults && roll < 28) {
      dropPerMille = prng.int(300);
    } else if (roll < 200) {
      const node = prng.pick(nodes);
      if (node.rn !== undefined) {
        try {
          node.rn.propose(`p${proposals++}`);
        } catch (e) {
          if ((e as Error).name !== 'ProposalDroppedError') throw e;
        }
      }
    } else if (roll < 215) {
      const node = prng.pick(nodes);
      const to = prng.pick(ids);
      node.rn?.transferLeader(to);
    }
    // Every live node ticks now and then (clock skew comes from the random choice).
    for (const node of nodes) if (node.rn !== undefined && prng.chance(1, 3)) node.rn.tick();
    deliverDue();
    for (const node of nodes) if (node.rn !== undefined) handleReady(node);
    checkInvariants();
  };

  for (let i = 0; i < opts.steps; i++) stepOnce(true);

  if (opts.liveness ?? true) {
    // Liveness: heal everything, restart crashed nodes, stop losing messages; the cluster must
    // elect a leader and every node must apply everything the leader committed.
    heal();
    dropPerMille = 0;
    for (const node of nodes) if (node.rn === undefined) start(node);
    let converged = false;
    for (let i = 0; i < 4000 && !converged; i++) {
      stepOnce(false);
      const leader = nodes.find((x) => x.rn!.raft.state === 'StateLeader');
      if (leader === undefined) continue;
      const commit = leader.rn!.raft.raftLog.committed;
      converged =
        leader.rn!.raft.committedEntryInCurrentTerm() && nodes.every((x) => x.applied === commit && x.rn!.raft.lead === leader.id);
    }
    if (!converged) {
      const states = nodes.map((x) => `${x.id}:${x.rn!.raft.state}@${x.rn!.raft.term} applied=${x.applied}`).join(' ');
      fail(`liveness: cluster did not converge after healing (${states})`);
    }
  }
  return result;
}
