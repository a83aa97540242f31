// Draws the PWA icons (PNG, no dependencies): an indigo rounded square with a white "M" of three
// connected nodes, the memory mark. `maskable` fills the whole square and keeps the mark in the
// central 80 % safe zone.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x + 0.5, y + 0.5), y * (size * 4 + 1) + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const INDIGO = [67, 56, 202];
const VIOLET = [124, 58, 237];
const WHITE = [255, 255, 255];
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));
const distToSegment = (px, py, [ax, ay], [bx, by]) => {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
};

function icon(size, { maskable }) {
  const s = size;
  const inset = maskable ? 0.24 : 0.2; // the mark's margin
  const radius = maskable ? 0 : 0.22 * s;
  const nodes = [
    [inset, 0.68],
    [inset + 0.15, 0.34],
    [0.5, 0.56],
    [1 - inset - 0.15, 0.34],
    [1 - inset, 0.68],
  ].map(([x, y]) => [x * s, (maskable ? 0.1 + y * 0.8 : y) * s]);
  const line = 0.05 * s;
  const dot = 0.068 * s;
  return png(size, (x, y) => {
    const cx = Math.max(radius, Math.min(s - radius, x));
    const cy = Math.max(radius, Math.min(s - radius, y));
    const outside = Math.hypot(x - cx, y - cy) - radius;
    const alpha = radius === 0 ? 1 : Math.max(0, Math.min(1, 0.5 - outside));
    if (alpha === 0) return [0, 0, 0, 0];
    let color = mix(INDIGO, VIOLET, (x + y) / (2 * s));
    let ink = 0;
    for (let i = 0; i < nodes.length - 1; i++)
      ink = Math.max(ink, Math.min(1, 0.5 - (distToSegment(x, y, nodes[i], nodes[i + 1]) - line / 2)));
    for (const [nx, ny] of nodes) ink = Math.max(ink, Math.min(1, 0.5 - (Math.hypot(x - nx, y - ny) - dot)));
    color = mix(color, WHITE, Math.max(0, ink));
    return [...color, Math.round(alpha * 255)];
  });
}

writeFileSync(new URL('../public/icons/icon-192.png', import.meta.url), icon(192, { maskable: false }));
writeFileSync(new URL('../public/icons/icon-512.png', import.meta.url), icon(512, { maskable: false }));
writeFileSync(new URL('../public/icons/maskable-512.png', import.meta.url), icon(512, { maskable: true }));
writeFileSync(new URL('../public/icons/apple-touch-icon.png', import.meta.url), icon(180, { maskable: true }));
console.log('icons written to public/icons/');
