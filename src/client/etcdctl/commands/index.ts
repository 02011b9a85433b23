// etcdctl 3.4's command tree (ctlv3/ctl.go): the root with its global flags, every command, and
// cobra's `help` command.

import { findCommand, linkTree, type CommandSpec } from '../commandTree';
import type { FlagDef } from '../flags';
import type { Invocation } from '../invocation';
import { etcdUsage } from '../usage';
import { boolFlag, stringFlag } from './common';
import { alarmCommand, defragCommand, endpointCommand, memberCommand, moveLeaderCommand } from './cluster';
import { compactionCommand, delCommand, getCommand, putCommand, txnCommand } from './kv';
import { leaseCommand } from './lease';
import { electCommand, lockCommand } from './lockElect';
import { authCommand, checkCommand, makeMirrorCommand, migrateCommand, roleCommand, snapshotCommand, userCommand, versionCommand } from './misc';
import { watchCommand } from './watch';

const duration = (name: string, def: string, usage: string): FlagDef => ({ name, kind: 'duration', defValue: def, usage });

/** etcdctl's global (persistent) flags, with their defaults and help texts. */
export function globalFlags(): FlagDef[] {
  return [
    { name: 'endpoints', kind: 'stringSlice', defValue: '[127.0.0.1:2379]', usage: 'gRPC endpoints' },
    boolFlag('debug', 'enable client-side debug logging'),
    stringFlag('write-out', 'simple', 'set the output format (fields, json, protobuf, simple, table)', 'w'),
    boolFlag('hex', 'print byte strings as hex encoded strings'),
    duration('dial-timeout', '2s', 'dial timeout for client connections'),
    duration('command-timeout', '5s', 'timeout for short running command (excluding dial timeout)'),
    duration('keepalive-time', '2s', 'keepalive time for client connections'),
    duration('keepalive-timeout', '6s', 'keepalive timeout for client connections'),
    boolFlag('insecure-transport', 'disable transport security for client connections', true),
    boolFlag('insecure-discovery', 'accept insecure SRV records describing cluster endpoints', true),
    boolFlag(
      'insecure-skip-tls-verify',
      'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)',
    ),
    stringFlag('cert', '', 'identify secure client using this TLS certificate file'),
    stringFlag('key', '', 'identify secure client using this TLS key file'),
    stringFlag('cacert', '', 'verify certificates of TLS-enabled secure servers using this CA bundle'),
    stringFlag('user', '', 'username[:password] for authentication (prompt if password is not supplied)'),
    stringFlag('password', '', "password for authentication (if this option is used, --user option shouldn't include password)"),
    stringFlag('discovery-srv', '', 'domain name to query for SRV records describing cluster endpoints', 'd'),
    stringFlag('discovery-srv-name', '', 'service name to query when using DNS discovery'),
  ];
}

/** cobra's help command: the usage of the named command, or "Unknown help topic". */
function helpCommand(root: () => CommandSpec): CommandSpec {
  return {
    use: 'help [command]',
    short: 'Help about any command',
    long: `Help provides help for any command in the application.
Simply type etcdctl help [path to command] for full details.`,
    run: async (inv: Invocation, args: string[]) => {
      const found = findCommand(root(), args);
      if (found.error) {
        inv.err(`Unknown help topic [${args.map((a) => '`' + a + '`').join(' ')}]\n`);
        inv.out(etcdUsage(root()));
        return;
      }
      inv.out(etcdUsage(found.cmd));
    },
  };
}

/** The whole tree, linked (a fresh one per run: commands hold no state). */
export function buildTree(): CommandSpec {
  let root: CommandSpec | null = null;
  const tree: CommandSpec = {
    use: 'etcdctl',
    short: 'A simple command line client for etcd3.',
    persistentFlags: globalFlags(),
    children: [
      getCommand(),
      putCommand(),
      delCommand(),
      txnCommand(),
      compactionCommand(),
      alarmCommand(),
      defragCommand(),
      endpointCommand(),
      moveLeaderCommand(),
      watchCommand(),
      versionCommand(),
      leaseCommand(),
      memberCommand(),
      snapshotCommand(),
      makeMirrorCommand(),
      migrateCommand(),
      lockCommand(),
      electCommand(),
      authCommand(),
      userCommand(),
      roleCommand(),
      checkCommand(),
      helpCommand(() => root!),
    ],
  };
  root = linkTree(tree);
  return root;
}
