// How a candidate or pre-candidate handles messages (after the term rules in Raft.step): count the
// votes of its own kind of election; fall back to follower on an append, heartbeat or snapshot
// from a leader of its term; drop proposals.
//
// Pure.

import type { Raft } from './raft';
import { ErrProposalDropped } from './raft';
import type { Message, MessageType } from './types';
import { shareOnClone } from '../lib/clone';

export function stepCandidate(r: Raft, m: Message): Error | undefined {
  // Only count responses to our own kind of campaign: as a candidate we may still receive stale
  // MsgPreVoteResp from our pre-candidacy in this term.
  const myVoteRespType: MessageType = r.state === 'StatePreCandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
  switch (m.type) {
    case 'MsgProp':
      r.logger.info(`${r.hex()} no leader at term ${r.term}; dropping proposal`);
      return ErrProposalDropped;
    case 'MsgApp':
      r.becomeFollower(m.term, m.from); // always m.term === r.term here
      r.handleAppendEntries(m);
      return undefined;
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return undefined;
    case 'MsgSnap':
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return undefined;
    case 'MsgTimeoutNow':
      r.logger.debug(`${r.hex()} [term ${r.term} state ${r.state}] ignored MsgTimeoutNow from ${m.from.toString(16)}`);
      return undefined;
  }
  if (m.type === myVoteRespType) {
    const { granted, rejected, result } = r.poll(m.from, m.type, !m.reject);
    r.logger.info(`${r.hex()} has received ${granted} ${m.type} votes and ${rejected} vote rejections`);
    if (result === 'VoteWon') {
      if (r.state === 'StatePreCandidate') {
        r.campaign('CampaignElection');
      } else {
        r.becomeLeader();
        r.bcastAppend();
      }
    } else if (result === 'VoteLost') {
      // A MsgPreVoteResp carries the pre-candidate's future term; stay at ours.
      r.becomeFollower(r.term, 0);
    }
  }
  return undefined;
}

// Raft keeps its current step function in its state: a checkpoint of that state shares it.
shareOnClone(stepCandidate);
