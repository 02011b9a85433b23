// member add | remove | update | list | promote, endpoint health | status | hashkv, move-leader,
// alarm list | disarm, defrag (etcdctl 3.4's member_command.go, ep_command.go,
// move_leader_command.go, alarm_command.go, defrag_command.go). `endpoint health` gets the key
// "health" through one client per endpoint and reports the virtual time it took; `--cluster` takes
// the endpoints from the member list.

import { EtcdError } from '../../api';
import type { AlarmMember } from '../../../server/api';
import { goQuote, utf8Encode } from '../bytes';
import type { CommandSpec } from '../commandTree';
import { isSimple, type EndpointHashKV, type EndpointHealth, type EndpointStatus } from '../display';
import { ExitCode, EtcdctlExit, errorText, exitWithError, notSupported } from '../errors';
import { formatDuration, goStringSlice } from '../goFormat';
import type { Invocation } from '../invocation';
import { boolFlag, int64Flag, memberIdFromArg, must, stringFlag } from './common';

// ---- member ----

async function runMemberAdd(inv: Invocation, args: string[]): Promise<void> {
  if (args.length < 1) exitWithError(ExitCode.badArgs, 'member name not provided');
  if (args.length > 1) {
    let ev = 'too many arguments';
    for (const s of args) if (s.toLowerCase().startsWith('http')) ev += `, did you mean --peer-urls=${s}`;
    exitWithError(ExitCode.badArgs, ev);
  }
  const name = args[0]!;
  const peerUrlsText = inv.flags.string('peer-urls');
  if (peerUrlsText.length === 0) exitWithError(ExitCode.badArgs, 'member peer urls not provided');
  const urls = peerUrlsText.split(',');
  const learner = inv.flags.bool('learner');
  const c = inv.newClient();
  const resp = await must(c.unary('memberAdd', (x) => x.memberAdd(urls, { learner })));
  const display = inv.display();
  display.memberAdd(resp);
  if (isSimple(display)) {
    const conf: string[] = [];
    for (const m of resp.members) {
      for (const u of m.peerUrls) conf.push(`${m.id === resp.member.id ? name : m.name}=${u}`);
    }
    const q = (s: string): string => goQuote(utf8Encode(s));
    inv.out('\n');
    inv.out(`ETCD_NAME=${q(name)}\n`);
    inv.out(`ETCD_INITIAL_CLUSTER=${q(conf.join(','))}\n`);
    inv.out(`ETCD_INITIAL_ADVERTISE_PEER_URLS=${q(peerUrlsText)}\n`);
    inv.out('ETCD_INITIAL_CLUSTER_STATE="existing"\n');
  }
}

function memberIdArg(args: string[]): ReturnType<typeof memberIdFromArg> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'member ID is not provided');
  return memberIdFromArg(args[0]!, (err) => `bad member ID arg (${err}), expecting ID in Hex`);
}

async function runMemberRemove(inv: Invocation, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const c = inv.newClient();
  const resp = await must(c.unary('memberRemove', (x) => x.memberRemove(id.wire)));
  inv.display().memberRemove(id.wire, resp);
}

async function runMemberUpdate(inv: Invocation, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const peerUrlsText = inv.flags.string('peer-urls');
  if (peerUrlsText.length === 0) exitWithError(ExitCode.badArgs, 'member peer urls not provided');
  const c = inv.newClient();
  const resp = await must(c.unary('memberUpdate', (x) => x.memberUpdate(id.wire, peerUrlsText.split(','))));
  inv.display().memberUpdate(id.wire, resp);
}

async function runMemberList(inv: Invocation): Promise<void> {
  const c = inv.newClient();
  const resp = await must(c.unary('memberList', (x) => x.memberList()));
  inv.display().memberList(resp);
}

async function runMemberPromote(inv: Invocation, args: string[]): Promise<void> {
  const id = memberIdArg(args);
  const c = inv.newClient();
  const resp = await must(c.unary('memberPromote', (x) => x.memberPromote(id.wire)));
  inv.display().memberPromote(id.wire, resp);
}

