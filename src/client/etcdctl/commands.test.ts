// Commands beyond the golden transcripts. Goal: argument checks in etcdctl's order and words, the
// long-running commands' life cycle (output streamed while they run; stop semantics: lock releases,
// elect resigns, watch and keep-alive are cut off; exit code of a stopped command), the cluster and
// maintenance commands, and the clear refusals of what the playground cannot do. Method: whole
// command lines on the test double in virtual time; the store and lessor are inspected directly
// to check side effects (keys deleted, leases left to expire).

import { describe, expect, it } from 'vitest';
import { EtcdError } from '../api';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';

async function run(cluster: TestCluster, line: string, extras: Parameters<typeof testEnv>[1] = {}) {
  return cluster.runUntilSettled(runEtcdctl(line, testEnv(cluster, extras)));
}

/** Starts a long-running command; returns its stream of output and a stop function. */
function start(cluster: TestCluster, line: string, extras: { abortExitCode?: number; stdin?: string } = {}) {
  const stop = new AbortController();
  let output = '';
  const env = { ...testEnv(cluster, { signal: stop.signal, onOutput: (c) => (output += c.text), stdin: extras.stdin }), abortExitCode: extras.abortExitCode };
  const done = runEtcdctl(line, env);
  return {
    output: () => output,
    stop: async () => {
      stop.abort();
      return cluster.runUntilSettled(done);
    },
    done,
  };
}

const keys = (cluster: TestCluster, prefix: string): string[] =>
  cluster.store.range(prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)).kvs.map((kv) => kv.key);

describe('argument checks (etcdctl order, words and exit codes)', () => {
  it.each([
    ['get k --consistency=x', 4, 'Error: unknown consistency flag "x"'],
    ['get k --order=up', 4, 'Error: bad sort order up'],
    ['get k --sort-by=size', 4, 'Error: bad sort target size'],
    ['get k --prefix --from-key', 128, 'Error: `--prefix` and `--from-key` cannot be set at the same time, choose one'],
    ['get a b --prefix', 128, 'Error: too many arguments, only accept one argument when `--prefix` or `--from-key` is set'],
    ['del', 128, 'Error: del command needs one argument as key and an optional argument as range_end'],
    ['del a b c', 128, 'Error: del command needs one argument as key and an optional argument as range_end'],
    ['put k v --ignore-value', 128, "Error: put command needs only 1 argument when 'ignore-value' is set"],
    ['compaction', 128, 'Error: compaction command needs 1 argument'],
    ['lease grant', 128, 'Error: lease grant command needs TTL argument'],
    ['lease revoke xyz', 128, 'Error: bad lease ID arg (strconv.ParseInt: parsing "xyz": invalid syntax), expecting ID in Hex'],
    ['lease keep-alive', 128, 'Error: lease keep-alive command needs lease ID as argument'],
    ['lease timetolive', 128, 'Error: lease timetolive command needs lease ID as argument'],
    ['member add', 128, 'Error: member name not provided'],
    ['member add m4 http://127.0.0.1:42380', 128, 'Error: too many arguments, did you mean --peer-urls=http://127.0.0.1:42380'],
    ['member add m4', 128, 'Error: member peer urls not provided'],
    ['member remove zz', 128, 'Error: bad member ID arg (strconv.ParseUint: parsing "zz": invalid syntax), expecting ID in Hex'],
    ['member update 1', 128, 'Error: member peer urls not provided'],
    ['member promote', 128, 'Error: member ID is not provided'],
    ['move-leader', 128, 'Error: move-leader command needs 1 argument'],
    ['move-leader xyz', 128, 'Error: strconv.ParseUint: parsing "xyz": invalid syntax'],
    ['alarm list extra', 128, 'Error: alarm list command accepts no arguments'],
    ['lock', 128, 'Error: lock takes a lock name argument and an optional command to execute'],
    ['elect', 128, 'Error: elect takes one election name argument and an optional proposal argument'],
    ['elect -l e p', 128, 'Error: proposal given but -l is set'],
    ['watch', 128, 'Error: bad number of arguments'],
    ['watch a --', 128, 'Error: bad number of arguments (found separator --, but no commands)'],
    ['watch a z --prefix', 128, 'Error: `range_end` and `--prefix` are mutually exclusive'],
  ])('%s → exit %d, %s', async (line, code, message) => {
    const r = await run(new TestCluster(), line);
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: code, stderr: message + '\n' });
  });
});

