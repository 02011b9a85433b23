// Lesson: leadership transfer vs crash downtime. A client writes every 100 ms through a follower.
// etcdctl move-leader hands leadership over with MsgTimeoutNow (no election timeout, no pre-vote):
// the writes barely notice. A crash of the leader costs a full election timeout without a leader,
// and the writes issued meanwhile stall or fail.

import { check, electionTimeoutMs, endpointOf, followersOf, hex, lastLine, leaderlessTime, ms, nameOf, settledLeader, statusOf, writeStream, type WriteStreamResult } from './helpers';
import type { Lesson, Note } from './types';

type Stream = WriteStreamResult & { leaderlessMs: number };

function asNote(w: WriteStreamResult, leaderlessMs: number): Note {
  return { ops: w.ops, ok: w.ok, failed: w.failed, longestMs: w.longestMs, medianMs: w.medianMs, errors: w.errors, leaderlessMs };
}

export const leadershipTransferLesson: Lesson = {
  id: 'leadership-transfer',
  title: 'Leadership transfer vs a crash: what clients feel',
  summary:
    'A client writes every 100 ms. Handing leadership over with etcdctl move-leader costs a few milliseconds; crashing the leader costs a whole election timeout without a leader.',
  options: { nodes: 5, seed: 1, preVote: true, checkQuorum: true },
  steps: [
    {
      title: 'A steady stream of writes',
      narration:
        'Five members, one leader. A client writes a key every 100 ms through one follower, which forwards each proposal to the leader. This is the baseline: every write commits in a round trip or two.',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 1000);
        const others = followersOf(pg);
        // The client's member and the transfer target: two different followers, never the leader.
        ctx.note('leader', lead);
        ctx.note('target', others[0]!.id);
        ctx.note('via', others[1]!.id);
        ctx.focus(lead);
        const gaps = leaderlessTime(pg);
        const w = await writeStream(pg, { endpointId: others[1]!.id, key: 'baseline', count: 20, everyMs: 100 });
        ctx.note('baseline', asNote(w, gaps.stop().total));
      },
      expect(pg, ctx) {
        const b = ctx.get<Stream>('baseline');
        return [
          check('Every write succeeded', b.failed === 0 && b.ok === b.ops, `${b.ok} of ${b.ops} writes`),
          check('Writes are fast', b.longestMs < 500, `median ${ms(b.medianMs)}, slowest ${ms(b.longestMs)} (through ${nameOf(pg, ctx.get<number>('via'))})`),
        ];
      },
    },
    {
      title: 'Hand leadership over gracefully',
      narration:
        'etcdctl move-leader asks the leader to hand over. It stops accepting proposals, makes sure the target’s log is complete, and sends it MsgTimeoutNow. The target campaigns at once — no election timeout, no pre-vote — and wins. etcd does the same when a leader is stopped gracefully.',
      async run(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const target = ctx.get<number>('target');
        ctx.focus(target);
        const gaps = leaderlessTime(pg);
        const w = await writeStream(pg, {
          endpointId: ctx.get<number>('via'),
          key: 'transfer',
          count: 30,
          everyMs: 100,
          during: {
            at: 10,
            action: async () => {
              await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} move-leader ${hex(target)}`);
            },
          },
        });
        ctx.note('transfer', asNote(w, gaps.stop().total));
        ctx.note('termAfterTransfer', statusOf(pg, target).term);
      },
      expect(pg, ctx) {
        const target = ctx.get<number>('target');
        const t = ctx.get<Stream>('transfer');
        const mv = ctx.commands[0];
        return [
          check(`${nameOf(pg, target)} leads now`, pg.leader() === target, `${mv === undefined ? '' : lastLine(mv.stdout) || lastLine(mv.stderr)}`),
          check('No write failed', t.failed === 0, `${t.ok} of ${t.ops} writes succeeded`),
          check('The cluster was without a leader for less than one election timeout', t.leaderlessMs < electionTimeoutMs(pg), `${ms(t.leaderlessMs)} without a leader; slowest write ${ms(t.longestMs)}`),
        ];
      },
    },
    {
      title: 'Now crash the leader',
      narration:
        'A crash gives no warning. The followers keep waiting for heartbeats until their election timeout runs out (1 to 2 s with etcd’s defaults); only then does one of them campaign. Writes issued meanwhile wait for a leader that is gone; some time out.',
      async run(pg, ctx) {
        const lead = pg.leader()!;
        ctx.note('crashed', lead);
        ctx.focus(lead);
        const gaps = leaderlessTime(pg);
        const w = await writeStream(pg, {
          endpointId: ctx.get<number>('via'),
          key: 'crash',
          count: 40,
          everyMs: 100,
          during: { at: 10, action: () => pg.kill(lead) },
        });
        ctx.note('crash', asNote(w, gaps.stop().total));
      },
      expect(pg, ctx) {
        const crashed = ctx.get<number>('crashed');
        const c = ctx.get<Stream>('crash');
        const t = ctx.get<Stream>('transfer');
        const lead = pg.leader();
        return [
          check('A new leader was elected', lead !== undefined && lead !== crashed, lead === undefined ? 'no leader' : `${nameOf(pg, lead)} leads at term ${statusOf(pg, lead).term}`),
          // "About": a follower's timer started at the last heartbeat it got, a little before the crash.
          check('No leader for about an election timeout', c.leaderlessMs >= 0.8 * electionTimeoutMs(pg), `${ms(c.leaderlessMs)} without a leader (election timeout ${ms(electionTimeoutMs(pg))})`),
          check(
            'Writes stalled or failed',
            c.failed > 0 || c.longestMs >= electionTimeoutMs(pg),
            `${c.failed} of ${c.ops} writes failed${c.errors.length > 0 ? ` (${c.errors.join('; ')})` : ''}; slowest ${ms(c.longestMs)}`,
          ),
          check(
            'The crash cost far more than the transfer',
            c.leaderlessMs > 5 * Math.max(1, t.leaderlessMs),
            `without a leader: crash ${ms(c.leaderlessMs)} vs transfer ${ms(t.leaderlessMs)}`,
          ),
        ];
      },
    },
    {
      title: 'The crashed member comes back',
      narration:
        'The crashed member restarts from its disk (its WAL and snapshot), learns the new term from the first message it gets, and follows the new leader, which sends it what it missed.',
      async run(pg, ctx) {
        const crashed = ctx.get<number>('crashed');
        await pg.restart(crashed);
        await pg.advance(2000);
        ctx.focus(crashed);
      },
      expect(pg, ctx) {
        const crashed = ctx.get<number>('crashed');
        const c = statusOf(pg, crashed);
        const lead = pg.leader();
        return [
          check(
            `${nameOf(pg, crashed)} follows the new leader and caught up`,
            lead !== undefined && lead !== crashed && c.lead === lead && c.commit === statusOf(pg, lead).commit,
            `${nameOf(pg, crashed)}: ${c.role}, term ${c.term}, commit ${c.commit}${lead === undefined ? '' : `; leader commit ${statusOf(pg, lead).commit}`}`,
          ),
        ];
      },
    },
  ],
};
