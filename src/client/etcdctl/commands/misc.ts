// version, check, and the commands the playground refuses: snapshot (files on a real disk),
// make-mirror (a second cluster), migrate (a v2 data directory), auth/user/role (the playground
// cluster runs without authentication) and check perf/datascale (a real load generator). They keep
// etcdctl's use lines and flags, so `--help` and flag errors still read as etcdctl's; running them
// prints "not supported in the playground: …" and exits 1.

import type { CommandSpec } from '../commandTree';
import { ExitCode, exitWithError, notSupported } from '../errors';
import type { Invocation } from '../invocation';
import { API_VERSION, ETCD_VERSION } from '../usage';
import { boolFlag, stringFlag } from './common';

export function versionCommand(): CommandSpec {
  return {
    use: 'version',
    short: 'Prints the version of etcdctl',
    run: async (inv: Invocation) => {
      inv.out(`etcdctl version: ${ETCD_VERSION}\nAPI version: ${API_VERSION}\n`);
    },
  };
}

const LOAD_ALIASES: Record<string, string> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };

function checkLoad(inv: Invocation): void {
  const load = inv.flags.string('load');
  if (!(load in LOAD_ALIASES)) exitWithError(ExitCode.badFeature, `unknown load option ${load}`);
}

const refuse =
  (what: string) =>
  async (): Promise<void> => {
    notSupported(what);
  };

const checkFlags = (what: string) => [
  stringFlag('load', 's', `The ${what} check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)`),
  stringFlag('prefix', `/etcdctl-check-${what}/`, `The prefix for writing the ${what} check's keys.`),
  boolFlag('auto-compact', 'Compact storage with last revision after test is finished.'),
  boolFlag('auto-defrag', 'Defragment storage after test is finished.'),
];

export function checkCommand(): CommandSpec {
  return {
    use: 'check <subcommand>',
    short: 'commands for checking properties of the etcd cluster',
    children: [
      {
        use: 'perf [options]',
        short: 'Check the performance of the etcd cluster',
        flags: checkFlags('perf'),
        run: async (inv) => {
          checkLoad(inv);
          notSupported('check perf (it needs a real network load generator: 50 to 500 concurrent clients writing for 60 s against real links and disks, which the simulated cluster does not have)');
        },
      },
      {
        use: 'datascale [options]',
        short: 'Check the memory usage of holding data for different workloads on a given server endpoint.',
        long: 'If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will be used.',
        flags: checkFlags('datascale'),
        run: async (inv) => {
          checkLoad(inv);
          notSupported("check datascale (it reads a real server's process memory from its /metrics endpoint)");
        },
      },
    ],
  };
}

export function snapshotCommand(): CommandSpec {
  const files = '(it reads and writes backend snapshot files on a real disk)';
  return {
    use: 'snapshot <subcommand>',
    short: 'Manages etcd node snapshots',
    children: [
      { use: 'save <filename>', short: 'Stores an etcd node backend snapshot to a given file', run: refuse(`snapshot save ${files}`) },
      {
        use: 'restore <filename> [options]',
        short: 'Restores an etcd member snapshot to an etcd directory',
        flags: [
          stringFlag('data-dir', '', 'Path to the data directory'),
          stringFlag('wal-dir', '', 'Path to the WAL directory (use --data-dir if none given)'),
          stringFlag('initial-cluster', 'default=http://localhost:2380', 'Initial cluster configuration for restore bootstrap'),
          stringFlag('initial-cluster-token', 'etcd-cluster', 'Initial cluster token for the etcd cluster during restore bootstrap'),
          stringFlag('initial-advertise-peer-urls', 'http://localhost:2380', "List of this member's peer URLs to advertise to the rest of the cluster"),
          stringFlag('name', 'default', 'Human-readable name for this member'),
          boolFlag('skip-hash-check', 'Ignore snapshot integrity hash value (required if copied from data directory)'),
        ],
        run: refuse(`snapshot restore ${files}`),
      },
      {
        use: 'status <filename>',
        short: 'Gets backend snapshot status of a given file',
        long: `When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
The items in the lists are hash, revision, total keys, total size.
`,
        run: refuse(`snapshot status ${files}`),
      },
    ],
  };
}