describe('key-value commands', () => {
  it('reads ranges: all keys with an empty prefix, from a key, an explicit range, counted limits', async () => {
    const c = new TestCluster();
    for (const k of ['a', 'b', 'c', 'd']) await run(c, `put ${k} ${k}1`);
    expect((await run(c, "get '' --prefix --keys-only")).stdout).toBe('a\n\nb\n\nc\n\nd\n\n');
    expect((await run(c, "get '' --from-key --print-value-only")).stdout).toBe('a1\nb1\nc1\nd1\n');
    expect((await run(c, 'get b d --print-value-only')).stdout).toBe('b1\nc1\n');
    const limited = JSON.parse((await run(c, 'get a --prefix --from-key=false --limit 1 -w json')).stdout.replace(/:(\d{16,})/g, ':"$1"'));
    expect(limited.kvs).toHaveLength(1);
    expect(limited.count).toBe(1);
    const all = JSON.parse((await run(c, "get '' --prefix --limit 2 -w json")).stdout.replace(/:(\d{16,})/g, ':"$1"'));
    expect({ n: all.kvs.length, more: all.more, count: all.count }).toEqual({ n: 2, more: true, count: 4 });
    expect((await run(c, "get '' --prefix --sort-by=VALUE --order=DESCEND --keys-only")).stdout).toBe('d\n\nc\n\nb\n\na\n\n');
  });

  it('deletes from a key and with an empty prefix', async () => {
    const c = new TestCluster();
    for (const k of ['a', 'b', 'c']) await run(c, `put ${k} v`);
    expect((await run(c, 'del b --from-key')).stdout).toBe('2\n');
    expect((await run(c, "del '' --prefix")).stdout).toBe('1\n');
  });

  it('keeps the value with --ignore-value and the lease with --ignore-lease', async () => {
    const c = new TestCluster();
    const lease = /lease (\S+) granted/.exec((await run(c, 'lease grant 100')).stdout)![1]!;
    await run(c, `put k v1 --lease=${lease}`);
    expect((await run(c, 'put k --ignore-value --ignore-lease')).exitCode).toBe(0);
    const kv = c.store.range('k', undefined).kvs[0]!;
    expect({ value: kv.value, version: kv.version, lease: BigInt(kv.lease).toString(16) }).toEqual({ value: 'v1', version: 2, lease });
    const missing = await run(c, 'put nokey --ignore-value');
    expect(missing.stderr).toMatch(/Error: etcdserver: key not found\n$/);
  });

  it('compacts with --physical and says which revision', async () => {
    const c = new TestCluster();
    await run(c, 'put a 1');
    await run(c, 'put a 2');
    expect(await run(c, 'compaction --physical 2')).toEqual({ stdout: 'compacted revision 2\n', stderr: '', exitCode: 0 });
    expect(c.store.compactRevision).toBe(2);
  });
});

