// The console's tokenizer and pflag-style flag parsing. Goal: a typed line reaches etcdctl as the
// argv bash would build, and flags parse with pflag's rules and error texts (which etcdctl prints
// verbatim after "Error: "). Method: table tests on tokenize() and parseFlags(), and a few whole
// command lines through runEtcdctl on the test double to see the parsed result take effect.

import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags, type FlagDef } from './flags';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';
import { TokenizeError, tokenize } from './tokenize';

describe('tokenize', () => {
  it.each([
    ['get foo', ['get', 'foo']],
    ['  put   a   b  ', ['put', 'a', 'b']],
    ["put '' x", ['put', '', 'x']],
    ["put k 'hello world'", ['put', 'k', 'hello world']],
    ['put k "say \\"hi\\""', ['put', 'k', 'say "hi"']],
    ['put k "a\\nb"', ['put', 'k', 'a\\nb']],
    ["put k 'a\\b'", ['put', 'k', 'a\\b']],
    ['put k a\\ b', ['put', 'k', 'a b']],
    ['put k ab"cd"\'ef\'', ['put', 'k', 'abcdef']],
    ["lock l -- sh -c 'echo $X'", ['lock', 'l', '--', 'sh', '-c', 'echo $X']],
    ['put k "$HOME"', ['put', 'k', '$HOME']],
    ['put k \\"', ['put', 'k', '"']],
  ])('splits %j like a shell', (line, words) => {
    expect(tokenize(line)).toEqual(words);
  });

  it('rejects an unterminated quote with a bash-like message', () => {
    expect(() => tokenize("put k 'abc")).toThrow(TokenizeError);
    expect(() => tokenize('put k "abc')).toThrow(/looking for matching/);
  });

  it('reports a syntax error as exit 2 through runEtcdctl', async () => {
    const r = await runEtcdctl("put k 'oops", testEnv(new TestCluster()));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('syntax error: unexpected EOF');
  });
});

