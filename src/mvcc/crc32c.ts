// CRC-32C (Castagnoli), the checksum etcd's HashKV uses (Go's crc32.MakeTable(crc32.Castagnoli)).
// Pure: a table-driven, byte-at-a-time implementation over byte strings and Uint8Arrays.
//
// Reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final xor 0xFFFFFFFF. Like Go's
// hash.Hash32, the running state is kept un-finalised so several writes can be chained: start with
// CRC32C_INIT, feed pieces with crc32cUpdate, finish with crc32cFinish.

const POLY = 0x82f63b78;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The running state before any byte has been fed. */
export const CRC32C_INIT = 0xffffffff;

/** Feeds `data` (a byte string, one char per byte, or bytes) into a running CRC state. */
export function crc32cUpdate(state: number, data: string | Uint8Array): number {
  let c = state >>> 0;
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) {
      c = TABLE[(c ^ data.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
    }
  } else {
    for (let i = 0; i < data.length; i++) {
      c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    }
  }
  return c >>> 0;
}

/** The checksum of everything fed so far (Go's Sum32). */
export function crc32cFinish(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** The CRC-32C of one piece of data. */
export function crc32c(data: string | Uint8Array): number {
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, data));
}
