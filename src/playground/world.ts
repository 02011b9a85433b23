// One simulated world: a cluster with the clients and long-running calls that recorded actions
// address by index. The live run is a world; so is a replay, the shadow that mirrors a worker run
// for time travel, and every checkpoint restored by seek(). Actions are performed on a world the
// same way live and in a replay (perform()), which is what makes a replay the same run.

import { assert } from '../lib/assert';
import { CLONE_AS, shareOnClone } from '../lib/clone';
import type { Cluster } from '../cluster/cluster';
import type { Client } from '../client/client';
import type { ClientOptions, KeepAliveHandle, WatchHandle } from '../client/api';
import type { RecordedAction } from './recording';
import { etcdctlLoaded, loadEtcdctl, runExec, type ExecResult } from './exec';

/** A long-running call started by a recorded action, as data (so checkpoints carry it). */
export type StreamRef = { kind: 'watch'; client: number; streamId: number } | { kind: 'keepalive'; client: number; leaseId: number };

/** Stand-in for a recorded callback (a replay has nobody to call back). */
export function ignoreCallback(): void {}
shareOnClone(ignoreCallback);

/** How a function argument is written in a recording. */
export const FN_MARKER = { callback: true } as const;
/** How an AbortSignal option is written in a recording (the abort itself is an 'abort' action). */
export const SIGNAL_MARKER = { signal: true } as const;

function isFnMarker(x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as { callback?: unknown }).callback === true && Object.keys(x as object).length === 1;
}

function isSignalMarker(x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as { signal?: unknown }).signal === true && Object.keys(x as object).length === 1;
}

/** Client methods that are recorded ('call' actions). */
export const RECORDED_METHODS = new Set([
  'get', 'put', 'delete', 'txn', 'compact', 'watch', 'leaseGrant', 'leaseRevoke', 'leaseKeepAliveOnce', 'leaseKeepAlive',
  'leaseTimeToLive', 'leaseLeases', 'memberList', 'memberAdd', 'memberRemove', 'memberUpdate', 'memberPromote', 'status',
  'hashKV', 'alarmList', 'alarmDisarm', 'defragment', 'moveLeader', 'lock', 'unlock', 'campaign', 'proclaim', 'leader',
  'observe', 'resign',
]);

/** Recorded calls whose options may carry a signal that a replay must be able to abort. */
const ABORTABLE_RECIPES = new Set(['lock', 'campaign', 'observe']);

/** What perform() returns: the value of the underlying call, for a live caller. */
export type Performed = { value: unknown };

export class World {
  /** Clients made by 'client' actions, by creation order. */
  readonly clients: Client[] = [];
  /** Watches and keep-alives started by recorded actions, by action index. */
  readonly streams = new Map<number, StreamRef>();
  /**
   * Recipes and etcdctl commands in progress, by action index: what an 'abort' action stops.
   * Never in a checkpoint (the cluster is not quiescent while any runs).
   */
  readonly aborts = new Map<number, AbortController>();
  /** How many recorded actions this world has performed (a replay's cursor). */
  performed = 0;

  constructor(readonly cluster: Cluster) {}

  /**
   * Whether the world is all data: its cluster is quiescent and no recorded command or recipe is
   * still running (their bookkeeping here goes a moment after the cluster's).
   */
  isQuiescent(): boolean {
    return this.aborts.size === 0 && this.cluster.isQuiescent();
  }

  [CLONE_AS](): World {
    assert(this.aborts.size === 0, 'a checkpoint cannot hold a command in progress');
    return Object.assign(Object.create(World.prototype) as World, this, { aborts: new Map() });
  }