describe('watch', () => {
  it('streams each event as it happens and ends with the stop signal (exit 124 by default)', async () => {
    const c = new TestCluster();
    const w = start(c, 'watch k');
    await c.settle();
    expect(w.output()).toBe('');
    await run(c, 'put k v1');
    await c.settle();
    expect(w.output()).toBe('PUT\nk\nv1\n');
    await run(c, 'del k');
    await c.settle();
    expect(w.output()).toBe('PUT\nk\nv1\nDELETE\nk\n\n');
    const r = await w.stop();
    expect(r).toEqual({ stdout: 'PUT\nk\nv1\nDELETE\nk\n\n', stderr: '', exitCode: 124 });
  });

  it('reports the exit code the environment chooses for a stop (e.g. 130 for Ctrl-C)', async () => {
    const c = new TestCluster();
    const w = start(c, 'watch k', { abortExitCode: 130 });
    await c.settle();
    expect((await w.stop()).exitCode).toBe(130);
  });

  it('runs echo and nested etcdctl for each event after --', async () => {
    const c = new TestCluster();
    const w = start(c, 'watch k -- echo got one');
    await c.settle();
    await run(c, 'put k a');
    await run(c, 'put k b');
    await c.settle();
    expect(w.output()).toBe('PUT\nk\na\ngot one\nPUT\nk\nb\ngot one\n');
    await w.stop();
    const counter = start(c, 'watch k -- etcdctl put seen yes');
    await c.settle();
    await run(c, 'put k c');
    await c.settle();
    await c.settle();
    expect(counter.output()).toBe('PUT\nk\nc\nOK\n');
    expect(c.store.range('seen', undefined).kvs[0]?.value).toBe('yes');
    await counter.stop();
  });

  it('refuses other programs and interactive mode before watching', async () => {
    const c = new TestCluster();
    const sh = await run(c, "watch k -- sh -c 'echo $ETCD_WATCH_KEY'");
    expect(sh.exitCode).toBe(1);
    expect(sh.stderr).toMatch(/^Error: not supported in the playground: running "sh" for each watch event/);
    const i = await run(c, 'watch -i');
    expect(i.stderr).toMatch(/^Error: not supported in the playground: watch --interactive/);
  });

  it('prints the cancellation and exits 5 when the start revision is compacted', async () => {
    const c = new TestCluster();
    for (const v of ['1', '2', '3']) await run(c, `put k ${v}`);
    await run(c, 'compaction 3');
    const r = await run(c, 'watch k --rev=2');
    expect(r).toEqual({
      stdout: '',
      stderr: 'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server\n',
      exitCode: 5,
    });
  });
});

describe('lease keep-alive', () => {
  it('renews every TTL/3 and prints each renewal until stopped', async () => {
    const c = new TestCluster();
    const id = /lease (\S+) granted/.exec((await run(c, 'lease grant 60')).stdout)![1]!;
    const k = start(c, `lease keep-alive ${id}`);
    await c.advance(45_000);
    expect(k.output()).toBe(`lease ${id} keepalived with TTL(60)\n`.repeat(3));
    expect((await k.stop()).exitCode).toBe(124);
  });

  it('ends with "expired or revoked" and exit 0 when the lease is revoked', async () => {
    const c = new TestCluster();
    const id = /lease (\S+) granted/.exec((await run(c, 'lease grant 30')).stdout)![1]!;
    const k = start(c, `lease keep-alive ${id}`);
    await c.settle();
    await run(c, `lease revoke ${id}`);
    await c.advance(10_000);
    const r = await c.runUntilSettled(k.done);
    expect(r).toEqual({ stdout: `lease ${id} keepalived with TTL(30)\nlease ${id} expired or revoked.\n`, stderr: '', exitCode: 0 });
  });

  it('keeps the lease alive beyond its TTL while running', async () => {
    const c = new TestCluster();
    const id = /lease (\S+) granted/.exec((await run(c, 'lease grant 5')).stdout)![1]!;
    const k = start(c, `lease keep-alive ${id}`);
    await c.advance(20_000);
    expect((await run(c, `lease timetolive ${id}`)).stdout).toMatch(/granted with TTL\(5s\), remaining\([345]s\)/);
    await k.stop();
    await c.advance(7_000);
    expect((await run(c, `lease timetolive ${id}`)).stdout).toBe(`lease ${id} already expired\n`);
  });
});

