// `playground.exec(line)`: etcdctl command lines run against the cluster through real clients, by
// the etcdctl emulation (src/client/etcdctl). The emulation is loaded on first use (it is a good
// part of the page's code); loadEtcdctl() must have resolved before a command is recorded, so a
// command never waits in real time while the simulation moves on (a replay would differ).
import type { Cluster } from '../cluster/cluster';
import type { ClientOptions } from '../client/api';
import type { EtcdctlEnv } from '../client/etcdctl/index';

type Etcdctl = typeof import('../client/etcdctl/index');
let etcdctl: Etcdctl | undefined;
let loading: Promise<void> | undefined;

/** Loads the etcdctl emulation (once). */
export function loadEtcdctl(): Promise<void> {
  loading ??= import('../client/etcdctl/index').then((m) => {
    etcdctl = m;
  });
  return loading;
}

/** Whether exec can run a command at once. */
export function etcdctlLoaded(): boolean {
  return etcdctl !== undefined;
}

export interface ExecOptions {
  /** Standard input (a txn body, a value for put). */
  stdin?: string;
  /** Virtual ms after which a long-running command (watch, lock, elect, keep-alive) is stopped. */
  timeoutMs?: number;
  /** Receives output as it is produced. */
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** Aborting stops a long-running command (like SIGTERM to etcdctl). */
  signal?: AbortSignal;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** etcdctl's zap timestamps: virtual time counted from a fixed origin (reproducible output). */
const TIME_ORIGIN_MS = Date.UTC(2026, 10, 21, 18, 0, 0);

/**
 * Runs one etcdctl command line against the cluster. Long-running commands (watch, lock, elect,
 * keep-alive) run until `signal` aborts or `timeoutMs` of virtual time pass (the caller decides the
 * timeout, so that a replay makes the same decision).
 */
export async function runExec(cluster: Cluster, line: string, options: ExecOptions): Promise<ExecResult> {
  const e = etcdctl;
  if (e === undefined) throw new Error('internal: exec before the etcdctl emulation was loaded (call loadEtcdctl first)');
  const { runEtcdctl, uuidSource } = e;
  const ac = new AbortController();
  options.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  if (options.signal?.aborted) ac.abort();
  let finished = false;
  if (options.timeoutMs !== undefined) {
    const at = cluster.now() + options.timeoutMs;
    // Also released once the command is over, so no condition outlives it.
    void cluster.when(() => finished || cluster.now() >= at).then(() => {
      if (!finished) ac.abort();
    });
  }
  const env: EtcdctlEnv = {
    createClient: (opts: ClientOptions) => cluster.client(opts),
    allEndpoints: cluster.ids().filter((id) => !cluster.isRemoved(id)).map((id) => cluster.spec(id).clientUrl.replace(/^https?:\/\//, '')),
    timestamp: () => new Date(TIME_ORIGIN_MS + cluster.now()).toISOString(),
    clientUuid: uuidSource(`${cluster.seed}/${++cluster.execCount}`),
    signal: ac.signal,
  };
  if (options.stdin !== undefined) env.stdin = options.stdin;
  if (options.onOutput !== undefined) env.onOutput = options.onOutput;
  return cluster.track(
    runEtcdctl(line, env).finally(() => {
      finished = true;
    }),
  );
}
