// Small tools the lessons share: naming members, addressing them with etcdctl, reading logs and
// keyspaces, counting messages and leaderless time while a step runs, background write streams,
// and building checks. Everything reads the Playground API; nothing here invents a state.

import type { HistoryOp, NodeStatus, Playground } from '../playground/index';
import type { Check } from './types';

export function check(label: string, ok: boolean, detail: string): Check {
  return { label, ok, detail };
}

export function nameOf(pg: Playground, id: number): string {
  return pg.status().find((n) => n.id === id)?.name ?? id.toString(16);
}

export function statusOf(pg: Playground, id: number): NodeStatus {
  const s = pg.status().find((n) => n.id === id);
  if (s === undefined) throw new Error(`no member ${id.toString(16)}`);
  return s;
}

/** host:port of a member's client URL, as etcdctl's --endpoints takes it. */
export function endpointOf(pg: Playground, id: number): string {
  return pg.cluster.spec(id).clientUrl.replace(/^https?:\/\//, '');
}

export function clientUrlOf(pg: Playground, id: number): string {
  return pg.cluster.spec(id).clientUrl;
}

/** etcdctl's hexadecimal member ID. */
export function hex(id: number): string {
  return id.toString(16);
}

/** The election timeout in virtual ms (etcd: 10 ticks of 100 ms). */
export function electionTimeoutMs(pg: Playground): number {
  const t = pg.cluster.timing;
  return t.tickMs * t.electionTicks;
}

/** Live members that are not the leader, in the cluster's fixed order. */
export function followersOf(pg: Playground): NodeStatus[] {
  const lead = pg.leader();
  return pg.status().filter((n) => n.alive && !n.removed && n.id !== lead && !n.isLearner);
}

/** Waits for a leader and then a little longer, so every member has heard of it. */
export async function settledLeader(pg: Playground, extraMs = 500): Promise<number> {
  await pg.waitForLeader({ timeoutMs: 15_000 });
  await pg.advance(extraMs);
  const lead = pg.leader();
  if (lead === undefined) throw new Error('the leader was lost right after the election');
  return lead;
}

/** Advances until virtual time `t` (no-op if already there). */
export async function advanceTo(pg: Playground, t: number): Promise<void> {
  if (pg.now() < t) await pg.advance(t - pg.now());
}

/** Members that call themselves leader (alive), whatever their term. */
export function selfDeclaredLeaders(pg: Playground): NodeStatus[] {
  return pg.status().filter((n) => n.alive && n.role === 'StateLeader');
}

/** A live member's log terms for indexes [from, to). */
export async function logTerms(pg: Playground, id: number, from: number, to: number): Promise<number[]> {
  if (to <= from) return [];
  const slice = await pg.nodeLog(id, from, to);
  return slice.entries.map((e) => e.term);
}

/** The value of `key` in a live member's own store (no Raft round: what it would serve locally). */
export async function localValue(pg: Playground, id: number, key: string): Promise<string | undefined> {
  const ks = await pg.nodeKeyspace(id, { prefix: key });
  return ks.kvs.find((kv) => kv.key === key)?.value;
}

/** Counts Raft messages of the given types sent by `from` while the returned handle is open. */
export function countSent(pg: Playground, from: number, types: readonly string[]): { counts: () => Record<string, number>; stop: () => Record<string, number> } {
  const counts: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
  const off = pg.subscribe((e) => {
    if (e.type === 'message' && e.phase === 'send' && e.message.channel === 'raft' && e.message.from === from && e.message.type in counts) {
      counts[e.message.type]!++;
    }
  });
  return {
    counts: () => ({ ...counts }),
    stop: () => {
      off();
      return { ...counts };
    },
  };
}

/**
 * Measures how long the cluster has no leader (pg.leader() undefined) while the handle is open:
 * intervals in virtual ms, sampled at every status change.
 */
export function leaderlessTime(pg: Playground): { stop: () => { total: number; longest: number; intervals: Array<[number, number]> } } {
  const intervals: Array<[number, number]> = [];
  let since: number | undefined = pg.leader() === undefined ? pg.now() : undefined;
  const off = pg.subscribe((e) => {
    if (e.type !== 'status' && e.type !== 'node') return;
    const lead = pg.leader();
    if (lead === undefined && since === undefined) since = e.time;
    else if (lead !== undefined && since !== undefined) {
      intervals.push([since, e.time]);
      since = undefined;
    }
  });
  return {
    stop: () => {
      off();
      if (since !== undefined) intervals.push([since, pg.now()]);
      const lengths = intervals.map(([a, b]) => b - a);
      return { total: lengths.reduce((a, b) => a + b, 0), longest: Math.max(0, ...lengths), intervals };
    },
  };
}

export interface WriteStreamResult {
  ops: number;
  ok: number;
  failed: number;
  /** Longest time a write took (failed ones count with the time they took to fail). */
  longestMs: number;
  /** Median latency of the successful writes. */
  medianMs: number;
  errors: string[];
}

/**
 * A client writing `key/<n>` every `everyMs` through `endpointId`, `count` times, with `during`
 * performed just before write number `at`. Waits until every write has answered (or its 5 s
 * deadline passed), so nothing of the stream outlives the step.
 */
export async function writeStream(
  pg: Playground,
  opts: { endpointId: number; key: string; count: number; everyMs: number; during?: { at: number; action: () => Promise<void> } },
): Promise<WriteStreamResult> {
  // autoAdvance off: the stream's writes run in the background while this loop moves time.
  const c = pg.client({ endpoints: [clientUrlOf(pg, opts.endpointId)], autoAdvance: false });
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < opts.count; i++) {
    if (opts.during !== undefined && i === opts.during.at) await opts.during.action();
    pending.push(c.put(`${opts.key}/${i}`, String(i)).catch(() => undefined));
    await pg.advance(opts.everyMs);
  }
  let settled = false;
  void Promise.all(pending).then(() => (settled = true));
  await pg.runUntil(() => settled, { timeoutMs: 15_000 });
  // Let the last answers' callbacks run.
  await pg.advance(0);
  c.close();
  return summarize(pg.history().filter((h) => h.op === 'Put' && h.key !== undefined && h.key.startsWith(`${opts.key}/`)));
}