describe('lock', () => {
  it('holds the lock until stopped, then deletes its key and lets the session lease expire', async () => {
    const c = new TestCluster();
    const l = start(c, 'lock job');
    await c.settle();
    const key = keys(c, 'job/')[0]!;
    expect(l.output()).toBe(`${key}\n\n`);
    const lease = c.store.range(key, undefined).kvs[0]!.lease;
    expect(c.lessor.lookup(lease)?.ttl).toBe(10);
    await c.advance(30_000);
    expect(keys(c, 'job/')).toEqual([key]);
    expect((await l.stop()).exitCode).toBe(124);
    expect(keys(c, 'job/')).toEqual([]);
    expect(c.lessor.lookup(lease)).toBeDefined();
    await c.advance(11_000);
    expect(c.lessor.lookup(lease)).toBeUndefined();
  });

  it('uses --ttl for the session', async () => {
    const c = new TestCluster();
    const l = start(c, 'lock --ttl=5 job');
    await c.settle();
    const lease = c.store.range(keys(c, 'job/')[0]!, undefined).kvs[0]!.lease;
    expect(c.lessor.lookup(lease)?.ttl).toBe(5);
    await l.stop();
  });

  it('fails with "session expired" when its lease is revoked underneath it', async () => {
    const c = new TestCluster();
    const l = start(c, 'lock job');
    await c.settle();
    const lease = c.store.range(keys(c, 'job/')[0]!, undefined).kvs[0]!.lease;
    c.revokeLease(lease);
    await c.advance(5_000);
    const r = await c.runUntilSettled(l.done);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: session expired\n');
  });

  it('runs a nested etcdctl command while holding the lock, then releases it', async () => {
    const c = new TestCluster();
    // Flags after the lock name belong to `lock` unless `--` ends them, as in etcdctl.
    expect((await run(c, 'lock job etcdctl get job --prefix')).stderr).toMatch(/^Error: unknown flag: --prefix\n/);
    const r = await run(c, 'lock job -- etcdctl get job --prefix --keys-only');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^job\/[0-9a-f]+\n\n$/);
    expect(keys(c, 'job/')).toEqual([]);
    const failing = await run(c, 'lock job etcdctl get');
    expect(failing).toEqual({
      stdout: '',
      stderr: 'Error: get command needs one argument as key and an optional argument as range_end\nError: exit status 128\n',
      exitCode: 1,
    });
  });
});

describe('elect', () => {
  it('campaigns, prints the leader key and proposal, and resigns when stopped', async () => {
    const c = new TestCluster();
    const e = start(c, 'elect ring alice');
    await c.settle();
    const key = keys(c, 'ring/')[0]!;
    expect(e.output()).toBe(`${key}\nalice\n`);
    expect((await e.stop()).exitCode).toBe(124);
    expect(keys(c, 'ring/')).toEqual([]);
  });

  it('observes the current leader, its successor, and nothing when there is none', async () => {
    const c = new TestCluster();
    const empty = start(c, 'elect -l ring');
    await c.advance(1000);
    expect(empty.output()).toBe('');
    const a = start(c, 'elect ring alice');
    await c.settle();
    const b = start(c, 'elect ring bob');
    await c.settle();
    const observer = start(c, 'elect -l ring');
    await c.settle();
    const [ka, kb] = keys(c, 'ring/').sort((x, y) => c.store.range(x, undefined).kvs[0]!.createRevision - c.store.range(y, undefined).kvs[0]!.createRevision);
    expect(empty.output()).toBe(`${ka}\nalice\n`);
    expect(observer.output()).toBe(`${ka}\nalice\n`);
    await a.stop();
    await c.settle();
    expect(observer.output()).toBe(`${ka}\nalice\n${kb}\nbob\n`);
    expect(b.output()).toBe(`${kb}\nbob\n`);
    for (const p of [observer, empty, b]) expect((await p.stop()).exitCode).toBe(124);
  });
});

