// Output formats. Goal: each printer writes what etcdctl 3.4.23's does — simple lines, Go's
// encoding/json over etcd's structs, `"Field" : value` lines, tablewriter tables (centred headers,
// right-aligned cells, 30-column word wrap), protobuf bytes — and fails where etcdctl's does.
// Method: feed printers the responses behind reference transcripts (§3.6, §3.7, §3.10), with
// member IDs swapped for exact doubles of the same width, and compare with the reference text
// after the same swap; table-test the Go formatting helpers; check unsupported combinations end to
// end on the test double.

import { describe, expect, it } from 'vitest';
import type { ResponseHeader } from '../../mvcc/types';
import type { Member, StatusResponse } from '../../server/api';
import { newPrinter, type Printer } from './display';
import { EtcdctlExit } from './errors';
import { formatDuration, humanizeBytes } from './goFormat';
import { runEtcdctl } from './index';
import { encodeRange } from './protobuf';
import { renderTable } from './tableWriter';
import { TestCluster, testEnv } from './testClient';

/** Reference IDs and same-width exact doubles standing in for them. */
const IDS = {
  infra1: { ref: '73beeb3ef66e4c47', id: 0x73beeb3ef66e4c00 },
  infra2: { ref: '205748051355da0b', id: 0x205748051355d800 },
  infra3: { ref: '21b3e7a735b3f4dd', id: 0x21b3e7a735b3f400 },
  infra4: { ref: '21e5e581f841262c', id: 0x21e5e581f8412000 },
  cluster: { ref: 'e231b3a8cc97d62b', id: 0xe231b3a8cc97d000 },
};

/** The reference text with its IDs (hex and decimal) swapped for the stand-ins. */
function swapIds(text: string): string {
  let t = text;
  for (const { ref, id } of Object.values(IDS)) {
    t = t.replaceAll(ref, BigInt(id).toString(16)).replaceAll(BigInt('0x' + ref).toString(), BigInt(id).toString());
  }
  return t;
}

function render(format: string, print: (p: Printer) => void, isHex = false): { out: string; err: string } {
  let out = '';
  let err = '';
  const p = newPrinter(format, isHex, { out: (t) => (out += t), err: (t) => (err += t) })!;
  print(p);
  return { out, err };
}

const header = (memberId: number, revision = 0, raftTerm = 2): ResponseHeader => ({ clusterId: IDS.cluster.id, memberId, revision, raftTerm });

const member = (id: number, name: string, port: number, isLearner = false): Member => ({
  id,
  name,
  peerUrls: [`http://127.0.0.1:${port}80`],
  clientUrls: name ? [`http://127.0.0.1:${port}79`] : [],
  isLearner,
});

const MEMBERS: Member[] = [
  member(IDS.infra2.id, 'infra2', 223),
  member(IDS.infra3.id, 'infra3', 323),
  member(IDS.infra4.id, '', 423, true),
  member(IDS.infra1.id, 'infra1', 123),
];

function status(memberId: number, over: Partial<StatusResponse> = {}): StatusResponse {
  return {
    header: header(memberId, 60),
    version: '3.4.23',
    dbSize: 24576,
    dbSizeInUse: 16384,
    leader: IDS.infra2.id,
    raftIndex: 103,
    raftTerm: 2,
    raftAppliedIndex: 103,
    errors: [],
    isLearner: false,
    ...over,
  };
}

