// etcdctl's output formats (ctlv3/command/printer*.go): simple, json, fields, table and protobuf,
// one printer per format with one method per response type. The json printer reproduces Go's
// encoding/json over etcd's generated structs (snake_case tags with omitempty, []byte as base64,
// int64 as numbers, the clientv3 lease types with their header flattened, the WatchResponse with
// capitalised fields); fields prints Go's `"Name" : value` lines; table draws tablewriter tables.
// What a format does not support fails as etcdctl does: "<format> not supported as output format"
// (exit 4), or a nil-pointer panic where etcdctl's printer embedding has a hole (member promote).

import type {
  DeleteRangeResponse,
  KeyValue,
  MvccEvent,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnResponse,
  WatchResponse,
} from '../../mvcc/types';
import type {
  AlarmMember,
  HashKVResponse,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  Member,
  MemberAddResponse,
  MemberListResponse,
  MemberPromoteResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
  MoveLeaderResponse,
  StatusResponse,
} from '../../server/api';
import { formatLeaseId } from '../../lease/index';
import { base64, goQuote, hexEncode, utf8Decode, utf8Encode } from './bytes';
import { ExitCode, exitWithError, goJsonString, goPanic } from './errors';
import { dec, goStringSlice, hex, hex16Spaces, humanizeBytes } from './goFormat';
import * as pb from './protobuf';
import { renderTable } from './tableWriter';

/** One `endpoint health` result (etcdctl's epHealth). */
export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  took: string;
  error: string;
}

/** One `endpoint status` result (etcdctl's epStatus). */
export interface EndpointStatus {
  endpoint: string;
  status: StatusResponse;
}

/** One `endpoint hashkv` result (etcdctl's epHashKV). */
export interface EndpointHashKV {
  endpoint: string;
  hashKV: HashKVResponse;
}

/** An alarm response; `header` is absent for the one clientv3 assembles for a disarm-all. */
export interface AlarmResult {
  header?: ResponseHeader;
  alarms: AlarmMember[];
}

/** Where printers write. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** etcdctl's printer interface. */
export interface Printer {
  readonly format: string;
  del(r: DeleteRangeResponse): void;
  get(r: RangeResponse): void;
  put(r: PutResponse): void;
  txn(r: TxnResponse): void;
  watch(r: WatchResponse): void;
  grant(r: LeaseGrantResponse): void;
  revoke(id: number, r: LeaseRevokeResponse): void;
  keepAlive(r: LeaseKeepAliveResponse): void;
  timeToLive(r: LeaseTimeToLiveResponse, keys: boolean): void;
  leases(r: LeaseLeasesResponse): void;
  memberAdd(r: MemberAddResponse): void;
  memberRemove(id: number, r: MemberRemoveResponse): void;
  memberUpdate(id: number, r: MemberUpdateResponse): void;
  memberPromote(id: number, r: MemberPromoteResponse): void;
  memberList(r: MemberListResponse): void;
  endpointHealth(list: EndpointHealth[]): void;
  endpointStatus(list: EndpointStatus[]): void;
  endpointHashKV(list: EndpointHashKV[]): void;
  moveLeader(leader: number, target: number, r: MoveLeaderResponse): void;
  alarm(r: AlarmResult): void;
}

/** etcdctl's printerUnsupported: every method fails with "<format> not supported as output format". */
class Unsupported implements Printer {
  constructor(
    readonly format: string,
    protected readonly o: Output,
  ) {}
  protected unsupported(): never {
    exitWithError(ExitCode.badFeature, `${this.format} not supported as output format`);
  }
  del(_r: DeleteRangeResponse): void {
    this.unsupported();
  }
  get(_r: RangeResponse): void {
    this.unsupported();
  }
  put(_r: PutResponse): void {
    this.unsupported();
  }
  txn(_r: TxnResponse): void {
    this.unsupported();
  }
  watch(_r: WatchResponse): void {
    this.unsupported();
  }
  grant(_r: LeaseGrantResponse): void {
    this.unsupported();
  }
  revoke(_id: number, _r: LeaseRevokeResponse): void {
    this.unsupported();
  }
  keepAlive(_r: LeaseKeepAliveResponse): void {
    this.unsupported();
  }
  timeToLive(_r: LeaseTimeToLiveResponse, _keys: boolean): void {
    this.unsupported();
  }
  leases(_r: LeaseLeasesResponse): void {
    this.unsupported();
  }
  memberAdd(_r: MemberAddResponse): void {
    this.unsupported();
  }
  memberRemove(_id: number, _r: MemberRemoveResponse): void {
    this.unsupported();
  }
  memberUpdate(_id: number, _r: MemberUpdateResponse): void {
    this.unsupported();
  }
  memberPromote(_id: number, _r: MemberPromoteResponse): void {
    nilPrinterPanic('memberPromoteCommandFunc');
  }
  memberList(_r: MemberListResponse): void {
    this.unsupported();
  }
  endpointHealth(_list: EndpointHealth[]): void {
    this.unsupported();
  }
  endpointStatus(_list: EndpointStatus[]): void {
    this.unsupported();
  }
  endpointHashKV(_list: EndpointHashKV[]): void {
    this.unsupported();
  }
  moveLeader(_leader: number, _target: number, _r: MoveLeaderResponse): void {
    this.unsupported();
  }
  alarm(_r: AlarmResult): void {
    this.unsupported();
  }
}