  /**
   * Performs one recorded action (`a`, the `index`-th of the run). `live` carries the caller's
   * callbacks in place of the recorded markers. The part of an action that happens at once (a
   * kill, the first request of a membership change) is done when this returns (or, for a node's
   * start and stop, when the promise it returns resolves); what follows (an answer) is `value`.
   */
  perform(a: RecordedAction, index: number, live?: { args: unknown[] }): Performed | Promise<Performed> {
    this.performed = index + 1;
    const c = this.cluster;
    const args = a.args as never[];
    switch (a.type) {
      case 'kill':
        return c.kill(args[0]).then(NOTHING);
      case 'crash':
        return c.crash(args[0]).then(NOTHING);
      case 'restart':
        return c.restart(args[0]).then(NOTHING);
      case 'stop':
        return c.beginStop(args[0]).then(NOTHING);
      case 'partition':
        c.partition(args[0]);
        return { value: undefined };
      case 'isolate':
        c.isolate(args[0]);
        return { value: undefined };
      case 'heal':
        c.heal();
        return { value: undefined };
      case 'setLink':
        c.setLink(args[0], args[1], args[2]);
        return { value: undefined };
      case 'setDisk':
        c.setDisk(args[0], args[1]);
        return { value: undefined };
      case 'forceElection':
        c.forceElection(args[0]);
        return { value: undefined };
      case 'transferLeader':
        return { value: quiet(c.transferLeader(args[0])) };
      case 'addMember': {
        const o: { learner?: boolean; name?: string } = { ...((args[1] as { learner?: boolean } | undefined) ?? {}) };
        if (args[0] !== undefined && args[0] !== null) o.name = args[0];
        return { value: quiet(c.addMember(o)) };
      }
      case 'promote':
        return { value: quiet(c.promote(args[0])) };
      case 'removeMember':
        return { value: quiet(c.removeMember(args[0])) };
      case 'client': {
        const opts = { ...((args[0] as ClientOptions | undefined) ?? {}) };
        if (live !== undefined) Object.assign(opts, live.args[0] as ClientOptions);
        const client = c.client(opts);
        this.clients.push(client);
        return { value: client };
      }
      case 'call':
        return { value: this.call(a, index, live) };
      case 'exec': {
        const [line, o] = a.args as [string, { stdin?: string; timeoutMs?: number } | undefined];
        const ac = new AbortController();
        this.aborts.set(index, ac);
        const opts: Parameters<typeof runExec>[2] = { signal: ac.signal };
        if (o?.stdin !== undefined) opts.stdin = o.stdin;
        if (o?.timeoutMs !== undefined) opts.timeoutMs = o.timeoutMs;
        const onOutput = (live?.args[1] as { onOutput?: Parameters<typeof runExec>[2]['onOutput'] } | undefined)?.onOutput;
        if (onOutput !== undefined) opts.onOutput = onOutput;
        const run: Promise<ExecResult> = runExec(c, line, opts).finally(() => this.aborts.delete(index));
        return { value: quiet(run) };
      }
      case 'abort':
        this.abort(args[0]);
        return { value: undefined };
      case 'progress': {
        const ref = this.streams.get(args[0]);
        if (ref?.kind === 'watch') this.clients[ref.client]?.requestProgress(ref.streamId);
        return { value: undefined };
      }
      case 'close': {
        this.clients[args[0]]?.close();
        return { value: undefined };
      }
    }
  }

  /** Stops what the action at `index` started (a watch, a keep-alive, a recipe, a command). */
  private abort(index: number): void {
    const ref = this.streams.get(index);
    if (ref !== undefined) {
      this.streams.delete(index);
      const client = this.clients[ref.client];
      if (ref.kind === 'watch') client?.cancelWatch(ref.streamId);
      else client?.cancelKeepAlive(ref.leaseId);
      return;
    }
    this.aborts.get(index)?.abort();
  }

