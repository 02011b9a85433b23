// Running one etcdctl command line: tokenize it like a shell, find the command as cobra does, parse
// its flags as pflag does, run it, and turn its end into etcdctl's output and exit code. Cobra's
// failure paths are reproduced: an unknown command prints "Error: unknown command …" and
// "Run 'etcdctl --help' for usage.", a flag error prints the Error line, the usage on stdout and
// the Error line again (exit 1), `--help` or a command without a run function prints the usage.
// When the stop signal fires, a command that catches it (lock, elect) cleans up and prints its
// last words; any other is cut off where it was, as a process killed by SIGTERM.

import { EtcdError } from '../api';
import { allFlags, commandPath, findCommand } from './commandTree';
import { buildTree } from './commands/index';
import { setNestedRunner } from './commands/common';
import { EtcdctlExit, ExitCode, GO_PANIC_EXIT, errorText, notSupported } from './errors';
import { FlagError, parseFlags } from './flags';
import { Invocation, type EtcdctlEnv, type EtcdctlResult } from './invocation';
import { TokenizeError, tokenize } from './tokenize';
import { etcdUsage } from './usage';

/** The exit code a stopped command reports when the environment names none (`timeout`'s). */
export const DEFAULT_ABORT_EXIT_CODE = 124;

/** Leading `NAME=value` words: only ETCDCTL_API=3 makes sense here. */
function stripAssignments(words: string[]): string[] {
  let i = 0;
  for (; i < words.length; i++) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[i]!);
    if (!m) break;
    const [, name, value] = m;
    if (name === 'ETCDCTL_API') {
      if (value !== '3') notSupported(`ETCDCTL_API=${value} (the playground speaks the v3 API only)`);
      continue;
    }
    notSupported(`the environment assignment ${name}=… (use the matching --flag instead)`);
  }
  return words.slice(i);
}

/** Runs the words after "etcdctl". Output goes to `inv`; throws EtcdctlExit for non-zero exits. */
async function runArgs(inv: Invocation, argv: string[]): Promise<void> {
  const root = buildTree();
  const found = findCommand(root, argv);
  if (found.error) {
    inv.err(`Error: ${found.error}\n`);
    inv.err(`Run '${commandPath(found.cmd)} --help' for usage.\n`);
    throw new EtcdctlExit(ExitCode.error, found.error);
  }
  const cmd = found.cmd;
  try {
    inv.flags = parseFlags(allFlags(cmd), found.args);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    inv.err(`Error: ${error.message}\n`);
    inv.out(etcdUsage(cmd));
    inv.err('\n');
    throw new EtcdctlExit(ExitCode.error, error.message);
  }
  inv.rawArgs = found.args;
  if (inv.flags.bool('help') || !cmd.run) {
    inv.out(etcdUsage(cmd));
    return;
  }
  await cmd.run(inv, inv.flags.args);
}

/** Prints how a run ended and returns its exit code. */
function finish(inv: Invocation, error: unknown): number {
  if (error instanceof EtcdctlExit) {
    if (error.errorMessage !== undefined) inv.err(`Error: ${error.errorMessage}\n`);
    if (error.raw !== undefined) inv.err(error.raw);
    return error.code;
  }
  if (error instanceof EtcdError) {
    inv.err(`Error: ${errorText(error)}\n`);
    return ExitCode.error;
  }
  // A bug in this emulation: report it the way a Go program reports one.
  const message = error instanceof Error ? error.message : String(error);
  inv.err(`panic: ${message}\n`);
  return GO_PANIC_EXIT;
}

async function execute(inv: Invocation, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return ExitCode.success;
  } catch (error) {
    return finish(inv, error);
  }
}

/** Runs `body` in `inv`, honouring the stop signal; closes the run's clients at the end. */
async function supervise(inv: Invocation, body: () => Promise<void>): Promise<number> {
  const signal = inv.env.signal;
  const work = execute(inv, body);
  let onAbort: (() => void) | null = null;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (!signal) return;
    onAbort = () => resolve('aborted');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([work, aborted]);
    if (first !== 'aborted') return first;
    if (inv.handlesSignal) await work;
    else inv.silenced = true;
    return inv.env.abortExitCode ?? DEFAULT_ABORT_EXIT_CODE;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    inv.closeClients();
  }
}

/** Runs a nested `etcdctl …` (under lock or for a watch event) into the parent's output. */
async function runNested(argv: string[], parent: Invocation): Promise<number> {
  const env: EtcdctlEnv = {
    ...parent.env,
    stdin: '',
    onOutput: (chunk) => (chunk.stream === 'stdout' ? parent.out(chunk.text) : parent.err(chunk.text)),
  };
  const inv = new Invocation(env);
  return supervise(inv, () => runArgs(inv, argv));
}

setNestedRunner(runNested);

/**
 * Runs one etcdctl command line (a leading "etcdctl" is optional) and resolves to what etcdctl
 * prints and its exit code. Long-running commands (watch, lock, elect, lease keep-alive) run until
 * `env.signal` aborts; their output streams through `env.onOutput` as it is written.
 */
export async function runEtcdctl(commandLine: string, env: EtcdctlEnv): Promise<EtcdctlResult> {
  const inv = new Invocation(env);
  const exitCode = await supervise(inv, async () => {
    let words: string[];
    try {
      words = tokenize(commandLine);
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      throw new EtcdctlExit(2, undefined, `syntax error: ${error.message}\n`);
    }
    words = stripAssignments(words);
    if (words[0] === 'etcdctl') words = words.slice(1);
    await runArgs(inv, words);
  });
  return { stdout: inv.stdout, stderr: inv.stderr, exitCode };
}
