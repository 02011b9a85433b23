// The txn stdin parser. Goal: etcdctl 3.4's reading of a transaction from standard input, down to
// its quirks: every section must end with an empty line or the read fails with "Error: EOF"
// (exit 3); compares are parsed with Go's Sscanf("%q) %s %q") and fail with its exact "got …"
// echo; lease compares and unknown operators panic (exit 2); request lines go through argify,
// whose single-quote slicing bug is reproduced. Method: unit tests of scanCompare, parseCompare and
// argify, then whole `etcdctl txn` runs with a given stdin on the test double.

import { describe, expect, it } from 'vitest';
import { EtcdctlExit } from './errors';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';
import { argify, parseCompare, scanCompare } from './txnParse';

function exitOf(run: () => unknown): { code: number; message?: string; raw?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof EtcdctlExit) return { code: error.code, message: error.errorMessage, raw: error.raw };
    throw error;
  }
  throw new Error('expected an exit');
}

describe('scanCompare (Sscanf "%q) %s %q")', () => {
  it.each([
    ['"k") = "v"', { n: 3, key: 'k', op: '=', val: 'v' }],
    ['"k")   !=    "v w"', { n: 3, key: 'k', op: '!=', val: 'v w' }],
    ['`raw\\n`) > `x`', { n: 3, key: 'raw\\n', op: '>', val: 'x' }],
    ['"a\\x00b") = "\\u00e9"', { n: 3, key: 'a\x00b', op: '=', val: '\xc3\xa9' }],
    ['k) = "v"', { n: 0, key: '', op: '', val: '' }],
    ['"k") = v', { n: 2, key: 'k', op: '=', val: '' }],
    ['"k")= "v"', { n: 1, key: 'k', op: '', val: '' }],
    ['"k" ) = "v"', { n: 1, key: 'k', op: '', val: '' }],
    ['"k")', { n: 1, key: 'k', op: '', val: '' }],
  ])('scans %j', (input, expected) => {
    expect(scanCompare(input)).toEqual(expected);
  });
});

describe('parseCompare', () => {
  it.each([
    ['version("k") = "2"', { target: 'VERSION', result: 'EQUAL', key: 'k', version: 2 }],
    ['ver("k") > "0"', { target: 'VERSION', result: 'GREATER', key: 'k', version: 0 }],
    ['create("k") = "0"', { target: 'CREATE', result: 'EQUAL', key: 'k', createRevision: 0 }],
    ['c("k") < "10"', { target: 'CREATE', result: 'LESS', key: 'k', createRevision: 10 }],
    ['mod("k") != "7"', { target: 'MOD', result: 'NOT_EQUAL', key: 'k', modRevision: 7 }],
    ['m("k") > "-1"', { target: 'MOD', result: 'GREATER', key: 'k', modRevision: -1 }],
    ['value("k") = "v"', { target: 'VALUE', result: 'EQUAL', key: 'k', value: 'v' }],
    ['val("k") != ""', { target: 'VALUE', result: 'NOT_EQUAL', key: 'k', value: '' }],
  ])('parses %s', (line, cmp) => {
    expect(parseCompare(line)).toEqual(cmp);
  });

  it.each([
    ['no paren here', 'malformed comparison: no paren here'],
    ['value(user1) = "good"', 'malformed comparison: value(user1) = "good"; got value("")  ""'],
    ['value("user1") = good', 'malformed comparison: value("user1") = good; got value("user1") = ""'],
    ['foo("user1") = "1"', 'malformed comparison: foo("user1") = "1" (unknown target foo)'],
    ['version("user1") = "abc"', 'invalid txn compare request: version("user1") = "abc"'],
    ['mod("k") = "1.5"', 'invalid txn compare request: mod("k") = "1.5"'],
  ])('rejects %s with exit 3', (line, message) => {
    expect(exitOf(() => parseCompare(line))).toEqual({ code: 3, message, raw: undefined });
  });

  it('panics like clientv3.Compare on a lease compare and on an unknown operator', () => {
    const lease = exitOf(() => parseCompare('lease("k") = "0"'));
    expect(lease.code).toBe(2);
    expect(lease.raw).toMatch(/^panic: bad value\n\ngoroutine 1 \[running\]:\ngo\.etcd\.io\/etcd\/clientv3\.mustInt64/);
    const op = exitOf(() => parseCompare('value("k") == "v"'));
    expect(op.code).toBe(2);
    expect(op.raw).toMatch(/^panic: Unknown result op\n/);
    // The integer is parsed first: a bad number is an input error, not a panic.
    expect(exitOf(() => parseCompare('version("k") == "x"')).code).toBe(3);
  });
});

