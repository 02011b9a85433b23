// The storage layer's public API: the durable Backend of one etcd member and its two
// implementations, MemoryBackend (tests, the inline executor) and IdbBackend (a worker's own
// IndexedDB database). Both share the batch semantics and the load checks, and so behave alike.

export {
  BackendError,
  CorruptionError,
  type Backend,
  type MemberChanges,
  type PersistedState,
  type ServerMeta,
  type StoredMember,
  type WriteBatch,
} from './backend';
export { MemoryBackend } from './memoryBackend';
export { copyBackend, stateAsBatch } from './copy';
export { IdbBackend, type IdbBackendOptions } from './idbBackend';
export { STORE_NAMES, type BackendTestHooks, type RowKey, type StoreName, type TestableBackend } from './records';
