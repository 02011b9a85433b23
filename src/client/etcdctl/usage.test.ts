// Help and usage. Goal: `--help`, `help <command>`, a bare group command and cobra's failure paths
// print etcdctl's usage template (NAME / USAGE / VERSION / API VERSION / COMMANDS / DESCRIPTION /
// OPTIONS / GLOBAL OPTIONS) with Go tabwriter's tab alignment, and cobra's command lookup behaves
// as etcdctl's (prefix matching, unknown commands with suggestions). Method: tabwrite table tests,
// then whole command lines on the test double compared line by line with the expected text.

import { describe, expect, it } from 'vitest';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';
import { tabwrite } from './usage';

const run = (line: string) => runEtcdctl(line, testEnv(new TestCluster()));

describe('tabwrite (Go text/tabwriter, tab width 8, padding 1, tabs as padding)', () => {
  it('pads each cell with tabs to its column width rounded up to 8', () => {
    expect(tabwrite('a\tx\nabcdefgh\ty\n')).toBe('a\t\tx\nabcdefgh\ty\n');
    expect(tabwrite('\tname - text\n')).toBe('\tname - text\n');
  });

  it('starts a new column block after a line with fewer cells', () => {
    expect(tabwrite('a\tb\nheading\nlonger-cell\tc\n')).toBe('a\tb\nheading\nlonger-cell\tc\n');
    expect(tabwrite('abcdefghijk\tb\nheading\na\tc\n')).toBe('abcdefghijk\tb\nheading\na\tc\n');
    expect(tabwrite('abcdefghijk\tb\na\tc\n')).toBe('abcdefghijk\tb\na\t\tc\n');
  });

  it('aligns nested columns only across lines that have them', () => {
    expect(tabwrite('\tab\tx\n\tabcdefghij\ty\n')).toBe('\tab\t\tx\n\tabcdefghij\ty\n');
  });
});

describe('usage screens', () => {
  it('prints the root usage with the full command list for a bare etcdctl, exit 0', async () => {
    const r = await run('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 14)).toEqual([
      'NAME:',
      '\tetcdctl - A simple command line client for etcd3.',
      '',
      'USAGE:',
      '\tetcdctl [flags]',
      '',
      'VERSION:',
      '\t3.4.23',
      '',
      'API VERSION:',
      '\t3.4',
      '',
      '',
      'COMMANDS:',
    ]);
    expect(lines).toContain('\talarm disarm\t\tDisarms all alarms');
    expect(lines).toContain('\tdefrag\t\t\tDefragments the storage of the etcd members with given endpoints');
    expect(lines).toContain('\thelp\t\t\tHelp about any command');
    expect(lines).toContain('\trole revoke-permission\tRevokes a key from a role');
    expect(lines).toContain('\twatch\t\t\tWatches events stream on keys or prefixes');
    // Only runnable commands are listed: "lease" itself is not, its subcommands are.
    expect(lines.some((l) => l.startsWith('\tlease\t'))).toBe(false);
    expect(lines).toContain('\tlease keep-alive\tKeeps leases alive (renew)');
    expect(lines).toContain('OPTIONS:');
    expect(lines).toContain('  -h, --help[=false]\t\t\t\thelp for etcdctl');
    expect(lines).not.toContain('GLOBAL OPTIONS:');
    expect(r.stdout.endsWith('\n  -w, --write-out="simple"\t\t\tset the output format (fields, json, protobuf, simple, table)\n\n')).toBe(true);
  });

  it('prints a group command with its relative subcommand names and API version', async () => {
    const r = await run('lease');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith(
      'NAME:\n\tlease - Lease related commands\n\nUSAGE:\n\tetcdctl lease <subcommand> [flags]\n\nAPI VERSION:\n\t3.4\n\n\nCOMMANDS:\n' +
        '\tgrant\t\tCreates leases\n\tkeep-alive\tKeeps leases alive (renew)\n\tlist\t\tList all active leases\n' +
        '\trevoke\t\tRevokes leases\n\ttimetolive\tGet lease information\n\nOPTIONS:\n  -h, --help[=false]\thelp for lease\n\nGLOBAL OPTIONS:\n',
    )).toBe(true);
    expect((await run('lease nonsense')).stdout).toBe(r.stdout);
  });

  it('prints a subcommand with its description and inherited persistent flags', async () => {
    const status = await run('endpoint status --help');
    expect(status.stdout.startsWith(
      'NAME:\n\tendpoint status - Prints out the status of endpoints specified in `--endpoints` flag\n\n' +
        'USAGE:\n\tetcdctl endpoint status [flags]\n\n' +
        'DESCRIPTION:\n\tWhen --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.\n' +
        '\tThe items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.\n\n' +
        'OPTIONS:\n  -h, --help[=false]\thelp for status\n\nGLOBAL OPTIONS:\n',
    )).toBe(true);
    expect(status.stdout).toContain('\n      --cluster[=false]\t\t\t\tuse all endpoints from the cluster member list\n');
    const hashkv = await run('endpoint hashkv -h');
    expect(hashkv.stdout).toContain('OPTIONS:\n  -h, --help[=false]\thelp for hashkv\n      --rev=0\t\tmaximum revision to hash (default: all revisions)\n');
  });

  it('prints the same usage for `help get` as for `get --help`', async () => {
    const a = await run('help get');
    const b = await run('get --help');
    expect(a).toEqual(b);
    expect(a.stdout).toContain('\n      --print-value-only[=false]\tOnly write values when using the "simple" output format\n');
    expect(a.stdout).toContain('\n  -w, --write-out="simple"\t\t\tset the output format (fields, json, protobuf, simple, table)\n');
  });

  it('reports an unknown help topic and prints the root usage', async () => {
    const r = await run('help nope');
    expect(r.stderr).toBe('Unknown help topic [`nope`]\n');
    expect(r.stdout.startsWith('NAME:\n\tetcdctl - ')).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("prints put's long description line by line", async () => {
    const r = await run('put -h');
    expect(r.stdout).toContain("DESCRIPTION:\n\tPuts the given key into the store.\n\t\n\tWhen <value> begins with '-', <value> is interpreted as a flag.\n");
  });
});

describe('finding commands as cobra does', () => {
  it('matches an unambiguous prefix of a command name', async () => {
    const r = await run('memb lis');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/, started, infra2, /);
  });

  it('rejects an unknown command with suggestions and a pointer to --help', async () => {
    const r = await run('m list');
    expect(r.exitCode).toBe(1);
    const error = 'Error: unknown command "m" for "etcdctl"\n\nDid you mean this?\n\tmake-mirror\n\tmember\n\tmigrate\n\tmove-leader\n\n';
    expect(r.stderr).toBe(`${error}Run 'etcdctl --help' for usage.\n${error}`);
    expect(r.stdout).toBe('');
  });

  it('prints a flag error, the usage on stdout and the error again (exit 1)', async () => {
    const r = await run('lease grant -5');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("Error: unknown shorthand flag: '5' in -5\n\nError: unknown shorthand flag: '5' in -5\n");
    expect(r.stdout.startsWith('NAME:\n\tlease grant - Creates leases\n\nUSAGE:\n\tetcdctl lease grant <ttl> [flags]\n')).toBe(true);
  });

  it('treats a word after a value-taking flag as the flag value while finding the command', async () => {
    // cobra skips "--bogus get" as a flag with its value, so "foo" is the unknown command.
    const r = await run('--bogus get foo');
    expect(r.stderr).toContain('Error: unknown command "foo" for "etcdctl"');
  });
});
