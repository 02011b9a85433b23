// watch (etcdctl 3.4's watch_command.go): a key, a range or a prefix, from a revision, with
// previous key-values; each response printed as it arrives (and, after `--`, a command run per
// event). It runs until stopped; when the server cancels it (compaction) it prints "watch was
// canceled (…)" and exits 5 with "watch is canceled by the server". Interactive mode (-i) reads
// watch requests from a terminal and is refused here.

import type { WatchResponse } from '../../../mvcc/types';
import { prefixEnd } from '../../concurrency';
import type { CommandSpec } from '../commandTree';
import { EtcdctlExit, ExitCode, errorText, exitWithError, notSupported } from '../errors';
import { EtcdError } from '../../api';
import type { Invocation } from '../invocation';
import { boolFlag, canExec, encodeArgs, execCommand, int64Flag, refuseExec, watchExecFailure } from './common';

/** clientv3's WatchResponse.Err() text for a cancelled watch. */
function cancelText(r: WatchResponse): string {
  if (r.compactRevision !== 0) return 'etcdserver: mvcc: required revision has been compacted';
  if (r.cancelReason) return errorText(new EtcdError('FailedPrecondition', r.cancelReason));
  return 'etcdserver: mvcc: required revision is a future revision';
}

/** clientv3's IsProgressNotify. */
function isProgressNotify(r: WatchResponse): boolean {
  return r.events.length === 0 && !r.canceled && !r.created && r.compactRevision === 0 && r.header.revision !== 0;
}

async function runWatch(inv: Invocation, args: string[]): Promise<void> {
  if (inv.flags.bool('interactive')) {
    notSupported('watch --interactive (it reads watch requests from a terminal; run each watch as its own command)');
  }
  const dash = inv.flags.argsLenAtDash;
  const watchArgs = encodeArgs(dash >= 0 ? args.slice(0, dash) : args);
  const execArgs = dash >= 0 ? args.slice(dash) : [];
  if (dash >= 0 && execArgs.length === 0) exitWithError(ExitCode.badArgs, 'bad number of arguments (found separator --, but no commands)');
  if (dash < 0 && inv.rawArgs.length < 1) exitWithError(ExitCode.badArgs, 'bad number of arguments');
  if (execArgs.length > 0 && !canExec(execArgs)) refuseExec(execArgs, 'for each watch event');

  const c = inv.newClient();
  if (watchArgs.length < 1) exitWithError(ExitCode.badArgs, 'bad number of arguments');
  let key = watchArgs[0]!;
  let rangeEnd: string | undefined;
  const prefix = inv.flags.bool('prefix');
  if (watchArgs.length === 2) {
    if (prefix) exitWithError(ExitCode.badArgs, '`range_end` and `--prefix` are mutually exclusive');
    rangeEnd = watchArgs[1]!;
  }
  if (prefix) {
    if (key.length === 0) {
      key = '\0';
      rangeEnd = '\0';
    } else rangeEnd = prefixEnd(key);
  }
  const display = inv.display();
  const stop = new AbortController();
  const onStop = (): void => stop.abort();
  inv.signal?.addEventListener('abort', onStop, { once: true });

  let failure: unknown = null;
  let sawCancel = false;
  // Responses are handled one after another, as printWatchCh ranges over the channel.
  let queue = Promise.resolve();
  const handle = (r: WatchResponse): void => {
    queue = queue.then(async () => {
      if (failure || stop.signal.aborted) return;
      if (r.created && r.events.length === 0 && !r.canceled) return; // clientv3 does not forward these
      try {
        if (r.canceled) {
          sawCancel = true;
          inv.err(`watch was canceled (${cancelText(r)})\n`);
        }
        if (isProgressNotify(r)) inv.out(`progress notify: ${r.header.revision}\n`);
        display.watch(r);
        for (let i = 0; i < r.events.length && execArgs.length > 0; i++) {
          const err = await execCommand(inv, execArgs);
          if (err !== null) {
            inv.err(watchExecFailure(execArgs, err));
            throw new EtcdctlExit(ExitCode.error);
          }
        }
      } catch (error) {
        failure = error;
        stop.abort();
      }
    });
  };
  const watch = c.client.watch(
    key,
    { rangeEnd, startRevision: inv.flags.number('rev'), prevKv: inv.flags.bool('prev-kv'), signal: stop.signal },
    handle,
  );
  let serverError: unknown = null;
  try {
    await watch.done;
  } catch (error) {
    serverError = error;
  } finally {
    inv.signal?.removeEventListener('abort', onStop);
  }
  await queue;
  if (failure) throw failure;
  if (inv.signal?.aborted) return;
  if (serverError && !sawCancel) inv.err(`watch was canceled (${errorText(serverError)})\n`);
  exitWithError(ExitCode.interrupted, 'watch is canceled by the server');
}

export function watchCommand(): CommandSpec {
  return {
    use: 'watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]',
    short: 'Watches events stream on keys or prefixes',
    flags: [
      boolFlag('interactive', 'Interactive mode', false, 'i'),
      boolFlag('prefix', 'Watch on a prefix if prefix is set'),
      int64Flag('rev', 0, 'Revision to start watching'),
      boolFlag('prev-kv', 'get the previous key-value pair before the event happens'),
    ],
    run: runWatch,
  };
}
