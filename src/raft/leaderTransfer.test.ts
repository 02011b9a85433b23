// Leadership transfer (Raft thesis §3.10; etcd-io/raft's MsgTransferLeader / MsgTimeoutNow): the
// leader stops taking proposals, brings the transferee up to date, tells it to campaign at once
// with MsgTimeoutNow, and gives up after an election timeout. The transferee's campaign skips
// pre-vote and carries a marker that lets it past voters' CheckQuorum lease.
//
// Method: in-memory TestNetworks of RawNodes that persist every Ready; links are cut to hold a
// transfer pending, and the assertions look at roles, terms, leadTransferee and at the order of
// the messages actually delivered (the intent of etcd's TestLeaderTransfer* tests).
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_TRANSFER_CONTEXT, ProposalDroppedError, makeMessage, type Message } from './index';
import { confState, newBootstrappedStorage, newTestNetwork, type TestNetwork } from './testing';

function trace(msgs: readonly Message[]): string[] {
  return msgs.map((m) => `${m.type} ${m.from}->${m.to}`);
}

/** The transfer is over: `id` has the expected role and leader, and no transfer is pending. */
function expectSettled(net: TestNetwork, id: number, state: 'StateLeader' | 'StateFollower', lead: number): void {
  expect(net.raft(id).state).toBe(state);
  expect(net.raft(id).lead).toBe(lead);
  expect(net.raft(id).leadTransferee).toBe(0);
}

function elected(ids: number[] = [1, 2, 3], overrides: Parameters<typeof newTestNetwork>[1] = {}): TestNetwork {
  const net = newTestNetwork(ids, overrides);
  net.campaign(1);
  expect(net.raft(1).state).toBe('StateLeader');
  return net;
}

describe('transfer to an up-to-date follower', () => {
  it('the leader sends MsgTimeoutNow at once, the follower wins the next term and the old leader follows it (thesis §3.10)', () => {
    const net = elected();
    const term = net.raft(1).term;
    net.clearTrace();

    net.transferLeader(1, 2);

    expect(trace(net.delivered)[0]).toBe('MsgTimeoutNow 1->2');
    expectSettled(net, 1, 'StateFollower', 2);
    expectSettled(net, 2, 'StateLeader', 2);
    expect(net.raft(2).term).toBe(term + 1);
    expect(net.raft(3).lead).toBe(2);

    // After more replication, leadership can go back.
    expect(net.propose(2, 'x')).toBeUndefined();
    net.transferLeader(2, 1);
    expectSettled(net, 1, 'StateLeader', 1);
    expect(net.raft(1).term).toBe(term + 2);
  });

  it('a follower forwards a transfer request to its leader (thesis §3.10)', () => {
    const net = elected();
    net.clearTrace();

    net.transferLeader(3, 3);

    expect(trace(net.delivered).slice(0, 2)).toEqual(['MsgTransferLeader 3->1', 'MsgTimeoutNow 1->3']);
    expectSettled(net, 3, 'StateLeader', 3);
    expectSettled(net, 1, 'StateFollower', 3);
  });

  it('still works when the leader holds a CheckQuorum lease (thesis §3.10, §4.2.3)', () => {
    const net = elected([1, 2, 3], { checkQuorum: true });
    net.tickAll(3);
    net.transferLeader(1, 2);
    expectSettled(net, 1, 'StateFollower', 2);
    expectSettled(net, 2, 'StateLeader', 2);
  });
});