export function makeMirrorCommand(): CommandSpec {
  return {
    use: 'make-mirror [options] <destination>',
    short: 'Makes a mirror at the destination etcd cluster',
    flags: [
      stringFlag('prefix', '', 'Key-value prefix to mirror'),
      stringFlag('dest-prefix', '', 'destination prefix to mirror a prefix to a different prefix in the destination cluster'),
      boolFlag('no-dest-prefix', 'mirror key-values to the root of the destination cluster'),
      stringFlag('dest-cert', '', 'Identify secure client using this TLS certificate file for the destination cluster'),
      stringFlag('dest-key', '', 'Identify secure client using this TLS key file'),
      stringFlag('dest-cacert', '', 'Verify certificates of TLS enabled secure servers using this CA bundle'),
      boolFlag('dest-insecure-transport', 'Disable transport security for client connections', true),
    ],
    run: refuse('make-mirror (the playground runs a single cluster, so there is no destination to mirror to)'),
  };
}

export function migrateCommand(): CommandSpec {
  return {
    use: 'migrate',
    short: 'Migrates keys in a v2 store to a mvcc store',
    flags: [
      boolFlag('no-ttl', 'Do not convert TTL keys'),
      stringFlag('data-dir', '', 'Path to the data directory'),
      stringFlag('wal-dir', '', 'Path to the WAL directory'),
      stringFlag('transformer', '', 'Path to the user-provided transformer program'),
    ],
    run: refuse('migrate (it converts a v2 data directory on disk; the playground has only the v3 store)'),
  };
}

const NO_AUTH = '(the playground cluster runs without authentication, users or roles)';

export function authCommand(): CommandSpec {
  return {
    use: 'auth <enable or disable>',
    short: 'Enable or disable authentication',
    children: [
      { use: 'enable', short: 'Enables authentication', run: refuse(`auth enable ${NO_AUTH}`) },
      { use: 'disable', short: 'Disables authentication', run: refuse(`auth disable ${NO_AUTH}`) },
    ],
  };
}

export function userCommand(): CommandSpec {
  const r = (sub: string) => refuse(`user ${sub} ${NO_AUTH}`);
  return {
    use: 'user <subcommand>',
    short: 'User related commands',
    children: [
      {
        use: 'add <user name or user:password> [options]',
        short: 'Adds a new user',
        flags: [
          boolFlag('interactive', 'Read password from stdin instead of interactive terminal', true),
          stringFlag('new-user-password', '', 'Supply password from the command line flag'),
          boolFlag('no-password', 'Create a user without password (CN based auth only)'),
        ],
        run: r('add'),
      },
      { use: 'delete <user name>', short: 'Deletes a user', run: r('delete') },
      {
        use: 'get <user name> [options]',
        short: 'Gets detailed information of a user',
        flags: [boolFlag('detail', 'Show permissions of roles granted to the user')],
        run: r('get'),
      },
      { use: 'list', short: 'Lists all users', run: r('list') },
      {
        use: 'passwd <user name> [options]',
        short: 'Changes password of user',
        flags: [boolFlag('interactive', 'If true, read password from stdin instead of interactive terminal', true)],
        run: r('passwd'),
      },
      { use: 'grant-role <user name> <role name>', short: 'Grants a role to a user', run: r('grant-role') },
      { use: 'revoke-role <user name> <role name>', short: 'Revokes a role from a user', run: r('revoke-role') },
    ],
  };
}

export function roleCommand(): CommandSpec {
  const r = (sub: string) => refuse(`role ${sub} ${NO_AUTH}`);
  return {
    use: 'role <subcommand>',
    short: 'Role related commands',
    children: [
      { use: 'add <role name>', short: 'Adds a new role', run: r('add') },
      { use: 'delete <role name>', short: 'Deletes a role', run: r('delete') },
      { use: 'get <role name>', short: 'Gets detailed information of a role', run: r('get') },
      { use: 'list', short: 'Lists all roles', run: r('list') },
      {
        use: 'grant-permission [options] <role name> <permission type> <key> [endkey]',
        short: 'Grants a key to a role',
        flags: [
          boolFlag('prefix', 'grant a prefix permission'),
          boolFlag('from-key', 'grant a permission of keys that are greater than or equal to the given key using byte compare'),
        ],
        run: r('grant-permission'),
      },
      {
        use: 'revoke-permission <role name> <key> [endkey]',
        short: 'Revokes a key from a role',
        flags: [
          boolFlag('prefix', 'revoke a prefix permission'),
          boolFlag('from-key', 'revoke a permission of keys that are greater than or equal to the given key using byte compare'),
        ],
        run: r('revoke-permission'),
      },
    ],
  };
}
