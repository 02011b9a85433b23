// How etcdctl ends and what it prints when something fails: its exit codes, ExitWithError
// ("Error: <message>"), Go panics (exit 2), the client library's zap warn line for a failed unary
// RPC attempt, and the text of a client error as Go's err.Error() gives it (clientv3 turns known
// etcd errors into their bare message and leaves other gRPC errors as "rpc error: code = … desc =
// …"). Pure.

import { EtcdError } from '../api';

/** etcdctl's exit codes (ctlv3/command/error.go). */
export const ExitCode = {
  success: 0,
  error: 1,
  badConnection: 2,
  invalidInput: 3,
  badFeature: 4,
  interrupted: 5,
  io: 6,
  badArgs: 128,
} as const;

/** Go's exit status for a panic or a fatal runtime error. */
export const GO_PANIC_EXIT = 2;

/**
 * Ends the command. `message` is printed as "Error: <message>" on stderr (ExitWithError); `raw`
 * is printed as is on stderr (panics, fatal errors); neither for a silent exit (os.Exit).
 */
export class EtcdctlExit extends Error {
  override name = 'EtcdctlExit';
  constructor(
    readonly code: number,
    readonly errorMessage?: string,
    readonly raw?: string,
  ) {
    super(errorMessage ?? raw ?? `exit ${code}`);
  }
}

/** ExitWithError(code, err). */
export function exitWithError(code: number, message: string): never {
  throw new EtcdctlExit(code, message);
}

/** A Go panic: "panic: <value>" and a goroutine trace on stderr, exit status 2. */
export function goPanic(value: string, frames: readonly string[]): never {
  const trace = frames.length > 0 ? frames.join('\n') + '\n' : '';
  throw new EtcdctlExit(GO_PANIC_EXIT, undefined, `panic: ${value}\n\ngoroutine 1 [running]:\n${trace}`);
}

/** The playground's refusal of something only a real machine can do: a clear reason, exit 1. */
export function notSupported(what: string): never {
  throw new EtcdctlExit(ExitCode.error, `not supported in the playground: ${what}`);
}

/** Messages clientv3 maps to rpctypes.EtcdError (printed bare); rpctypes/error.go in etcd 3.4. */
const KNOWN_ETCD_ERRORS = new Set([
  'etcdserver: key is not provided',
  'etcdserver: key not found',
  'etcdserver: value is provided',
  'etcdserver: lease is provided',
  'etcdserver: too many operations in txn request',
  'etcdserver: duplicate key given in txn request',
  'etcdserver: mvcc: required revision has been compacted',
  'etcdserver: mvcc: required revision is a future revision',
  'etcdserver: mvcc: database space exceeded',
  'etcdserver: requested lease not found',
  'etcdserver: lease already exists',
  'etcdserver: too large lease TTL',
  'etcdserver: member ID already exist',
  'etcdserver: Peer URLs already exists',
  'etcdserver: member not found',
  'etcdserver: given member URLs are invalid',
  'etcdserver: re-configuration failed due to not enough started members',
  'etcdserver: too many learner members in cluster',
  'etcdserver: can only promote a learner member',
  'etcdserver: can only promote a learner member which is in sync with leader',
  'etcdserver: rpc not supported for learner',
  'etcdserver: request is too large',
  'etcdserver: too many requests',
  'etcdserver: root user does not exist',
  'etcdserver: root user does not have root role',
  'etcdserver: user name already exists',
  'etcdserver: user name is empty',
  'etcdserver: user name not found',
  'etcdserver: role name already exists',
  'etcdserver: role name not found',
  'etcdserver: role name is empty',
  'etcdserver: authentication failed, invalid user ID or password',
  'etcdserver: permission denied',
  'etcdserver: role is not granted to the user',
  'etcdserver: permission is not granted to the role',
  'etcdserver: authentication is not enabled',
  'etcdserver: invalid auth token',
  'etcdserver: invalid auth management',
  'etcdserver: revision of auth store is old',
  'etcdserver: no leader',
  'etcdserver: not leader',
  'etcdserver: leader changed',
  'etcdserver: not capable',
  'etcdserver: server stopped',
  'etcdserver: request timed out',
  'etcdserver: request timed out, possibly due to previous leader failure',
  'etcdserver: request timed out, possibly due to connection lost',
  'etcdserver: request timed out, waiting for the applied index took too long',
  'etcdserver: unhealthy cluster',
  'etcdserver: corrupt cluster',
  'etcdserver: bad leader transferee',
  'etcdserver: watch canceled',
]);

/** grpc-go's status error text. */
export function grpcStatusText(code: string, desc: string): string {
  return `rpc error: code = ${code} desc = ${desc}`;
}

/** What Go's err.Error() gives for a client error, i.e. what etcdctl prints after "Error: ". */
export function errorText(error: unknown): string {
  if (error instanceof EtcdError) {
    if (error.clientSide || KNOWN_ETCD_ERRORS.has(error.message)) return error.message;
    return grpcStatusText(error.code, error.message);
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Go's encoding/json (and zap's) string escaping. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/** A gRPC target as clientv3 3.4 names it: the dial target (first endpoint) or a direct dial. */
export type RpcTarget = { kind: 'balancer'; clientId: string; endpoint: string } | { kind: 'passthrough'; endpoint: string };

/** "127.0.0.1:2379" from "http://127.0.0.1:2379". */
export function hostOf(endpoint: string): string {
  return endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
}

function targetText(target: RpcTarget): string {
  return target.kind === 'balancer'
    ? `endpoint://client-${target.clientId}/${hostOf(target.endpoint)}`
    : `passthrough:///${hostOf(target.endpoint)}`;
}

/**
 * The zap line clientv3's retry interceptor logs for a failed unary attempt
 * (clientv3/retry_interceptor.go:62). `desc` is the gRPC status description of the attempt.
 */
export function warnLine(opts: { ts: string; target: RpcTarget; attempt: number; code: string; desc: string }): string {
  return (
    `{"level":"warn","ts":${goJsonString(opts.ts)},"caller":"clientv3/retry_interceptor.go:62",` +
    `"msg":"retrying of unary invoker failed","target":${goJsonString(targetText(opts.target))},` +
    `"attempt":${opts.attempt},"error":${goJsonString(grpcStatusText(opts.code, opts.desc))}}\n`
  );
}