/** etcdctl's printers embed a nil printer for a few methods; calling one panics. */
function nilPrinterPanic(caller: string): never {
  goPanic('runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]', [
    `go.etcd.io/etcd/etcdctl/ctlv3/command.${caller}(...)`,
  ]);
}

// ---- simple ----

class SimplePrinter extends Unsupported {
  valueOnly = false;

  constructor(
    o: Output,
    private readonly isHex: boolean,
  ) {
    super('simple', o);
  }

  private kv(kv: KeyValue): void {
    const k = this.isHex ? hexWithPrefix(kv.key) : utf8Decode(kv.key);
    const v = this.isHex ? hexWithPrefix(kv.value) : utf8Decode(kv.value);
    if (!this.valueOnly) this.o.out(k + '\n');
    this.o.out(v + '\n');
  }

  override del(r: DeleteRangeResponse): void {
    this.o.out(`${r.deleted}\n`);
    for (const kv of r.prevKvs) this.kv(kv);
  }

  override get(r: RangeResponse): void {
    for (const kv of r.kvs) this.kv(kv);
  }

  override put(r: PutResponse): void {
    this.o.out('OK\n');
    if (r.prevKv) this.kv(r.prevKv);
  }

  override txn(r: TxnResponse): void {
    this.o.out(r.succeeded ? 'SUCCESS\n' : 'FAILURE\n');
    for (const op of r.responses) {
      this.o.out('\n');
      if ('responseDeleteRange' in op) this.del(op.responseDeleteRange);
      else if ('responsePut' in op) this.put(op.responsePut);
      else if ('responseRange' in op) this.get(op.responseRange);
      else this.o.out(`unexpected response ${goStructText(op)}\n`);
    }
  }

  override watch(r: WatchResponse): void {
    for (const e of r.events) {
      this.o.out(`${e.type}\n`);
      if (e.prevKv) this.kv(e.prevKv);
      this.kv(e.kv);
    }
  }

  override grant(r: LeaseGrantResponse): void {
    this.o.out(`lease ${formatLeaseId(r.id)} granted with TTL(${r.ttl}s)\n`);
  }