describe('cluster and maintenance commands', () => {
  it('adds a learner and prints the new member environment (§3.7)', async () => {
    const c = new TestCluster();
    const r = await run(c, 'member add infra4 --peer-urls=http://127.0.0.1:42380 --learner');
    const added = c.members.find((m) => m.name === '')!;
    const hex = BigInt(added.id).toString(16);
    expect(r.stdout).toBe(
      `Member ${hex} added to cluster ${BigInt(c.clusterId).toString(16)}\n\n` +
        'ETCD_NAME="infra4"\n' +
        'ETCD_INITIAL_CLUSTER="infra2=http://127.0.0.1:22380,infra3=http://127.0.0.1:32380,infra4=http://127.0.0.1:42380,infra1=http://127.0.0.1:12380"\n' +
        'ETCD_INITIAL_ADVERTISE_PEER_URLS="http://127.0.0.1:42380"\n' +
        'ETCD_INITIAL_CLUSTER_STATE="existing"\n',
    );
    expect((await run(c, 'member list')).stdout).toContain(`${hex}, unstarted, , http://127.0.0.1:42380, , true\n`);
    c.learnersLagging = true;
    expect((await run(c, `member promote ${hex}`)).stderr).toMatch(/Error: etcdserver: can only promote a learner member which is in sync with leader\n$/);
    c.learnersLagging = false;
    expect((await run(c, `member promote ${hex}`)).stdout).toBe(`Member ${hex} promoted in cluster ${BigInt(c.clusterId).toString(16)}\n`);
    expect((await run(c, `member remove ${hex}`)).stdout).toBe(`Member ${hex} removed from cluster ${BigInt(c.clusterId).toString(16)}\n`);
    expect((await run(c, `member remove ${hex}`)).stderr).toMatch(/Error: etcdserver: member not found\n$/);
  });

  it('moves the leader from the leader endpoint and refuses without one (§3.7)', async () => {
    const c = new TestCluster();
    const [infra1, infra2, infra3] = c.members.map((m) => BigInt(m.id).toString(16));
    expect((await run(c, `move-leader ${infra3}`)).stdout).toBe(`Leadership transferred from ${infra2} to ${infra3}\n`);
    expect(c.raftTerm).toBe(3);
    const none = await run(c, `--endpoints=127.0.0.1:12379,127.0.0.1:22379 move-leader ${infra1}`);
    expect(none).toEqual({ stdout: '', stderr: 'Error: no leader endpoint given at [127.0.0.1:12379 127.0.0.1:22379]\n', exitCode: 128 });
    const bad = await run(c, '--endpoints=127.0.0.1:32379 move-leader 1234');
    expect(bad.stderr).toMatch(/"target":"endpoint:\/\/client-[^"]+\/127\.0\.0\.1:32379".*\nError: etcdserver: bad leader transferee\n$/);
  });

  it('lists and disarms alarms (§3.10)', async () => {
    const c = new TestCluster();
    const [m1, m2] = c.members;
    c.alarms.push({ memberId: m1!.id, alarm: 'NOSPACE' }, { memberId: m2!.id, alarm: 'NOSPACE' });
    const line = (id: number) => `memberID:${BigInt(id)} alarm:NOSPACE \n`;
    expect((await run(c, 'alarm list')).stdout).toBe(line(m1!.id) + line(m2!.id));
    expect((await run(c, 'endpoint status')).stdout).toContain(`, ${line(m1!.id).trimEnd()} , ${line(m2!.id).trimEnd()} \n`);
    expect((await run(c, 'alarm disarm')).stdout).toBe(line(m1!.id) + line(m2!.id));
    expect(await run(c, 'alarm list')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('defragments each endpoint, or every member with --cluster', async () => {
    const c = new TestCluster();
    expect((await run(c, '--endpoints=127.0.0.1:12379 defrag')).stdout).toBe('Finished defragmenting etcd member[127.0.0.1:12379]\n');
    const all = await run(c, 'defrag --cluster');
    expect(all.stdout.split('\n').filter(Boolean)).toEqual([
      'Finished defragmenting etcd member[http://127.0.0.1:22379]',
      'Finished defragmenting etcd member[http://127.0.0.1:32379]',
      'Finished defragmenting etcd member[http://127.0.0.1:12379]',
    ]);
    c.fault = ({ method, endpoint }) => (method === 'defragment' && endpoint === '127.0.0.1:32379' ? new EtcdError('Unavailable', 'etcdserver: request timed out') : undefined);
    const failed = await run(c, 'defrag');
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/Failed to defragment etcd member\[127\.0\.0\.1:32379\] \(etcdserver: request timed out\)\n$/);
  });

  it('takes endpoints from the member list with --cluster and hashes the same history alike', async () => {
    const c = new TestCluster();
    await run(c, 'put a 1');
    const r = await run(c, 'endpoint hashkv --cluster');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(', ')[0])).toEqual(['http://127.0.0.1:22379', 'http://127.0.0.1:32379', 'http://127.0.0.1:12379']);
    expect(new Set(lines.map((l) => l.split(', ')[1])).size).toBe(1);
  });

  it('prints the version without contacting the cluster', async () => {
    const c = new TestCluster();
    c.fault = () => 'hang';
    expect(await run(c, 'version')).toEqual({ stdout: 'etcdctl version: 3.4.23\nAPI version: 3.4\n', stderr: '', exitCode: 0 });
  });
});