describe('tables (olekukonko/tablewriter as etcdctl configures it)', () => {
  it('draws the member list with an unstarted learner as in §3.7', () => {
    const expected = swapIds(`+------------------+-----------+--------+------------------------+------------------------+------------+
|        ID        |  STATUS   |  NAME  |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |
+------------------+-----------+--------+------------------------+------------------------+------------+
| 205748051355da0b |   started | infra2 | http://127.0.0.1:22380 | http://127.0.0.1:22379 |      false |
| 21b3e7a735b3f4dd |   started | infra3 | http://127.0.0.1:32380 | http://127.0.0.1:32379 |      false |
| 21e5e581f841262c | unstarted |        | http://127.0.0.1:42380 |                        |       true |
| 73beeb3ef66e4c47 |   started | infra1 | http://127.0.0.1:12380 | http://127.0.0.1:12379 |      false |
+------------------+-----------+--------+------------------------+------------------------+------------+
`);
    expect(render('table', (p) => p.memberList({ header: header(IDS.infra1.id), members: MEMBERS })).out).toBe(expected);
  });

  it('draws endpoint status --cluster and hashkv tables as in §3.7', () => {
    const eps = [
      ['http://127.0.0.1:22379', IDS.infra2.id],
      ['http://127.0.0.1:32379', IDS.infra3.id],
      ['http://127.0.0.1:12379', IDS.infra1.id],
    ] as const;
    const expected = swapIds(`+------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
|        ENDPOINT        |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |
+------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
| http://127.0.0.1:22379 | 205748051355da0b |  3.4.23 |   25 kB |      true |      false |         2 |        103 |                103 |        |
| http://127.0.0.1:32379 | 21b3e7a735b3f4dd |  3.4.23 |   25 kB |     false |      false |         2 |        103 |                103 |        |
| http://127.0.0.1:12379 | 73beeb3ef66e4c47 |  3.4.23 |   25 kB |     false |      false |         2 |        103 |                103 |        |
+------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
`);
    const list = eps.map(([endpoint, id]) => ({ endpoint, status: status(id) }));
    expect(render('table', (p) => p.endpointStatus(list)).out).toBe(expected);
    const hashes = ['127.0.0.1:12379', '127.0.0.1:22379', '127.0.0.1:32379'].map((endpoint) => ({
      endpoint,
      hashKV: { header: header(IDS.infra1.id, 60), hash: 1910841355, compactRevision: 60 },
    }));
    expect(render('table', (p) => p.endpointHashKV(hashes)).out).toBe(`+-----------------+------------+
|    ENDPOINT     |    HASH    |
+-----------------+------------+
| 127.0.0.1:12379 | 1910841355 |
| 127.0.0.1:22379 | 1910841355 |
| 127.0.0.1:32379 | 1910841355 |
+-----------------+------------+
`);
  });

  it('wraps a long ERRORS cell at 30 columns as in the NOSPACE table of §3.10', () => {
    const errors = ['memberID:2330410518823950859 alarm:NOSPACE ', 'memberID:8340362215591660615 alarm:NOSPACE '];
    const list = [
      { endpoint: '127.0.0.1:12379', status: status(IDS.infra1.id, { dbSize: 1_290_240, leader: IDS.infra1.id, raftIndex: 22, raftAppliedIndex: 22, errors }) },
      { endpoint: '127.0.0.1:22379', status: status(IDS.infra2.id, { dbSize: 1_290_240, leader: IDS.infra1.id, raftIndex: 22, raftAppliedIndex: 22, errors }) },
      { endpoint: '127.0.0.1:32379', status: status(IDS.infra3.id, { dbSize: 1_228_800, leader: IDS.infra1.id, raftIndex: 22, raftAppliedIndex: 22, errors }) },
    ];
    const wrapped = `|                 |                  |         |         |           |            |           |            |                    |                alarm:NOSPACE , |
|                 |                  |         |         |           |            |           |            |                    |   memberID:8340362215591660615 |
|                 |                  |         |         |           |            |           |            |                    |                 alarm:NOSPACE  |
`;
    const border = '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+\n';
    const expected = swapIds(
      border +
        '|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |             ERRORS             |\n' +
        border +
        '| 127.0.0.1:12379 | 73beeb3ef66e4c47 |  3.4.23 |  1.3 MB |      true |      false |         2 |         22 |                 22 |   memberID:2330410518823950859 |\n' +
        wrapped +
        '| 127.0.0.1:22379 | 205748051355da0b |  3.4.23 |  1.3 MB |     false |      false |         2 |         22 |                 22 |   memberID:2330410518823950859 |\n' +
        wrapped +
        '| 127.0.0.1:32379 | 21b3e7a735b3f4dd |  3.4.23 |  1.2 MB |     false |      false |         2 |         22 |                 22 |   memberID:2330410518823950859 |\n' +
        wrapped +
        border,
    );
    // The alarm member IDs inside the ERRORS strings are server text, not IDs to swap back.
    const out = render('table', (p) => p.endpointStatus(list)).out;
    expect(out).toBe(expected.replaceAll(BigInt(IDS.infra2.id).toString(), '2330410518823950859').replaceAll(BigInt(IDS.infra1.id).toString(), '8340362215591660615'));
  });

  it('centres headers and right-aligns cells, widening a column to its widest cell', () => {
    expect(renderTable(['a_b', 'x'], [['1', 'long cell'], ['22', '']])).toBe(
      '+-----+-----------+\n| A B |     X     |\n+-----+-----------+\n|   1 | long cell |\n|  22 |           |\n+-----+-----------+\n',
    );
  });

  it('draws endpoint health with took and error columns', () => {
    const out = render('table', (p) =>
      p.endpointHealth([
        { endpoint: '127.0.0.1:22379', health: true, took: '2.793951ms', error: '' },
        { endpoint: '127.0.0.1:32379', health: false, took: '5.000312s', error: 'context deadline exceeded' },
      ]),
    ).out;
    expect(out).toBe(`+-----------------+--------+------------+---------------------------+
|    ENDPOINT     | HEALTH |    TOOK    |           ERROR           |
+-----------------+--------+------------+---------------------------+
| 127.0.0.1:22379 |   true | 2.793951ms |                           |
| 127.0.0.1:32379 |  false |  5.000312s | context deadline exceeded |
+-----------------+--------+------------+---------------------------+
`);
  });
});

