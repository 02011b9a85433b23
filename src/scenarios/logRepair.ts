// Lesson: log repair, after figure 7 of the Raft paper. A run builds two of the figure's follower
// situations for real: a former leader holding extra uncommitted entries of its old term (like
// followers (e) and (f)) and a follower missing entries (like (a) and (b)). After the heal, the new
// leader's MsgApp consistency check finds the divergence and overwrites it. An approximation of the
// figure, and the narration says so.

import { check, clientUrlOf, errorText, logTerms, nameOf, settledLeader, statusOf } from './helpers';
import type { Lesson } from './types';

/** Keys the old leader's clients write while it is cut off: they must never appear. */
const LOST_PREFIX = 'lost';

function runs(terms: readonly number[], from: number): string {
  // "5–9: term 2" style, one run per term.
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= terms.length; i++) {
    if (i === terms.length || terms[i] !== terms[start]) {
      const a = from + start;
      const b = from + i - 1;
      out.push(`${a === b ? a : `${a}–${b}`}: term ${terms[start]}`);
      start = i;
    }
  }
  return out.join(', ') || 'empty';
}

export const logRepairLesson: Lesson = {
  id: 'log-repair',
  title: 'Log repair: how a new leader fixes divergent logs (Raft paper, figure 7)',
  summary:
    'A cut-off leader appends writes it can never commit while the majority moves on at a higher term. After the heal, the new leader finds where the logs diverge and overwrites the uncommitted entries.',
  options: { nodes: 5, seed: 1, preVote: true, checkQuorum: true },
  steps: [
    {
      title: 'Three committed writes',
      narration: 'Five members agree on one log: three client writes are committed and every member has them. The Logs panel shows each member’s log, one row per member, coloured by term.',
      panel: 'logs',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 500);
        ctx.note('leader', lead);
        ctx.note('term', statusOf(pg, lead).term);
        for (let i = 1; i <= 3; i++) await ctx.etcdctl(`etcdctl put key${i} value${i}`);
        await pg.advance(300);
        ctx.focus(lead);
      },
      expect(pg) {
        const st = pg.status();
        const last = [...new Set(st.map((n) => n.lastIndex))];
        const commit = [...new Set(st.map((n) => n.commit))];
        return [
          check('All five logs end at the same index', last.length === 1, `last index: ${st.map((n) => `${n.name} ${n.lastIndex}`).join(', ')}`),
          check('Everything is committed everywhere', commit.length === 1 && commit[0] === last[0], `commit index: ${commit.join(', ')}`),
        ];
      },
    },
    {
      title: 'Split the cluster three ways',
      narration:
        'The leader is cut off on its own, one follower is cut off on its own, and three members stay together. Clients still talking to the old leader send it three writes: it appends them to its log at its term, but no follower can acknowledge them, so they stay uncommitted.',
      panel: 'logs',
      async run(pg, ctx) {
        const old = ctx.get<number>('leader');
        const st = pg.status();
        const others = st.filter((n) => n.id !== old).map((n) => n.id);
        const lone = others[0]!;
        const rest = others.slice(1);
        ctx.note('lone', lone);
        ctx.note('rest', rest);
        ctx.note('commitBefore', statusOf(pg, old).commit);
        pg.partition([[old], [lone], rest]);
        // Background writes: their answers (errors) come later; nothing waits for them here.
        const c = pg.client({ endpoints: [clientUrlOf(pg, old)], autoAdvance: false });
        for (let i = 1; i <= 3; i++) void c.put(`${LOST_PREFIX}${i}`, 'never').catch(() => undefined);
        await pg.advance(300);
        ctx.focus(old);
      },
      async expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const o = statusOf(pg, old);
        const commit = ctx.get<number>('commitBefore');
        const extra = await logTerms(pg, old, commit + 1, o.lastIndex + 1);
        const othersLast = pg.status().filter((n) => n.id !== old).map((n) => n.lastIndex);
        return [
          check(
            `${nameOf(pg, old)} appended entries it cannot commit`,
            extra.length >= 3 && o.commit === commit,
            `indexes ${commit + 1}–${o.lastIndex} (term ${extra[0] ?? '?'}) beyond its commit index ${o.commit}`,
          ),
          check('Nobody else has them', othersLast.every((l) => l <= commit), `the others' last index: ${othersLast.join(', ')}`),
        ];
      },
    },
    {
      title: 'The majority moves on',
      narration:
        'The three connected members elect a new leader at a higher term and commit five writes. Now the logs disagree as in figure 7 of the Raft paper: the old leader holds entries of its old term at indexes where the new leader has entries of the new term (like followers (e) and (f) in the figure), and the lone follower simply lacks entries (like (a) and (b)). A small, real version of the figure: two of its six cases, not all of them.',
      panel: 'logs',
      async run(pg, ctx) {
        const rest = ctx.get<number[]>('rest');
        await pg.runUntil(() => {
          const l = pg.leader();
          return l !== undefined && rest.includes(l);
        }, { timeoutMs: 10_000 });
        const fresh = pg.leader()!;
        ctx.note('newLeader', fresh);
        ctx.focus(fresh);
        const c = pg.client({ endpoints: [clientUrlOf(pg, fresh)] });
        for (let i = 1; i <= 5; i++) await c.put(`new${i}`, `value${i}`);
        c.close();
        await pg.advance(300);
      },
      async expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const lone = ctx.get<number>('lone');
        const fresh = ctx.get<number>('newLeader');
        const from = ctx.get<number>('commitBefore') + 1;
        const o = statusOf(pg, old);
        const n = statusOf(pg, fresh);
        const oldTerms = await logTerms(pg, old, from, o.lastIndex + 1);
        const newTerms = await logTerms(pg, fresh, from, o.lastIndex + 1);
        const conflict = oldTerms.some((t, i) => newTerms[i] !== undefined && newTerms[i] !== t);
        return [
          check('A new leader in a higher term', n.term > ctx.get<number>('term') && n.role === 'StateLeader', `${nameOf(pg, fresh)} leads at term ${n.term}, commit ${n.commit}`),
          check(
            'Same indexes, different terms: the logs diverge',
            conflict,
            `${nameOf(pg, old)}: ${runs(oldTerms, from)} · ${nameOf(pg, fresh)}: ${runs(newTerms, from)}`,
          ),
          check(`${nameOf(pg, lone)} lacks the new entries`, statusOf(pg, lone).lastIndex < n.lastIndex, `last index ${statusOf(pg, lone).lastIndex} vs the leader's ${n.lastIndex}`),
        ];
      },
    },
    {
      title: 'Heal: the leader repairs the logs',
      narration:
        'After the heal, the new leader sends each member MsgApp with the entries it lacks, plus the index and term of the entry just before them. A member accepts only if its own log has that entry (the log matching check); if not, it rejects and the leader backs up and retries. The old leader then finds its uncommitted entries conflict with the new ones — same index, different term — so it deletes them and appends the leader’s. The lone follower just receives what it missed. The three writes the old leader took are gone: their clients got errors, never an acknowledgement.',
      panel: 'logs',
      async run(pg, ctx) {
        const old = ctx.get<number>('leader');
        // What the old leader is told and answers: MsgApp with entries, and rejections.
        let firstApp: string | null = null;
        let rejected = 0;
        const off = pg.subscribe((e) => {
          if (e.type !== 'message' || e.phase !== 'deliver' || e.message.channel !== 'raft') return;
          const m = e.message.msg;
          if (e.message.to === old && e.message.type === 'MsgApp' && m !== undefined && (m.entries?.length ?? 0) > 0 && firstApp === null) firstApp = `${m.logTerm}/${m.index}`;
          if (e.message.from === old && e.message.type === 'MsgAppResp' && e.message.reject === true) rejected++;
        });
        pg.heal();
        // Long enough for the lost writes' 5 s client deadline to pass, so their failures show.
        await pg.advance(5000);
        off();
        ctx.note('firstApp', firstApp);
        ctx.note('rejected', rejected);
        ctx.focus(old);
      },
      async expect(pg, ctx) {
        const old = ctx.get<number>('leader');
        const lone = ctx.get<number>('lone');
        const lead = pg.leader();
        const from = ctx.get<number>('commitBefore') + 1;
        if (lead === undefined) return [check('There is a leader', false, 'no leader')];
        const l = statusOf(pg, lead);
        const logs = await Promise.all(pg.status().map(async (n) => ({ name: n.name, terms: (await logTerms(pg, n.id, 1, n.lastIndex + 1)).join(',') })));
        const same = new Set(logs.map((x) => x.terms)).size === 1;
        const oldTerms = await logTerms(pg, old, from, l.lastIndex + 1);
        const leadTerms = await logTerms(pg, lead, from, l.lastIndex + 1);
        const lost = (await pg.nodeKeyspace(lead, { prefix: LOST_PREFIX })).kvs.map((kv) => kv.key);
        const lostOps = pg.history().filter((h) => h.key?.startsWith(LOST_PREFIX));
        const firstApp = ctx.get<string | null>('firstApp');
        const rejected = ctx.get<number>('rejected');
        return [
          check(
            `The new leader's MsgApp reached ${nameOf(pg, old)}`,
            firstApp !== null,
            firstApp === null ? 'no MsgApp with entries was delivered' : `the first carried entries after ${firstApp} (term/index); ${nameOf(pg, old)} rejected ${rejected} MsgApp${rejected === 1 ? '' : 's'}`,
          ),
          check(`${nameOf(pg, old)}'s conflicting entries were overwritten`, oldTerms.join() === leadTerms.join(), `${nameOf(pg, old)} from index ${from}: ${runs(oldTerms, from)}`),
          check('All five logs are identical', same && pg.status().every((n) => n.lastIndex === l.lastIndex && n.commit === l.commit), `last index ${l.lastIndex}, commit ${l.commit} on every member`),
          check(`${nameOf(pg, lone)} caught up`, statusOf(pg, lone).lastIndex === l.lastIndex, `last index ${statusOf(pg, lone).lastIndex}`),
          check(
            'The uncommitted writes never took effect',
            lost.length === 0 && lostOps.length > 0 && lostOps.every((h) => !h.ok),
            `${LOST_PREFIX}1–${LOST_PREFIX}3: ${lost.length === 0 ? 'not in the store' : lost.join(', ')}; their ${lostOps.length} writes returned ${lostOps.every((h) => !h.ok) ? `errors (${[...new Set(lostOps.map((h) => errorText(h.result)))].join('; ')})` : 'an acknowledgement'}`,
          ),
        ];
      },
    },
  ],
};
