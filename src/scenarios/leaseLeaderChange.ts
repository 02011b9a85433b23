// Lesson: lease expiry across a leader change (etcd 3.4). Only the leader's lessor counts leases
// down. When a new leader takes over, its lessor is promoted and extends every lease to now + its
// TTL (or the checkpointed remaining TTL) + an election timeout: a lease never expires because of
// an election, it lives longer. The variant turns lease checkpointing on (etcd 3.4's
// --experimental-enable-lease-checkpoint), so the new leader keeps most of the count-down.

import { check, electionTimeoutMs, endpointOf, lastLine, localValue, ms, nameOf, settledLeader, statusOf } from './helpers';
import type { Lesson } from './types';

const TTL_S = 6;

/** "remaining(2s)" from etcdctl lease timetolive; undefined if the lease is gone. */
function remainingOf(stdout: string): number | undefined {
  const m = /remaining\((-?\d+)s\)/.exec(stdout);
  return m === null ? undefined : Number(m[1]);
}

export const leaseLeaderChangeLesson: Lesson = {
  id: 'lease-leader-change',
  title: 'Leases across a leader change: an election never makes a lease expire',
  summary:
    'A 6 s lease with no keep-alives is 3.5 s into its life when the leader crashes. The new leader restarts its count-down, so the key outlives its original deadline and expires later, on the new leader.',
  options: { nodes: 3, seed: 1, preVote: true, checkQuorum: true },
  variant: {
    id: 'lease-checkpoint',
    label: 'Run it with lease checkpoints',
    options: { leaseCheckpoint: true, leaseCheckpointIntervalMs: 1000 },
    note: 'With --experimental-enable-lease-checkpoint (here every second instead of etcd’s 5 minutes), the leader proposes each lease’s remaining TTL through Raft, and the new leader starts from that instead of the full TTL. Expect the checks that the new leader restarted the count-down, and that the lease lived a full TTL after the election, to fail: the lease keeps most of its count-down, though it still gets an extra election timeout.',
  },
  steps: [
    {
      title: 'Grant a lease, attach a key',
      narration: `A client grants a ${TTL_S} s lease and attaches the key session to it. Nobody will send keep-alives: the lease should expire ${TTL_S} s from now, and take the key with it.`,
      panel: 'data',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 500);
        ctx.note('leader', lead);
        ctx.focus(lead);
        const g = await ctx.etcdctl(`etcdctl lease grant ${TTL_S}`);
        const id = /lease ([0-9a-f]+) granted/.exec(g.stdout)?.[1];
        if (id === undefined) throw new Error(`lease grant failed: ${g.stderr}`);
        ctx.note('lease', id);
        ctx.note('grantedAt', pg.now());
        await ctx.etcdctl(`etcdctl put session alive --lease=${id}`);
      },
      async expect(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const ks = await pg.nodeKeyspace(lead);
        const kv = ks.kvs.find((k) => k.key === 'session');
        const lease = ks.leases.find((l) => l.id === kv?.lease);
        return [
          check('The key is attached to the lease', kv !== undefined && kv.lease !== 0 && lease !== undefined, kv === undefined ? 'no key' : `session → lease ${kv.lease.toString(16)}`),
          check(`The lease's TTL is ${TTL_S} s`, lease?.ttl === TTL_S, `TTL ${lease?.ttl ?? '?'} s, remaining ${lease?.remaining ?? '?'} s on ${nameOf(pg, lead)}`),
        ];
      },
    },
    {
      title: 'Let it run down',
      narration:
        'Nobody sends keep-alives. Only the leader’s lessor counts a lease down (followers hold every lease “forever” until told otherwise). After 3.5 s, about 2 s remain.',
      panel: 'data',
      async run(pg, ctx) {
        await pg.advance(3500);
        const r = await ctx.etcdctl(`etcdctl lease timetolive ${ctx.get<string>('lease')}`);
        ctx.note('remainingBefore', remainingOf(r.stdout) ?? null);
      },
      expect(pg, ctx) {
        const rem = ctx.get<number | null>('remainingBefore');
        return [
          check('The leader counts the lease down', rem !== null && rem <= TTL_S - 3, `${lastLine(ctx.commands[0]?.stdout ?? '')}`),
          check('The key is still there', ctx.commands[0]?.stdout.includes('remaining') === true, `lease alive after ${ms(pg.now() - ctx.get<number>('grantedAt'))}`),
        ];
      },
    },
    {
      title: 'Crash the leader',
      narration:
        'The leader crashes with about 2 s left on the lease. While there is no leader nothing expires — nobody counts. When a new leader takes over, its lessor is promoted: etcd extends every lease to now + its TTL + an election timeout, because without checkpoints the remaining TTL never left the old leader.',
      panel: 'data',
      async run(pg, ctx) {
        const old = ctx.get<number>('leader');
        await pg.kill(old);
        const lead = await settledLeader(pg, 200);
        ctx.note('newLeader', lead);
        ctx.note('newLeaderAt', pg.now());
        ctx.focus(lead);
        const r = await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} lease timetolive ${ctx.get<string>('lease')} --keys`);
        ctx.note('remainingAfter', remainingOf(r.stdout) ?? null);
      },
      expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const lead = ctx.get<number>('newLeader');
        const before = ctx.get<number | null>('remainingBefore');
        const after = ctx.get<number | null>('remainingAfter');
        return [
          check('A new leader took over', pg.leader() === lead && lead !== old, `${nameOf(pg, lead)} leads at term ${statusOf(pg, lead).term}; ${nameOf(pg, old)} is down`),
          check('The lease survived the election', after !== null, lastLine(ctx.commands[0]?.stdout ?? '') || lastLine(ctx.commands[0]?.stderr ?? '')),
          check(
            'The new leader restarted its count-down',
            after !== null && before !== null && after >= TTL_S,
            `remaining ${before ?? '?'} s before the crash, ${after ?? '?'} s after the election (TTL ${TTL_S} s + election timeout ${ms(electionTimeoutMs(pg))})`,
          ),
        ];
      },
    },
    {
      title: 'Past the original deadline',
      narration:
        'The original deadline — grant + 6 s — has passed, with no keep-alive. The key is still there: the election did not make the lease expire, it made it live longer. Anything built on leases (etcd’s lock and election recipes) must not treat the TTL as an upper bound.',
      panel: 'data',
      async run(pg, ctx) {
        const deadline = ctx.get<number>('grantedAt') + TTL_S * 1000 + 1000;
        if (pg.now() < deadline) await pg.advance(deadline - pg.now());
        const lead = ctx.get<number>('newLeader');
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} get session`);
      },
      async expect(pg, ctx) {
        const lead = ctx.get<number>('newLeader');
        const since = pg.now() - ctx.get<number>('grantedAt');
        const v = await localValue(pg, lead, 'session');
        return [
          check(`The key outlived its ${TTL_S} s TTL`, v === 'alive' && since > TTL_S * 1000, `${ms(since)} after the grant, session = ${v ?? '(gone)'}`),
        ];
      },
    },
    {
      title: 'It does expire, on the new leader',
      narration:
        'The new leader’s lessor finds the lease expired and proposes a revoke through Raft (LeaseRevoke); applying it deletes the attached key on every member in one write, at a new revision.',
      panel: 'data',
      async run(pg, ctx) {
        const lead = ctx.get<number>('newLeader');
        const revBefore = statusOf(pg, lead).revision;
        ctx.note('revisionBefore', revBefore);
        let gone = false;
        const check = async (): Promise<void> => {
          gone = (await localValue(pg, lead, 'session')) === undefined;
        };
        // Poll the leader's store every 100 ms (a view: it does not act on the cluster).
        for (let i = 0; i < 150 && !gone; i++) {
          await pg.advance(100);
          await check();
        }
        ctx.note('expiredAt', gone ? pg.now() : null);
        await pg.advance(300);
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} lease timetolive ${ctx.get<string>('lease')}`);
      },
      async expect(pg, ctx) {
        const lead = ctx.get<number>('newLeader');
        const expiredAt = ctx.get<number | null>('expiredAt');
        const live = pg.status().filter((n) => n.alive);
        const values = await Promise.all(live.map((n) => localValue(pg, n.id, 'session')));
        const tl = ctx.commands[0];
        const promotedAt = ctx.get<number>('newLeaderAt');
        return [
          check('The key is gone on every live member', values.every((v) => v === undefined), `${live.map((n, i) => `${n.name}: ${values[i] ?? 'gone'}`).join(', ')}`),
          check(
            'It expired more than a full TTL after the new leader took over',
            expiredAt !== null && expiredAt - promotedAt >= TTL_S * 1000,
            expiredAt === null ? 'it did not expire within 15 s' : `expired ${ms(expiredAt - ctx.get<number>('grantedAt'))} after the grant, ${ms(expiredAt - promotedAt)} after the new leader took over`,
          ),
          check('The revoke was a write: a new revision', statusOf(pg, lead).revision > ctx.get<number>('revisionBefore'), `revision ${ctx.get<number>('revisionBefore')} → ${statusOf(pg, lead).revision}`),
          check('The lease no longer exists', tl !== undefined && !tl.stdout.includes('remaining'), lastLine(tl?.stdout ?? '') || lastLine(tl?.stderr ?? '')),
        ];
      },
    },
  ],
};
