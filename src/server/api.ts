// The etcd v3 API beyond the key-value calls (etcdserverpb in etcd 3.4): leases, cluster
// membership, maintenance. Plain data, as it crosses the worker boundary and the simulated network.
// KV shapes (Range/Put/DeleteRange/Txn/Compaction, Watch) live in src/mvcc/types.ts.

import type { ResponseHeader } from '../mvcc/types';

export type { ResponseHeader };

// ---- Lease ----

export interface LeaseGrantRequest {
  /** Seconds. */
  ttl: number;
  /** 0: the server picks an ID. */
  id?: number;
}
export interface LeaseGrantResponse {
  header: ResponseHeader;
  id: number;
  ttl: number;
  error: string;
}
export interface LeaseRevokeRequest {
  id: number;
}
export interface LeaseRevokeResponse {
  header: ResponseHeader;
}
export interface LeaseKeepAliveRequest {
  id: number;
}
export interface LeaseKeepAliveResponse {
  header: ResponseHeader;
  id: number;
  /** The renewed TTL in seconds; 0 (or less) when the lease was not found. */
  ttl: number;
}
export interface LeaseTimeToLiveRequest {
  id: number;
  keys?: boolean;
}
export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: number;
  /** Remaining seconds; -1 when the lease does not exist (expired or revoked). */
  ttl: number;
  grantedTtl: number;
  keys: string[];
}
export interface LeaseStatus {
  id: number;
}
export interface LeaseLeasesResponse {
  header: ResponseHeader;
  leases: LeaseStatus[];
}

// ---- Cluster ----

export interface Member {
  /** The member's ID (etcd: a 64-bit hash of its peer URLs; here a safe integer). */
  id: number;
  /** Empty until the member has started and published its attributes. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}
export interface MemberAddRequest {
  peerUrls: string[];
  isLearner?: boolean;
}
export interface MemberAddResponse {
  header: ResponseHeader;
  member: Member;
  members: Member[];
}
export interface MemberRemoveRequest {
  id: number;
}
export interface MemberRemoveResponse {
  header: ResponseHeader;
  members: Member[];
}
export interface MemberUpdateRequest {
  id: number;
  peerUrls: string[];
}
export interface MemberUpdateResponse {
  header: ResponseHeader;
  members: Member[];
}
export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}
export interface MemberPromoteRequest {
  id: number;
}
export interface MemberPromoteResponse {
  header: ResponseHeader;
  members: Member[];
}

// ---- Maintenance ----

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';
export interface AlarmMember {
  memberId: number;
  alarm: AlarmType;
}
export interface AlarmRequest {
  action: 'GET' | 'ACTIVATE' | 'DEACTIVATE';
  memberId?: number;
  alarm?: AlarmType;
}
export interface AlarmResponse {
  header: ResponseHeader;
  alarms: AlarmMember[];
}
export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  /** Bytes. */
  dbSize: number;
  dbSizeInUse: number;
  leader: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  errors: string[];
  isLearner: boolean;
}
export interface HashKVResponse {
  header: ResponseHeader;
  hash: number;
  compactRevision: number;
}
export interface MoveLeaderRequest {
  targetId: number;
}
export interface MoveLeaderResponse {
  header: ResponseHeader;
}
export interface DefragmentResponse {
  header: ResponseHeader;
}