describe('json (Go encoding/json over etcd structs)', () => {
  it('prints endpoint status as in §3.6 (omitempty fields, numbers for int64)', () => {
    const list = [['127.0.0.1:12379', IDS.infra1.id] as const].map(([endpoint, id]) => ({ endpoint, status: status(id) }));
    const expected = swapIds(
      '[{"Endpoint":"127.0.0.1:12379","Status":{"header":{"cluster_id":16299006063998916139,"member_id":8340362215591660615,"revision":60,"raft_term":2},"version":"3.4.23","dbSize":24576,"leader":2330410518823950859,"raftIndex":103,"raftTerm":2,"raftAppliedIndex":103,"dbSizeInUse":16384}}]\n',
    );
    expect(render('json', (p) => p.endpointStatus(list)).out).toBe(expected);
  });

  it('prints the member list as in §3.7 (no revision in a cluster header, isLearner only when true)', () => {
    const members = MEMBERS.filter((m) => m.name !== '');
    const expected = swapIds(
      '{"header":{"cluster_id":16299006063998916139,"member_id":8340362215591660615,"raft_term":2},"members":[{"ID":2330410518823950859,"name":"infra2","peerURLs":["http://127.0.0.1:22380"],"clientURLs":["http://127.0.0.1:22379"]},{"ID":2428539329429370077,"name":"infra3","peerURLs":["http://127.0.0.1:32380"],"clientURLs":["http://127.0.0.1:32379"]},{"ID":8340362215591660615,"name":"infra1","peerURLs":["http://127.0.0.1:12380"],"clientURLs":["http://127.0.0.1:12379"]}]}\n',
    );
    expect(render('json', (p) => p.memberList({ header: header(IDS.infra1.id), members })).out).toBe(expected);
    const withLearner = render('json', (p) => p.memberList({ header: header(IDS.infra1.id), members: [MEMBERS[2]!] })).out;
    expect(withLearner).toContain(`{"ID":${BigInt(IDS.infra4.id)},"peerURLs":["http://127.0.0.1:42380"],"isLearner":true}`);
  });

  it('prints endpoint health with "error" only when set, in the given order', () => {
    const out = render('json', (p) =>
      p.endpointHealth([
        { endpoint: 'b', health: true, took: '1ms', error: '' },
        { endpoint: 'a', health: false, took: '5s', error: 'context deadline exceeded' },
      ]),
    ).out;
    expect(out).toBe('[{"endpoint":"b","health":true,"took":"1ms"},{"endpoint":"a","health":false,"took":"5s","error":"context deadline exceeded"}]\n');
  });

  it('escapes strings as Go does (<, >, & and control characters)', () => {
    const out = render('json', (p) =>
      p.memberList({ header: header(1), members: [{ id: 1, name: '<a&b>\t"q"', peerUrls: [], clientUrls: [], isLearner: false }] }),
    ).out;
    expect(out).toContain('"name":"\\u003ca\\u0026b\\u003e\\t\\"q\\""');
  });

  it('prints a DELETE watch event with type 1 and the tombstone key only', () => {
    const out = render('json', (p) =>
      p.watch({
        header: header(IDS.infra3.id, 31),
        watchId: 0,
        created: false,
        canceled: false,
        compactRevision: 0,
        cancelReason: '',
        fragment: false,
        events: [{ type: 'DELETE', kv: { key: 'wkey2', createRevision: 0, modRevision: 31, version: 0, value: '', lease: 0 } }],
      }),
    ).out;
    expect(out).toBe(
      swapIds('{"Header":{"cluster_id":16299006063998916139,"member_id":2428539329429370077,"revision":31,"raft_term":2},"Events":[{"type":1,"kv":{"key":"d2tleTI=","mod_revision":31}}],"CompactRevision":0,"Canceled":false,"Created":false}\n'),
    );
  });

  it('flattens the header of lease responses and prints keys as null when there are none', () => {
    const out = render('json', (p) => p.timeToLive({ header: header(IDS.infra1.id, 37), id: 42, ttl: -1, grantedTtl: 0, keys: [] }, false)).out;
    expect(out).toBe(swapIds('{"cluster_id":16299006063998916139,"member_id":8340362215591660615,"revision":37,"raft_term":2,"id":42,"ttl":-1,"granted-ttl":0,"keys":null}\n'));
    const leases = render('json', (p) => p.leases({ header: header(1, 3), leases: [] })).out;
    expect(leases).toBe(`{"cluster_id":${BigInt(IDS.cluster.id)},"member_id":1,"revision":3,"raft_term":2,"leases":[]}\n`);
  });

  it('leaves the header out of an assembled alarm disarm response', () => {
    const out = render('json', (p) => p.alarm({ alarms: [{ memberId: 7, alarm: 'NOSPACE' }] })).out;
    expect(out).toBe('{"alarms":[{"memberID":7,"alarm":1}]}\n');
  });
});

