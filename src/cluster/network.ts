// The simulated network between members: one link per direction, each up or down, with a latency,
// seeded jitter, a loss rate, a duplication rate and a reorder switch. Partitions and isolation
// are sets of links going down; heal brings every link up again.
//
// A link is a stream, as etcd's peers talk over TCP (rafthttp): jitter varies each message's
// latency but a message never overtakes an earlier one on the same link, unless the link is set
// to reorder (then each message travels on its own). Duplicates arrive on their own schedule, so
// they can arrive out of order anywhere.
//
// Pure: randomness comes from the Prng handed in; time is the coordinator's virtual clock.

import { assert } from '../lib/assert';
import type { Prng } from '../lib/prng';

export interface LinkState {
  up: boolean;
  /** Mean one-way latency in virtual ms. */
  latencyMs: number;
  /** Uniform jitter: the latency is drawn from [latency - jitter, latency + jitter]. */
  jitterMs: number;
  /** Probability in [0, 1] that a message is lost. */
  dropRate: number;
  /** Probability in [0, 1] that a message is delivered twice. */
  duplicateRate: number;
  /** Messages may overtake each other (each latency drawn on its own; default off: a stream). */
  reorder: boolean;
  /** When the last message sent on this link arrives (a stream delivers nothing before it). */
  lastArrival?: number;
}

export interface LinkSettings {
  up?: boolean;
  latencyMs?: number;
  jitterMs?: number;
  dropRate?: number;
  duplicateRate?: number;
  reorder?: boolean;
}

/** What happens to one message sent at `now`. */
export type Fate =
  | { kind: 'deliver'; at: number; duplicateAt?: number }
  | { kind: 'drop'; at: number; reason: 'link down' | 'lost' };

export class Network {
  /** Every link by sender and receiver (nested maps: no key string per message). */
  private readonly byPair = new Map<number, Map<number, LinkState>>();

  constructor(
    private readonly prng: Prng,
    private readonly defaults: LinkState,
  ) {}

  link(from: number, to: number): LinkState {
    let row = this.byPair.get(from);
    if (row === undefined) {
      row = new Map();
      this.byPair.set(from, row);
    }
    let l = row.get(to);
    if (l === undefined) {
      l = { ...this.defaults };
      row.set(to, l);
    }
    return l;
  }

  /** Every link that differs from the defaults, for views and recordings. */
  linkStates(ids: readonly number[]): Array<{ from: number; to: number; state: LinkState }> {
    const out: Array<{ from: number; to: number; state: LinkState }> = [];
    for (const from of ids) {
      for (const to of ids) {
        if (from === to) continue;
        const { lastArrival: _last, ...state } = this.link(from, to);
        out.push({ from, to, state });
      }
    }
    return out;
  }

  set(from: number, to: number, s: LinkSettings): void {
    assert(from !== to, 'a link joins two different members');
    const l = this.link(from, to);
    if (s.up !== undefined) l.up = s.up;
    if (s.latencyMs !== undefined) {
      assert(s.latencyMs >= 0, 'latency must be >= 0');
      l.latencyMs = s.latencyMs;
    }
    if (s.jitterMs !== undefined) {
      assert(s.jitterMs >= 0, 'jitter must be >= 0');
      l.jitterMs = s.jitterMs;
    }
    if (s.dropRate !== undefined) {
      assert(s.dropRate >= 0 && s.dropRate <= 1, 'drop rate must be in [0, 1]');
      l.dropRate = s.dropRate;
    }
    if (s.duplicateRate !== undefined) {
      assert(s.duplicateRate >= 0 && s.duplicateRate <= 1, 'duplicate rate must be in [0, 1]');
      l.duplicateRate = s.duplicateRate;
    }
    if (s.reorder !== undefined) l.reorder = s.reorder;
  }

  /** Cuts every link between different groups and restores those within a group. */
  partition(groups: ReadonlyArray<readonly number[]>, all: readonly number[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
    // Members not named form a group of their own each (they are cut from everyone).
    let next = groups.length;
    for (const id of all) if (!groupOf.has(id)) groupOf.set(id, next++);
    for (const a of all) for (const b of all) if (a !== b) this.link(a, b).up = groupOf.get(a) === groupOf.get(b);
  }

  isolate(id: number, all: readonly number[]): void {
    for (const other of all) {
      if (other === id) continue;
      this.link(id, other).up = false;
      this.link(other, id).up = false;
    }
  }

  /** Brings every link up (latency and loss settings stay). */
  heal(all: readonly number[]): void {
    for (const a of all) for (const b of all) if (a !== b) this.link(a, b).up = true;
  }

  /** Whether both directions between two members are up. */
  connected(a: number, b: number): boolean {
    return this.link(a, b).up && this.link(b, a).up;
  }

  /**
   * Decides the fate of a message sent now. A message on a down link dies a little way out; a lost
   * one dies somewhere along the way; otherwise it arrives after the link's latency with jitter.
   */
  fate(from: number, to: number, now: number): Fate {
    const l = this.link(from, to);
    const latency = this.drawLatency(l);
    if (!l.up) return { kind: 'drop', at: now + Math.max(1, Math.round(latency / 4)), reason: 'link down' };
    if (l.dropRate > 0 && this.prng.chanceOf(l.dropRate)) {
      return { kind: 'drop', at: now + Math.max(1, Math.round(latency * (0.3 + this.prng.int(40) / 100))), reason: 'lost' };
    }
    let at = now + latency;
    if (!l.reorder) {
      // A stream: nothing overtakes what was sent before on this link.
      at = Math.max(at, l.lastArrival ?? 0);
      l.lastArrival = at;
    }
    if (l.duplicateRate > 0 && this.prng.chanceOf(l.duplicateRate)) {
      return { kind: 'deliver', at, duplicateAt: now + this.drawLatency(l) + 1 };
    }
    return { kind: 'deliver', at };
  }

  private drawLatency(l: LinkState): number {
    const j = Math.round(l.jitterMs);
    const base = Math.round(l.latencyMs);
    if (j === 0) return Math.max(1, base);
    return Math.max(1, base - j + this.prng.int(2 * j + 1));
  }
}
