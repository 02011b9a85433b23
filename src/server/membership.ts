// The cluster's membership as every member applies it (etcd's membership.RaftCluster): members
// with their peer and client URLs, learner flag and published name; the IDs of removed members
// (never reused); validation of configuration changes against that state; and the strict
// reconfiguration checks that protect the quorum.
//
// Pure: no clock; connectivity ("active since") is passed in by the caller.

import type { StoredMember, MemberChanges } from '../storage/backend';
import type { Member } from './api';
import { MembershipErrors, ServerError } from './errors';
import type { ConfChangeContext } from './requests';

/** etcd 3.4 allows at most one learner (membership.maxLearners). */
export const MAX_LEARNERS = 1;

export type ConfChangeKind = 'ConfChangeAddNode' | 'ConfChangeAddLearnerNode' | 'ConfChangeRemoveNode' | 'ConfChangeUpdateNode';

export class Membership {
  private readonly members = new Map<number, StoredMember>();
  private readonly removed = new Set<number>();
  /** Rows changed since the last drain, for the durable backend. */
  private changedIds = new Set<number>();
  private newlyRemoved: number[] = [];
  private resetPending = false;

  constructor(readonly clusterId: number) {}

  static restore(clusterId: number, members: StoredMember[], removed: number[]): Membership {
    const m = new Membership(clusterId);
    for (const x of members) m.members.set(x.id, { ...x, peerUrls: [...x.peerUrls], clientUrls: [...x.clientUrls] });
    for (const id of removed) m.removed.add(id);
    return m;
  }

  /** All members, ordered by ID (etcd's member list order). */
  list(): Member[] {
    return [...this.members.values()]
      .sort((a, b) => a.id - b.id)
      .map((x) => ({ id: x.id, name: x.name, peerUrls: [...x.peerUrls], clientUrls: [...x.clientUrls], isLearner: x.isLearner }));
  }

  get(id: number): Member | undefined {
    const x = this.members.get(id);
    return x === undefined ? undefined : { ...x, peerUrls: [...x.peerUrls], clientUrls: [...x.clientUrls] };
  }

  has(id: number): boolean {
    return this.members.has(id);
  }

  isRemoved(id: number): boolean {
    return this.removed.has(id);
  }

  votingMembers(): StoredMember[] {
    return [...this.members.values()].filter((m) => !m.isLearner).sort((a, b) => a.id - b.id);
  }

  /** A member has "started" once it published its name (etcd's IsStarted). */
  isStarted(id: number): boolean {
    const m = this.members.get(id);
    return m !== undefined && m.name !== '';
  }

  /**
   * Validates a committed configuration change against the current membership (etcd's
   * ValidateConfigurationChange). Throws ServerError with the client-visible error.
   */
  validate(kind: ConfChangeKind, nodeId: number, ctx: ConfChangeContext | undefined): void {
    if (this.removed.has(nodeId)) throw new ServerError(MembershipErrors.idRemoved);
    switch (kind) {
      case 'ConfChangeAddNode':
      case 'ConfChangeAddLearnerNode': {
        if (ctx === undefined) throw new Error('conf change without context');
        if (ctx.isPromote) {
          const m = this.members.get(nodeId);
          if (m === undefined) throw new ServerError(MembershipErrors.idNotFound);
          if (!m.isLearner) throw new ServerError(MembershipErrors.memberNotLearner);
          return;
        }
        if (this.members.has(nodeId)) throw new ServerError(MembershipErrors.idExists);
        const urls = new Set([...this.members.values()].flatMap((m) => m.peerUrls));
        for (const u of ctx.member.peerUrls) if (urls.has(u)) throw new ServerError(MembershipErrors.peerURLExists);
        if (ctx.member.isLearner) {
          const learners = [...this.members.values()].filter((m) => m.isLearner).length;
          if (learners + 1 > MAX_LEARNERS) throw new ServerError(MembershipErrors.tooManyLearners);
        }
        return;
      }
      case 'ConfChangeRemoveNode':
        if (!this.members.has(nodeId)) throw new ServerError(MembershipErrors.idNotFound);
        return;
      case 'ConfChangeUpdateNode': {
        if (!this.members.has(nodeId)) throw new ServerError(MembershipErrors.idNotFound);
        if (ctx === undefined) throw new Error('conf change without context');
        const urls = new Set([...this.members.values()].filter((m) => m.id !== nodeId).flatMap((m) => m.peerUrls));
        for (const u of ctx.member.peerUrls) if (urls.has(u)) throw new ServerError(MembershipErrors.peerURLExists);
        return;
      }
    }
  }

