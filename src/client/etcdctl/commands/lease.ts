// lease grant | revoke | timetolive | list | keep-alive (etcdctl 3.4's lease_command.go). Lease IDs
// are hex on the command line and %016x in text output. keep-alive without --once runs until
// stopped, printing each renewal (every TTL/3), and ends with "lease … expired or revoked." when the
// lease goes away; keep-alive --once and the stream's errors exit 2 with no warn line (a stream,
// not a unary RPC).

import type { CommandSpec } from '../commandTree';
import { isSimple } from '../display';
import { ExitCode, exitWithError } from '../errors';
import { GoError, parseInt64 } from '../goFormat';
import type { Invocation } from '../invocation';
import { boolFlag, leaseFromArg, must } from './common';

async function runGrant(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'lease grant command needs TTL argument');
  let ttl: number;
  try {
    ttl = Number(parseInt64(args[0]!, 10));
  } catch (error) {
    if (error instanceof GoError) exitWithError(ExitCode.badArgs, `bad TTL (${error.message})`);
    throw error;
  }
  const c = inv.newClient();
  const resp = await must(
    c.unary('leaseGrant', (x) => x.leaseGrant(ttl)),
    ExitCode.error,
    (t) => `failed to grant lease (${t})`,
  );
  inv.display().grant(resp);
}

async function runRevoke(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'lease revoke command needs 1 argument');
  const id = leaseFromArg(args[0]!);
  const c = inv.newClient();
  const resp = await must(
    c.unary('leaseRevoke', (x) => x.leaseRevoke(id.wire)),
    ExitCode.error,
    (t) => `failed to revoke lease (${t})`,
  );
  inv.display().revoke(id.wire, resp);
}

async function runTimeToLive(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'lease timetolive command needs lease ID as argument');
  const keys = inv.flags.bool('keys');
  const c = inv.newClient();
  const id = leaseFromArg(args[0]!);
  const resp = await must(
    c.unary('leaseTimeToLive', (x) => x.leaseTimeToLive(id.wire, { keys })),
    ExitCode.badConnection,
  );
  const display = inv.display();
  // An ID no double equals was sent as -1; print the one that was typed.
  if (id.wire === -1 && isSimple(display)) inv.out(`lease ${hex016(id.value)} already expired\n`);
  else display.timeToLive(resp, keys);
}

async function runList(inv: Invocation): Promise<void> {
  const c = inv.newClient();
  const resp = await must(
    c.unary('leaseLeases', (x) => x.leaseLeases()),
    ExitCode.badConnection,
  );
  inv.display().leases(resp);
}

async function runKeepAlive(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'lease keep-alive command needs lease ID as argument');
  const id = leaseFromArg(args[0]!);
  const c = inv.newClient();
  if (inv.flags.bool('once')) {
    const resp = await must(c.client.leaseKeepAliveOnce(id.wire), ExitCode.badConnection);
    inv.display().keepAlive(resp);
    return;
  }
  const display = inv.display();
  const stop = new AbortController();
  let failure: unknown = null;
  const handle = c.client.leaseKeepAlive(
    id.wire,
    (resp) => {
      if (failure) return;
      try {
        display.keepAlive(resp);
      } catch (error) {
        failure = error;
        stop.abort();
        handle.cancel();
      }
    },
    { signal: inv.signal },
  );
  await handle.done.catch(() => undefined);
  if (failure) throw failure;
  if (inv.signal?.aborted) return;
  if (isSimple(display)) inv.out(`lease ${hex016(id.value)} expired or revoked.\n`);
}

/** `lease` and its subcommands. */
export function leaseCommand(): CommandSpec {
  return {
    use: 'lease <subcommand>',
    short: 'Lease related commands',
    children: [
      { use: 'grant <ttl>', short: 'Creates leases', run: runGrant },
      { use: 'revoke <leaseID>', short: 'Revokes leases', run: runRevoke },
      {
        use: 'timetolive <leaseID> [options]',
        short: 'Get lease information',
        flags: [boolFlag('keys', 'Get keys attached to this lease')],
        run: runTimeToLive,
      },
      { use: 'list', short: 'List all active leases', run: (inv) => runList(inv) },
      {
        use: 'keep-alive [options] <leaseID>',
        short: 'Keeps leases alive (renew)',
        flags: [boolFlag('once', 'Resets the keep-alive time to its original value and exits immediately')],
        run: runKeepAlive,
      },
    ],
  };
}

/** Go's %016x of an int64. */
function hex016(v: bigint): string {
  return v < 0n ? '-' + (-v).toString(16).padStart(15, '0') : v.toString(16).padStart(16, '0');
}
