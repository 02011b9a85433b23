// The cluster as the page draws it: a plain, immutable snapshot of the Playground's real state
// (statuses, Raft details, messages in flight, links, the member log feed), replaced at most once
// per animation frame by frameLoop.ts. Components read it through selectors; nothing here drives
// the simulation, and no core object is ever stored (only plain data the API hands out).

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { InFlight, LinkState, NodeDetail, NodeStatus, Speed, Violation } from '../../playground/index';
import type { Lifecycle } from '../lib/format';

/** Raft details of one node and the virtual time they were read at (to interpolate timers). */
export interface TimedDetail {
  detail: NodeDetail;
  at: number;
}

/**
 * A message to draw. `flight`: still in the cluster's queue. `delivered`: already handed to its
 * receiver but drawn until the display clock reaches its arrival. `dropped`: dead at `m.at`, drawn
 * as a fading burst for a short while after.
 */
export interface MessageView {
  m: InFlight;
  phase: 'flight' | 'delivered' | 'dropped';
}

export interface LinkView {
  from: number;
  to: number;
  state: LinkState;
}

export type FeedKind = 'raft' | 'etcdserver' | 'fault' | 'node' | 'client';
export type FeedLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One line of the event feed: a member's own log line (etcd's wording) or a playground event. */
export interface FeedLine {
  seq: number;
  time: number;
  /** The member it comes from; 0 for cluster-wide events (faults, clients). */
  node: number;
  level: FeedLevel;
  kind: FeedKind;
  text: string;
}

/** A moment worth marking on the timeline strip. */
export interface TapeMark {
  time: number;
  kind: 'leader' | 'election' | 'fault';
  term: number;
  label: string;
}

export interface ClusterState {
  ready: boolean;
  bootError: string | undefined;
  /** The display clock (virtual ms): trails the simulation by at most one driver slice. */
  now: number;
  /** playground.now() at the last frame. */
  simNow: number;
  playing: boolean;
  speed: Speed;
  tickMs: number;
  nodes: NodeStatus[];
  lifecycle: Record<string, Lifecycle>;
  details: Record<string, TimedDetail>;
  /** The current leader's per-follower progress; the same object while it does not change. */
  leaderProgress: { leader: number; progress: NodeDetail['progress'] } | undefined;
  messages: MessageView[];
  links: LinkView[];
  feed: FeedLine[];
  /** Bumps whenever a node's status changed (logs and data views refetch on it). */
  statusSeq: number;
  tape: TapeMark[];
  counters: { sent: number; delivered: number; dropped: number };
  /** What seek() reaches (virtual ms) and whether an earlier instant is on screen. */
  timeline: { start: number; end: number; viewing: boolean };
  /** Safety violations seen on the live run (each one is a bug; the clock stops at the first). */
  alarms: Violation[];
  /** The real-time driver stopped on an error (a bug), with its message. */
  driverError: string | undefined;
}

export type ClusterStore = StoreApi<ClusterState>;

export function createClusterStore(): ClusterStore {
  return createStore<ClusterState>()(() => ({
    ready: false,
    bootError: undefined,
    now: 0,
    simNow: 0,
    playing: false,
    speed: 1,
    tickMs: 100,
    nodes: [],
    lifecycle: {},
    details: {},
    leaderProgress: undefined,
    messages: [],
    links: [],
    feed: [],
    statusSeq: 0,
    tape: [],
    counters: { sent: 0, delivered: 0, dropped: 0 },
    timeline: { start: 0, end: 0, viewing: false },
    alarms: [],
    driverError: undefined,
  }));
}

/** The leader with the highest term among live nodes, as playground.leader() defines it. */
export function leaderOf(nodes: readonly NodeStatus[]): NodeStatus | undefined {
  let best: NodeStatus | undefined;
  for (const n of nodes) if (n.alive && n.role === 'StateLeader' && (best === undefined || n.term > best.term)) best = n;
  return best;
}

/** The state of the directed link from → to (links are up with default settings when unknown). */
export function linkBetween(links: readonly LinkView[], from: number, to: number): LinkState | undefined {
  for (const l of links) if (l.from === from && l.to === to) return l.state;
  return undefined;
}
