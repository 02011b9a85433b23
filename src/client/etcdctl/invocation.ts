// One run of etcdctl: what the page hands it (EtcdctlEnv), where its output goes, the global flags
// (endpoints, output format, timeouts), and the clients it creates. A client is wrapped so that a
// failed unary RPC prints clientv3's zap warn lines on stderr — from the client's
// onAttemptFailed hook when it reports attempts, else one line built from the final error —
// while watch and keep-alive streams print none, as in etcd.

import { EtcdError, type ClientOptions, type EtcdClient, type RpcAttemptFailure } from '../api';
import type { ConcurrencyClient } from '../concurrency';
import { newPrinter, type Output, type Printer } from './display';
import { ExitCode, exitWithError, notSupported, warnLine, type RpcTarget } from './errors';
import type { FlagValues } from './flags';

/** What the page provides to a run of etcdctl. */
export interface EtcdctlEnv {
  /** Creates a client (one per etcdctl process, or per endpoint for `endpoint health`). */
  createClient(opts: ClientOptions): EtcdClient;
  /** The default endpoints, like ETCDCTL_ENDPOINTS: every member's client URL. */
  allEndpoints: string[];
  /** Standard input (a txn body, a put value); absent means empty. */
  stdin?: string;
  /** Receives output as it is written (long-running commands stream through it). */
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** Stops a running command, like SIGTERM: lock releases, elect resigns, watch exits. */
  signal?: AbortSignal;
  /** The current virtual time as an ISO string ("2026-11-21T18:23:48.820Z"), for zap lines. */
  timestamp(): string;
  /** A fresh UUID for a client's target name ("endpoint://client-<uuid>/…"); deterministic. */
  clientUuid(): string;
  /**
   * The exit code reported when `signal` stops a command. Default 124, what `timeout(1)` reports
   * in the reference transcripts (etcdctl itself dies of SIGTERM or exits 0 after cleaning up).
   */
  abortExitCode?: number;
}