describe('what the playground refuses', () => {
  it.each([
    ['snapshot save backup.db', 'snapshot save'],
    ['snapshot restore backup.db --data-dir=x', 'snapshot restore'],
    ['snapshot status backup.db', 'snapshot status'],
    ['make-mirror 127.0.0.1:9999', 'make-mirror'],
    ['migrate --data-dir=x', 'migrate'],
    ['auth enable', 'auth enable'],
    ['user add root', 'user add'],
    ['role list', 'role list'],
    ['check perf', 'check perf'],
    ['check datascale --load=m', 'check datascale'],
    ['defrag --data-dir=/var/lib/etcd', 'defrag --data-dir'],
    ['--user=root get a', '--user'],
    ['--cacert=ca.pem get a', '--cacert'],
  ])('%s is refused with a reason and exit 1', async (line, what) => {
    const r = await run(new TestCluster(), line);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^Error: not supported in the playground: ${what.replace(/[-]/g, '\\-')} \\(.+\\)\\n$`));
  });

  it('still validates check perf --load as etcdctl does (exit 4)', async () => {
    expect(await run(new TestCluster(), 'check perf --load=x')).toEqual({ stdout: '', stderr: 'Error: unknown load option x\n', exitCode: 4 });
  });
});

describe('stopping commands', () => {
  it('cuts off a command that is not long-running, like SIGTERM, and drops later output', async () => {
    const c = new TestCluster();
    c.fault = () => 'hang';
    const p = start(c, 'put k v');
    await c.advance(1000);
    const r = await p.stop();
    expect(r).toEqual({ stdout: '', stderr: '', exitCode: 124 });
  });

  it('lets a waiting lock give up with "context canceled" and remove its key', async () => {
    const c = new TestCluster();
    const holder = start(c, 'lock job');
    await c.settle();
    const waiter = start(c, 'lock job');
    await c.advance(1000);
    expect(keys(c, 'job/')).toHaveLength(2);
    const r = await waiter.stop();
    expect(r).toEqual({ stdout: '', stderr: 'Error: context canceled\n', exitCode: 124 });
    expect(keys(c, 'job/')).toHaveLength(1);
    await holder.stop();
  });

  it('stops at once when the signal is already aborted', async () => {
    const c = new TestCluster();
    const stop = new AbortController();
    stop.abort();
    const r = await c.runUntilSettled(runEtcdctl('watch k', testEnv(c, { signal: stop.signal })));
    expect(r.exitCode).toBe(124);
  });
});