describe('parseFlags (pflag rules)', () => {
  const defs: FlagDef[] = [
    { name: 'prefix', kind: 'bool', defValue: 'false', usage: '' },
    { name: 'limit', kind: 'int64', defValue: '0', usage: '' },
    { name: 'write-out', shorthand: 'w', kind: 'string', defValue: 'simple', usage: '' },
    { name: 'interactive', shorthand: 'i', kind: 'bool', defValue: 'false', usage: '' },
    { name: 'listen', shorthand: 'l', kind: 'bool', defValue: 'false', usage: '' },
    { name: 'command-timeout', kind: 'duration', defValue: '5s', usage: '' },
    { name: 'endpoints', kind: 'stringSlice', defValue: '[127.0.0.1:2379]', usage: '' },
  ];

  it('interleaves flags and arguments and fills defaults', () => {
    const f = parseFlags(defs, ['foo', '--prefix', 'bar', '--limit=2']);
    expect(f.args).toEqual(['foo', 'bar']);
    expect(f.bool('prefix')).toBe(true);
    expect(f.number('limit')).toBe(2);
    expect(f.string('write-out')).toBe('simple');
    expect(f.number('command-timeout')).toBe(5000);
    expect(f.isChanged('write-out')).toBe(false);
  });

  it.each([
    [['-w', 'json'], 'json'],
    [['-wjson'], 'json'],
    [['-w=json'], 'json'],
    [['--write-out', 'json'], 'json'],
    [['--write-out=json'], 'json'],
  ])('reads a string flag from %j', (args, value) => {
    expect(parseFlags(defs, args).string('write-out')).toBe(value);
  });

  it('groups boolean shorthands and accepts --bool=false', () => {
    const f = parseFlags(defs, ['-il', '--prefix=false']);
    expect([f.bool('interactive'), f.bool('listen'), f.bool('prefix')]).toEqual([true, true, false]);
  });

  it('reads integers with Go base prefixes and durations with Go units', () => {
    const f = parseFlags(defs, ['--limit=0x10', '--command-timeout=1m30s']);
    expect(f.number('limit')).toBe(16);
    expect(f.number('command-timeout')).toBe(90_000);
    expect(parseFlags(defs, ['--command-timeout=250ms']).number('command-timeout')).toBe(250);
  });

  it('replaces a string slice default on first use and appends afterwards', () => {
    expect(parseFlags(defs, []).strings('endpoints')).toEqual(['127.0.0.1:2379']);
    expect(parseFlags(defs, ['--endpoints=a:1,b:2', '--endpoints', 'c:3']).strings('endpoints')).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('stops at -- and remembers where the dash was', () => {
    const f = parseFlags(defs, ['k', '--', '--prefix', '-w']);
    expect(f.args).toEqual(['k', '--prefix', '-w']);
    expect(f.argsLenAtDash).toBe(1);
    expect(f.bool('prefix')).toBe(false);
  });

  it('treats a lone dash as an argument', () => {
    expect(parseFlags(defs, ['-']).args).toEqual(['-']);
  });

  it.each([
    [['--count-only'], 'unknown flag: --count-only'],
    [['-5'], "unknown shorthand flag: '5' in -5"],
    [['-c'], "unknown shorthand flag: 'c' in -c"],
    [['-ix'], "unknown shorthand flag: 'x' in -x"],
    [['--limit'], 'flag needs an argument: --limit'],
    [['-w'], "flag needs an argument: 'w' in -w"],
    [['--limit=abc'], 'invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--limit=99999999999999999999'], 'invalid argument "99999999999999999999" for "--limit" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    [['--prefix=maybe'], 'invalid argument "maybe" for "--prefix" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--command-timeout=5'], 'invalid argument "5" for "--command-timeout" flag: time: missing unit in duration "5"'],
    [['--command-timeout=5x'], 'invalid argument "5x" for "--command-timeout" flag: time: unknown unit "x" in duration "5x"'],
    [['--command-timeout=abc'], 'invalid argument "abc" for "--command-timeout" flag: time: invalid duration "abc"'],
    [['---x'], 'bad flag syntax: ---x'],
  ])('fails on %j with pflag\'s text', (args, message) => {
    expect(() => parseFlags(defs, args)).toThrow(new FlagError(message));
  });

  it('names a shorthand flag both ways in a value error', () => {
    const withInt: FlagDef[] = [{ name: 'ttl', shorthand: 't', kind: 'int', defValue: '10', usage: '' }];
    expect(() => parseFlags(withInt, ['-t', 'x'])).toThrow('invalid argument "x" for "-t, --ttl" flag');
  });
});

describe('command lines end to end', () => {
  it('accepts a leading "etcdctl", global flags before the command and ETCDCTL_API=3', async () => {
    const cluster = new TestCluster();
    expect((await runEtcdctl('ETCDCTL_API=3 etcdctl -w json put a 1', testEnv(cluster))).stdout).toMatch(/^\{"header"/);
    const r = await runEtcdctl('etcdctl --endpoints=127.0.0.1:32379 get a --print-value-only', testEnv(cluster));
    expect(r).toEqual({ stdout: '1\n', stderr: '', exitCode: 0 });
  });

  it('refuses ETCDCTL_API=2 and other environment assignments with a clear message', async () => {
    const cluster = new TestCluster();
    const v2 = await runEtcdctl('ETCDCTL_API=2 etcdctl get a', testEnv(cluster));
    expect(v2.exitCode).toBe(1);
    expect(v2.stderr).toBe('Error: not supported in the playground: ETCDCTL_API=2 (the playground speaks the v3 API only)\n');
    const other = await runEtcdctl('ETCDCTL_ENDPOINTS=x etcdctl get a', testEnv(cluster));
    expect(other.stderr).toMatch(/not supported in the playground: the environment assignment ETCDCTL_ENDPOINTS/);
  });

  it('takes a value that starts with a dash after --', async () => {
    const cluster = new TestCluster();
    expect((await runEtcdctl('put -- k -v', testEnv(cluster))).stdout).toBe('OK\n');
    expect((await runEtcdctl('get k --print-value-only', testEnv(cluster))).stdout).toBe('-v\n');
  });

  it('stores UTF-8 bytes and prints them back as text', async () => {
    const cluster = new TestCluster();
    await runEtcdctl('put clé "naïve ☃"', testEnv(cluster));
    expect(cluster.store.range('cl\xc3\xa9', undefined).kvs[0]?.value).toBe('na\xc3\xafve \xe2\x98\x83');
    expect((await runEtcdctl('get clé', testEnv(cluster))).stdout).toBe('clé\nnaïve ☃\n');
    expect((await runEtcdctl('get clé -w fields', testEnv(cluster))).stdout).toContain('"Key" : "clé"');
    expect((await runEtcdctl('get clé --hex', testEnv(cluster))).stdout).toBe('\\x63\\x6c\\xc3\\xa9\n\\x6e\\x61\\xc3\\xaf\\x76\\x65\\x20\\xe2\\x98\\x83\n');
  });
});
