// ReadIndex, the linearizable read path of Raft §8 / thesis §6.4 as etcd-io/raft v3.7 implements
// it: a leader records its commit index for the read, confirms with a heartbeat round that it still
// leads (ReadOnlySafe) or trusts its CheckQuorum lease (ReadOnlyLeaseBased), and answers with a
// ReadState (local) or a MsgReadIndexResp (forwarded from a follower or learner); a new leader
// holds reads until it has committed an entry of its own term.
//
// Method: in-memory TestNetworks of RawNodes that persist every Ready; links are cut and messages
// delayed to expose each rule, and the assertions look at ReadStates and at the messages that were
// actually delivered or dropped (the intent of etcd's TestReadOnly* and TestRawNodeReadIndex).
import { describe, expect, it } from 'vitest';
import type { Message } from './index';
import { encodeSeq } from './readOnly';
import { newTestNetwork } from './testing';

function types(msgs: readonly Message[]): string[] {
  return msgs.map((m) => `${m.type} ${m.from}->${m.to}`);
}

describe('ReadOnlySafe', () => {
  it('a leader answers a read with the commit index it had when the read arrived, only once a quorum acknowledged a heartbeat (§8)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    for (const d of ['a', 'b', 'c']) net.propose(1, d);
    const commitAtRead = net.raft(1).raftLog.committed;
    expect(commitAtRead).toBe(5);

    net.cut(1, 2);
    net.cut(1, 3);
    net.clearTrace();
    net.readIndex(1, 'ctx1');

    expect(net.node(1).readStates).toEqual([]);
    // The heartbeat round carries the read's sequence number (etcd v3.7: 8 bytes, little-endian).
    const beats = net.dropped.filter((m) => m.type === 'MsgHeartbeat');
    expect(beats.map((m) => m.to)).toEqual([2, 3]);
    for (const b of beats) expect(b.context).toBe(encodeSeq(1));

    // Entries committed later do not raise the index of the pending read.
    net.recover();
    net.propose(1, 'd');
    expect(net.raft(1).raftLog.committed).toBe(6);
    expect(net.node(1).readStates).toEqual([]);

    net.tick(1); // the next regular heartbeat carries the pending read's context
    expect(net.node(1).readStates).toEqual([{ index: commitAtRead, requestCtx: 'ctx1' }]);
  });

  it('one follower plus the leader is a quorum of three: the read is answered in the same round (§8)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.cut(1, 3);
    net.readIndex(1, 'half');
    expect(net.node(1).readStates).toEqual([{ index: 2, requestCtx: 'half' }]);
  });

  it('a follower forwards a read to the leader and turns the MsgReadIndexResp into a ReadState (§8)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'x');
    const commit = net.raft(1).raftLog.committed;
    net.clearTrace();

    net.readIndex(2, 'ctx2');

    const trace = types(net.delivered);
    expect(trace[0]).toBe('MsgReadIndex 2->1');
    const resp = net.delivered.find((m) => m.type === 'MsgReadIndexResp')!;
    expect(resp).toMatchObject({ from: 1, to: 2, index: commit, entries: [{ data: 'ctx2' }] });
    // The answer comes after the heartbeat round.
    expect(trace.indexOf('MsgReadIndexResp 1->2')).toBeGreaterThan(trace.indexOf('MsgHeartbeatResp 2->1'));
    expect(net.node(2).readStates).toEqual([{ index: commit, requestCtx: 'ctx2' }]);
    expect(net.node(1).readStates).toEqual([]);
  });

  it('a follower that knows no leader drops a read (§8)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.readIndex(2, 'nobody');
    expect(net.delivered).toEqual([]);
    expect(net.node(2).readStates).toEqual([]);
  });

  it('a new leader postpones reads until it has committed an entry of its own term, then answers at that commit (§8, thesis §6.4)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'old');
    const oldCommit = net.raft(1).raftLog.committed;

    // 2 wins term 2, but its empty entry reaches nobody; a heartbeat tells 3 who leads.
    net.ignore('MsgApp');
    net.campaign(2);
    net.tick(2);
    expect(net.raft(2).state).toBe('StateLeader');
    expect(net.raft(3).lead).toBe(2);
    const noopIndex = net.raft(2).raftLog.lastIndex();
    expect(net.raft(2).raftLog.committed).toBe(oldCommit);

    net.readIndex(2, 'local');
    net.readIndex(3, 'forwarded');
    expect(net.raft(2).pendingReadIndexMessages).toHaveLength(2);
    expect(net.node(2).readStates).toEqual([]);
    expect(net.node(3).readStates).toEqual([]);

    net.recover();
    net.tick(2); // heartbeat → responses → MsgApp with the empty entry → commit in term 2

    expect(net.raft(2).raftLog.committed).toBe(noopIndex);
    expect(net.raft(2).pendingReadIndexMessages).toEqual([]);
    expect(net.node(2).readStates).toEqual([{ index: noopIndex, requestCtx: 'local' }]);
    expect(net.node(3).readStates).toEqual([{ index: noopIndex, requestCtx: 'forwarded' }]);

    // From now on reads are accepted at once (after the heartbeat round).
    net.readIndex(2, 'later');
    expect(net.node(2).readStates.at(-1)).toEqual({ index: noopIndex, requestCtx: 'later' });
  });

  it('two reads with the same request context are two reads, each with its own index (§8; etcd raft PR #397)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.cut(1, 2);
    net.cut(1, 3);
    net.readIndex(1, 'dup'); // pending at commit 2
    net.recover();
    net.propose(1, 'x'); // commit 3, no heartbeat round
    expect(net.node(1).readStates).toEqual([]);

    net.readIndex(1, 'dup'); // pending at commit 3; this round confirms both

    expect(net.node(1).readStates).toEqual([
      { index: 2, requestCtx: 'dup' },
      { index: 3, requestCtx: 'dup' },
    ]);
  });

  it('a deposed leader never confirms a read with heartbeat responses meant for an older read (§8; etcd TestReadOnlyDuplicateRequest)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);

    // Read A from 2 is forwarded to 1; the heartbeat responses of its round are held back.
    const delayed: Message[] = [];
    net.msgHook = (m) => {
      if (m.type !== 'MsgHeartbeatResp') return true;
      delayed.push(m);
      return false;
    };
    const minimumA = net.raft(1).raftLog.committed;
    net.readIndex(2, 'A');
    const readA = net.delivered.find((m) => m.type === 'MsgReadIndex')!;
    delayed.unshift({ ...readA }); // a retry of A, delivered late too
    net.msgHook = undefined;
    net.tick(1); // the next heartbeat round confirms A
    expect(net.node(2).readStates.map((rs) => rs.requestCtx)).toEqual(['A']);

    // 1 is cut off; 2 becomes leader and commits a new entry.
    net.isolate(1);
    net.campaign(2);
    net.propose(2, 'someOp');
    const minimumB = net.raft(2).raftLog.committed;
    expect(minimumB).toBeGreaterThan(net.raft(1).raftLog.committed);

    // A read B at the stale leader 1, then the late messages arrive.
    net.readIndex(1, 'B');
    net.recover();
    net.send(...delayed);

    const all = [1, 2, 3].flatMap((id) => net.node(id).readStates);
    for (const rs of all) {
      if (rs.requestCtx === 'A') expect(rs.index).toBeGreaterThanOrEqual(minimumA);
      if (rs.requestCtx === 'B') expect(rs.index).toBeGreaterThanOrEqual(minimumB);
    }
    expect(net.node(1).readStates.filter((rs) => rs.requestCtx === 'B')).toEqual([]);
    expect(net.raft(1).readOnly.pendingCount()).toBeGreaterThan(0);
  });
});