describe('transfer to a lagging follower', () => {
  it('the leader first catches the follower up, then sends MsgTimeoutNow once its MsgAppResp shows it caught up (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.propose(1, 'x');
    net.propose(1, 'y');
    net.recover();
    const last = net.raft(1).raftLog.lastIndex();
    expect(net.raft(1).trk.progress.get(3)!.match).toBeLessThan(last);
    net.clearTrace();

    net.transferLeader(1, 3);

    const t = trace(net.delivered);
    const timeoutNow = t.indexOf('MsgTimeoutNow 1->3');
    const caughtUp = net.delivered.findIndex((m) => m.type === 'MsgAppResp' && m.from === 3 && !m.reject && m.index === last);
    expect(t[0]).toBe('MsgApp 1->3');
    expect(caughtUp).toBeGreaterThanOrEqual(0);
    expect(timeoutNow).toBeGreaterThan(caughtUp);
    expectSettled(net, 3, 'StateLeader', 3);
    expectSettled(net, 1, 'StateFollower', 3);
    expect(net.node(3).log().map((e) => e.data)).toEqual(expect.arrayContaining(['x', 'y']));
  });

  it('a follower that needs a snapshot first gets it, then becomes leader (thesis §3.10, §5 log compaction)', () => {
    const net = elected();
    net.isolate(3);
    net.propose(1, 'x');
    const leader = net.node(1);
    const applied = leader.raft.raftLog.applied;
    leader.storage.createSnapshot(applied, confState([1, 2, 3]), 'snap');
    leader.storage.compact(applied);
    net.recover();
    net.clearTrace();

    net.transferLeader(1, 3);

    const t = trace(net.delivered);
    expect(t).toContain('MsgSnap 1->3');
    expect(t.indexOf('MsgTimeoutNow 1->3')).toBeGreaterThan(t.indexOf('MsgSnap 1->3'));
    expect(net.node(3).storage.snapshot().metadata.index).toBe(applied);
    expectSettled(net, 3, 'StateLeader', 3);
  });
});

describe('while a transfer is pending', () => {
  it('the leader drops proposals, its own and forwarded ones (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3); // MsgTimeoutNow is lost: the transfer stays pending
    expect(net.raft(1).leadTransferee).toBe(3);
    const last = net.raft(1).raftLog.lastIndex();

    expect(net.propose(1, 'dropped')).toBeInstanceOf(ProposalDroppedError);
    expect(net.propose(2, 'forwarded')).toBeUndefined(); // 2 forwards it; the leader drops it
    expect(net.delivered.some((m) => m.type === 'MsgProp' && m.from === 2 && m.to === 1)).toBe(true);

    expect(net.raft(1).raftLog.lastIndex()).toBe(last);
    expect(net.raft(1).trk.progress.get(1)!.match).toBe(last);
  });

  it('the leader gives the transfer up after an election timeout and takes proposals again (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3);
    const r = net.raft(1);
    expect(r.leadTransferee).toBe(3);

    net.tick(1, r.heartbeatTimeout);
    expect(r.leadTransferee).toBe(3);
    net.tick(1, r.electionTimeout - r.heartbeatTimeout);

    expectSettled(net, 1, 'StateLeader', 1);
    expect(net.propose(1, 'again')).toBeUndefined();
  });

  it('a second request for the same node does not extend the timeout (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3);
    const r = net.raft(1);

    net.tick(1, r.heartbeatTimeout);
    net.transferLeader(1, 3);
    expect(r.leadTransferee).toBe(3);
    net.tick(1, r.electionTimeout - r.heartbeatTimeout);

    expectSettled(net, 1, 'StateLeader', 1);
  });

  it('a request for another node aborts the first transfer and starts the new one (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);

    net.transferLeader(1, 2);

    expectSettled(net, 1, 'StateFollower', 2);
    expectSettled(net, 2, 'StateLeader', 2);
  });

  it('a request for the leader itself aborts the pending transfer (thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3);

    net.transferLeader(1, 1);

    expectSettled(net, 1, 'StateLeader', 1);
  });

  it('removing the transferee from the configuration aborts the transfer (thesis §3.10, §4)', () => {
    const net = elected();
    net.ignore('MsgTimeoutNow');
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);

    net.node(1).rawNode.applyConfChange({ type: 'ConfChangeRemoveNode', nodeId: 3 });

    expectSettled(net, 1, 'StateLeader', 1);
  });

  it('a higher-term vote request makes the leader a follower and ends the transfer (§5.1, thesis §3.10)', () => {
    const net = elected();
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);

    net.campaign(2);

    expectSettled(net, 1, 'StateFollower', 2);
    expect(net.raft(2).state).toBe('StateLeader');
  });
});

