// Lesson: check-quorum. A leader cut off from every follower cannot know it has been replaced;
// with check-quorum it counts, every election timeout, the voters it heard from recently and steps
// down when they are not a quorum. The variant turns check-quorum off: the old leader keeps calling
// itself leader next to the new one.

import { check, endpointOf, lastLine, nameOf, selfDeclaredLeaders, settledLeader, statusOf } from './helpers';
import type { Lesson } from './types';

export const checkQuorumLesson: Lesson = {
  id: 'check-quorum',
  title: 'Check-quorum: a cut-off leader steps down by itself',
  summary:
    'The leader loses contact with all followers. They elect a new leader; with check-quorum the old one notices it no longer hears from a quorum and steps down, so only one member calls itself leader.',
  options: { nodes: 5, seed: 3, preVote: true, checkQuorum: true },
  variant: {
    id: 'no-check-quorum',
    label: 'Run it with check-quorum off',
    options: { checkQuorum: false },
    note: 'etcd always enables check-quorum; raft’s CheckQuorum=false shows why. The cut-off leader keeps believing it leads (two members call themselves leader) and keeps telling clients so: expect the checks about stepping down to fail.',
  },
  steps: [
    {
      title: 'A healthy cluster',
      narration: 'Five members have elected a leader. Check-quorum is on, as it always is in etcd; pre-vote is on too.',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 1000);
        ctx.note('leader', lead);
        ctx.note('term', statusOf(pg, lead).term);
        ctx.focus(lead);
      },
      expect(pg, ctx) {
        const lead = ctx.get<number>('leader');
        return [
          check('One member leads', pg.leader() === lead && selfDeclaredLeaders(pg).length === 1, `${nameOf(pg, lead)} is StateLeader at term ${ctx.get<number>('term')}`),
        ];
      },
    },
    {
      title: 'Cut the leader off',
      narration:
        'The leader loses contact with every follower. Their election timers run out and the four of them elect a new leader at a higher term. The old leader cannot see that happen — but with check-quorum it counts, every election timeout, the voters it heard from recently (MsgHeartbeatResp, MsgAppResp). Itself alone is not a quorum, so it steps down to follower.',
      async run(pg, ctx) {
        const old = ctx.get<number>('leader');
        pg.isolate(old);
        const isolatedAt = pg.now();
        await pg.runUntil(() => {
          const l = pg.leader();
          return l !== undefined && l !== old;
        }, { timeoutMs: 10_000 });
        const fresh = pg.leader();
        ctx.note('newLeader', fresh ?? null);
        // Two election timeouts after the cut, whatever the election took.
        const until = isolatedAt + 2 * pg.cluster.timing.tickMs * pg.cluster.timing.electionTicks + 500;
        if (pg.now() < until) await pg.advance(until - pg.now());
        ctx.focus(old);
      },
      expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const term = ctx.get<number>('term');
        const fresh = ctx.get<number | null>('newLeader');
        const o = statusOf(pg, old);
        const leaders = selfDeclaredLeaders(pg);
        return [
          check(
            'The majority elected a new leader in a higher term',
            fresh !== null && fresh !== old && statusOf(pg, fresh).term > term,
            fresh === null ? 'no new leader within 10 s' : `${nameOf(pg, fresh)} leads at term ${statusOf(pg, fresh).term}`,
          ),
          check('The old leader stepped down by itself', o.role !== 'StateLeader', `${nameOf(pg, old)} is ${o.role} at term ${o.term}`),
          check('Only one member calls itself leader', leaders.length === 1, `StateLeader: ${leaders.map((n) => `${n.name} (term ${n.term})`).join(', ') || 'nobody'}`),
        ];
      },
    },
    {
      title: 'Ask the old leader',
      narration:
        'etcdctl endpoint status asks the cut-off member directly. It answers “etcdserver: no leader” rather than claiming to lead: clients learn that this member cannot serve them. Without check-quorum it would still say IS LEADER true — and it would accept proposals that can never commit.',
      async run(pg, ctx) {
        const old = ctx.get<number>('leader');
        const r = await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, old)} endpoint status -w table`);
        ctx.note('statusOut', r.stdout + r.stderr);
      },
      expect(pg, ctx) {
        const out = ctx.get<string>('statusOut');
        const row = out.split('\n').find((l) => l.includes(endpointOf(pg, ctx.get<number>('leader')))) ?? lastLine(out);
        const cells = row.split('|').map((c) => c.trim());
        // Table columns: ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, ... ERRORS
        const isLeader = cells[5];
        return [
          check('It reports “etcdserver: no leader”', out.includes('etcdserver: no leader'), row.replace(/\s+/g, ' ').trim()),
          check('It does not claim to be the leader', isLeader === 'false', `IS LEADER: ${isLeader ?? '?'}`),
        ];
      },
    },
    {
      title: 'Heal',
      narration:
        'The network heals. The old leader hears the new leader’s heartbeats at the higher term, follows it, and receives the entries it missed. One leader, one term, one log.',
      async run(pg, ctx) {
        pg.heal();
        await pg.advance(2000);
        ctx.focus(ctx.get<number>('leader'));
      },
      expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const lead = pg.leader();
        const o = statusOf(pg, old);
        const st = pg.status();
        const terms = [...new Set(st.map((n) => n.term))];
        return [
          check('One leader, one term', lead !== undefined && selfDeclaredLeaders(pg).length === 1 && terms.length === 1, `${lead === undefined ? 'no leader' : `${nameOf(pg, lead)} leads`}; terms: ${terms.join(', ')}`),
          check(
            'The old leader follows it and caught up',
            lead !== undefined && o.lead === lead && o.commit === statusOf(pg, lead).commit,
            `${nameOf(pg, old)}: ${o.role}, commit ${o.commit}`,
          ),
        ];
      },
    },
  ],
};
