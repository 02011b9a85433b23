// What travels to, from and between members, as plain data: client requests and responses (the
// gRPC calls of etcd's v3 API), peer messages (Raft messages, and the requests a follower forwards
// to the leader: lease renewals and time-to-live, learner promotion, as etcd forwards them over
// its peer HTTP API), and the InternalRaftRequest a member proposes through Raft.

import type { Message } from '../raft/index';
import type {
  CompactionRequest,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  TxnRequest,
  WatchCreateRequest,
  WatchResponse,
} from '../mvcc/types';
import type { LeaseCheckpoint } from '../lease/index';
import type {
  AlarmRequest,
  LeaseGrantRequest,
  LeaseKeepAliveRequest,
  LeaseRevokeRequest,
  LeaseTimeToLiveRequest,
  MemberAddRequest,
  MemberPromoteRequest,
  MemberRemoveRequest,
  MemberUpdateRequest,
  MoveLeaderRequest,
} from './api';
import type { RpcError } from './errors';

/** A client call, by gRPC method. */
export type ClientRequestBody =
  | { type: 'Range'; req: RangeRequest }
  | { type: 'Put'; req: PutRequest }
  | { type: 'DeleteRange'; req: DeleteRangeRequest }
  | { type: 'Txn'; req: TxnRequest }
  | { type: 'Compact'; req: CompactionRequest }
  | { type: 'LeaseGrant'; req: LeaseGrantRequest }
  | { type: 'LeaseRevoke'; req: LeaseRevokeRequest }
  | { type: 'LeaseKeepAlive'; req: LeaseKeepAliveRequest }
  | { type: 'LeaseTimeToLive'; req: LeaseTimeToLiveRequest }
  | { type: 'LeaseLeases' }
  | { type: 'MemberList'; linearizable?: boolean }
  | { type: 'MemberAdd'; req: MemberAddRequest }
  | { type: 'MemberRemove'; req: MemberRemoveRequest }
  | { type: 'MemberUpdate'; req: MemberUpdateRequest }
  | { type: 'MemberPromote'; req: MemberPromoteRequest }
  | { type: 'Status' }
  | { type: 'HashKV'; revision: number }
  | { type: 'Alarm'; req: AlarmRequest }
  | { type: 'Defragment' }
  | { type: 'MoveLeader'; req: MoveLeaderRequest }
  | { type: 'WatchCreate'; streamId: number; req: WatchCreateRequest }
  | { type: 'WatchCancel'; streamId: number; watchId: number }
  | { type: 'WatchProgress'; streamId: number }
  | { type: 'WatchClose'; streamId: number };

export type ClientRequestType = ClientRequestBody['type'];

/** A request from a client connection to a member. */
export interface ClientRequest {
  /** The client connection (one per client and member). */
  clientId: string;
  /** Unique per client; responses carry it back. */
  reqId: number;
  body: ClientRequestBody;
}

/** A response to one ClientRequest, or a message on a watch stream. */
export type ClientResponse =
  | { clientId: string; reqId: number; ok: true; body: unknown }
  | { clientId: string; reqId: number; ok: false; error: RpcError }
  | { clientId: string; reqId: -1; watch: { streamId: number; resp: WatchResponse } };

/** Member-to-member traffic. */
export type PeerMessage =
  | { kind: 'raft'; msg: Message }
  | { kind: 'forward'; from: number; to: number; fwdId: number; body: ClientRequestBody }
  | { kind: 'forwardResp'; from: number; to: number; fwdId: number; ok: true; body: unknown }
  | { kind: 'forwardResp'; from: number; to: number; fwdId: number; ok: false; error: RpcError };

export function peerFrom(m: PeerMessage): number {
  return m.kind === 'raft' ? m.msg.from : m.from;
}

export function peerTo(m: PeerMessage): number {
  return m.kind === 'raft' ? m.msg.to : m.to;
}

/** Attributes a member publishes through Raft when it starts (etcd's ClusterMemberAttrSet). */
export interface MemberAttributes {
  name: string;
  clientUrls: string[];
}

/**
 * What a member proposes (etcd's pb.InternalRaftRequest): exactly one operation, and a header
 * whose ID lets the proposing member find the waiting request when the entry is applied.
 */
export interface InternalRaftRequest {
  header: { id: number };
  put?: PutRequest;
  deleteRange?: DeleteRangeRequest;
  txn?: TxnRequest;
  compaction?: CompactionRequest;
  leaseGrant?: LeaseGrantRequest & { id: number };
  leaseRevoke?: LeaseRevokeRequest;
  leaseCheckpoint?: { checkpoints: LeaseCheckpoint[] };
  alarm?: AlarmRequest;
  clusterMemberAttrSet?: { memberId: number; attributes: MemberAttributes };
  clusterVersionSet?: { version: string };
}

/** Encodes a request for an entry's data (a byte string: JSON of byte strings stays bytes). */
export function encodeRequest(r: InternalRaftRequest): string {
  return JSON.stringify(r);
}

export function decodeRequest(data: string): InternalRaftRequest {
  return JSON.parse(data) as InternalRaftRequest;
}

/** The configuration-change context etcd puts in a ConfChange (membership.ConfigChangeContext). */
export interface ConfChangeContext {
  member: { id: number; name: string; peerUrls: string[]; clientUrls: string[]; isLearner: boolean };
  isPromote: boolean;
  /** The proposer's wait ID, so the proposing member can answer its client (etcd: cc.ID). */
  requestId: number;
}

/** A one-line description of a proposal, for logs and the UI ("put foo bar", "lease grant …"). */
export function describeRequest(r: InternalRaftRequest): string {
  const text = (s: string): string => (s.length > 24 ? s.slice(0, 21) + '...' : s);
  if (r.put) return `put ${text(r.put.key)} ${text(r.put.value)}`;
  if (r.deleteRange) return `del ${text(r.deleteRange.key)}${r.deleteRange.rangeEnd ? ' ' + text(r.deleteRange.rangeEnd) : ''}`;
  if (r.txn) return `txn (${r.txn.compare.length} cmp, ${r.txn.success.length}/${r.txn.failure.length} ops)`;
  if (r.compaction) return `compact ${r.compaction.revision}`;
  if (r.leaseGrant) return `lease grant ${r.leaseGrant.id.toString(16)} ttl=${r.leaseGrant.ttl}`;
  if (r.leaseRevoke) return `lease revoke ${r.leaseRevoke.id.toString(16)}`;
  if (r.leaseCheckpoint) return `lease checkpoint (${r.leaseCheckpoint.checkpoints.length})`;
  if (r.alarm) return `alarm ${r.alarm.action} ${r.alarm.alarm ?? ''}`.trim();
  if (r.clusterMemberAttrSet) return `publish ${r.clusterMemberAttrSet.attributes.name}`;
  if (r.clusterVersionSet) return `cluster version ${r.clusterVersionSet.version}`;
  return 'request';
}
