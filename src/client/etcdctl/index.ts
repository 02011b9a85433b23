// The etcdctl 3.4 emulation: `runEtcdctl(commandLine, env)` runs one command line against the
// clients `env` creates and resolves to `{ stdout, stderr, exitCode }` as etcdctl 3.4.23 prints them
// (see /work/shared/reference/etcdctl-3.4.md). The playground's exec() wraps it.

import { Prng } from '../../lib/prng';

export { runEtcdctl, DEFAULT_ABORT_EXIT_CODE } from './run';
export type { EtcdctlEnv, EtcdctlResult } from './invocation';
export { tokenize, TokenizeError } from './tokenize';
export { utf8Decode, utf8Encode } from './bytes';

/**
 * A deterministic source of version-4 UUIDs for EtcdctlEnv.clientUuid (clientv3 names each client
 * "client-<uuid>"), drawn from a seeded Prng so runs replay identically.
 */
export function uuidSource(seed: number | string): () => string {
  const prng = new Prng(seed);
  return () => {
    const words = [prng.nextUint32(), prng.nextUint32(), prng.nextUint32(), prng.nextUint32()];
    words[1] = (words[1]! & 0xffff0fff) | 0x4000; // version 4
    words[2] = (words[2]! & 0x3fffffff) | 0x80000000; // RFC 4122 variant
    const hex = words.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
