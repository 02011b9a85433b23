import { it } from 'vitest';
import { runEtcdctl } from './index';
import { TestCluster, testEnv } from './testClient';

it('smoke', async () => {
  const c = new TestCluster();
  for (const line of ['endpoint status -w table', 'put foo bar', 'put foo bar2 --prev-kv', 'put foo bar3 --prev-kv -w json', 'get foo -w json', 'get foo -w fields', 'get foo --prefix --count-only -w json', 'get foo --rev=100', 'lease grant 60', 'member list -w table', 'get --help', 'gte', 'version', 'endpoint health', 'lease list -w json']) {
    const r = await runEtcdctl(line, testEnv(c));
    console.log(`$ ${line}\n--stdout--\n${r.stdout}--stderr--\n${r.stderr}[exit ${r.exitCode}]\n`);
  }
});