describe('ReadOnlyLeaseBased', () => {
  it('a leader answers at once from its lease, without a heartbeat round (§8, thesis §6.4.1)', () => {
    const net = newTestNetwork([1, 2, 3], { checkQuorum: true, readOnlyOption: 'LeaseBased' });
    net.campaign(1);
    net.propose(1, 'x');
    const commit = net.raft(1).raftLog.committed;
    net.cut(1, 2);
    net.cut(1, 3);
    net.clearTrace();

    net.readIndex(1, 'lease');

    expect(net.node(1).readStates).toEqual([{ index: commit, requestCtx: 'lease' }]);
    expect(net.dropped).toEqual([]);
    expect(net.delivered).toEqual([]);
  });

  it('a forwarded read is answered by the leader directly (§8, thesis §6.4.1)', () => {
    const net = newTestNetwork([1, 2, 3], { checkQuorum: true, readOnlyOption: 'LeaseBased' });
    net.campaign(1);
    const commit = net.raft(1).raftLog.committed;
    net.clearTrace();

    net.readIndex(3, 'f');

    expect(types(net.delivered)).toEqual(['MsgReadIndex 3->1', 'MsgReadIndexResp 1->3']);
    expect(net.node(3).readStates).toEqual([{ index: commit, requestCtx: 'f' }]);
  });
});

describe('special configurations', () => {
  it('a single voter answers a read at once, with no messages (§8)', () => {
    const net = newTestNetwork([1]);
    net.campaign(1);
    expect(net.raft(1).state).toBe('StateLeader');
    net.propose(1, 'x');
    net.clearTrace();

    net.readIndex(1, 'solo');

    expect(net.node(1).readStates).toEqual([{ index: 3, requestCtx: 'solo' }]);
    expect(net.delivered).toEqual([]);
  });

  it('a learner forwards reads to the leader, and its own heartbeat acknowledgement does not count toward the quorum (§8, thesis §4.2.1)', () => {
    const net = newTestNetwork([1, 2, 3], {}, { learners: [4] });
    net.campaign(1);
    const commit = net.raft(1).raftLog.committed;
    net.clearTrace();

    net.readIndex(4, 'learner');
    expect(types(net.delivered)[0]).toBe('MsgReadIndex 4->1');
    expect(net.node(4).readStates).toEqual([{ index: commit, requestCtx: 'learner' }]);

    // With both voters cut off, the leader and the learner are not a quorum.
    net.cut(1, 2);
    net.cut(1, 3);
    net.readIndex(4, 'l2');
    expect(net.delivered.some((m) => m.type === 'MsgHeartbeatResp' && m.from === 4)).toBe(true);
    expect(net.node(4).readStates).toHaveLength(1);

    net.recover();
    net.tick(1);
    expect(net.node(4).readStates).toEqual([
      { index: commit, requestCtx: 'learner' },
      { index: commit, requestCtx: 'l2' },
    ]);
  });
});