  override revoke(id: number, _r: LeaseRevokeResponse): void {
    this.o.out(`lease ${formatLeaseId(id)} revoked\n`);
  }

  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.o.out(`lease ${formatLeaseId(r.id)} keepalived with TTL(${r.ttl})\n`);
  }

  override timeToLive(r: LeaseTimeToLiveResponse, keys: boolean): void {
    if (r.grantedTtl === 0 && r.ttl === -1) {
      this.o.out(`lease ${formatLeaseId(r.id)} already expired\n`);
      return;
    }
    let text = `lease ${formatLeaseId(r.id)} granted with TTL(${r.grantedTtl}s), remaining(${r.ttl}s)`;
    if (keys) text += `, attached keys(${goStringSlice(r.keys.map(utf8Decode))})`;
    this.o.out(text + '\n');
  }

  override leases(r: LeaseLeasesResponse): void {
    this.o.out(`found ${r.leases.length} leases\n`);
    for (const l of r.leases) this.o.out(`${formatLeaseId(l.id)}\n`);
  }

  override alarm(r: AlarmResult): void {
    // %+v of a *pb.AlarmMember is its compact text form: non-zero fields, each followed by a space.
    for (const a of r.alarms) {
      const member = a.memberId !== 0 ? `memberID:${dec(a.memberId)} ` : '';
      const alarm = a.alarm !== 'NONE' ? `alarm:${a.alarm} ` : '';
      this.o.out(member + alarm + '\n');
    }
  }

  override memberAdd(r: MemberAddResponse): void {
    this.o.out(`Member ${hex16Spaces(r.member.id)} added to cluster ${hex16Spaces(r.header.clusterId)}\n`);
  }

  override memberRemove(id: number, r: MemberRemoveResponse): void {
    this.o.out(`Member ${hex16Spaces(id)} removed from cluster ${hex16Spaces(r.header.clusterId)}\n`);
  }

  override memberUpdate(id: number, r: MemberUpdateResponse): void {
    this.o.out(`Member ${hex16Spaces(id)} updated in cluster ${hex16Spaces(r.header.clusterId)}\n`);
  }

  override memberPromote(id: number, r: MemberPromoteResponse): void {
    this.o.out(`Member ${hex16Spaces(id)} promoted in cluster ${hex16Spaces(r.header.clusterId)}\n`);
  }

  override memberList(r: MemberListResponse): void {
    for (const row of memberRows(r.members)) this.o.out(row.join(', ') + '\n');
  }

  override endpointHealth(list: EndpointHealth[]): void {
    for (const h of list) {
      if (h.error === '') this.o.err(`${h.endpoint} is healthy: successfully committed proposal: took = ${h.took}\n`);
      else this.o.err(`${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}\n`);
    }
  }

  override endpointStatus(list: EndpointStatus[]): void {
    for (const row of statusRows(list)) this.o.out(row.join(', ') + '\n');
  }

  override endpointHashKV(list: EndpointHashKV[]): void {
    for (const h of list) this.o.out(`${h.endpoint}, ${h.hashKV.hash}\n`);
  }

  override moveLeader(leader: number, target: number, _r: MoveLeaderResponse): void {
    this.o.out(`Leadership transferred from ${hex(leader)} to ${hex(target)}\n`);
  }
}

/** etcdctl's addHexPrefix(hex.EncodeToString(b)): "\x66\x6f\x6f". */
function hexWithPrefix(bytes: string): string {
  return hexEncode(bytes).replace(/(..)/g, '\\x$1');
}

/** A rough %+v of a response op, for the "unexpected response" line (nested txns only). */
function goStructText(op: ResponseOp): string {
  return `Response:${JSON.stringify(op)}`;
}

function memberRows(members: Member[]): string[][] {
  return members.map((m) => [
    hex(m.id),
    m.name.length === 0 ? 'unstarted' : 'started',
    m.name,
    m.peerUrls.join(','),
    m.clientUrls.join(','),
    String(m.isLearner),
  ]);
}

function statusRows(list: EndpointStatus[]): string[][] {
  return list.map(({ endpoint, status: s }) => [
    endpoint,
    hex(s.header.memberId),
    s.version,
    humanizeBytes(s.dbSize),
    String(s.leader === s.header.memberId),
    String(s.isLearner),
    dec(s.raftTerm),
    dec(s.raftIndex),
    dec(s.raftAppliedIndex),
    s.errors.join(', '),
  ]);
}

// ---- json ----

type Json = string;

