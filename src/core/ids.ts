/**
 * Random ids that work in every context: `crypto.randomUUID` is missing on plain-http pages
 * (a phone opening the app by LAN address), `crypto.getRandomValues` is not.
 */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Random bytes drawn 4 KB at a time (one call for 256 ids: a bulk add makes thousands). */
const pool = new Uint8Array(4096);
let used = pool.length;

export function createId(): string {
  if (used === pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const b = pool.subarray(used, (used += 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = (from: number, to: number) => {
    let out = '';
    for (let i = from; i < to; i++) out += HEX[b[i]!];
    return out;
  };
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}
