// One etcd member: Raft + MVCC + leases + membership, applied from the log and persisted through a
// Backend. See member.ts.
export * from './api';
export * from './config';
export * from './errors';
export * from './requests';
export { EtcdMember, MemberLogSink, MemberReadHooks, type MemberEvent, type MemberOutputs, type MemberStatus, type Origin, type PreparedReady } from './member';
export { Membership } from './membership';
export { LinearizableReads, encodeReadId, decodeReadId } from './readIndex';
