// Live safety checks over a running cluster, fed by its event stream: at most one leader per term
// (Election Safety), applied entries that agree on every member (State Machine Safety), revisions
// that never go back, and gap-free watch streams; plus deeper checks that read the members' logs
// (Log Matching, Leader Completeness). A violation names the property, the evidence (members,
// term, index) and the virtual time, so the UI can stop the clock and point at it.

import type { ClusterEvent } from '../cluster';
import type { LogSlice } from '../host';

export type Property =
  | 'ElectionSafety'
  | 'StateMachineSafety'
  | 'LogMatching'
  | 'LeaderCompleteness'
  | 'MonotonicRevision'
  | 'WatchGapFree'
  | 'Linearizability';

export interface Violation {
  property: Property;
  time: number;
  message: string;
  nodes: number[];
  index?: number;
  term?: number;
}

/** What a deep check needs: live members, the leader, and their logs. */
export interface LogSource {
  ids(): number[];
  isAlive(id: number): boolean;
  leader(): number | undefined;
  status(id: number): { term: number; role: string } | undefined;
  log(id: number, from: number, to: number): Promise<LogSlice>;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly leaderOfTerm = new Map<number, number>();
  /** index -> the entry (term and summary) the first member applied there. */
  private readonly applied = new Map<number, { term: number; summary: string; node: number }>();
  private readonly lastApplied = new Map<number, number>();
  private readonly lastRevision = new Map<number, number>();
  private readonly listeners = new Set<(v: Violation) => void>();