export function memberCommand(): CommandSpec {
  return {
    use: 'member <subcommand>',
    short: 'Membership related commands',
    children: [
      {
        use: 'add <memberName> [options]',
        short: 'Adds a member into the cluster',
        flags: [
          stringFlag('peer-urls', '', 'comma separated peer URLs for the new member.'),
          boolFlag('learner', 'indicates if the new member is raft learner'),
        ],
        run: runMemberAdd,
      },
      { use: 'remove <memberID>', short: 'Removes a member from the cluster', run: runMemberRemove },
      {
        use: 'update <memberID> [options]',
        short: 'Updates a member in the cluster',
        flags: [stringFlag('peer-urls', '', 'comma separated peer URLs for the updated member.')],
        run: runMemberUpdate,
      },
      {
        use: 'list',
        short: 'Lists all members in the cluster',
        long: `When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.
The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.
`,
        run: (inv) => runMemberList(inv),
      },
      {
        use: 'promote <memberID>',
        short: 'Promotes a non-voting member in the cluster',
        long: `Promotes a non-voting learner member to a voting one in the cluster.
`,
        run: runMemberPromote,
      },
    ],
  };
}

// ---- endpoint ----

/** etcdctl's endpointsFromCluster: --endpoints, or every member's client URLs with --cluster. */
async function endpointsFromCluster(inv: Invocation): Promise<string[]> {
  if (!inv.flags.bool('cluster')) return inv.endpoints();
  const c = inv.newClient();
  const resp = await must(
    c.unary('memberList', (x) => x.memberList()),
    ExitCode.error,
    (t) => `failed to fetch endpoints from etcd cluster member list: ${t}`,
  );
  return resp.members.flatMap((m) => m.clientUrls);
}

async function runHealth(inv: Invocation): Promise<void> {
  const display = inv.display();
  const endpoints = await endpointsFromCluster(inv);
  const results: EndpointHealth[] = [];
  await Promise.all(
    endpoints.map(async (ep) => {
      const c = inv.newClient([ep]);
      const start = c.client.now();
      let error = '';
      try {
        await c.unary('get', (x) => x.get(utf8Encode('health')));
      } catch (e) {
        if (e instanceof EtcdctlExit) throw e;
        // A permission error still went through consensus: healthy.
        if (!(e instanceof EtcdError && e.message === 'etcdserver: permission denied')) error = errorText(e);
      }
      const took = formatDuration(c.client.now() - start);
      results.push({ endpoint: ep, health: error === '', took, error });
    }),
  );
  display.endpointHealth(results);
  if (results.some((h) => h.error !== '')) exitWithError(ExitCode.error, 'unhealthy cluster');
}

async function runStatus(inv: Invocation): Promise<void> {
  const c = inv.newClient();
  const list: EndpointStatus[] = [];
  let failed = false;
  for (const ep of await endpointsFromCluster(inv)) {
    try {
      list.push({ endpoint: ep, status: await c.unary('status', (x) => x.status(ep), ep) });
    } catch (e) {
      if (e instanceof EtcdctlExit) throw e;
      failed = true;
      inv.err(`Failed to get the status of endpoint ${ep} (${errorText(e)})\n`);
    }
  }
  inv.display().endpointStatus(list);
  if (failed) throw new EtcdctlExit(ExitCode.error);
}

async function runHashKV(inv: Invocation): Promise<void> {
  const c = inv.newClient();
  const rev = inv.flags.number('rev');
  const list: EndpointHashKV[] = [];
  let lastError: string | null = null;
  for (const ep of await endpointsFromCluster(inv)) {
    try {
      list.push({ endpoint: ep, hashKV: await c.unary('hashKV', (x) => x.hashKV(ep, rev), ep) });
    } catch (e) {
      if (e instanceof EtcdctlExit) throw e;
      lastError = errorText(e);
      inv.err(`Failed to get the hash of endpoint ${ep} (${lastError})\n`);
    }
  }
  inv.display().endpointHashKV(list);
  if (lastError !== null) exitWithError(ExitCode.error, lastError);
}

