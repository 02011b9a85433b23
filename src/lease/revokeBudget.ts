// How many expired leases the primary may hand to the server right now. Pure: virtual time in.
//
// etcd's runLoop wakes every 500 ms and hands out at most leaseRevokeRate / 2 expired leases per
// wake-up (1000/s → 500 per loop). The playground's server may call on another beat, so the budget
// is a token bucket with the same rate and burst: it refills at `rate` leases per second of virtual
// time up to `rate / 2`. Called every 500 ms it yields exactly etcd's 500 per call; called every
// 100 ms, 100 per call. Integer arithmetic in thousandths of a lease keeps it exact.

import { assert } from '../lib/assert';

/** A token bucket of lease revocations. */
export class RevokeBudget {
  /** Invariant: 0 <= milliTokens <= capacityMilli. */
  private milliTokens: number;
  private readonly capacityMilli: number;
  private lastMs: number | null = null;

  constructor(private readonly ratePerSecond: number) {
    assert(Number.isInteger(ratePerSecond) && ratePerSecond >= 2, 'RevokeBudget: bad rate');
    this.capacityMilli = Math.floor(ratePerSecond / 2) * 1000;
    this.milliTokens = this.capacityMilli;
  }

  /** Refills the bucket to its burst size, as a freshly promoted etcd lessor's first loop has. */
  reset(now: number): void {
    this.milliTokens = this.capacityMilli;
    this.lastMs = now;
  }

  /** The number of leases that may be handed out at `now` (refilling first). */
  available(now: number): number {
    if (this.lastMs !== null) {
      assert(now >= this.lastMs, () => `RevokeBudget: time went back from ${this.lastMs} to ${now}`);
      this.milliTokens = Math.min(this.capacityMilli, this.milliTokens + (now - this.lastMs) * this.ratePerSecond);
    }
    this.lastMs = now;
    return Math.floor(this.milliTokens / 1000);
  }

  /** Spends `count` leases of the budget returned by `available`. */
  spend(count: number): void {
    assert(count * 1000 <= this.milliTokens, 'RevokeBudget: overspent');
    this.milliTokens -= count * 1000;
  }
}
