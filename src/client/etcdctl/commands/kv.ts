// get, put, del, txn and compaction (etcdctl 3.4's get_command.go, put_command.go,
// del_command.go, txn_command.go, compaction_command.go): argument checks in etcdctl's order and
// words, the clientv3 options they become (prefix and from-key range ends, sort, limit,
// serializable reads), then the call and the printer.

import type { RangeOptions } from '../../api';
import { prefixEnd } from '../../concurrency';
import type { RangeRequest, RequestOp, SortOrder, SortTarget } from '../../../mvcc/types';
import { goQuote, utf8Encode } from '../bytes';
import type { CommandSpec } from '../commandTree';
import { setValueOnly } from '../display';
import { ExitCode, exitWithError } from '../errors';
import type { FlagValues } from '../flags';
import { GoError, parseInt64 } from '../goFormat';
import type { Invocation } from '../invocation';
import { readTxn, type TxnOpCommands } from '../txnParse';
import { boolFlag, encodeArgs, int64Flag, must, stringFlag } from './common';

// ---- get ----

/** A range as etcdctl's getGetOp builds it: the key and the clientv3 options. */
export interface GetOp {
  key: string;
  opts: RangeOptions;
}

/** getGetOp over byte-string arguments (flag values are text); exits like etcdctl on bad arguments. */
export function getOp(flags: FlagValues, args: readonly string[]): GetOp {
  if (args.length === 0) exitWithError(ExitCode.badArgs, 'get command needs one argument as key and an optional argument as range_end');
  const prefix = flags.bool('prefix');
  const fromKey = flags.bool('from-key');
  if (prefix && fromKey) exitWithError(ExitCode.badArgs, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  const opts: RangeOptions = {};
  const consistency = flags.string('consistency');
  if (consistency === 's') opts.serializable = true;
  else if (consistency !== 'l') exitWithError(ExitCode.badFeature, `unknown consistency flag ${goQuote(utf8Encode(consistency))}`);

  let key = args[0]!;
  if (args.length > 1) {
    if (prefix || fromKey) exitWithError(ExitCode.badArgs, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
    opts.rangeEnd = args[1]!;
  }
  opts.limit = flags.number('limit');
  const rev = flags.number('rev');
  if (rev > 0) opts.revision = rev;

  let order: SortOrder = 'NONE';
  const orderText = flags.string('order');
  switch (orderText.toUpperCase()) {
    case 'ASCEND':
      order = 'ASCEND';
      break;
    case 'DESCEND':
      order = 'DESCEND';
      break;
    case '':
      break;
    default:
      exitWithError(ExitCode.badFeature, `bad sort order ${orderText}`);
  }
  let target: SortTarget = 'KEY';
  const targetText = flags.string('sort-by');
  switch (targetText.toUpperCase()) {
    case 'CREATE':
      target = 'CREATE';
      break;
    case 'KEY':
      target = 'KEY';
      break;
    case 'MODIFY':
      target = 'MOD';
      break;
    case 'VALUE':
      target = 'VALUE';
      break;
    case 'VERSION':
      target = 'VERSION';
      break;
    case '':
      break;
    default:
      exitWithError(ExitCode.badFeature, `bad sort target ${targetText}`);
  }
  // clientv3.WithSort: keys come back in ascending key order anyway, so that order is "none".
  if (target === 'KEY' && order === 'ASCEND') order = 'NONE';
  opts.sortTarget = target;
  opts.sortOrder = order;

  if (prefix) {
    if (key.length === 0) {
      key = '\0';
      opts.rangeEnd = '\0';
    } else {
      opts.rangeEnd = prefixEnd(key);
    }
  }
  if (fromKey) {
    if (key.length === 0) key = '\0';
    opts.rangeEnd = '\0';
  }
  if (flags.bool('keys-only')) opts.keysOnly = true;
  return { key, opts };
}

function rangeRequest(op: GetOp): RangeRequest {
  return { key: op.key, ...op.opts };
}

async function runGet(inv: Invocation, args: string[]): Promise<void> {
  const op = getOp(inv.flags, encodeArgs(args));
  const c = inv.newClient();
  const resp = await must(c.unary('get', (x) => x.get(op.key, op.opts)));
  const display = inv.display();
  if (inv.flags.bool('print-value-only') && !setValueOnly(display)) {
    exitWithError(ExitCode.badArgs, 'print-value-only is only for `--write-out=simple`');
  }
  display.get(resp);
}

// ---- put ----

/** A put as etcdctl's getPutOp builds it. */
export interface PutOp {
  key: string;
  value: string;
  opts: { lease?: number; prevKv?: boolean; ignoreValue?: boolean; ignoreLease?: boolean };
}

/** getPutOp over byte-string arguments; `stdin` supplies the value when it is not an argument. */
export function putOp(flags: FlagValues, args: readonly string[], stdin: () => string): PutOp {
  const needs = 'put command needs 1 argument and input from stdin or 2 arguments';
  if (args.length === 0) exitWithError(ExitCode.badArgs, needs);
  const key = args[0]!;
  const ignoreValue = flags.bool('ignore-value');
  if (ignoreValue && args.length > 1) exitWithError(ExitCode.badArgs, "put command needs only 1 argument when 'ignore-value' is set");
  let value = '';
  if (!ignoreValue) {
    if (args.length > 1) value = args[1]!;
    else {
      value = stdin();
      if (value === '') exitWithError(ExitCode.badArgs, needs);
    }
  }
  let lease: number;
  try {
    lease = Number(parseInt64(flags.string('lease'), 16));
  } catch (error) {
    if (error instanceof GoError) exitWithError(ExitCode.badArgs, `bad lease ID (${error.message}), expecting ID in Hex`);
    throw error;
  }
  const opts: PutOp['opts'] = {};
  if (lease !== 0) opts.lease = lease;
  if (flags.bool('prev-kv')) opts.prevKv = true;
  if (ignoreValue) opts.ignoreValue = true;
  if (flags.bool('ignore-lease')) opts.ignoreLease = true;
  return { key, value, opts };
}

async function runPut(inv: Invocation, args: string[]): Promise<void> {
  const op = putOp(inv.flags, encodeArgs(args), () => encodeArgs([inv.readStdin()])[0]!);
  const c = inv.newClient();
  const resp = await must(c.unary('put', (x) => x.put(op.key, op.value, op.opts)));
  inv.display().put(resp);
}

// ---- del ----

/** A delete as etcdctl's getDelOp builds it. */
export interface DelOp {
  key: string;
  opts: { rangeEnd?: string; prevKv?: boolean };
}

export function delOp(flags: FlagValues, args: readonly string[]): DelOp {
  if (args.length === 0 || args.length > 2) {
    exitWithError(ExitCode.badArgs, 'del command needs one argument as key and an optional argument as range_end');
  }
  const prefix = flags.bool('prefix');
  const fromKey = flags.bool('from-key');
  if (prefix && fromKey) exitWithError(ExitCode.badArgs, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  const opts: DelOp['opts'] = {};
  let key = args[0]!;
  if (args.length > 1) {
    if (prefix || fromKey) exitWithError(ExitCode.badArgs, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
    opts.rangeEnd = args[1]!;
  }
  if (prefix) {
    if (key.length === 0) {
      key = '\0';
      opts.rangeEnd = '\0';
    } else opts.rangeEnd = prefixEnd(key);
  }
  if (flags.bool('prev-kv')) opts.prevKv = true;
  if (fromKey) {
    if (key.length === 0) key = '\0';
    opts.rangeEnd = '\0';
  }
  return { key, opts };
}

async function runDel(inv: Invocation, args: string[]): Promise<void> {
  const op = delOp(inv.flags, encodeArgs(args));
  const c = inv.newClient();
  const resp = await must(c.unary('delete', (x) => x.delete(op.key, op.opts)));
  inv.display().del(resp);
}

// ---- txn ----

async function runTxn(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 0) exitWithError(ExitCode.badArgs, 'txn command does not accept argument');
  const c = inv.newClient();
  const interactive = inv.flags.bool('interactive');
  const input = encodeArgs([inv.readStdin()])[0]!;
  const parsed = readTxn(input, txnOpCommands(inv), inv, (prompt) => {
    if (interactive) inv.out(prompt + '\n');
  });
  const resp = await must(c.unary('txn', (x) => x.txn(parsed)));
  inv.display().txn(resp);
}

/** The put/get/del a txn line may hold, with their flags, building request ops. */
function txnOpCommands(inv: Invocation): TxnOpCommands {
  return {
    put: putCommand(),
    get: getCommand(),
    del: delCommand(),
    build: {
      put: (flags, args): RequestOp => {
        const op = putOp(flags, args, () => inv.readStdin());
        return { requestPut: { key: op.key, value: op.value, ...op.opts } };
      },
      get: (flags, args): RequestOp => ({ requestRange: rangeRequest(getOp(flags, args)) }),
      del: (flags, args): RequestOp => {
        const op = delOp(flags, args);
        return { requestDeleteRange: { key: op.key, ...op.opts } };
      },
    },
  };
}

// ---- compaction ----

async function runCompaction(inv: Invocation, args: string[]): Promise<void> {
  if (args.length !== 1) exitWithError(ExitCode.badArgs, 'compaction command needs 1 argument');
  let rev: number;
  try {
    rev = Number(parseInt64(args[0]!, 10));
  } catch (error) {
    if (error instanceof GoError) exitWithError(ExitCode.error, error.message);
    throw error;
  }
  const physical = inv.flags.bool('physical');
  const c = inv.newClient();
  await must(c.unary('compact', (x) => x.compact(rev, { physical })));
  inv.out(`compacted revision ${rev}\n`);
}

// ---- command specs ----

export function getCommand(): CommandSpec {
  return {
    use: 'get [options] <key> [range_end]',
    short: 'Gets the key or a range of keys',
    flags: [
      stringFlag('consistency', 'l', 'Linearizable(l) or Serializable(s)'),
      stringFlag('order', '', 'Order of results; ASCEND or DESCEND (ASCEND by default)'),
      stringFlag('sort-by', '', 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION'),
      int64Flag('limit', 0, 'Maximum number of results'),
      boolFlag('prefix', 'Get keys with matching prefix'),
      boolFlag('from-key', 'Get keys that are greater than or equal to the given key using byte compare'),
      int64Flag('rev', 0, 'Specify the kv revision'),
      boolFlag('keys-only', 'Get only the keys'),
      boolFlag('print-value-only', 'Only write values when using the "simple" output format'),
    ],
    run: runGet,
  };
}

export function putCommand(): CommandSpec {
  return {
    use: 'put [options] <key> <value> (<value> can also be given from stdin)',
    short: 'Puts the given key into the store',
    long: `
Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.
`,
    flags: [
      stringFlag('lease', '0', 'lease ID (in hexadecimal) to attach to the key'),
      boolFlag('prev-kv', 'return the previous key-value pair before modification'),
      boolFlag('ignore-value', 'updates the key using its current value'),
      boolFlag('ignore-lease', 'updates the key using its current lease'),
    ],
    run: runPut,
  };
}

export function delCommand(): CommandSpec {
  return {
    use: 'del [options] <key> [range_end]',
    short: 'Removes the specified key or range of keys [key, range_end)',
    flags: [
      boolFlag('prefix', 'delete keys with matching prefix'),
      boolFlag('prev-kv', 'return deleted key-value pairs'),
      boolFlag('from-key', 'delete keys that are greater than or equal to the given key using byte compare'),
    ],
    run: runDel,
  };
}

export function txnCommand(): CommandSpec {
  return {
    use: 'txn [options]',
    short: 'Txn processes all the requests in one transaction',
    flags: [boolFlag('interactive', 'Input transaction in interactive mode', false, 'i')],
    run: runTxn,
  };
}

export function compactionCommand(): CommandSpec {
  return {
    use: 'compaction [options] <revision>',
    short: 'Compacts the event history in etcd',
    flags: [boolFlag('physical', "'true' to wait for compaction to physically remove all old revisions")],
    run: runCompaction,
  };
}