  private call(a: RecordedAction, index: number, live: { args: unknown[] } | undefined): unknown {
    const [clientIndex, method, recorded] = a.args as [number, string, unknown[]];
    const client = this.clients[clientIndex];
    if (client === undefined) throw new Error(`no client #${clientIndex} in this run`);
    assert(RECORDED_METHODS.has(method), `not a recorded client method: ${method}`);
    const callArgs = recorded.map((x, i) => {
      const given = live?.args[i];
      if (isFnMarker(x)) return typeof given === 'function' ? given : ignoreCallback;
      if (x !== null && typeof x === 'object' && !Array.isArray(x) && 'signal' in x && isSignalMarker((x as { signal: unknown }).signal)) {
        // The caller's signal is not passed on: its abort is recorded as an action instead.
        const { signal: _s, ...rest } = x as Record<string, unknown>;
        if (ABORTABLE_RECIPES.has(method)) {
          const ac = new AbortController();
          this.aborts.set(index, ac);
          return { ...rest, signal: ac.signal };
        }
        return rest;
      }
      return x;
    });
    const fn = (client as unknown as Record<string, (...x: unknown[]) => unknown>)[method]!;
    const r = fn.apply(client, callArgs);
    if (r instanceof Promise) {
      if (this.aborts.has(index)) void r.then(() => this.aborts.delete(index), () => this.aborts.delete(index));
      return quiet(r);
    }
    if (method === 'watch') {
      const h = r as WatchHandle;
      if (h.streamId !== undefined) this.streams.set(index, { kind: 'watch', client: clientIndex, streamId: h.streamId });
    } else if (method === 'leaseKeepAlive') {
      this.streams.set(index, { kind: 'keepalive', client: clientIndex, leaseId: callArgs[0] as number });
      void (r as KeepAliveHandle).done.then(
        () => this.streams.delete(index),
        () => this.streams.delete(index),
      );
    } else if (method === 'observe') {
      const h = r as WatchHandle;
      void h.done.then(
        () => this.aborts.delete(index),
        () => this.aborts.delete(index),
      );
    }
    return r;
  }

  /**
   * Replays `actions` (from this world's cursor) up to virtual time `target`: events run until
   * each action's recorded position, the action is performed at its recorded time, and so on.
   * `stop` is asked between events; when it says so, the clock stays at the last event.
   */
  async replayTo(target: number, actions: readonly RecordedAction[], stop?: () => boolean): Promise<void> {
    const c = this.cluster;
    let stopped = false;
    await c.asDriver(async () => {
      while (this.performed < actions.length) {
        const next = actions[this.performed]!;
        if (next.t > target) break;
        while (c.position < next.pos) {
          if (stop?.() === true) {
            stopped = true;
            return;
          }
          const t = c.nextEventTime();
          if (t === undefined || t > next.t) break;
          await c.stepOne();
        }
        // Events still due before the action (a replay that went another way than the recording,
        // which should not happen) run first, so time never goes back.
        for (let t = c.nextEventTime(); t !== undefined && t < next.t; t = c.nextEventTime()) await c.stepOne();
        if (c.now() < next.t) c.setNow(next.t);
        if (next.type === 'exec' && !etcdctlLoaded()) await loadEtcdctl();
        await c.exclusive(() => this.perform(next, this.performed));
      }
    });
    if (!stopped && target > c.now()) await c.advance(target - c.now(), stop);
  }

  /** Processes one event, performing the recorded actions due before it. Returns false at the end. */
  async stepReplay(actions: readonly RecordedAction[]): Promise<boolean> {
    const c = this.cluster;
    while (this.performed < actions.length) {
      const next = actions[this.performed]!;
      const t = c.nextEventTime();
      if (c.position < next.pos && t !== undefined && t <= next.t) break;
      if (c.now() < next.t) {
        if (t !== undefined && t <= next.t) break;
        c.setNow(next.t);
      }
      if (next.type === 'exec' && !etcdctlLoaded()) await loadEtcdctl();
      await c.exclusive(() => this.perform(next, this.performed));
    }
    return c.stepOne();
  }
}

function NOTHING(): Performed {
  return { value: undefined };
}

/** A promise whose rejection nobody has to handle (a replayed call's outcome is not awaited). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