/** A JSON object from [name, value] pairs; undefined values are left out (omitempty). */
function obj(fields: [string, Json | undefined][]): Json {
  return '{' + fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${goJsonString(k)}:${v}`).join(',') + '}';
}

const num = (n: number): Json => dec(n);
const nz = (n: number): Json | undefined => (n === 0 ? undefined : dec(n));
const str = (s: string): Json => goJsonString(s);
const nzStr = (s: string): Json | undefined => (s === '' ? undefined : goJsonString(s));
const yes = (b: boolean): Json | undefined => (b ? 'true' : undefined);
const bytes = (b: string): Json | undefined => (b === '' ? undefined : goJsonString(base64(b)));
const arr = (items: Json[]): Json => `[${items.join(',')}]`;
const nzArr = (items: Json[]): Json | undefined => (items.length === 0 ? undefined : arr(items));

function headerFields(h: ResponseHeader): [string, Json | undefined][] {
  return [
    ['cluster_id', nz(h.clusterId)],
    ['member_id', nz(h.memberId)],
    ['revision', nz(h.revision)],
    ['raft_term', nz(h.raftTerm)],
  ];
}

function jsonHeader(h: ResponseHeader | undefined): Json | undefined {
  return h ? obj(headerFields(h)) : undefined;
}

function jsonKv(kv: KeyValue): Json {
  return obj([
    ['key', bytes(kv.key)],
    ['create_revision', nz(kv.createRevision)],
    ['mod_revision', nz(kv.modRevision)],
    ['version', nz(kv.version)],
    ['value', bytes(kv.value)],
    ['lease', nz(kv.lease)],
  ]);
}

function jsonRange(r: RangeResponse): Json {
  return obj([
    ['header', jsonHeader(r.header)],
    ['kvs', nzArr(r.kvs.map(jsonKv))],
    ['more', yes(r.more)],
    ['count', nz(r.count)],
  ]);
}

function jsonPut(r: PutResponse): Json {
  return obj([
    ['header', jsonHeader(r.header)],
    ['prev_kv', r.prevKv ? jsonKv(r.prevKv) : undefined],
  ]);
}

function jsonDelete(r: DeleteRangeResponse): Json {
  return obj([
    ['header', jsonHeader(r.header)],
    ['deleted', nz(r.deleted)],
    ['prev_kvs', nzArr(r.prevKvs.map(jsonKv))],
  ]);
}

function jsonResponseOp(op: ResponseOp): Json {
  let inner: Json;
  if ('responseRange' in op) inner = obj([['ResponseRange', jsonRange(op.responseRange)]]);
  else if ('responsePut' in op) inner = obj([['ResponsePut', jsonPut(op.responsePut)]]);
  else if ('responseDeleteRange' in op) inner = obj([['ResponseDeleteRange', jsonDelete(op.responseDeleteRange)]]);
  else inner = obj([['ResponseTxn', jsonTxn(op.responseTxn)]]);
  return obj([['Response', inner]]);
}

function jsonTxn(r: TxnResponse): Json {
  return obj([
    ['header', jsonHeader(r.header)],
    ['succeeded', yes(r.succeeded)],
    ['responses', nzArr(r.responses.map(jsonResponseOp))],
  ]);
}

function jsonEvent(e: MvccEvent): Json {
  return obj([
    ['type', e.type === 'DELETE' ? '1' : undefined],
    ['kv', jsonKv(e.kv)],
    ['prev_kv', e.prevKv ? jsonKv(e.prevKv) : undefined],
  ]);
}

function jsonMember(m: Member): Json {
  return obj([
    ['ID', nz(m.id)],
    ['name', nzStr(m.name)],
    ['peerURLs', nzArr(m.peerUrls.map(str))],
    ['clientURLs', nzArr(m.clientUrls.map(str))],
    ['isLearner', yes(m.isLearner)],
  ]);
}

function jsonMembers(header: ResponseHeader, members: Member[], added?: Member): Json {
  return obj([
    ['header', jsonHeader(header)],
    ['member', added ? jsonMember(added) : undefined],
    ['members', nzArr(members.map(jsonMember))],
  ]);
}

const ALARM_NUMBER = { NONE: 0, NOSPACE: 1, CORRUPT: 2 } as const;

class JsonPrinter extends Unsupported {
  constructor(o: Output) {
    super('json', o);
  }

  private print(json: Json): void {
    this.o.out(json + '\n');
  }

  override del(r: DeleteRangeResponse): void {
    this.print(jsonDelete(r));
  }
  override get(r: RangeResponse): void {
    this.print(jsonRange(r));
  }
  override put(r: PutResponse): void {
    this.print(jsonPut(r));
  }
  override txn(r: TxnResponse): void {
    this.print(jsonTxn(r));
  }
  override watch(r: WatchResponse): void {
    this.print(
      obj([
        ['Header', obj(headerFields(r.header))],
        ['Events', arr(r.events.map(jsonEvent))],
        ['CompactRevision', num(r.compactRevision)],
        ['Canceled', String(r.canceled)],
        ['Created', String(r.created)],
      ]),
    );
  }
  override grant(r: LeaseGrantResponse): void {
    this.print(obj([...headerFields(r.header), ['ID', num(r.id)], ['TTL', num(r.ttl)], ['Error', str(r.error)]]));
  }
  override revoke(_id: number, r: LeaseRevokeResponse): void {
    this.print(obj([['header', jsonHeader(r.header)]]));
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.print(obj([...headerFields(r.header), ['ID', num(r.id)], ['TTL', num(r.ttl)]]));
  }
  override timeToLive(r: LeaseTimeToLiveResponse, _keys: boolean): void {
    const keys = r.keys.length === 0 ? 'null' : arr(r.keys.map((k) => str(base64(k))));
    this.print(
      obj([...headerFields(r.header), ['id', num(r.id)], ['ttl', num(r.ttl)], ['granted-ttl', num(r.grantedTtl)], ['keys', keys]]),
    );
  }
  override leases(r: LeaseLeasesResponse): void {
    this.print(obj([...headerFields(r.header), ['leases', arr(r.leases.map((l) => obj([['id', num(l.id)]])))]]));
  }
  override memberAdd(r: MemberAddResponse): void {
    this.print(jsonMembers(r.header, r.members, r.member));
  }
  override memberRemove(_id: number, r: MemberRemoveResponse): void {
    this.print(jsonMembers(r.header, r.members));
  }
  override memberUpdate(_id: number, r: MemberUpdateResponse): void {
    this.print(jsonMembers(r.header, r.members));
  }
  override memberList(r: MemberListResponse): void {
    this.print(jsonMembers(r.header, r.members));
  }
  override endpointHealth(list: EndpointHealth[]): void {
    this.print(
      arr(list.map((h) => obj([['endpoint', str(h.endpoint)], ['health', String(h.health)], ['took', str(h.took)], ['error', nzStr(h.error)]]))),
    );
  }
  override endpointStatus(list: EndpointStatus[]): void {
    this.print(
      arr(
        list.map(({ endpoint, status: s }) =>
          obj([
            ['Endpoint', str(endpoint)],
            [
              'Status',
              obj([
                ['header', jsonHeader(s.header)],
                ['version', nzStr(s.version)],
                ['dbSize', nz(s.dbSize)],
                ['leader', nz(s.leader)],
                ['raftIndex', nz(s.raftIndex)],
                ['raftTerm', nz(s.raftTerm)],
                ['raftAppliedIndex', nz(s.raftAppliedIndex)],
                ['errors', nzArr(s.errors.map(str))],
                ['dbSizeInUse', nz(s.dbSizeInUse)],
                ['isLearner', yes(s.isLearner)],
              ]),
            ],
          ]),
        ),
      ),
    );
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    this.print(
      arr(
        list.map(({ endpoint, hashKV: h }) =>
          obj([
            ['Endpoint', str(endpoint)],
            [
              'HashKV',
              obj([
                ['header', jsonHeader(h.header)],
                ['hash', nz(h.hash)],
                ['compact_revision', nz(h.compactRevision)],
              ]),
            ],
          ]),
        ),
      ),
    );
  }
  override moveLeader(_leader: number, _target: number, r: MoveLeaderResponse): void {
    this.print(obj([['header', jsonHeader(r.header)]]));
  }
  override alarm(r: AlarmResult): void {
    this.print(
      obj([
        ['header', jsonHeader(r.header)],
        ['alarms', nzArr(r.alarms.map((a) => obj([['memberID', nz(a.memberId)], ['alarm', nz(ALARM_NUMBER[a.alarm])]])))],
      ]),
    );
  }
}

// ---- fields ----

class FieldsPrinter extends Unsupported {
  constructor(o: Output) {
    super('fields', o);
  }

  private line(name: string, value: string | number | boolean): void {
    const text = typeof value === 'number' ? dec(value) : String(value);
    this.o.out(`"${name}" : ${text}\n`);
  }

  private hdr(h: ResponseHeader | undefined, caller: string): void {
    if (!h) nilPrinterPanic(caller);
    this.line('ClusterID', h.clusterId);
    this.line('MemberID', h.memberId);
    this.line('Revision', h.revision);
    this.line('RaftTerm', h.raftTerm);
  }

  private kv(prefix: string, kv: KeyValue): void {
    this.o.out(`"${prefix}Key" : ${goQuote(kv.key)}\n`);
    this.o.out(`"${prefix}CreateRevision" : ${dec(kv.createRevision)}\n`);
    this.o.out(`"${prefix}ModRevision" : ${dec(kv.modRevision)}\n`);
    this.o.out(`"${prefix}Version" : ${dec(kv.version)}\n`);
    this.o.out(`"${prefix}Value" : ${goQuote(kv.value)}\n`);
    this.o.out(`"${prefix}Lease" : ${dec(kv.lease)}\n`);
  }

  override del(r: DeleteRangeResponse): void {
    this.hdr(r.header, 'delCommandFunc');
    this.line('Deleted', r.deleted);
    for (const kv of r.prevKvs) this.kv('Prev', kv);
  }
  override get(r: RangeResponse): void {
    this.hdr(r.header, 'getCommandFunc');
    for (const kv of r.kvs) this.kv('', kv);
    this.line('More', r.more);
    this.line('Count', r.count);
  }
  override put(r: PutResponse): void {
    this.hdr(r.header, 'putCommandFunc');
    if (r.prevKv) this.kv('Prev', r.prevKv);
  }
  override txn(r: TxnResponse): void {
    this.hdr(r.header, 'txnCommandFunc');
    this.line('Succeeded', r.succeeded);
    for (const op of r.responses) {
      if ('responseDeleteRange' in op) this.del(op.responseDeleteRange);
      else if ('responsePut' in op) this.put(op.responsePut);
      else if ('responseRange' in op) this.get(op.responseRange);
      else this.o.out(`"Unknown" : ${goQuote(utf8Encode(goStructText(op)))}\n`);
    }
  }
  override watch(r: WatchResponse): void {
    this.hdr(r.header, 'printWatchCh');
    for (const e of r.events) {
      this.line('Type', e.type);
      if (e.prevKv) this.kv('Prev', e.prevKv);
      this.kv('', e.kv);
    }
  }
  override grant(r: LeaseGrantResponse): void {
    this.hdr(r.header, 'leaseGrantCommandFunc');
    this.line('ID', r.id);
    this.line('TTL', r.ttl);
  }
  override revoke(_id: number, r: LeaseRevokeResponse): void {
    this.hdr(r.header, 'leaseRevokeCommandFunc');
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.hdr(r.header, 'leaseKeepAliveCommandFunc');
    this.line('ID', r.id);
    this.line('TTL', r.ttl);
  }
  override timeToLive(r: LeaseTimeToLiveResponse, _keys: boolean): void {
    this.hdr(r.header, 'leaseTimeToLiveCommandFunc');
    this.line('ID', r.id);
    this.line('TTL', r.ttl);
    this.line('GrantedTTL', r.grantedTtl);
    for (const k of r.keys) this.o.out(`"Key" : ${goQuote(k)}\n`);
  }
  override leases(r: LeaseLeasesResponse): void {
    this.hdr(r.header, 'leaseListCommandFunc');
    for (const l of r.leases) this.line('ID', l.id);
  }
  override memberList(r: MemberListResponse): void {
    this.hdr(r.header, 'memberListCommandFunc');
    for (const m of r.members) {
      this.line('ID', m.id);
      this.o.out(`"Name" : ${goQuote(utf8Encode(m.name))}\n`);
      for (const u of m.peerUrls) this.o.out(`"PeerURL" : ${goQuote(utf8Encode(u))}\n`);
      for (const u of m.clientUrls) this.o.out(`"ClientURL" : ${goQuote(utf8Encode(u))}\n`);
      this.line('IsLearner', m.isLearner);
      this.o.out('\n');
    }
  }
  override endpointHealth(list: EndpointHealth[]): void {
    for (const h of list) {
      this.o.out(`"Endpoint" : ${goQuote(utf8Encode(h.endpoint))}\n`);
      this.line('Health', h.health);
      this.line('Took', h.took);
      this.line('Error', h.error);
      this.o.out('\n');
    }
  }
  override endpointStatus(list: EndpointStatus[]): void {
    for (const { endpoint, status: s } of list) {
      this.hdr(s.header, 'epStatusCommandFunc');
      this.o.out(`"Version" : ${goQuote(utf8Encode(s.version))}\n`);
      this.line('DBSize', s.dbSize);
      this.line('Leader', s.leader);
      this.line('IsLearner', s.isLearner);
      this.line('RaftIndex', s.raftIndex);
      this.line('RaftTerm', s.raftTerm);
      this.line('RaftAppliedIndex', s.raftAppliedIndex);
      this.line('Errors', goStringSlice(s.errors));
      this.o.out(`"Endpoint" : ${goQuote(utf8Encode(endpoint))}\n`);
      this.o.out('\n');
    }
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    for (const { endpoint, hashKV: h } of list) {
      this.hdr(h.header, 'epHashKVCommandFunc');
      this.o.out(`"Endpoint" : ${goQuote(utf8Encode(endpoint))}\n`);
      this.line('Hash', h.hash);
      this.o.out('\n');
    }
  }
  override alarm(r: AlarmResult): void {
    this.hdr(r.header, 'alarmDisarmCommandFunc');
    for (const a of r.alarms) {
      this.line('MemberID', a.memberId);
      this.line('AlarmType', a.alarm);
      this.o.out('\n');
    }
  }
}

// ---- table ----

class TablePrinter extends Unsupported {
  constructor(o: Output) {
    super('table', o);
  }
  override memberList(r: MemberListResponse): void {
    this.o.out(renderTable(['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'], memberRows(r.members)));
  }
  override endpointHealth(list: EndpointHealth[]): void {
    this.o.out(renderTable(['endpoint', 'health', 'took', 'error'], list.map((h) => [h.endpoint, String(h.health), h.took, h.error])));
  }
  override endpointStatus(list: EndpointStatus[]): void {
    const header = ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'];
    this.o.out(renderTable(header, statusRows(list)));
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    this.o.out(renderTable(['endpoint', 'hash'], list.map((h) => [h.endpoint, String(h.hashKV.hash)])));
  }
}

// ---- protobuf ----

class ProtobufPrinter extends Unsupported {
  constructor(o: Output) {
    super('protobuf', o);
  }
  private print(b: string): void {
    this.o.out(b);
  }
  override del(r: DeleteRangeResponse): void {
    this.print(pb.encodeDelete(r));
  }
  override get(r: RangeResponse): void {
    this.print(pb.encodeRange(r));
  }
  override put(r: PutResponse): void {
    this.print(pb.encodePut(r));
  }
  override txn(r: TxnResponse): void {
    this.print(pb.encodeTxn(r));
  }
  override watch(r: WatchResponse): void {
    this.print(pb.encodeWatch(r));
  }
  // The clientv3 lease responses embed *pb.ResponseHeader, whose Marshal is all printPB finds.
  override grant(r: LeaseGrantResponse): void {
    this.print(pb.encodeHeader(r.header));
  }
  override revoke(_id: number, r: LeaseRevokeResponse): void {
    this.print(pb.encodeHeaderOnly(r.header));
  }
  override keepAlive(r: LeaseKeepAliveResponse): void {
    this.print(pb.encodeHeader(r.header));
  }
  override timeToLive(r: LeaseTimeToLiveResponse, _keys: boolean): void {
    this.print(pb.encodeHeader(r.header));
  }
  override leases(r: LeaseLeasesResponse): void {
    this.print(pb.encodeHeader(r.header));
  }
  override memberAdd(r: MemberAddResponse): void {
    this.print(pb.encodeMembers(r.header, r.members, r.member));
  }
  override memberRemove(_id: number, r: MemberRemoveResponse): void {
    this.print(pb.encodeMembers(r.header, r.members));
  }
  override memberUpdate(_id: number, r: MemberUpdateResponse): void {
    this.print(pb.encodeMembers(r.header, r.members));
  }
  override memberList(r: MemberListResponse): void {
    this.print(pb.encodeMembers(r.header, r.members));
  }
  override moveLeader(_leader: number, _target: number, r: MoveLeaderResponse): void {
    this.print(pb.encodeHeaderOnly(r.header));
  }
  override alarm(r: AlarmResult): void {
    this.print(pb.encodeAlarms(r.header, r.alarms));
  }
}

/** NewPrinter: the printer for `-w <format>`, or null for an unknown format. */
export function newPrinter(format: string, isHex: boolean, o: Output): Printer | null {
  switch (format) {
    case 'simple':
      return new SimplePrinter(o, isHex);
    case 'json':
      return new JsonPrinter(o);
    case 'fields':
      return new FieldsPrinter(o);
    case 'table':
      return new TablePrinter(o);
    case 'protobuf':
      return new ProtobufPrinter(o);
    default:
      return null;
  }
}

/** get --print-value-only: only the simple printer has it. */
export function setValueOnly(p: Printer): boolean {
  if (p instanceof SimplePrinter) {
    p.valueOnly = true;
    return true;
  }
  return false;
}

/** True for the simple printer (etcdctl checks `display.(*simplePrinter)`). */
export function isSimple(p: Printer): boolean {
  return p instanceof SimplePrinter;
}
