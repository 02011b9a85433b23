// How a leader handles messages (after the term rules in Raft.step): heartbeats and quorum checks,
// proposals (with the propose-time checks on configuration changes), read requests, and the
// responses that drive replication: acknowledgements and rejections of MsgApp (with fast log
// rejection), heartbeat responses, snapshot reports, unreachable peers and leadership transfer.
//
// Pure.

import { describeConfChange } from './describe';
import { entryConfChange } from './codec';
import type { Raft } from './raft';
import { ErrProposalDropped } from './raft';
import { trackerConfigString } from './tracker/tracker';
import { None, type Entry, type Message } from './types';
import { shareOnClone } from '../lib/clone';

export function stepLeader(r: Raft, m: Message): Error | undefined {
  // Message types that need no progress for m.from.
  switch (m.type) {
    case 'MsgBeat':
      r.bcastHeartbeat();
      return undefined;
    case 'MsgCheckQuorum':
      if (!r.trk.quorumActive()) {
        r.logger.warn(`${r.hex()} stepped down to follower since quorum is not active`);
        r.becomeFollower(r.term, None);
      }
      // Everyone but ourselves must show activity again before the next check.
      r.trk.visit((id, pr) => {
        if (id !== r.id) pr.recentActive = false;
      });
      return undefined;
    case 'MsgProp':
      return handleProposal(r, m);
    case 'MsgReadIndex':
      // A single voter (the leader) answers at once.
      if (r.trk.isSingleton()) {
        const resp = r.responseToReadIndexReq(m, r.raftLog.committed);
        if (resp !== undefined) r.send(resp);
        return undefined;
      }
      // Until it has committed an entry of its term, a new leader does not know the commit index
      // (Raft thesis §6.4): hold the request.
      if (!r.committedEntryInCurrentTerm()) {
        r.pendingReadIndexMessages.push(m);
        return undefined;
      }
      r.sendMsgReadIndexResponse(m);
      return undefined;
    case 'MsgForgetLeader':
      return undefined; // a no-op on the leader
  }

  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) {
    r.logger.debug(`${r.hex()} no progress available for ${m.from.toString(16)}`);
    return undefined;
  }
  switch (m.type) {
    case 'MsgAppResp':
      handleAppendResponse(r, m);
      return undefined;
    case 'MsgHeartbeatResp': {
      pr.recentActive = true;
      pr.msgAppFlowPaused = false;
      // Also send an append to a throttled follower (a full Inflights may hold only lost
      // messages) and to a caught-up follower in Probe (so it can move back to Replicate).
      if (pr.match < r.raftLog.lastIndex() || pr.state === 'StateProbe') r.sendAppend(m.from);
      if (r.readOnly.option !== 'Safe' || m.context === undefined || m.context.length === 0) return undefined;
      r.readOnly.recvAck(m.from, m.context);
      for (const rs of r.readOnly.maybeAdvance(r.trk.config.voters)) {
        const resp = r.responseToReadIndexReq(rs.req, rs.index);
        if (resp !== undefined) r.send(resp);
      }
      return undefined;
    }
    case 'MsgSnapStatus':
      if (pr.state !== 'StateSnapshot') return undefined;
      if (!m.reject) {
        pr.becomeProbe();
        r.logger.debug(
          `${r.hex()} snapshot succeeded, resumed sending replication messages to ${m.from.toString(16)} [${pr.toString()}]`,
        );
      } else {
        // Clear the pending snapshot first, or we would probe from its index though it never applied.
        pr.pendingSnapshot = 0;
        pr.becomeProbe();
        r.logger.debug(
          `${r.hex()} snapshot failed, resumed sending replication messages to ${m.from.toString(16)} [${pr.toString()}]`,
        );
      }
      // After success wait for the follower's MsgAppResp; after failure, for a heartbeat interval.
      pr.msgAppFlowPaused = true;
      return undefined;
    case 'MsgUnreachable':
      // During optimistic replication a MsgApp to an unreachable peer was most likely lost.
      if (pr.state === 'StateReplicate') pr.becomeProbe();
      r.logger.debug(
        `${r.hex()} failed to send message to ${m.from.toString(16)} because it is unreachable [${pr.toString()}]`,
      );
      return undefined;
    case 'MsgTransferLeader':
      handleTransferLeader(r, m);
      return undefined;
  }
  return undefined;
}