export function endpointCommand(): CommandSpec {
  return {
    use: 'endpoint <subcommand>',
    short: 'Endpoint related commands',
    persistentFlags: [boolFlag('cluster', 'use all endpoints from the cluster member list')],
    children: [
      { use: 'health', short: 'Checks the healthiness of endpoints specified in `--endpoints` flag', run: (inv) => runHealth(inv) },
      {
        use: 'status',
        short: 'Prints out the status of endpoints specified in `--endpoints` flag',
        long: `When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.
`,
        run: (inv) => runStatus(inv),
      },
      {
        use: 'hashkv',
        short: 'Prints the KV history hash for each endpoint in --endpoints',
        persistentFlags: [int64Flag('rev', 0, 'maximum revision to hash (default: all revisions)')],
        run: (inv) => runHashKV(inv),
      },
    ],
  };
}

// ---- move-leader ----

async function runMoveLeader(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'move-leader command needs 1 argument');
  const target = memberIdFromArg(args[0]!, (err) => err);
  inv.display();
  const eps = inv.endpoints();
  let leader: { id: number; rpc: ReturnType<Invocation['newClient']> } | null = null;
  for (const ep of eps) {
    const cli = inv.newClient([ep]);
    const resp = await must(cli.unary('status', (x) => x.status(ep), ep));
    if (resp.header.memberId === resp.leader) {
      leader = { id: resp.leader, rpc: cli };
      break;
    }
  }
  if (!leader) exitWithError(ExitCode.badArgs, `no leader endpoint given at ${goStringSlice(eps)}`);
  const { rpc, id } = leader;
  const resp = await must(rpc.unary('moveLeader', (x) => x.moveLeader(target.wire)));
  inv.display().moveLeader(id, target.wire, resp);
}

export function moveLeaderCommand(): CommandSpec {
  return {
    use: 'move-leader <transferee-member-id>',
    short: 'Transfers leadership to another etcd cluster member.',
    run: runMoveLeader,
  };
}

// ---- alarm ----

async function runAlarmList(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 0) exitWithError(ExitCode.badArgs, 'alarm list command accepts no arguments');
  const c = inv.newClient();
  const resp = await must(c.unary('alarmList', (x) => x.alarmList()));
  inv.display().alarm(resp);
}

/** clientv3's AlarmDisarm with no member and no alarm: list, then disarm each; no header. */
async function runAlarmDisarm(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 0) exitWithError(ExitCode.badArgs, 'alarm disarm command accepts no arguments');
  const c = inv.newClient();
  const alarms: AlarmMember[] = [];
  await must(
    (async () => {
      const list = await c.unary('alarmList', (x) => x.alarmList());
      for (const a of list.alarms) {
        const resp = await c.unary('alarmDisarm', (x) => x.alarmDisarm({ memberId: a.memberId, alarm: a.alarm }));
        alarms.push(...resp.alarms);
      }
    })(),
  );
  inv.display().alarm({ alarms });
}

export function alarmCommand(): CommandSpec {
  return {
    use: 'alarm <subcommand>',
    short: 'Alarm related commands',
    children: [
      { use: 'disarm', short: 'Disarms all alarms', run: runAlarmDisarm },
      { use: 'list', short: 'Lists all alarms', run: runAlarmList },
    ],
  };
}

// ---- defrag ----

async function runDefrag(inv: Invocation): Promise<void> {
  if (inv.flags.string('data-dir') !== '') notSupported('defrag --data-dir (the playground keeps no data directories on disk)');
  const c = inv.newClient();
  let failures = 0;
  for (const ep of await endpointsFromCluster(inv)) {
    try {
      await c.unary('defragment', (x) => x.defragment(ep), ep);
      inv.out(`Finished defragmenting etcd member[${ep}]\n`);
    } catch (e) {
      if (e instanceof EtcdctlExit) throw e;
      failures++;
      inv.err(`Failed to defragment etcd member[${ep}] (${errorText(e)})\n`);
    }
  }
  if (failures !== 0) throw new EtcdctlExit(ExitCode.error);
}

export function defragCommand(): CommandSpec {
  return {
    use: 'defrag',
    short: 'Defragments the storage of the etcd members with given endpoints',
    persistentFlags: [boolFlag('cluster', 'use all endpoints from the cluster member list')],
    flags: [stringFlag('data-dir', '', 'Optional. If present, defragments a data directory not in use by etcd.')],
    run: (inv) => runDefrag(inv),
  };
}