  onViolation(f: (v: Violation) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private report(v: Violation): void {
    this.violations.push(v);
    for (const f of this.listeners) f(v);
  }

  /** Feeds one cluster event. */
  observe(e: ClusterEvent): void {
    switch (e.type) {
      case 'status': {
        const s = e.status;
        if (s.role === 'StateLeader') {
          const prev = this.leaderOfTerm.get(s.term);
          if (prev === undefined) this.leaderOfTerm.set(s.term, e.node);
          else if (prev !== e.node) {
            this.report({
              property: 'ElectionSafety',
              time: e.time,
              message: `two leaders in term ${s.term}: ${prev.toString(16)} and ${e.node.toString(16)}`,
              nodes: [prev, e.node],
              term: s.term,
            });
          }
        }
        const last = this.lastRevision.get(e.node);
        if (last !== undefined && s.revision < last) {
          this.report({
            property: 'MonotonicRevision',
            time: e.time,
            message: `revision of ${e.node.toString(16)} went back from ${last} to ${s.revision}`,
            nodes: [e.node],
          });
        }
        this.lastRevision.set(e.node, s.revision);
        return;
      }
      case 'member': {
        const ev = e.event;
        if (ev.kind === 'restore') {
          this.lastApplied.set(e.node, ev.index);
          return;
        }
        if (ev.kind !== 'apply') return;
        const prevIndex = this.lastApplied.get(e.node);
        if (prevIndex !== undefined && ev.index !== prevIndex + 1) {
          this.report({
            property: 'StateMachineSafety',
            time: e.time,
            message: `${e.node.toString(16)} applied index ${ev.index} after ${prevIndex}`,
            nodes: [e.node],
            index: ev.index,
          });
        }
        this.lastApplied.set(e.node, ev.index);
        const known = this.applied.get(ev.index);
        if (known === undefined) this.applied.set(ev.index, { term: ev.term, summary: ev.summary, node: e.node });
        else if (known.term !== ev.term || known.summary !== ev.summary) {
          this.report({
            property: 'StateMachineSafety',
            time: e.time,
            message: `index ${ev.index} applied as ${known.term}/"${known.summary}" on ${known.node.toString(16)} but ${ev.term}/"${ev.summary}" on ${e.node.toString(16)}`,
            nodes: [known.node, e.node],
            index: ev.index,
            term: ev.term,
          });
        }
        return;
      }
      case 'node':
        // A member that comes back starts applying again from its persisted state.
        if (e.state === 'up') this.lastApplied.delete(e.node);
        return;
      case 'fault':
        if (e.action === 'wipe') this.lastRevision.clear();
        return;
      default:
        return;
    }
  }

  /** A member's data was wiped (SIGQUIT_AND_REMOVE): its history starts over. */
  forget(node: number): void {
    this.lastRevision.delete(node);
    this.lastApplied.delete(node);
  }

  /**
   * Reads the live members' logs and checks Log Matching (same index and term: same entry and
   * same prefix) and Leader Completeness (the leader holds every entry known committed).
   */
  async deepCheck(src: LogSource, time: number): Promise<void> {
    const live = src.ids().filter((id) => src.isAlive(id));
    const logs = new Map<number, LogSlice>();
    for (const id of live) logs.set(id, await src.log(id, 0, Number.MAX_SAFE_INTEGER));
    const entryAt = (l: LogSlice, i: number) => l.entries[i - l.firstIndex];
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const la = logs.get(live[a]!)!;
        const lb = logs.get(live[b]!)!;
        const lo = Math.max(la.firstIndex, lb.firstIndex);
        const hi = Math.min(la.lastIndex, lb.lastIndex);
        let agreeAbove = false;
        for (let i = hi; i >= lo; i--) {
          const ea = entryAt(la, i);
          const eb = entryAt(lb, i);
          if (ea === undefined || eb === undefined) continue;
          const same = ea.term === eb.term;
          if (same && ea.data !== eb.data) {
            this.report({ property: 'LogMatching', time, message: `index ${i} term ${ea.term} holds different data on ${live[a]!.toString(16)} and ${live[b]!.toString(16)}`, nodes: [live[a]!, live[b]!], index: i, term: ea.term });
            return;
          }
          if (same) agreeAbove = true;
          else if (agreeAbove) {
            this.report({ property: 'LogMatching', time, message: `logs of ${live[a]!.toString(16)} and ${live[b]!.toString(16)} agree above index ${i} but differ there (${ea.term} vs ${eb.term})`, nodes: [live[a]!, live[b]!], index: i });
            return;
          }
        }
      }
    }
    const lead = src.leader();
    if (lead === undefined) return;
    const ll = logs.get(lead);
    const term = src.status(lead)?.term ?? 0;
    if (ll === undefined) return;
    for (const [i, e] of this.applied) {
      if (i < ll.firstIndex || e.term > term) continue;
      const mine = entryAt(ll, i);
      if (mine === undefined || mine.term !== e.term) {
        this.report({
          property: 'LeaderCompleteness',
          time,
          message: `leader ${lead.toString(16)} (term ${term}) lacks committed entry ${i} of term ${e.term}`,
          nodes: [lead],
          index: i,
          term: e.term,
        });
        return;
      }
    }
  }
}

/**
 * Checks that a watch delivered every revision of its range exactly once and in order: for a watch
 * over the whole keyspace from revision r, every revision after r shows up.
 */
export class WatchChecker {
  private lastRev = 0;
  constructor(private readonly onViolation: (v: Violation) => void) {}

  observe(time: number, events: ReadonlyArray<{ kv: { modRevision: number } }>, wholeKeyspace: boolean): void {
    for (const ev of events) {
      const rev = ev.kv.modRevision;
      if (rev < this.lastRev) {
        this.onViolation({ property: 'WatchGapFree', time, message: `watch went back from revision ${this.lastRev} to ${rev}`, nodes: [] });
      } else if (wholeKeyspace && this.lastRev !== 0 && rev > this.lastRev + 1) {
        this.onViolation({ property: 'WatchGapFree', time, message: `watch skipped revisions ${this.lastRev + 1}..${rev - 1}`, nodes: [] });
      }
      this.lastRev = Math.max(this.lastRev, rev);
    }
  }
}
