// Error formatting. Goal: a failing request prints what etcdctl 3.4 prints — one zap warn line per
// failed attempt (clientv3's retry interceptor; reads are retried on Unavailable, writes are not),
// then "Error: <message>" with exit 1, or a command's own wording (lease grant, endpoint status,
// endpoint health) — and the message text follows clientv3 (known etcd errors bare, other gRPC
// errors as "rpc error: code = … desc = …", client deadlines as "context deadline exceeded").
// Method: unit tests of warnLine and errorText, then faults injected into the test double (errors,
// hangs until the request timeout) and whole command runs in virtual time.

import { describe, expect, it } from 'vitest';
import { EtcdError, type ClientOptions, type EtcdClient } from '../api';
import { errorText, goJsonString, warnLine } from './errors';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';

const WARN_PREFIX = '{"level":"warn","ts":"2026-11-21T18:07:23.000Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed"';

async function run(cluster: TestCluster, line: string, extras: Parameters<typeof testEnv>[1] = {}) {
  return cluster.runUntilSettled(runEtcdctl(line, testEnv(cluster, extras)));
}

describe('warnLine and errorText', () => {
  it('formats the zap line of a failed attempt with its target, attempt and gRPC status', () => {
    const line = warnLine({
      ts: '2026-11-21T18:23:48.820Z',
      target: { kind: 'balancer', clientId: '8b77472c-3db8-43c1-a289-9902bd28caa5', endpoint: 'http://127.0.0.1:12379' },
      attempt: 0,
      code: 'OutOfRange',
      desc: 'etcdserver: mvcc: required revision is a future revision',
    });
    expect(line).toBe(
      '{"level":"warn","ts":"2026-11-21T18:23:48.820Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"endpoint://client-8b77472c-3db8-43c1-a289-9902bd28caa5/127.0.0.1:12379","attempt":0,"error":"rpc error: code = OutOfRange desc = etcdserver: mvcc: required revision is a future revision"}\n',
    );
    const direct = warnLine({ ts: 't', target: { kind: 'passthrough', endpoint: '127.0.0.1:32379' }, attempt: 0, code: 'DeadlineExceeded', desc: 'x "y"' });
    expect(direct).toContain('"target":"passthrough:///127.0.0.1:32379"');
    expect(direct).toContain('"error":"rpc error: code = DeadlineExceeded desc = x \\"y\\""');
  });

  it('prints known etcd errors bare, client-side errors bare, other server errors as gRPC status text', () => {
    expect(errorText(new EtcdError('Unavailable', 'etcdserver: request timed out'))).toBe('etcdserver: request timed out');
    expect(errorText(new EtcdError('DeadlineExceeded', 'context deadline exceeded', true))).toBe('context deadline exceeded');
    expect(errorText(new EtcdError('Unknown', 'context deadline exceeded'))).toBe('rpc error: code = Unknown desc = context deadline exceeded');
    expect(errorText(new EtcdError('FailedPrecondition', 'election: not leader'))).toBe('rpc error: code = FailedPrecondition desc = election: not leader');
  });

  it("escapes JSON strings the way Go's encoder does", () => {
    expect(goJsonString('a<b>&"\\\n\u0001\u2028')).toBe('"a\\u003cb\\u003e\\u0026\\"\\\\\\n\\u0001\\u2028"');
  });
});