describe('fields', () => {
  it('prints endpoint status as in §3.7 (the header first, Errors as a Go slice)', () => {
    const expected = swapIds(`"ClusterID" : 16299006063998916139
"MemberID" : 8340362215591660615
"Revision" : 60
"RaftTerm" : 2
"Version" : "3.4.23"
"DBSize" : 24576
"Leader" : 2330410518823950859
"IsLearner" : false
"RaftIndex" : 103
"RaftTerm" : 2
"RaftAppliedIndex" : 103
"Errors" : []
"Endpoint" : "127.0.0.1:12379"

`);
    expect(render('fields', (p) => p.endpointStatus([{ endpoint: '127.0.0.1:12379', status: status(IDS.infra1.id) }])).out).toBe(expected);
  });

  it('quotes keys and values with Go %q and prints the health error with its trailing space', () => {
    const kv = { key: 'a"b\n', createRevision: 2, modRevision: 3, version: 1, value: '\xff\x01', lease: 0 };
    const out = render('fields', (p) => p.get({ header: header(1, 3), kvs: [kv], more: false, count: 1 })).out;
    expect(out).toContain('"Key" : "a\\"b\\n"\n');
    expect(out).toContain('"Value" : "\\xff\\x01"\n');
    const health = render('fields', (p) => p.endpointHealth([{ endpoint: 'e', health: true, took: '1ms', error: '' }])).out;
    expect(health).toBe('"Endpoint" : "e"\n"Health" : true\n"Took" : 1ms\n"Error" : \n\n');
  });

  it('prints watch events with their type and the previous key-value under Prev', () => {
    const kv = { key: 'k', createRevision: 2, modRevision: 4, version: 2, value: 'v2', lease: 0 };
    const prev = { ...kv, modRevision: 2, version: 1, value: 'v1' };
    const out = render('fields', (p) =>
      p.watch({ header: header(1, 4), watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', fragment: false, events: [{ type: 'PUT', kv, prevKv: prev }] }),
    ).out;
    expect(out.split('\n').slice(4, 7)).toEqual(['"Type" : PUT', '"PrevKey" : "k"', '"PrevCreateRevision" : 2']);
  });
});

describe('simple', () => {
  it('prints endpoint status as comma-separated lines with the trailing errors field (§7)', () => {
    const out = render('simple', (p) => p.endpointStatus([{ endpoint: '127.0.0.1:12379', status: status(IDS.infra1.id, { dbSize: 33_000, raftIndex: 115, raftAppliedIndex: 115 }) }])).out;
    expect(out).toBe(swapIds('127.0.0.1:12379, 73beeb3ef66e4c47, 3.4.23, 33 kB, false, false, 2, 115, 115, \n'));
  });

  it('writes endpoint health lines to stderr, as etcdctl does', () => {
    const r = render('simple', (p) =>
      p.endpointHealth([
        { endpoint: 'a', health: true, took: '2ms', error: '' },
        { endpoint: 'b', health: false, took: '5s', error: 'context deadline exceeded' },
      ]),
    );
    expect(r.out).toBe('');
    expect(r.err).toBe('a is healthy: successfully committed proposal: took = 2ms\nb is unhealthy: failed to commit proposal: context deadline exceeded\n');
  });

  it('pads member IDs with spaces to 16 columns in member add/remove/promote (%16x)', () => {
    const out = render('simple', (p) => p.memberRemove(0x1234, { header: header(1), members: [] })).out;
    expect(out).toBe(`Member             1234 removed from cluster ${BigInt(IDS.cluster.id).toString(16)}\n`);
  });

  it("prints alarms in proto's compact text form with a trailing space", () => {
    expect(render('simple', (p) => p.alarm({ header: header(1), alarms: [{ memberId: 8, alarm: 'NOSPACE' }] })).out).toBe('memberID:8 alarm:NOSPACE \n');
  });

  it('prints leases with %016x IDs', () => {
    const out = render('simple', (p) => p.grant({ header: header(1), id: 0x1234abcd, ttl: 2, error: '' })).out;
    expect(out).toBe('lease 000000001234abcd granted with TTL(2s)\n');
  });
});

describe('protobuf', () => {
  it('encodes a range response as gogo-protobuf marshals it', () => {
    const bytes = encodeRange({
      header: { clusterId: 1, memberId: 2, revision: 3, raftTerm: 4 },
      kvs: [{ key: 'a', createRevision: 2, modRevision: 2, version: 1, value: 'b', lease: 0 }],
      more: false,
      count: 1,
    });
    expect(bytes).toBe('\x0a\x08\x08\x01\x10\x02\x18\x03\x20\x04\x12\x0c\x0a\x01a\x10\x02\x18\x02\x20\x01\x2a\x01b\x20\x01');
  });

  it('refuses endpoint commands as etcdctl does', () => {
    expect(() => render('protobuf', (p) => p.endpointHashKV([]))).toThrow(new EtcdctlExit(4, 'protobuf not supported as output format'));
  });
});

describe('Go formatting helpers', () => {
  it.each([
    [9, '9 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [20480, '20 kB'],
    [20500, '20 kB'],
    [21500, '22 kB'],
    [24576, '25 kB'],
    [221_184, '221 kB'],
    [1_290_240, '1.3 MB'],
    [2_147_483_648, '2.1 GB'],
  ])('humanizes %d bytes as %s (go-humanize, half to even)', (n, text) => {
    expect(humanizeBytes(n)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [0.0005, '500ns'],
    [0.5, '500µs'],
    [4.147017, '4.147017ms'],
    [2, '2ms'],
    [1500, '1.5s'],
    [61_000, '1m1s'],
    [3_723_000, '1h2m3s'],
    [7_200_000, '2h0m0s'],
  ])('formats %d ms as Go prints the duration: %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formats etcdctl does not support for a command', () => {
  it('fails `get -w table` with exit 4 after the request, as the table printer has no Get', async () => {
    const cluster = new TestCluster();
    const r = await runEtcdctl('get foo -w table', testEnv(cluster));
    expect(r).toEqual({ stdout: '', stderr: 'Error: table not supported as output format\n', exitCode: 4 });
  });

  it('fails an unknown -w with exit 4 before any request', async () => {
    const r = await runEtcdctl('put a b -w yaml', testEnv(new TestCluster()));
    expect(r).toEqual({ stdout: '', stderr: 'Error: unsupported output format\n', exitCode: 4 });
  });

  it('fails --print-value-only with a non-simple format with exit 128', async () => {
    const r = await runEtcdctl('get a --print-value-only -w json', testEnv(new TestCluster()));
    expect(r).toEqual({ stdout: '', stderr: 'Error: print-value-only is only for `--write-out=simple`\n', exitCode: 128 });
  });

  it('panics on member promote with a non-simple format, after promoting (a hole in etcdctl 3.4)', async () => {
    const cluster = new TestCluster();
    const add = await runEtcdctl('member add m4 --peer-urls=http://127.0.0.1:42380 --learner -w json', testEnv(cluster));
    expect(add.exitCode).toBe(0);
    const id = BigInt(JSON.parse(add.stdout.replace(/"ID":(\d+)/g, '"ID":"$1"')).member.ID).toString(16);
    const r = await runEtcdctl(`member promote ${id} -w json`, testEnv(cluster));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^panic: runtime error: invalid memory address or nil pointer dereference\n/);
    expect(cluster.members.find((m) => BigInt(m.id).toString(16) === id)?.isLearner).toBe(false);
  });

  it('fails member add with -w fields after adding (fields has no MemberAdd)', async () => {
    const r = await runEtcdctl('member add m4 --peer-urls=http://127.0.0.1:42380 -w fields', testEnv(new TestCluster()));
    expect(r).toEqual({ stdout: '', stderr: 'Error: fields not supported as output format\n', exitCode: 4 });
  });
});