/** What a run of etcdctl produced. */
export interface EtcdctlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Methods whose target is a direct dial of the endpoint (clientv3's maintenance dial). */
const PASSTHROUGH_METHODS = new Set(['status', 'hashKV', 'defragment']);

/** A client as etcdctl uses it: unary calls print warn lines when they fail. */
export class RpcClient {
  private attemptsReported = 0;

  constructor(
    private readonly inv: Invocation,
    readonly client: EtcdClient,
    readonly clientId: string,
    readonly endpoints: readonly string[],
  ) {}

  /** The client's hook: one warn line per failed attempt, as clientv3 logs them. */
  reportAttempt(f: RpcAttemptFailure): void {
    this.attemptsReported++;
    const target = this.targetFor(f.method, f.endpoint);
    this.inv.err(warnLine({ ts: this.inv.env.timestamp(), target, attempt: f.attempt, code: f.error.code, desc: f.desc ?? f.error.message }));
  }

  private targetFor(method: string, endpoint: string): RpcTarget {
    if (PASSTHROUGH_METHODS.has(method)) return { kind: 'passthrough', endpoint };
    return { kind: 'balancer', clientId: this.clientId, endpoint: this.endpoints[0] ?? endpoint };
  }

  /** A unary RPC. `endpoint` names the member for per-endpoint maintenance calls. */
  async unary<T>(method: string, call: (c: EtcdClient) => Promise<T>, endpoint?: string): Promise<T> {
    const before = this.attemptsReported;
    try {
      return await call(this.client);
    } catch (error) {
      if (error instanceof EtcdError && this.attemptsReported === before) {
        const target = this.targetFor(method, endpoint ?? this.endpoints[0] ?? '');
        this.inv.err(warnLine({ ts: this.inv.env.timestamp(), target, attempt: 0, code: error.code, desc: error.message }));
      }
      throw error;
    }
  }

  /** The client as the concurrency recipes see it, with warn lines on its unary calls. */
  forConcurrency(): ConcurrencyClient {
    const c = this.client;
    return {
      get: (key, opts) => this.unary('get', (x) => x.get(key, opts)),
      delete: (key, opts) => this.unary('delete', (x) => x.delete(key, opts)),
      txn: (req) => this.unary('txn', (x) => x.txn(req)),
      leaseGrant: (ttl, opts) => this.unary('leaseGrant', (x) => x.leaseGrant(ttl, opts)),
      leaseRevoke: (id) => this.unary('leaseRevoke', (x) => x.leaseRevoke(id)),
      watch: (key, opts, onResponse) => c.watch(key, opts, onResponse),
      leaseKeepAlive: (id, onResponse, opts) => c.leaseKeepAlive(id, onResponse, opts),
    };
  }
}

/** State of one etcdctl run. */
export class Invocation implements Output {
  stdout = '';
  stderr = '';
  /** Set when the run was stopped: later output is dropped (the process is gone). */
  silenced = false;
  /** Set by commands that catch the stop signal and clean up (lock, elect). */
  handlesSignal = false;
  /** The flags of the command being run (global ones included). */
  flags!: FlagValues;
  /** The command's arguments as given, flags included (etcdctl's os.Args after the command). */
  rawArgs: string[] = [];
  private printer: Printer | null = null;
  private stdinRead = false;
  private readonly clients: EtcdClient[] = [];

  constructor(readonly env: EtcdctlEnv) {}

  out(text: string): void {
    this.write('stdout', text);
  }

  err(text: string): void {
    this.write('stderr', text);
  }

  private write(stream: 'stdout' | 'stderr', text: string): void {
    if (this.silenced || text.length === 0) return;
    if (stream === 'stdout') this.stdout += text;
    else this.stderr += text;
    this.env.onOutput?.({ stream, text });
  }

  get signal(): AbortSignal | undefined {
    return this.env.signal;
  }

  /** All of stdin, once (a second read sees EOF, as a drained pipe). */
  readStdin(): string {
    if (this.stdinRead) return '';
    this.stdinRead = true;
    return this.env.stdin ?? '';
  }

  /** --endpoints if given, else the environment's default endpoints. */
  endpoints(): string[] {
    return this.flags.isChanged('endpoints') ? this.flags.strings('endpoints') : [...this.env.allEndpoints];
  }

  commandTimeoutMs(): number {
    return this.flags.number('command-timeout');
  }

  /** The printer for -w (etcdctl's initDisplayFromCmd: an unknown format exits 4). */
  display(): Printer {
    if (this.printer) return this.printer;
    const printer = newPrinter(this.flags.string('write-out'), this.flags.bool('hex'), this);
    if (!printer) exitWithError(ExitCode.badFeature, 'unsupported output format');
    this.printer = printer;
    return printer;
  }

  /**
   * A client on `endpoints` (default: the global ones), as etcdctl's mustClientFromCmd: it first
   * settles the output format and refuses the options the playground cannot honour.
   */
  newClient(endpoints: string[] = this.endpoints()): RpcClient {
    this.checkClientFlags();
    this.display();
    const clientId = this.env.clientUuid();
    let rpc: RpcClient | null = null;
    const client = this.env.createClient({
      endpoints,
      requestTimeoutMs: this.commandTimeoutMs(),
      dialTimeoutMs: this.flags.number('dial-timeout'),
      onAttemptFailed: (f) => rpc?.reportAttempt(f),
    });
    rpc = new RpcClient(this, client, clientId, endpoints);
    this.clients.push(client);
    return rpc;
  }

  private checkClientFlags(): void {
    for (const name of ['user', 'password']) {
      if (this.flags.string(name) !== '') notSupported(`--${name} (the playground cluster runs without authentication)`);
    }
    for (const name of ['cert', 'key', 'cacert']) {
      if (this.flags.string(name) !== '') notSupported(`--${name} (the playground cluster speaks no TLS)`);
    }
    if (this.flags.string('discovery-srv') !== '') notSupported('--discovery-srv (there is no DNS in the playground)');
  }

  /** Closes every client this run created (the process exits). */
  closeClients(): void {
    for (const c of this.clients.splice(0)) {
      try {
        c.close();
      } catch {
        // A client that fails to close changes nothing for the output.
      }
    }
  }
}
