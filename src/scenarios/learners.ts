// Lesson: learners and the misconfigured member add. Adding a voting member that never starts
// (a mistyped peer URL) silently raises the quorum: 3 of 4 instead of 2 of 3, so the next failure
// takes the cluster down. A learner (etcdctl member add --learner) receives the log without
// voting, costs nothing if it never shows up, and is promoted once it has caught up.

import { check, electionTimeoutMs, endpointOf, followersOf, hex, lastLine, memberList, nameOf, settledLeader, statusOf } from './helpers';
import type { Lesson } from './types';

/** Where the mistyped member add points: a machine nobody starts etcd on. */
const PHANTOM_URL = 'http://10.0.0.4:2380';

/** etcd's strict reconfiguration check wants every member connected for 5 s before a change. */
const HEALTHY_FOR_MS = 5000;

export const learnersLesson: Lesson = {
  id: 'learners',
  title: 'Learners, and the member add that took quorum away',
  summary:
    'A voting member is added but never started: the cluster now needs 3 of 4 votes and one more failure stops it. Adding the member as a learner first avoids that; it is promoted once it has caught up.',
  options: { nodes: 3, seed: 1, preVote: true, checkQuorum: true },
  steps: [
    {
      title: 'Three healthy members',
      narration:
        'Three voting members: a quorum is 2, so the cluster survives one failure. We let it run for a few seconds first — etcd refuses membership changes until every member has been connected for 5 s.',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 500);
        if (pg.now() < HEALTHY_FOR_MS + 1500) await pg.advance(HEALTHY_FOR_MS + 1500 - pg.now());
        await ctx.etcdctl('etcdctl put greeting hello');
        const r = await ctx.etcdctl('etcdctl member list');
        ctx.note('members', r.stdout);
        ctx.focus(lead);
      },
      async expect(pg, ctx) {
        const members = memberList(ctx.get<string>('members'));
        const lead = pg.leader();
        const voters = lead === undefined ? [] : (await pg.nodeDetail(lead)).config.voters;
        return [
          check('Three started voting members', members.length === 3 && members.every((m) => m.status === 'started' && !m.learner), `member list: ${members.map((m) => `${m.name} (${m.status})`).join(', ')}`),
          check('A quorum is 2 of 3', voters.length === 3, `the leader's configuration has ${voters.length} voters`),
          check('Writes work', ctx.commands[0]?.exitCode === 0, `put greeting hello → ${lastLine(ctx.commands[0]?.stdout ?? '') || lastLine(ctx.commands[0]?.stderr ?? '')}`),
        ];
      },
    },
    {
      title: 'A member add that never arrives',
      narration:
        'An operator runs etcdctl member add for a fourth machine but mistypes its address (or never starts etcd there). etcd accepts it: three of four voters are up, which is a quorum. Yet from now on the cluster needs 3 votes out of 4 — it can no longer lose any member.',
      async run(pg, ctx) {
        await ctx.etcdctl(`etcdctl member add infra4 --peer-urls=${PHANTOM_URL}`);
        await pg.advance(500);
        const r = await ctx.etcdctl('etcdctl member list');
        ctx.note('members', r.stdout);
        const phantom = memberList(r.stdout).find((m) => m.status === 'unstarted');
        ctx.note('phantom', phantom?.id ?? null);
        await ctx.etcdctl('etcdctl put greeting still-here');
      },
      async expect(pg, ctx) {
        const add = ctx.commands[0]!;
        const members = memberList(ctx.get<string>('members'));
        const lead = pg.leader();
        const voters = lead === undefined ? [] : (await pg.nodeDetail(lead)).config.voters;
        const put = ctx.commands[2]!;
        return [
          check('etcd accepted the new member', add.exitCode === 0 && add.stdout.includes('added to cluster'), lastLine(add.stdout.split('\n')[0] ?? '') || lastLine(add.stderr)),
          check('It is a voter that never started', ctx.get<string | null>('phantom') !== null && members.some((m) => m.status === 'unstarted' && !m.learner), `member list: ${members.map((m) => `${m.name || '(no name)'} ${m.status}`).join(', ')}`),
          check('A quorum is now 3 of 4', voters.length === 4, `the leader's configuration has ${voters.length} voters`),
          check('Writes still work (3 of 4 voters are up)', put.exitCode === 0, `put → ${lastLine(put.stdout) || lastLine(put.stderr)}`),
        ];
      },
    },
    {
      title: 'One more failure',
      narration:
        'One real member crashes. Two of four voters are left: not a quorum. Within an election timeout the leader’s check-quorum notices and it steps down, and writes time out. With three voters the same crash would have been harmless.',
      async run(pg, ctx) {
        const victim = followersOf(pg)[0]!.id;
        ctx.note('victim', victim);
        ctx.focus(victim);
        const commit = Math.max(...pg.status().map((n) => n.commit));
        ctx.note('commitBefore', commit);
        await pg.kill(victim);
        await pg.advance(2 * electionTimeoutMs(pg));
        const alive = pg.status().find((n) => n.alive)!.id;
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, alive)} put greeting anyone-there`);
      },
      expect(pg, ctx) {
        const put = ctx.commands[0]!;
        const commit = Math.max(...pg.status().filter((n) => n.alive).map((n) => n.commit));
        const lead = pg.leader();
        return [
          check('No leader: 2 of 4 voters cannot elect one', lead === undefined, lead === undefined ? `roles: ${pg.status().map((n) => `${n.name} ${n.role}`).join(', ')}` : `${nameOf(pg, lead)} leads`),
          check('The write failed', put.exitCode !== 0, lastLine(put.stderr) || lastLine(put.stdout)),
          check('Nothing was committed', commit === ctx.get<number>('commitBefore'), `highest commit index ${commit} (before the crash: ${ctx.get<number>('commitBefore')})`),
        ];
      },
    },
    {
      title: 'Repair: restart, then remove the phantom',
      narration:
        'Removing the phantom member is a configuration change, so it needs a quorum too: first the crashed member comes back. Then etcdctl member remove drops the phantom and the cluster is back to three voters, quorum 2.',
      async run(pg, ctx) {
        const victim = ctx.get<number>('victim');
        await pg.restart(victim);
        await settledLeader(pg, 500);
        await ctx.etcdctl(`etcdctl member remove ${ctx.get<string>('phantom')}`);
        await pg.advance(500);
        const r = await ctx.etcdctl('etcdctl member list');
        ctx.note('members', r.stdout);
        await ctx.etcdctl('etcdctl put greeting back');
        ctx.note('repairedAt', pg.now());
      },
      async expect(pg, ctx) {
        const rm = ctx.commands[0]!;
        const members = memberList(ctx.get<string>('members'));
        const lead = pg.leader();
        const voters = lead === undefined ? [] : (await pg.nodeDetail(lead)).config.voters;
        const put = ctx.commands[2]!;
        return [
          check('The phantom member is removed', rm.exitCode === 0 && !members.some((m) => m.status === 'unstarted'), lastLine(rm.stdout) || lastLine(rm.stderr)),
          check('Three voters again', voters.length === 3 && members.length === 3, `${voters.length} voters; member list: ${members.map((m) => m.name).join(', ')}`),
          check('Writes work again', put.exitCode === 0, `put → ${lastLine(put.stdout) || lastLine(put.stderr)}`),
        ];
      },
    },
    {
      title: 'Add the fourth member as a learner',
      narration:
        'This time the new member joins as a learner (etcdctl member add --learner), and etcd really runs on it. A learner receives the log — MsgApp, or a snapshot — but does not vote and is not counted for commit or check-quorum. Had it never started, the quorum would have stayed 2 of 3.',
      async run(pg, ctx) {
        // Another strict-reconfiguration wait: the restarted member must be connected for 5 s.
        const ready = ctx.get<number>('repairedAt') + HEALTHY_FOR_MS + 500;
        if (pg.now() < ready) await pg.advance(ready - pg.now());
        const learner = await pg.addMember('infra4', { learner: true });
        ctx.note('learner', learner);
        ctx.focus(learner);
        await pg.advance(3000);
        const r = await ctx.etcdctl('etcdctl member list');
        ctx.note('members', r.stdout);
      },
      async expect(pg, ctx) {
        const learner = ctx.get<number>('learner');
        const l = statusOf(pg, learner);
        const lead = pg.leader();
        const detail = lead === undefined ? undefined : await pg.nodeDetail(lead);
        const members = memberList(ctx.get<string>('members'));
        const leadApplied = lead === undefined ? -1 : statusOf(pg, lead).applied;
        return [
          // A started learner publishes its name like any member (etcd 3.4's publish).
          check(
            'member list shows it as a started learner',
            members.some((m) => m.id === hex(learner) && m.learner && m.status === 'started'),
            `member list: ${members.map((m) => `${m.name || hex(learner)} ${m.status} learner=${m.learner}`).join(', ')}`,
          ),
          check('It caught up with the leader', l.alive && l.isLearner && l.applied === leadApplied, `${nameOf(pg, learner)} applied ${l.applied}, the leader ${leadApplied}`),
          check('Quorum is still 2 of 3 voters', detail !== undefined && detail.config.voters.length === 3 && detail.config.learners.includes(learner), detail === undefined ? 'no leader' : `voters ${detail.config.voters.length}, learners ${detail.config.learners.length}`),
        ];
      },
    },
    {
      title: 'A failure with a learner aboard',
      narration:
        'A voter crashes again. Two of three voters remain — a quorum — so writes go on. The learner does not count either way.',
      async run(pg, ctx) {
        const learner = ctx.get<number>('learner');
        const victim = followersOf(pg).filter((n) => n.id !== learner)[0]!.id;
        ctx.note('victim2', victim);
        ctx.focus(victim);
        await pg.kill(victim);
        await pg.advance(2 * electionTimeoutMs(pg));
        const lead = pg.leader();
        const via = lead ?? pg.status().find((n) => n.alive && n.id !== learner)!.id;
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, via)} put greeting with-learner`);
      },
      expect(pg, ctx) {
        const put = ctx.commands[0]!;
        const lead = pg.leader();
        return [
          check('There is still a leader', lead !== undefined, lead === undefined ? 'no leader' : `${nameOf(pg, lead)} leads at term ${statusOf(pg, lead).term}`),
          check('The write succeeded', put.exitCode === 0, `put → ${lastLine(put.stdout) || lastLine(put.stderr)}`),
        ];
      },
    },
    {
      title: 'Promote the learner',
      narration:
        'The crashed voter comes back. The learner has caught up, so etcdctl member promote turns it into a voter (etcd refuses while a learner lags: “can only promote a learner member which is in sync with leader”). Four voters now, all of them real.',
      async run(pg, ctx) {
        await pg.restart(ctx.get<number>('victim2'));
        await settledLeader(pg, 1000);
        const learner = ctx.get<number>('learner');
        ctx.focus(learner);
        await ctx.etcdctl(`etcdctl member promote ${hex(learner)}`);
        await pg.advance(500);
        const r = await ctx.etcdctl('etcdctl member list');
        ctx.note('members', r.stdout);
      },
      async expect(pg, ctx) {
        const learner = ctx.get<number>('learner');
        const promote = ctx.commands[0]!;
        const members = memberList(ctx.get<string>('members'));
        const lead = pg.leader();
        const detail = lead === undefined ? undefined : await pg.nodeDetail(lead);
        return [
          check('etcd promoted it', promote.exitCode === 0 && promote.stdout.includes('promoted'), lastLine(promote.stdout) || lastLine(promote.stderr)),
          check('Four voters, no learner', detail !== undefined && detail.config.voters.length === 4 && detail.config.learners.length === 0 && !statusOf(pg, learner).isLearner, detail === undefined ? 'no leader' : `voters ${detail.config.voters.length}, learners ${detail.config.learners.length}`),
          check('member list agrees', members.length === 4 && members.every((m) => !m.learner && m.status === 'started'), members.map((m) => `${m.name} learner=${m.learner}`).join(', ')),
        ];
      },
    },
  ],
};
