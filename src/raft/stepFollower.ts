// How a follower handles messages (after the term rules in Raft.step): forward proposals, reads
// and transfer requests to the leader; accept appends, heartbeats and snapshots from it; campaign
// on MsgTimeoutNow.
//
// Pure.

import type { Raft } from './raft';
import { ErrProposalDropped } from './raft';
import { None, type Message } from './types';
import { shareOnClone } from '../lib/clone';

export function stepFollower(r: Raft, m: Message): Error | undefined {
  switch (m.type) {
    case 'MsgProp':
      if (r.lead === None) {
        r.logger.info(`${r.hex()} no leader at term ${r.term}; dropping proposal`);
        return ErrProposalDropped;
      }
      if (r.disableProposalForwarding) {
        r.logger.info(`${r.hex()} not forwarding to leader ${r.lead.toString(16)} at term ${r.term}; dropping proposal`);
        return ErrProposalDropped;
      }
      r.send({ ...m, to: r.lead });
      return undefined;
    case 'MsgApp':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppendEntries(m);
      return undefined;
    case 'MsgHeartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return undefined;
    case 'MsgSnap':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return undefined;
    case 'MsgTransferLeader':
      if (r.lead === None) {
        r.logger.info(`${r.hex()} no leader at term ${r.term}; dropping leader transfer msg`);
        return undefined;
      }
      r.send({ ...m, to: r.lead });
      return undefined;
    case 'MsgForgetLeader':
      // A lease-based read relies on followers not electing a new leader during the lease, so
      // forgetting the leader is refused in that mode.
      if (r.readOnly.option === 'LeaseBased') {
        r.logger.error('ignoring MsgForgetLeader due to ReadOnlyLeaseBased');
        return undefined;
      }
      if (r.lead !== None) {
        r.logger.info(`${r.hex()} forgetting leader ${r.lead.toString(16)} at term ${r.term}`);
        r.lead = None;
      }
      return undefined;
    case 'MsgTimeoutNow':
      r.logger.info(
        `${r.hex()} [term ${r.term}] received MsgTimeoutNow from ${m.from.toString(16)} and starts an election to get leadership.`,
      );
      // Transfers skip pre-vote: the old leader asked for this, no partition to recover from.
      r.hup('CampaignTransfer');
      return undefined;
    case 'MsgReadIndex':
      if (r.lead === None) {
        r.logger.info(`${r.hex()} no leader at term ${r.term}; dropping index reading msg`);
        return undefined;
      }
      r.send({ ...m, to: r.lead });
      return undefined;
    case 'MsgReadIndexResp': {
      const ents = m.entries ?? [];
      if (ents.length !== 1) {
        r.logger.error(
          `${r.hex()} invalid format of MsgReadIndexResp from ${m.from.toString(16)}, entries count: ${ents.length}`,
        );
        return undefined;
      }
      r.readStates.push({ index: m.index, requestCtx: ents[0]!.data });
      return undefined;
    }
  }
  return undefined;
}

// Raft keeps its current step function in its state: a checkpoint of that state shares it.
shareOnClone(stepFollower);
