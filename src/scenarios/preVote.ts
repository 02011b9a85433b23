// Lesson: pre-vote vs a disruptive rejoin. A follower cut off from the cluster keeps campaigning;
// with pre-vote (etcd's --pre-vote, thesis §9.6) it asks "would you vote for me?" without raising
// its term, so when it comes back nothing happens. The variant runs it with pre-vote off (etcd
// 3.4's default): the term climbs at every attempt and the rejoin forces an election.

import { check, endpointOf, followersOf, ms, nameOf, settledLeader, statusOf, countSent, writeStream, leaderlessTime } from './helpers';
import type { Lesson } from './types';

export const preVoteLesson: Lesson = {
  id: 'pre-vote',
  title: 'Pre-vote: a member that rejoins does not disrupt the cluster',
  summary:
    'A follower is cut off and keeps trying to start elections. With pre-vote it never raises its term, so when the network heals the leader keeps leading and writes keep flowing.',
  options: { nodes: 5, seed: 1, preVote: true, checkQuorum: true },
  variant: {
    id: 'no-pre-vote',
    label: 'Run it with pre-vote off',
    options: { preVote: false },
    note: 'With --pre-vote=false (etcd 3.4’s default) the cut-off member becomes a candidate and raises its term at every attempt. When it rejoins, its higher term makes the leader step down: expect the checks about the term and the leader to fail.',
  },
  steps: [
    {
      title: 'A healthy cluster',
      narration:
        'Five etcd members have elected a leader. They run with pre-vote and check-quorum on (etcd’s --pre-vote, on by default since 3.5; check-quorum is always on in etcd).',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 1000);
        ctx.note('leader', lead);
        ctx.note('term', statusOf(pg, lead).term);
        ctx.focus(lead);
      },
      expect(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const term = ctx.get<number>('term');
        const st = pg.status();
        const following = st.filter((n) => n.alive && n.lead === lead && n.term === term);
        return [
          check('One member leads', pg.leader() === lead, `${nameOf(pg, lead)} is StateLeader at term ${term}`),
          check('Every member follows it at the same term', following.length === st.length, `${following.length} of ${st.length} members have lead=${nameOf(pg, lead)}, term ${term}`),
        ];
      },
    },
    {
      title: 'Cut one follower off',
      narration:
        'We cut one follower off from everyone and write three keys through the leader, so its log falls behind. It stops hearing heartbeats; after its election timeout it becomes a pre-candidate (StatePreCandidate) and sends MsgPreVote: “would you vote for me at term T+1?” — without raising its own term. Nobody answers, so it tries again and again, and its term stays where it was.',
      async run(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const victim = followersOf(pg)[0]!.id;
        ctx.note('victim', victim);
        ctx.focus(victim);
        const sent = countSent(pg, victim, ['MsgPreVote', 'MsgVote']);
        pg.isolate(victim);
        for (let i = 1; i <= 3; i++) await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} put key${i} value${i}`);
        await pg.advance(5000);
        const counts = sent.stop();
        ctx.note('preVotes', counts['MsgPreVote']!);
        ctx.note('votes', counts['MsgVote']!);
      },
      expect(pg, ctx) {
        const victim = ctx.get<number>('victim');
        const term = ctx.get<number>('term');
        const lead = ctx.get<number>('leader');
        const v = statusOf(pg, victim);
        const preVotes = ctx.get<number>('preVotes');
        const votes = ctx.get<number>('votes');
        return [
          check(
            `${nameOf(pg, victim)} campaigns with pre-votes only`,
            preVotes > 0 && votes === 0,
            `it sent ${preVotes} MsgPreVote and ${votes} MsgVote; it is ${v.role} now`,
          ),
          check(`Its term did not grow`, v.term === term, `${nameOf(pg, victim)} is at term ${v.term} (the cluster's term was ${term})`),
          check(
            'The rest of the cluster kept its leader and committed the writes',
            pg.leader() === lead && statusOf(pg, lead).commit > v.commit,
            `${nameOf(pg, lead)} leads at term ${statusOf(pg, lead).term}, commit ${statusOf(pg, lead).commit}; ${nameOf(pg, victim)} is stuck at commit ${v.commit}`,
          ),
        ];
      },
    },
    {
      title: 'Heal the network',
      narration:
        'The follower can talk again, while a client keeps writing. The leader’s next heartbeat reaches it at the same term — its term never moved — so it simply becomes a follower again and catches up. A pre-vote it sends meanwhile changes nothing: the others hear from a live leader (check-quorum’s lease) and its log is behind. Nothing was disrupted.',
      async run(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const victim = ctx.get<number>('victim');
        // The client talks to a member that was never cut off (and is not the leader).
        const via = followersOf(pg).find((n) => n.id !== victim)!.id;
        const gaps = leaderlessTime(pg);
        const w = await writeStream(pg, {
          endpointId: via,
          key: 'during-heal',
          count: 30,
          everyMs: 100,
          during: { at: 5, action: async () => pg.heal() },
        });
        // A heartbeat's worth of time: the leader's commit index reaches every follower.
        await pg.advance(300);
        const g = gaps.stop();
        ctx.note('writes', { ...w, errors: w.errors });
        ctx.note('leaderlessMs', g.total);
        ctx.note('leaderAfter', pg.leader() ?? null);
        ctx.focus(lead);
      },
      expect(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const term = ctx.get<number>('term');
        const victim = ctx.get<number>('victim');
        const w = ctx.get<{ ok: number; failed: number; longestMs: number; ops: number }>('writes');
        const st = pg.status();
        const terms = [...new Set(st.map((n) => n.term))];
        const v = statusOf(pg, victim);
        const now = pg.leader();
        return [
          check('No election: every member is still at the same term', terms.length === 1 && terms[0] === term, `terms now: ${terms.join(', ')} (before: ${term})`),
          check('The leader kept its leadership', now === lead, now === undefined ? 'no member leads right now' : `${nameOf(pg, now)} leads at term ${statusOf(pg, now).term}`),
          check(
            `${nameOf(pg, victim)} rejoined as a follower and caught up`,
            now !== undefined && v.lead === now && v.commit === statusOf(pg, now).commit,
            `${nameOf(pg, victim)}: ${v.role}, lead ${v.lead === 0 ? 'none' : nameOf(pg, v.lead)}, commit ${v.commit}`,
          ),
          check(
            'Writes kept flowing through the rejoin',
            w.failed === 0 && w.longestMs < 1000,
            `${w.ok} of ${w.ops} writes succeeded, the slowest took ${ms(w.longestMs)}; ${ms(ctx.get<number>('leaderlessMs'))} without a leader`,
          ),
        ];
      },
    },
  ],
};
