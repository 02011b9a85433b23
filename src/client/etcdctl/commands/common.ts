// Helpers shared by the command implementations: flag declarations in pflag's terms, argument
// encoding, calls that turn client errors into etcdctl's exits, ID arguments, and running a
// command under `lock` / for each `watch` event (only `etcdctl …` and `echo …` can run here).

import { EtcdError } from '../../api';
import { ContextCanceledError } from '../../concurrency';
import { utf8Encode } from '../bytes';
import { EtcdctlExit, ExitCode, errorText, exitWithError } from '../errors';
import type { FlagDef } from '../flags';
import { GoError, parseInt64, parseUint64 } from '../goFormat';
import type { Invocation } from '../invocation';

export const boolFlag = (name: string, usage: string, def = false, shorthand?: string): FlagDef => ({
  name,
  kind: 'bool',
  defValue: String(def),
  usage,
  ...(shorthand ? { shorthand } : {}),
});

export const stringFlag = (name: string, def: string, usage: string, shorthand?: string): FlagDef => ({
  name,
  kind: 'string',
  defValue: def,
  usage,
  ...(shorthand ? { shorthand } : {}),
});

export const int64Flag = (name: string, def: number, usage: string): FlagDef => ({ name, kind: 'int64', defValue: String(def), usage });
export const intFlag = (name: string, def: number, usage: string): FlagDef => ({ name, kind: 'int', defValue: String(def), usage });

/** Arguments as the server sees them: UTF-8 bytes. */
export function encodeArgs(args: readonly string[]): string[] {
  return args.map(utf8Encode);
}

/** Awaits a client call; a client error ends the command with `code` and etcdctl's wording. */
export async function must<T>(p: Promise<T>, code: number = ExitCode.error, wrap: (text: string) => string = (t) => t): Promise<T> {
  try {
    return await p;
  } catch (error) {
    if (error instanceof EtcdError || error instanceof ContextCanceledError) exitWithError(code, wrap(errorText(error)));
    if (error instanceof EtcdctlExit) throw error;
    if (error instanceof Error) exitWithError(code, wrap(error.message));
    throw error;
  }
}

/**
 * An ID argument for the wire. IDs the playground makes are exact doubles; a typed ID that no
 * double equals cannot name anything, so it travels as -1 (which no lease or member has) while
 * messages keep the typed value.
 */
export interface IdArg {
  wire: number;
  value: bigint;
}

function toIdArg(value: bigint): IdArg {
  const wire = Number(value);
  return { wire: BigInt(wire) === value ? wire : -1, value };
}

/** etcdctl's leaseFromArgs: ParseInt(arg, 16, 64), exit 128 on error. */
export function leaseFromArg(arg: string): IdArg {
  try {
    return toIdArg(parseInt64(arg, 16));
  } catch (error) {
    if (error instanceof GoError) exitWithError(ExitCode.badArgs, `bad lease ID arg (${error.message}), expecting ID in Hex`);
    throw error;
  }
}

/** A member ID argument: ParseUint(arg, 16, 64), exit 128 with `format(err)` on error. */
export function memberIdFromArg(arg: string, format: (err: string) => string): IdArg {
  try {
    return toIdArg(parseUint64(arg, 16));
  } catch (error) {
    if (error instanceof GoError) exitWithError(ExitCode.badArgs, format(error.message));
    throw error;
  }
}

/** Resolves when the run's stop signal fires (never, without a signal). */
export function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Go's %q of a []string: ["a" "b"]. */
function quoteArgv(argv: readonly string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(' ')}]`;
}

/** The runner for nested etcdctl command lines (set by run.ts, which owns runEtcdctl). */
let nestedRunner: ((argv: string[], inv: Invocation) => Promise<number>) | null = null;

export function setNestedRunner(run: (argv: string[], inv: Invocation) => Promise<number>): void {
  nestedRunner = run;
}

/** True when `argv` is something the playground can run: `etcdctl …` or `echo …`. */
export function canExec(argv: readonly string[]): boolean {
  return argv[0] === 'etcdctl' || argv[0] === 'echo';
}

/** Refuses a command the playground cannot run. */
export function refuseExec(argv: readonly string[], where: string): never {
  exitWithError(
    ExitCode.error,
    `not supported in the playground: running ${JSON.stringify(argv[0] ?? '')} ${where} (there is no shell or process here; only \`etcdctl …\` and \`echo …\` can run)`,
  );
}

/**
 * Runs `argv` as exec.Command would, writing to the run's output; resolves to an error text as Go's
 * cmd.Run() reports it ("exit status 1"), or null on success.
 */
export async function execCommand(inv: Invocation, argv: readonly string[]): Promise<string | null> {
  if (argv[0] === 'echo') {
    inv.out(argv.slice(1).join(' ') + '\n');
    return null;
  }
  if (argv[0] === 'etcdctl' && nestedRunner) {
    const code = await nestedRunner(argv.slice(1), inv);
    return code === 0 ? null : `exit status ${code}`;
  }
  return `exec: ${JSON.stringify(argv[0] ?? '')}: executable file not found in $PATH`;
}

/** printWatchCh's failure line for a per-event command. */
export function watchExecFailure(argv: readonly string[], err: string): string {
  return `command ${quoteArgv(argv)} error (${err})\n`;
}