describe('requests that are ignored', () => {
  it('a transfer to the leader itself is a no-op (thesis §3.10)', () => {
    const net = elected();
    const term = net.raft(1).term;
    net.clearTrace();
    net.transferLeader(1, 1);
    expectSettled(net, 1, 'StateLeader', 1);
    expect(net.raft(1).term).toBe(term);
    expect(net.delivered).toEqual([]);
  });

  it('a transfer to a learner is ignored, and a learner told to time out does not campaign (thesis §3.10, §4.2.1)', () => {
    const net = newTestNetwork([1, 2, 3], {}, { learners: [4] });
    net.campaign(1);
    const term = net.raft(1).term;
    net.clearTrace();

    net.transferLeader(1, 4);
    expectSettled(net, 1, 'StateLeader', 1);
    expect(net.delivered.filter((m) => m.type === 'MsgTimeoutNow')).toEqual([]);

    net.send(makeMessage({ type: 'MsgTimeoutNow', from: 1, to: 4, term }));
    expect(net.raft(4).state).toBe('StateFollower');
    expect(net.raft(4).term).toBe(term);
    expect(net.delivered.filter((m) => m.type === 'MsgVote')).toEqual([]);
  });

  it('a transfer to a node outside the configuration is ignored (thesis §3.10)', () => {
    const net = elected();
    net.clearTrace();
    net.transferLeader(1, 4);
    expectSettled(net, 1, 'StateLeader', 1);
    expect(net.delivered).toEqual([]);
  });

  it('a node removed from the configuration that gets MsgTimeoutNow does not campaign, even if votes arrive (thesis §3.10)', () => {
    // Node 1's storage knows only 2, 3 and 4 as voters.
    const net = newTestNetwork([2, 3, 4]);
    const outsider = net.addNode(1, newBootstrappedStorage([2, 3, 4]), { electionTick: 5, applied: 1 });
    const r = outsider.raft;
    r.step(makeMessage({ type: 'MsgTimeoutNow', from: 2, to: 1 }));
    r.step(makeMessage({ type: 'MsgVoteResp', from: 2, to: 1 }));
    r.step(makeMessage({ type: 'MsgVoteResp', from: 3, to: 1 }));
    expect(r.state).toBe('StateFollower');
    expect(r.term).toBe(0);
    expect(r.msgs).toEqual([]);
    expect(r.msgsAfterAppend).toEqual([]);
  });
});

describe('the transferee campaign', () => {
  it('skips pre-vote and carries the transfer marker, which gets it past a voter holding a CheckQuorum lease (thesis §3.10, §9.6, §4.2.3)', () => {
    const net = elected([1, 2, 3], { preVote: true, checkQuorum: true });
    net.tickAll(2);
    const term = net.raft(1).term;
    // 3 has just heard from its leader: it is inside the lease.
    expect(net.raft(3).lead).toBe(1);
    expect(net.raft(3).electionElapsed).toBeLessThan(net.raft(3).electionTimeout);
    net.clearTrace();

    net.transferLeader(1, 2);

    expect(net.delivered.filter((m) => m.type === 'MsgPreVote' || m.type === 'MsgPreVoteResp')).toEqual([]);
    const votes = net.delivered.filter((m) => m.type === 'MsgVote');
    expect(votes.map((m) => [m.from, m.to, m.term, m.context])).toEqual([
      [2, 1, term + 1, CAMPAIGN_TRANSFER_CONTEXT],
      [2, 3, term + 1, CAMPAIGN_TRANSFER_CONTEXT],
    ]);
    expect(net.delivered.some((m) => m.type === 'MsgVoteResp' && m.from === 3 && !m.reject)).toBe(true);
    expectSettled(net, 2, 'StateLeader', 2);
  });

  it('without the marker, the same vote request is ignored by a voter inside its lease (thesis §4.2.3)', () => {
    const net = elected([1, 2, 3], { preVote: true, checkQuorum: true });
    net.tickAll(2);
    const term = net.raft(3).term;
    const last = net.raft(3).raftLog.lastEntryID();
    net.clearTrace();

    net.send(makeMessage({ type: 'MsgVote', from: 2, to: 3, term: term + 1, index: last.index, logTerm: last.term }));

    expect(net.raft(3).term).toBe(term);
    expect(net.raft(3).vote).not.toBe(2);
    expect(net.delivered.filter((m) => m.from === 3)).toEqual([]);
  });
});
