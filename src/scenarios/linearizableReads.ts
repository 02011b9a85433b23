// Lesson: linearizable vs serializable reads on a partitioned follower. A serializable read is
// served from the member's own store: fast, always available, possibly stale. A linearizable read
// (etcd's default) goes through ReadIndex: the leader confirms its commit index with a quorum of
// heartbeats first, so a member cut off from the leader cannot answer at all.

import { check, endpointOf, followersOf, lastLine, localValue, ms, nameOf, settledLeader, statusOf } from './helpers';
import type { CommandRecord, Lesson } from './types';

/** The value `etcdctl get` printed (simple format: key line, value line), if any. */
function printedValue(c: CommandRecord | undefined): string | undefined {
  if (c === undefined || c.exitCode !== 0) return undefined;
  const lines = c.stdout.split('\n');
  return lines.length >= 2 && lines[0] !== '' ? lines[1] : undefined;
}

export const linearizableReadsLesson: Lesson = {
  id: 'linearizable-reads',
  title: 'Linearizable vs serializable reads on a partitioned follower',
  summary:
    'A follower is cut off and misses a write. Asked with --consistency=s it answers at once with the old value; asked for a linearizable read (the default) it refuses to answer rather than return stale data.',
  options: { nodes: 3, seed: 1, preVote: true, checkQuorum: true },
  steps: [
    {
      title: 'Write x = 1',
      narration: 'Three members. A client writes x = 1; the write commits and every member applies it to its store.',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 500);
        ctx.note('leader', lead);
        await ctx.etcdctl('etcdctl put x 1');
        await pg.advance(500);
        ctx.focus(lead);
      },
      async expect(pg) {
        const values = await Promise.all(pg.status().filter((n) => n.alive).map(async (n) => [n.name, await localValue(pg, n.id, 'x')] as const));
        return [check('Every member has x = 1', values.every(([, v]) => v === '1'), values.map(([n, v]) => `${n}: ${v ?? '(none)'}`).join(', '))];
      },
    },
    {
      title: 'Cut a follower off, write x = 2',
      narration:
        'One follower is cut off from the others. A client connected to the leader writes x = 2; the leader and the other follower are a quorum, so it commits. The cut-off follower still holds x = 1.',
      async run(pg, ctx) {
        const lead = ctx.get<number>('leader');
        const f = followersOf(pg)[0]!.id;
        ctx.note('follower', f);
        ctx.focus(f);
        pg.isolate(f);
        await pg.advance(200);
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, lead)} put x 2`);
        await pg.advance(300);
      },
      async expect(pg, ctx) {
        const f = ctx.get<number>('follower');
        const lead = ctx.get<number>('leader');
        const put = ctx.commands[0]!;
        const atLeader = await localValue(pg, lead, 'x');
        const atF = await localValue(pg, f, 'x');
        return [
          check('x = 2 committed', put.exitCode === 0 && atLeader === '2', `put → ${lastLine(put.stdout) || lastLine(put.stderr)}; ${nameOf(pg, lead)} has x = ${atLeader ?? '(none)'}`),
          check(`${nameOf(pg, f)} still holds x = 1`, atF === '1', `${nameOf(pg, f)}'s store: x = ${atF ?? '(none)'}, revision ${statusOf(pg, f).revision}`),
        ];
      },
    },
    {
      title: 'Serializable read on the cut-off follower',
      narration:
        'etcdctl get x --consistency=s asks the cut-off follower for a serializable read. It is served from the member’s own store, without any round trip: fast and always available — and here stale. It returns x = 1 although x = 2 was committed.',
      async run(pg, ctx) {
        const f = ctx.get<number>('follower');
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, f)} get x --consistency=s`);
      },
      async expect(pg, ctx) {
        const r = ctx.commands[0]!;
        const v = printedValue(r);
        const lead = pg.leader();
        const committed = lead === undefined ? undefined : await localValue(pg, lead, 'x');
        return [
          check('It answered at once', r.exitCode === 0 && r.doneAt - r.at < 100, `exit ${r.exitCode} after ${ms(r.doneAt - r.at)}`),
          check(
            'It returned a stale value',
            v !== undefined && committed !== undefined && v !== committed,
            `it printed x = ${v ?? '(nothing)'}; the leader has x = ${committed ?? '?'}`,
          ),
        ];
      },
    },
    {
      title: 'Linearizable read on the cut-off follower',
      narration:
        'etcdctl get x (linearizable, the default) first needs the leader’s commit index: the member asks with ReadIndex, and the leader confirms it is still the leader with a round of heartbeats before answering. The cut-off follower has no leader to ask, so the read waits and fails when etcdctl’s 5 s timeout passes — it never returns old data.',
      async run(pg, ctx) {
        const f = ctx.get<number>('follower');
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, f)} get x`);
      },
      expect(_pg, ctx) {
        const r = ctx.commands[0]!;
        const v = printedValue(r);
        return [
          check('The read failed', r.exitCode !== 0, `exit ${r.exitCode} after ${ms(r.doneAt - r.at)}: ${lastLine(r.stderr) || lastLine(r.stdout)}`),
          check('No stale value was returned', v === undefined, v === undefined ? 'nothing printed on stdout' : `it printed x = ${v}`),
        ];
      },
    },
    {
      title: 'Heal and read again',
      narration:
        'The network heals. The follower catches up with the leader’s log, and a linearizable read through it now returns x = 2: ReadIndex gives it the leader’s commit index, and it answers once it has applied that far.',
      async run(pg, ctx) {
        pg.heal();
        await pg.advance(1000);
        const f = ctx.get<number>('follower');
        await ctx.etcdctl(`etcdctl --endpoints=${endpointOf(pg, f)} get x`);
      },
      async expect(pg, ctx) {
        const r = ctx.commands[0]!;
        const f = ctx.get<number>('follower');
        const v = printedValue(r);
        const local = await localValue(pg, f, 'x');
        return [
          check('The linearizable read returns x = 2', v === '2', `it printed x = ${v ?? '(nothing)'} after ${ms(r.doneAt - r.at)}`),
          check(`${nameOf(pg, f)} caught up`, local === '2', `${nameOf(pg, f)}'s store: x = ${local ?? '(none)'}`),
        ];
      },
    },
  ],
};
