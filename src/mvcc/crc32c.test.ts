// CRC-32C and the protobuf encoding that feeds etcd's hash: known vectors, chaining, and sizes.
// Method: published check values for CRC-32C, hand-encoded protobuf bytes for KeyValue.
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cFinish, crc32cUpdate, CRC32C_INIT } from './crc32c';
import { encodeVarint, keyValueSize, marshalKeyValue, varintSize } from './protobuf';

function hex(bytes: string): string {
  return [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
}

describe('crc32c', () => {
  it('matches the published check value for "123456789"', () => {
    expect(crc32c('123456789')).toBe(0xe3069283);
  });

  it('gives 0 for no data and agrees on strings and byte arrays', () => {
    expect(crc32c('')).toBe(0);
    expect(crc32c(new Uint8Array([0x31, 0x32, 0x33]))).toBe(crc32c('123'));
  });

  it('gives the same result when the data is fed in pieces', () => {
    let state = CRC32C_INIT;
    for (const piece of ['key', '\x00\x01\xff', 'value']) state = crc32cUpdate(state, piece);
    expect(crc32cFinish(state)).toBe(crc32c('key\x00\x01\xffvalue'));
  });

  it('matches 32 zero bytes (RFC 3720 test vector)', () => {
    expect(crc32c('\x00'.repeat(32))).toBe(0x8a9136aa);
    expect(crc32c('\xff'.repeat(32))).toBe(0x62a8ab43);
  });
});

describe('protobuf', () => {
  it('encodes varints like protobuf', () => {
    expect(hex(encodeVarint(1))).toBe('01');
    expect(hex(encodeVarint(300))).toBe('ac 02');
    expect(hex(encodeVarint(-1))).toBe('ff ff ff ff ff ff ff ff ff 01');
    // 2^62 + 2^10: a lease-ID-sized exact double.
    const big = 2 ** 62 + 1024;
    let n = BigInt(big);
    let expected = '';
    while (n >= 128n) {
      expected += String.fromCharCode(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    expected += String.fromCharCode(Number(n));
    expect(encodeVarint(big)).toBe(expected);
    expect(varintSize(big)).toBe(expected.length);
  });

  it('marshals a KeyValue with fields in order and zero fields omitted', () => {
    const kv = { key: 'foo', createRevision: 2, modRevision: 3, version: 2, value: 'bar2', lease: 0 };
    expect(hex(marshalKeyValue(kv))).toBe('0a 03 66 6f 6f 10 02 18 03 20 02 2a 04 62 61 72 32');
    expect(keyValueSize(kv)).toBe(marshalKeyValue(kv).length);
  });

  it('marshals a tombstone as just its key', () => {
    const kv = { key: 'k', createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 };
    expect(hex(marshalKeyValue(kv))).toBe('0a 01 6b');
  });

  it('marshals a lease as field 6', () => {
    const kv = { key: 'k', createRevision: 5, modRevision: 5, version: 1, value: '', lease: 300 };
    expect(hex(marshalKeyValue(kv))).toBe('0a 01 6b 10 05 18 05 20 01 30 ac 02');
    expect(keyValueSize(kv)).toBe(12);
  });
});
