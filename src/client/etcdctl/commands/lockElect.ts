// lock and elect (etcdctl 3.4's lock_command.go, elect_command.go) on the concurrency recipes of
// src/client/concurrency.ts. Like etcdctl, both catch the stop signal: a held lock is released
// (its key deleted), a leader resigns; a lock still waiting gives up with "context canceled". The
// session lease is not revoked when etcdctl exits: its keep-alive stops and it expires after its
// TTL (lock --ttl, default 10 s; elect uses the session default, 60 s).

import { Election, Mutex, Session } from '../../concurrency';
import type { CommandSpec } from '../commandTree';
import { ExitCode, errorText, exitWithError } from '../errors';
import type { Invocation } from '../invocation';
import { boolFlag, canExec, encodeArgs, execCommand, intFlag, must, refuseExec, whenAborted } from './common';

/** Waits for the stop signal or the end of the session; true when stopped. */
async function holdUntilStopped(inv: Invocation, session: Session): Promise<boolean> {
  const which = await Promise.race([whenAborted(inv.signal).then(() => 'stop' as const), session.done.then(() => 'expired' as const)]);
  return which === 'stop';
}

async function runLock(inv: Invocation, args: string[]): Promise<void> {
  if (args.length === 0) exitWithError(ExitCode.badArgs, 'lock takes a lock name argument and an optional command to execute');
  const c = inv.newClient();
  const cc = c.forConcurrency();
  const session = await must(Session.create(cc, { ttlSeconds: inv.flags.number('ttl') }));
  inv.handlesSignal = true;
  try {
    const mutex = new Mutex(session, encodeArgs([args[0]!])[0]!);
    await must(mutex.lock(inv.signal));
    const cmdArgs = args.slice(1);
    if (cmdArgs.length > 0) {
      const runErr = canExec(cmdArgs) ? await execCommand(inv, cmdArgs) : 'refused';
      const unlock = mutex.unlock().then(
        () => null,
        (error: unknown) => errorText(error),
      );
      const unlockErr = await unlock;
      if (runErr === 'refused') refuseExec(cmdArgs, 'while holding a lock');
      if (runErr !== null) exitWithError(ExitCode.error, runErr);
      if (unlockErr !== null) exitWithError(ExitCode.error, unlockErr);
      return;
    }
    const k = await must(c.unary('get', (x) => x.get(mutex.key())));
    if (k.kvs.length === 0) exitWithError(ExitCode.error, 'lock lost on init');
    inv.display().get(k);
    if (await holdUntilStopped(inv, session)) {
      await must(mutex.unlock());
      return;
    }
    exitWithError(ExitCode.error, 'session expired');
  } finally {
    session.orphan();
  }
}

async function runElect(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1 && args.length !== 2) {
    exitWithError(ExitCode.badArgs, 'elect takes one election name argument and an optional proposal argument');
  }
  const c = inv.newClient();
  const listen = inv.flags.bool('listen');
  const [name, proposal] = encodeArgs(args);
  if (proposal === undefined) {
    if (!listen) exitWithError(ExitCode.badArgs, 'no proposal argument but -l not set');
    await observe(inv, c, name!);
  } else {
    if (listen) exitWithError(ExitCode.badArgs, 'proposal given but -l is set');
    await campaign(inv, c, name!, proposal);
  }
}

async function observe(inv: Invocation, c: ReturnType<Invocation['newClient']>, name: string): Promise<void> {
  const session = await must(Session.create(c.forConcurrency()));
  inv.handlesSignal = true;
  const stop = new AbortController();
  const onStop = (): void => stop.abort();
  inv.signal?.addEventListener('abort', onStop, { once: true });
  if (inv.signal?.aborted) stop.abort();
  const display = inv.display();
  let failure: unknown = null;
  try {
    await new Election(session, name).observe((resp) => {
      if (failure) return;
      try {
        display.get(resp);
      } catch (error) {
        failure = error;
        stop.abort();
      }
    }, stop.signal);
  } finally {
    inv.signal?.removeEventListener('abort', onStop);
    session.orphan();
  }
  if (failure) throw failure;
  if (!inv.signal?.aborted) exitWithError(ExitCode.error, 'elect: observer lost');
}

async function campaign(inv: Invocation, c: ReturnType<Invocation['newClient']>, name: string, proposal: string): Promise<void> {
  const session = await must(Session.create(c.forConcurrency()));
  inv.handlesSignal = true;
  try {
    const election = new Election(session, name);
    await must(election.campaign(proposal, inv.signal));
    const resp = await must(c.unary('get', (x) => x.get(election.key())));
    inv.display().get(resp);
    if (!(await holdUntilStopped(inv, session))) exitWithError(ExitCode.error, 'elect: session expired');
    await must(election.resign());
  } finally {
    session.orphan();
  }
}

export function lockCommand(): CommandSpec {
  return {
    use: 'lock <lockname> [exec-command arg1 arg2 ...]',
    short: 'Acquires a named lock',
    flags: [intFlag('ttl', 10, 'timeout for session')],
    run: runLock,
  };
}

export function electCommand(): CommandSpec {
  return {
    use: 'elect <election-name> [proposal]',
    short: 'Observes and participates in leader election',
    flags: [boolFlag('listen', 'observation mode', false, 'l')],
    run: runElect,
  };
}