  /** Applies a validated change. */
  apply(kind: ConfChangeKind, nodeId: number, ctx: ConfChangeContext | undefined): void {
    switch (kind) {
      case 'ConfChangeAddNode':
      case 'ConfChangeAddLearnerNode':
        if (ctx!.isPromote) {
          this.members.get(nodeId)!.isLearner = false;
        } else {
          const m = ctx!.member;
          this.members.set(nodeId, {
            id: nodeId,
            name: m.name,
            peerUrls: [...m.peerUrls],
            clientUrls: [...m.clientUrls],
            isLearner: m.isLearner,
          });
        }
        this.changedIds.add(nodeId);
        return;
      case 'ConfChangeRemoveNode':
        this.members.delete(nodeId);
        this.removed.add(nodeId);
        this.changedIds.delete(nodeId);
        this.newlyRemoved.push(nodeId);
        return;
      case 'ConfChangeUpdateNode':
        this.members.get(nodeId)!.peerUrls = [...ctx!.member.peerUrls];
        this.changedIds.add(nodeId);
        return;
    }
  }

  /** A started member publishes its name and client URLs (etcd's ClusterMemberAttrSet). */
  setAttributes(id: number, name: string, clientUrls: string[]): void {
    const m = this.members.get(id);
    if (m === undefined) return; // removed meanwhile: etcd ignores it too
    m.name = name;
    m.clientUrls = [...clientUrls];
    this.changedIds.add(id);
  }

  /** etcd's IsReadyToAddVotingMember: adding a voter must keep started members at a quorum. */
  isReadyToAddVotingMember(): boolean {
    let nmembers = 1;
    let nstarted = 0;
    for (const m of this.votingMembers()) {
      if (this.isStarted(m.id)) nstarted++;
      nmembers++;
    }
    // Adding a second member to a one-member cluster (restoring from a backup) is allowed.
    if (nstarted === 1 && nmembers === 2) return true;
    return nstarted >= Math.floor(nmembers / 2) + 1;
  }

  isReadyToRemoveVotingMember(id: number): boolean {
    let nmembers = 0;
    let nstarted = 0;
    for (const m of this.votingMembers()) {
      if (m.id === id) continue;
      if (this.isStarted(m.id)) nstarted++;
      nmembers++;
    }
    return nstarted >= Math.floor(nmembers / 2) + 1;
  }

  isReadyToPromoteMember(): boolean {
    let nmembers = 1;
    let nstarted = 1;
    for (const m of this.votingMembers()) {
      if (this.isStarted(m.id)) nstarted++;
      nmembers++;
    }
    return nstarted >= Math.floor(nmembers / 2) + 1;
  }

  /** The whole membership as plain data (for Raft snapshots). */
  snapshot(): { members: StoredMember[]; removed: number[] } {
    return {
      members: [...this.members.values()].map((m) => ({ ...m, peerUrls: [...m.peerUrls], clientUrls: [...m.clientUrls] })),
      removed: [...this.removed].sort((a, b) => a - b),
    };
  }

  restoreSnapshot(data: { members: StoredMember[]; removed: number[] }): void {
    this.members.clear();
    this.removed.clear();
    for (const x of data.members) this.members.set(x.id, { ...x, peerUrls: [...x.peerUrls], clientUrls: [...x.clientUrls] });
    for (const id of data.removed) this.removed.add(id);
    this.resetPending = true;
    this.changedIds = new Set(this.members.keys());
    this.newlyRemoved = [...this.removed];
  }

  /** Rows to persist since the last drain. */
  drainChanges(): MemberChanges | undefined {
    if (!this.resetPending && this.changedIds.size === 0 && this.newlyRemoved.length === 0) return undefined;
    const out: MemberChanges = {
      put: [...this.changedIds].filter((id) => this.members.has(id)).map((id) => ({ ...this.members.get(id)!, peerUrls: [...this.members.get(id)!.peerUrls], clientUrls: [...this.members.get(id)!.clientUrls] })),
      removed: [...this.newlyRemoved],
    };
    if (this.resetPending) out.reset = true;
    this.changedIds = new Set();
    this.newlyRemoved = [];
    this.resetPending = false;
    return out;
  }
}
