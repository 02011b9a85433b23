// Lesson: watches and compaction. etcd keeps every revision of every key until compaction, so a
// watch can start in the past and replay history. After `etcdctl compact`, a watch from a revision
// below the compacted one is cancelled by the server with "mvcc: required revision has been
// compacted"; the client must read the current state and watch from there.

import { check, lastLine, nameOf, settledLeader, watchEvents } from './helpers';
import type { Lesson } from './types';

/** How long an `etcdctl watch` runs before the lesson stops it (like `timeout 0.3 etcdctl watch`). */
const WATCH_MS = 300;
const COMPACTED_MSG = 'mvcc: required revision has been compacted';

export const watchCompactionLesson: Lesson = {
  id: 'watch-compaction',
  title: 'Watches and compaction: replaying history, until it is gone',
  summary:
    'Five versions of a key give five revisions. A watch can replay them from any revision still kept; after compaction, a watch from an older revision is cancelled with “mvcc: required revision has been compacted”.',
  options: { nodes: 3, seed: 1, preVote: true, checkQuorum: true },
  steps: [
    {
      title: 'Five versions of one key',
      narration:
        'A client writes the key config five times. Each write is one etcd transaction and gets the next store revision; the key keeps its create revision and counts its versions. The Data panel lists keys with their revisions.',
      panel: 'data',
      async run(pg, ctx) {
        const lead = await settledLeader(pg, 500);
        ctx.note('leader', lead);
        ctx.focus(lead);
        for (let i = 1; i <= 5; i++) await ctx.etcdctl(`etcdctl put config v${i}`);
        const r = await ctx.etcdctl('etcdctl get config -w json');
        const j = JSON.parse(r.stdout) as { header: { revision: number }; kvs: Array<{ create_revision: number; mod_revision: number; version: number }> };
        ctx.note('revision', j.header.revision);
        ctx.note('createRevision', j.kvs[0]?.create_revision ?? 0);
        ctx.note('version', j.kvs[0]?.version ?? 0);
        await pg.advance(300);
      },
      expect(pg, ctx) {
        const rev = ctx.get<number>('revision');
        const revs = [...new Set(pg.status().filter((n) => n.alive).map((n) => n.revision))];
        return [
          check('The key has 5 versions', ctx.get<number>('version') === 5, `version ${ctx.get<number>('version')}, created at revision ${ctx.get<number>('createRevision')}, modified at ${rev}`),
          check('Every member is at the same revision', revs.length === 1 && revs[0] === rev, `store revision: ${revs.join(', ')}`),
        ];
      },
    },
    {
      title: 'Watch from the past',
      narration:
        'etcdctl watch config --rev=2 starts a watch at revision 2, where the key was created. The store still has every revision, so the watch first replays the five PUT events from history, then would go on with live ones.',
      panel: 'console',
      async run(_pg, ctx) {
        await ctx.etcdctl(`etcdctl watch config --rev=${ctx.get<number>('createRevision')}`, { timeoutMs: WATCH_MS });
      },
      expect(_pg, ctx) {
        const ev = watchEvents(ctx.commands[0]?.stdout ?? '');
        return [
          check('It replayed all five versions', ev.length === 5 && ev.every((e, i) => e.type === 'PUT' && e.value === `v${i + 1}`), `${ev.length} events: ${ev.map((e) => `${e.type} ${e.value}`).join(', ')}`),
        ];
      },
    },
    {
      title: 'Compact',
      narration:
        'etcdctl compact 5 drops every revision older than 5 (the newest version of each key at revision 5 is kept). Compaction goes through Raft, so every member compacts its store at the same revision.',
      panel: 'data',
      async run(pg, ctx) {
        ctx.note('compactAt', 5);
        await ctx.etcdctl('etcdctl compact 5');
        await pg.advance(300);
      },
      async expect(pg, ctx) {
        const r = ctx.commands[0]!;
        const live = pg.status().filter((n) => n.alive);
        const compacted = await Promise.all(live.map(async (n) => (await pg.nodeKeyspace(n.id, { prefix: 'config' })).compactRevision));
        const values = await Promise.all(live.map(async (n) => (await pg.nodeKeyspace(n.id, { prefix: 'config' })).kvs.find((kv) => kv.key === 'config')?.value));
        return [
          check('etcd compacted at revision 5', r.exitCode === 0 && r.stdout.includes('compacted revision 5'), lastLine(r.stdout) || lastLine(r.stderr)),
          check('Every member compacted at 5', compacted.every((c) => c === 5), live.map((n, i) => `${n.name}: ${compacted[i]}`).join(', ')),
          check('The current value is untouched', values.every((v) => v === 'v5'), `config = ${values.join(', ')}`),
        ];
      },
    },
    {
      title: 'Watch from a compacted revision',
      narration:
        'A watcher that fell behind asks to resume from revision 3. That history is gone: the server cancels the watch with “etcdserver: mvcc: required revision has been compacted” (and a read at revision 3 fails the same way). A real client must then read the current state and watch from its revision.',
      panel: 'console',
      async run(_pg, ctx) {
        await ctx.etcdctl('etcdctl watch config --rev=3', { timeoutMs: WATCH_MS });
        await ctx.etcdctl('etcdctl get config --rev=3');
      },
      expect(_pg, ctx) {
        const w = ctx.commands[0]!;
        const g = ctx.commands[1]!;
        const wOut = w.stdout + w.stderr;
        return [
          check('The server cancelled the watch', w.exitCode !== 0 && wOut.includes('watch was canceled') && wOut.includes(COMPACTED_MSG), `exit ${w.exitCode}: ${wOut.split('\n').filter((l) => l !== '').join(' · ')}`),
          check('It delivered no event', watchEvents(w.stdout).length === 0, `${watchEvents(w.stdout).length} events`),
          check('A read at revision 3 fails the same way', g.exitCode !== 0 && g.stderr.includes(COMPACTED_MSG), lastLine(g.stderr) || lastLine(g.stdout)),
        ];
      },
    },
    {
      title: 'Watch from the compaction point',
      narration:
        'Revision 5 itself is kept, so a watch from revision 5 works: it replays v4 (written at revision 5) and v5 (revision 6).',
      panel: 'console',
      async run(_pg, ctx) {
        await ctx.etcdctl('etcdctl watch config --rev=5', { timeoutMs: WATCH_MS });
      },
      expect(pg, ctx) {
        const ev = watchEvents(ctx.commands[0]?.stdout ?? '');
        const lead = pg.leader();
        return [
          check('It replayed revisions 5 and 6', ev.length === 2 && ev[0]?.value === 'v4' && ev[1]?.value === 'v5', `${ev.length} events: ${ev.map((e) => `${e.type} ${e.value}`).join(', ')}`),
          check('The cluster is healthy throughout', lead !== undefined, lead === undefined ? 'no leader' : `${nameOf(pg, lead)} leads`),
        ];
      },
    },
  ],
};
