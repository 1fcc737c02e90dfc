/** CRC-8 as KSeF uses it for KSeF numbers: polynomial 0x07, init 0x00, no reflection, no final XOR (CRC-8/SMBUS). */
const TABLE = buildTable();

function buildTable(): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    table[i] = crc;
  }
  return table;
}

/** CRC-8 (0x07) of the UTF-8 bytes of `text`. */
export function crc8(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) crc = TABLE[crc ^ byte];
  return crc;
}
