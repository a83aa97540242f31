// Draws Mneme's PWA icons as PNG files with no dependencies (`npm run icons`): an indigo-to-violet
// square with a white "M" drawn as five linked memory nodes. The shapes are signed distance
// fields, so every edge is anti-aliased. `maskable` fills the whole square (the platform crops it)
// and shrinks the mark to stay well inside the central safe circle (radius 40 % of the size).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

// ---- PNG encoding: signature, IHDR, one IDAT (zlib), IEND; every chunk with its CRC-32 ----
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An RGBA PNG of `size`×`size`; `pixel(x, y)` gets the pixel centre and returns [r, g, b, a]. */
function encodePng(size, pixel) {
  const stride = size * 4 + 1;
  const raw = Buffer.alloc(size * stride); // each row: filter byte 0 (none), then RGBA
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x + 0.5, y + 0.5), y * stride + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA, deflate, filter method 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- The drawing, in units of the icon's size (0..1) ----
const TOP_LEFT = [79, 70, 229]; // indigo-600
const BOTTOM_RIGHT = [124, 58, 237]; // violet-600
const WHITE = [255, 255, 255];

/** The "M": bottom-left, top-left, the valley, top-right, bottom-right. Centred on (0.5, 0.5). */
const NODES = [
  [0.285, 0.69],
  [0.285, 0.31],
  [0.5, 0.55],
  [0.715, 0.31],
  [0.715, 0.69],
];
const STROKE = 0.06;
const NODE_RADIUS = 0.068;
const VALLEY_RADIUS = 0.058;

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));
const clamp01 = (v) => Math.max(0, Math.min(1, v));

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = clamp01(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Signed distance (in icon units) from the mark: negative inside. */
function markDistance(x, y) {
  let d = Infinity;
  for (let i = 0; i < NODES.length - 1; i++) d = Math.min(d, distanceToSegment(x, y, NODES[i], NODES[i + 1]) - STROKE / 2);
  NODES.forEach(([nx, ny], i) => (d = Math.min(d, Math.hypot(x - nx, y - ny) - (i === 2 ? VALLEY_RADIUS : NODE_RADIUS))));
  return d;
}

/** Signed distance from a rounded square filling the icon. */
function squareDistance(x, y, radius) {
  const qx = Math.abs(x - 0.5) - (0.5 - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function drawIcon(size, { maskable }) {
  const markScale = maskable ? 0.78 : 1;
  const cornerRadius = maskable ? 0 : 0.2;
  return encodePng(size, (px, py) => {
    const x = px / size;
    const y = py / size;
    const coverage = maskable ? 1 : clamp01(0.5 - squareDistance(x, y, cornerRadius) * size);
    if (coverage === 0) return [0, 0, 0, 0];
    const background = mix(TOP_LEFT, BOTTOM_RIGHT, clamp01((x + y) / 2));
    // Scale the mark about the centre; distances scale with it.
    const d = markDistance(0.5 + (x - 0.5) / markScale, 0.5 + (y - 0.5) / markScale) * markScale;
    const ink = clamp01(0.5 - d * size);
    return [...mix(background, WHITE, ink), Math.round(coverage * 255)];
  });
}

/** The farthest point of the mark from the centre, as a fraction of the icon size. */
function markExtent(scale) {
  return Math.max(...NODES.map(([x, y]) => Math.hypot(x - 0.5, y - 0.5) + NODE_RADIUS)) * scale;
}
if (markExtent(0.78) > 0.4) throw new Error('The maskable mark leaves the safe zone');

const folder = new URL('../public/icons/', import.meta.url);
mkdirSync(folder, { recursive: true });
const icons = [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-512.png', 512, true],
  // iOS rounds the corners itself and shows transparency as black: full bleed.
  ['apple-touch-icon.png', 180, true],
];
for (const [name, size, maskable] of icons) {
  const png = drawIcon(size, { maskable });
  writeFileSync(new URL(name, folder), png);
  console.log(`public/icons/${name}: ${size}×${size}, ${(png.length / 1024).toFixed(1)} KB`);
}
