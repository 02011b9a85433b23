// Lessor configuration: etcd's defaults, what the server derives from Raft timing
// (etcdserver/server.go: minTTL, ReqTimeout, electionTimeout) and the startup checks.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { DEFAULT_LESSOR_CONFIG, lessorTimingFor, resolveLessorConfig } from './config';

describe('lessorTimingFor', () => {
  it('gives a 2 s minimum TTL, a 7 s retry interval and a 1 s extend with etcd default timing', () => {
    expect(lessorTimingFor({ electionTicks: 10, tickMs: 100 })).toEqual({
      minLeaseTtlSeconds: 2,
      expiredLeasesRetryIntervalMs: 7000,
      promoteExtendMs: 1000,
    });
  });

  it('halves the election ticks with integer division before rounding the seconds up', () => {
    // 3 × 11 / 2 = 16 ticks (not 16.5) = 1.6 s → 2 s; 3 × 5 / 2 = 7 ticks = 0.7 s → 1 s.
    expect(lessorTimingFor({ electionTicks: 11, tickMs: 100 }).minLeaseTtlSeconds).toBe(2);
    expect(lessorTimingFor({ electionTicks: 5, tickMs: 100 }).minLeaseTtlSeconds).toBe(1);
    expect(lessorTimingFor({ electionTicks: 20, tickMs: 100 }).minLeaseTtlSeconds).toBe(3);
    expect(lessorTimingFor({ electionTicks: 10, tickMs: 200 }).minLeaseTtlSeconds).toBe(3);
  });
});

describe('resolveLessorConfig', () => {
  it('fills etcd defaults: 5 min checkpoints off, 3 s retry, 1000 revokes per second', () => {
    const config = resolveLessorConfig({ minLeaseTtlSeconds: 5 });
    expect(config).toEqual({ ...DEFAULT_LESSOR_CONFIG, minLeaseTtlSeconds: 5 });
    expect(config.checkpointIntervalMs).toBe(300_000);
    expect(config.checkpointingEnabled).toBe(false);
    expect(config.maxLeaseTtlSeconds).toBe(9_000_000_000);
  });

  it('refuses checkpoint persistence without checkpointing, as etcd refuses to start', () => {
    expect(() => resolveLessorConfig({ checkpointPersist: true })).toThrow(AssertionError);
    expect(resolveLessorConfig({ checkpointPersist: true, checkpointingEnabled: true }).checkpointPersist).toBe(true);
  });

  it('refuses a zero retry interval, which would hand out one expired lease forever', () => {
    expect(() => resolveLessorConfig({ expiredLeasesRetryIntervalMs: 0 })).toThrow(AssertionError);
  });
});