describe('argify', () => {
  it('splits words and unquotes double-quoted ones', () => {
    expect(argify('put "a b" c')).toEqual(['put', 'a b', 'c']);
    expect(argify('put "x\\ty" "\\xff"')).toEqual(['put', 'x\ty', '\xff']);
    expect(argify('  get   k  --prefix ')).toEqual(['get', 'k', '--prefix']);
  });

  it("slices single-quoted words by the number of words, as etcd 3.4's bug does", () => {
    // [1 : len(words)-1] = [1:2] for three words.
    expect(argify("put 'abc' v")).toEqual(['put', 'a', 'v']);
    // Four words: [1:3] of "'xy'" is "xy" — the bug is invisible when the lengths line up.
    expect(argify("put 'xy' v --prev-kv")).toEqual(['put', 'xy', 'v', '--prev-kv']);
  });

  it('panics when that slice is out of range', () => {
    const r = exitOf(() => argify("put 'a' b c d e"));
    expect(r.code).toBe(2);
    expect(r.raw).toMatch(/^panic: runtime error: slice bounds out of range \[:5\] with length 3\n/);
  });
});

describe('etcdctl txn with stdin', () => {
  async function txn(stdin: string, flags = '') {
    const cluster = new TestCluster();
    await runEtcdctl('put k v1', testEnv(cluster));
    const r = await runEtcdctl(`txn ${flags}`, testEnv(cluster, { stdin }));
    return { ...r, cluster };
  }

  it('runs compares, success and failure requests with their own flags', async () => {
    const r = await txn('value("k") = "v1"\n\nput k v2 --prev-kv\nget k\ndel nope\n\nput k never\n\n');
    expect(r.stdout).toBe('SUCCESS\n\nOK\nk\nv1\n\nk\nv2\n\n0\n');
    expect(r.exitCode).toBe(0);
  });

  it('takes the failure branch and prints an empty get as an empty line', async () => {
    // --print-value-only parses but, as in etcdctl, only `get` itself applies it to the printer.
    const r = await txn('mod("k") > "100"\n\nput k x\n\nget k --print-value-only\nget absent\n\n');
    expect(r.stdout).toBe('FAILURE\n\nk\nv1\n\n');
  });

  it('accepts prefix-matched request names and range flags', async () => {
    const r = await txn('\npu a2 a\nde k --prefix --prev-kv\n\n\n');
    expect(r.stdout).toBe('SUCCESS\n\nOK\n\n1\nk\nv1\n');
  });

  it.each([
    ['', 'empty input'],
    ['value("k") = "v1"\n', 'compares without their empty line'],
    ['value("k") = "v1"\n\nput k v2\n', 'success requests without their empty line'],
    ['value("k") = "v1"\n\nput k v2\n\nput k v3\n', 'failure requests without their empty line'],
    ['value("k") = "v1"\n\nput k v2\n\nput k v3', 'a last line without its newline'],
  ])('fails with "Error: EOF" and exit 3 on %s', async (stdin) => {
    const r = await txn(stdin);
    expect(r).toMatchObject({ stdout: '', stderr: 'Error: EOF\n', exitCode: 3 });
  });

  it('prints the interactive prompts read so far before failing with EOF', async () => {
    const r = await txn('value("k") = "v1"\n\n', '-i');
    expect(r.stdout).toBe('compares:\nsuccess requests (get, put, del):\n');
    expect(r.exitCode).toBe(3);
  });

  it('rejects too short and unknown requests with exit 3', async () => {
    expect((await txn('\nget\n\n\n')).stderr).toBe('Error: invalid txn compare request: get\n');
    expect((await txn('\nbogus a 1\n\n\n')).stderr).toBe('Error: invalid txn request: bogus a 1\n');
  });

  it("prints cobra's default usage on stderr for a bad flag in a request line", async () => {
    const r = await txn('\nput a b --bogus\n\n\n');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe(
      'Usage:\n   put [options] <key> <value> (<value> can also be given from stdin) [flags]\n\nFlags:\n' +
        '  -h, --help           help for put\n' +
        '      --ignore-lease   updates the key using its current lease\n' +
        '      --ignore-value   updates the key using its current value\n' +
        '      --lease string   lease ID (in hexadecimal) to attach to the key (default "0")\n' +
        '      --prev-kv        return the previous key-value pair before modification\n' +
        '\nError: invalid txn request: put a b --bogus\n',
    );
  });

  it('ends a request that needs stdin (already consumed) with exit 128, as etcdctl does', async () => {
    const r = await txn('\nput onlykey\n\n\n');
    expect(r).toMatchObject({ stderr: 'Error: put command needs 1 argument and input from stdin or 2 arguments\n', exitCode: 128 });
  });

  it('reproduces the deadlock etcdctl hits on --help inside a request', async () => {
    const r = await txn('\nget --help x\n\n\n');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^Gets the key or a range of keys\n\nUsage:\n {3}get \[options\] <key> \[range_end\] \[flags\]\n/);
    expect(r.stderr).toBe('fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n');
  });

  it('sends nothing when parsing fails', async () => {
    const r = await txn('value("k") = "v1"\n\nput k changed\n\nbogus\n\n');
    expect(r.exitCode).toBe(3);
    expect(r.cluster.store.range('k', undefined).kvs[0]?.value).toBe('v1');
  });

  it('refuses arguments', async () => {
    expect(await txn('', 'extra')).toMatchObject({ stderr: 'Error: txn command does not accept argument\n', exitCode: 128 });
  });
});
