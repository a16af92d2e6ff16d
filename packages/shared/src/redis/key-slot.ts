/**
 * The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag (the part
 * between the first `{` and the next `}`, when not empty) or of the whole
 * key, modulo 16384. floodgate uses it to place partition queues on slots
 * spread over the slot space, and tests compare it with `CLUSTER KEYSLOT`.
 */
export function keySlot(key: string): number {
  const bytes = Buffer.from(hashedPart(key));
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOT_COUNT;
}

/** Slots of a Redis Cluster. */
export const SLOT_COUNT = 16_384;

/** The hash tag of `key`, or undefined when it has none (then the whole key is hashed). */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

function hashedPart(key: string): string {
  return hashTagOf(key) ?? key;
}