describe('server errors through commands', () => {
  it('retries a read on Unavailable with one warn line per attempt, 100 attempts in all', async () => {
    const cluster = new TestCluster();
    cluster.fault = ({ method }) => (method === 'get' ? new EtcdError('Unavailable', 'etcdserver: rpc not supported for learner') : undefined);
    const before = cluster.now();
    const r = await run(cluster, '--endpoints=127.0.0.1:12379 get k');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    expect(lines.slice(0, 100).map((l) => JSON.parse(l).attempt)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(lines[99]).toContain('"error":"rpc error: code = Unavailable desc = etcdserver: rpc not supported for learner"');
    expect(lines[100]).toBe('Error: etcdserver: rpc not supported for learner');
    expect(r.exitCode).toBe(1);
    // 99 back-offs of 25 ms between the attempts.
    expect(cluster.now() - before).toBeGreaterThanOrEqual(99 * 25);
  });

  it('does not retry a write on the same error', async () => {
    const cluster = new TestCluster();
    cluster.fault = ({ method }) => (method === 'put' ? new EtcdError('Unavailable', 'etcdserver: rpc not supported for learner') : undefined);
    const r = await run(cluster, 'put k v');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(1);
    expect(r.stderr.endsWith('Error: etcdserver: rpc not supported for learner\n')).toBe(true);
  });

  it('prints the failed attempts and then the result when a retry succeeds', async () => {
    const cluster = new TestCluster();
    await run(cluster, 'put k v');
    cluster.fault = ({ method, attempt }) => (method === 'get' && attempt < 2 ? new EtcdError('Unavailable', 'etcdserver: request timed out') : undefined);
    const r = await run(cluster, 'get k');
    expect(r.stdout).toBe('k\nv\n');
    expect(r.exitCode).toBe(0);
    expect(r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l).attempt)).toEqual([0, 1]);
  });

  it('reports a hung request as the client-side "context deadline exceeded" after --command-timeout', async () => {
    const cluster = new TestCluster();
    cluster.fault = () => 'hang';
    const before = cluster.now();
    const r = await run(cluster, '--command-timeout=1s put qkey during');
    expect(cluster.now() - before).toBeGreaterThanOrEqual(1000);
    expect(cluster.now() - before).toBeLessThan(5000);
    expect(r.stderr).toMatch(/^\{.*"error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"\}\nError: context deadline exceeded\n$/);
    expect(r.exitCode).toBe(1);
  });

  it('words lease and endpoint failures as etcdctl does', async () => {
    const cluster = new TestCluster();
    cluster.fault = () => 'hang';
    const grant = await run(cluster, 'lease grant 10');
    expect(grant.stderr.split('\n')[1]).toBe('Error: failed to grant lease (context deadline exceeded)');
    const ttl = await run(cluster, 'lease timetolive 1f');
    expect(ttl.exitCode).toBe(2);
    expect(ttl.stderr.split('\n')[1]).toBe('Error: context deadline exceeded');
  });

  it('prints the server text of an unmapped error as gRPC status text', async () => {
    const cluster = new TestCluster();
    cluster.fault = () => new EtcdError('Unknown', 'context deadline exceeded');
    const r = await run(cluster, 'put k v');
    expect(r.stderr.split('\n')[1]).toBe('Error: rpc error: code = Unknown desc = context deadline exceeded');
  });

  it('reports a member that does not answer in endpoint status, then prints the others, exit 1 (§3.8)', async () => {
    const cluster = new TestCluster();
    cluster.fault = ({ method, endpoint }) => (method === 'status' && endpoint === '127.0.0.1:32379' ? 'hang' : undefined);
    const chunks: string[] = [];
    const r = await run(cluster, 'endpoint status -w table', { onOutput: (c) => chunks.push(`${c.stream}:${c.text.split('\n')[0]}`) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^\{"level":"warn",.*"target":"passthrough:\/\/\/127\.0\.0\.1:32379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"\}\nFailed to get the status of endpoint 127\.0\.0\.1:32379 \(context deadline exceeded\)\n$/,
    );
    expect(r.stdout.split('\n').filter((l) => l.startsWith('| 127'))).toHaveLength(2);
    expect(chunks[0]).toMatch(/^stderr:\{/);
    expect(chunks[chunks.length - 1]).toMatch(/^stdout:\+/);
  });

  it('reports health in completion order, the unhealthy one with its error, then "unhealthy cluster" (§3.8)', async () => {
    const cluster = new TestCluster();
    cluster.fault = ({ method, endpoint }) => (method === 'get' && endpoint === '127.0.0.1:12379' ? 'hang' : undefined);
    const r = await run(cluster, 'endpoint health');
    const lines = r.stderr.trimEnd().split('\n');
    // The warn line is logged when the request fails; the health lines once every check is done.
    expect(lines[0]).toMatch(/^\{"level":"warn".*"target":"endpoint:\/\/client-[0-9a-f-]+\/127\.0\.0\.1:12379"/);
    expect(lines[1]).toBe('127.0.0.1:22379 is healthy: successfully committed proposal: took = 0s');
    expect(lines[2]).toBe('127.0.0.1:32379 is healthy: successfully committed proposal: took = 0s');
    expect(lines[3]).toBe('127.0.0.1:12379 is unhealthy: failed to commit proposal: context deadline exceeded');
    expect(lines[4]).toBe('Error: unhealthy cluster');
    expect(r.exitCode).toBe(1);
  });

  it('measures health in virtual time', async () => {
    const cluster = new TestCluster();
    cluster.fault = ({ method, attempt }) => (method === 'get' && attempt === 0 ? new EtcdError('Unavailable', 'etcdserver: leader changed') : undefined);
    const r = await run(cluster, 'endpoint health -w json');
    expect(JSON.parse(r.stdout).map((h: { took: string }) => h.took)).toEqual(['25ms', '25ms', '25ms']);
  });
});

describe('clients that report attempts differently', () => {
  /** Wraps the double's clients: `report` decides what the attempt hook hears. */
  function env(cluster: TestCluster, report: (opts: ClientOptions, method: string, error: EtcdError) => void) {
    const base = testEnv(cluster);
    return {
      ...base,
      createClient: (opts: ClientOptions): EtcdClient => {
        const inner = cluster.createClient({ ...opts, onAttemptFailed: undefined });
        return new Proxy(inner, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function' || prop !== 'put') return value;
            return async (...args: unknown[]) => {
              try {
                return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              } catch (error) {
                report(opts, String(prop), error as EtcdError);
                throw error;
              }
            };
          },
        });
      },
    };
  }

  it('prints one warn line from the final error when the client never reports attempts', async () => {
    const cluster = new TestCluster();
    cluster.fault = () => new EtcdError('ResourceExhausted', 'etcdserver: mvcc: database space exceeded');
    const r = await cluster.runUntilSettled(runEtcdctl('put small x', env(cluster, () => undefined)));
    expect(r.stderr).toBe(
      `${WARN_PREFIX},"target":"endpoint://client-00000000-0000-4000-8000-000000000000/127.0.0.1:12379","attempt":0,"error":"rpc error: code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded"}\nError: etcdserver: mvcc: database space exceeded\n`,
    );
  });

  it("uses the attempt's own gRPC description when the client gives one", async () => {
    const cluster = new TestCluster();
    cluster.fault = () => new EtcdError('DeadlineExceeded', 'context deadline exceeded', true);
    const r = await cluster.runUntilSettled(
      runEtcdctl(
        '--endpoints=127.0.0.1:32379 put downkey v',
        env(cluster, (opts, method, error) =>
          opts.onAttemptFailed?.({ method, endpoint: '127.0.0.1:32379', attempt: 0, error, desc: 'latest balancer error: all SubConns are in TransientFailure' }),
        ),
      ),
    );
    expect(r.stderr).toContain('"target":"endpoint://client-00000000-0000-4000-8000-000000000000/127.0.0.1:32379"');
    expect(r.stderr).toContain('"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: all SubConns are in TransientFailure"}\nError: context deadline exceeded\n');
  });
});
