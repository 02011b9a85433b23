// `playground.exec(line)`: etcdctl command lines run against the cluster through a real client.
import type { Cluster } from '../cluster/cluster';

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

export async function runExec(_cluster: Cluster, _line: string, _options: ExecOptions): Promise<ExecResult> {
  return { stdout: '', stderr: 'Error: the etcdctl emulation is not wired in yet\n', exitCode: 1 };
}