export function summarize(ops: readonly HistoryOp[]): WriteStreamResult {
  const lat = ops.map((o) => o.returnedAt - o.invokedAt);
  const okLat = ops.filter((o) => o.ok).map((o) => o.returnedAt - o.invokedAt).sort((a, b) => a - b);
  return {
    ops: ops.length,
    ok: ops.filter((o) => o.ok).length,
    failed: ops.filter((o) => !o.ok).length,
    longestMs: Math.round(Math.max(0, ...lat)),
    medianMs: Math.round(okLat[Math.floor(okLat.length / 2)] ?? 0),
    errors: [...new Set(ops.filter((o) => !o.ok).map((o) => errorText(o.result)))],
  };
}

export function errorText(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && 'message' in result) return String((result as { message: unknown }).message);
  return JSON.stringify(result);
}

/** "1 234 ms" style. */
export function ms(x: number): string {
  return `${Math.round(x)} ms`;
}

/** The last non-empty line of etcdctl's output (its error line, usually). */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/** Output of `etcdctl watch` (simple format): the events as [type, key, value] triples. */
export function watchEvents(stdout: string): Array<{ type: string; key: string; value: string }> {
  const lines = stdout.split('\n');
  const out: Array<{ type: string; key: string; value: string }> = [];
  for (let i = 0; i + 2 < lines.length + 1; i++) {
    const t = lines[i];
    if (t === 'PUT' || t === 'DELETE') {
      out.push({ type: t, key: lines[i + 1] ?? '', value: t === 'PUT' ? (lines[i + 2] ?? '') : '' });
      i += t === 'PUT' ? 2 : 1;
    }
  }
  return out;
}

/** The member IDs and learner flags etcdctl member list (simple format) printed. */
export function memberList(stdout: string): Array<{ id: string; status: string; name: string; learner: boolean }> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map((x) => x.trim()))
    .filter((f) => f.length >= 6)
    .map((f) => ({ id: f[0]!, status: f[1]!, name: f[2]!, learner: f[5] === 'true' }));
}