function handleProposal(r: Raft, m: Message): Error | undefined {
  const entries: Entry[] = [...(m.entries ?? [])];
  if (entries.length === 0) r.logger.panic(`${r.hex()} stepped empty MsgProp`);
  if (!r.trk.progress.has(r.id)) {
    // Removed from the configuration while leading: drop new proposals.
    return ErrProposalDropped;
  }
  if (r.leadTransferee !== None) {
    r.logger.debug(
      `${r.hex()} [term ${r.term}] transfer leadership to ${r.leadTransferee.toString(16)} is in progress; dropping proposal`,
    );
    return ErrProposalDropped;
  }

  for (let i = 0; i < entries.length; i++) {
    const cc = entryConfChange(entries[i]!);
    if (cc === undefined) continue;
    const alreadyPending = r.pendingConfIndex > r.raftLog.applied;
    const alreadyJoint = r.trk.config.voters.outgoing.size > 0;
    const wantsLeaveJoint = cc.changes.length === 0;
    let failedCheck = '';
    if (alreadyPending) {
      failedCheck = `possible unapplied conf change at index ${r.pendingConfIndex} (applied to ${r.raftLog.applied})`;
    } else if (alreadyJoint && !wantsLeaveJoint) {
      failedCheck = 'must transition out of joint config first';
    } else if (!alreadyJoint && wantsLeaveJoint) {
      failedCheck = 'not in joint state; refusing empty conf change';
    }
    if (failedCheck !== '' && !r.disableConfChangeValidation) {
      r.logger.info(
        `${r.hex()} ignoring conf change ${describeConfChange(cc)} at config ${trackerConfigString(r.trk.config)}: ${failedCheck}`,
      );
      // Keep the entry's place in the log but neutralize it.
      entries[i] = { term: 0, index: 0, type: 'EntryNormal', data: '' };
    } else {
      r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
    }
  }

  if (!r.appendEntry(entries)) return ErrProposalDropped;
  r.bcastAppend();
  return undefined;
}

function handleAppendResponse(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from)!;
  // This is also how the leader acknowledges its own appends (a self-addressed MsgAppResp stepped
  // once its entries are durable).
  pr.recentActive = true;

  if (m.reject) {
    r.logger.debug(
      `${r.hex()} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from.toString(16)} for index ${m.index}`,
    );
    let nextProbeIdx = m.rejectHint;
    if (m.logTerm > 0) {
      // Fast log rejection, leader side: the follower has term m.logTerm at index rejectHint.
      // Every index of ours whose term is greater cannot match (terms only grow along a log), so
      // probe at the last index whose term is <= m.logTerm. This probes at most once per term
      // present in our log, instead of once per entry of a divergent tail.
      nextProbeIdx = r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
    }
    if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
      r.logger.debug(`${r.hex()} decreased progress of ${m.from.toString(16)} to [${pr.toString()}]`);
      if (pr.state === 'StateReplicate') pr.becomeProbe();
      r.sendAppend(m.from);
    }
    return;
  }

  // Update on a higher match, or when an ack lets a caught-up probing follower move back to
  // Replicate (heartbeat_resp_recovers_from_probing). Not for Snapshot: pendingSnapshot holds it.
  if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'StateProbe'))) return;

  if (pr.state === 'StateProbe') {
    pr.becomeReplicate();
  } else if (pr.state === 'StateSnapshot' && pr.match + 1 >= r.raftLog.firstIndex()) {
    // Whatever index the follower restored, if the log can continue from there, resume. Go
    // through Probe so the snapshot index is taken into account, then straight to Replicate.
    r.logger.debug(
      `${r.hex()} recovered from needing snapshot, resumed sending replication messages to ${m.from.toString(16)} [${pr.toString()}]`,
    );
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'StateReplicate') {
    pr.inflights.freeLE(m.index);
  }

  if (r.maybeCommit()) {
    // Commit moved in this term: pending reads can be served, and everyone hears the new commit.
    r.releasePendingReadIndexMessages();
    r.bcastAppend();
  } else if (r.id !== m.from && pr.canBumpCommit(r.raftLog.committed)) {
    // The follower may not know the latest commit index yet; tell it now rather than at the
    // next heartbeat.
    r.sendAppend(m.from);
  }
  // Flow control may allow several messages now (Probe → Replicate, or freed inflights).
  if (r.id !== m.from) {
    while (r.maybeSendAppend(m.from, false)) {
      // keep sending
    }
  }
  if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
    r.logger.info(`${r.hex()} sent MsgTimeoutNow to ${m.from.toString(16)} after received MsgAppResp`);
    r.sendTimeoutNow(m.from);
  }
}

function handleTransferLeader(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from)!;
  if (pr.isLearner) {
    r.logger.debug(`${r.hex()} is learner. Ignored transferring leadership`);
    return;
  }
  const leadTransferee = m.from;
  const lastLeadTransferee = r.leadTransferee;
  if (lastLeadTransferee !== None) {
    if (lastLeadTransferee === leadTransferee) {
      r.logger.info(
        `${r.hex()} [term ${r.term}] transfer leadership to ${leadTransferee.toString(16)} is in progress, ignores request to same node ${leadTransferee.toString(16)}`,
      );
      return;
    }
    r.abortLeaderTransfer();
    r.logger.info(`${r.hex()} [term ${r.term}] abort previous transferring leadership to ${lastLeadTransferee.toString(16)}`);
  }
  if (leadTransferee === r.id) {
    r.logger.debug(`${r.hex()} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.logger.info(`${r.hex()} [term ${r.term}] starts to transfer leadership to ${leadTransferee.toString(16)}`);
  // The transfer must complete within one election timeout (then tickHeartbeat aborts it).
  r.electionElapsed = 0;
  r.leadTransferee = leadTransferee;
  if (pr.match === r.raftLog.lastIndex()) {
    r.sendTimeoutNow(leadTransferee);
    r.logger.info(
      `${r.hex()} sends MsgTimeoutNow to ${leadTransferee.toString(16)} immediately as ${leadTransferee.toString(16)} already has up-to-date log`,
    );
  } else {
    r.sendAppend(leadTransferee);
  }
}

// Raft keeps its current step function in its state: a checkpoint of that state shares it.
shareOnClone(stepLeader);
