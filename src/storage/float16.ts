/**
 * IEEE half-precision encoding for stored vectors: half the bytes of float32. Unit-vector
 * components keep a relative error under 2^-11, which moves a cosine by about 1e-4.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mantissa = (mantissa | 0x800000) >>> (1 - e);
    return sign | ((mantissa + 0x1000) >>> 13); // subnormal, rounded
  }
  const rounded = mantissa + 0x1000; // round half up on the 13 dropped bits
  if (rounded & 0x800000) {
    mantissa = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else mantissa = rounded;
  return sign | (e << 10) | (mantissa >>> 13);
}

export function fromFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The engine's own half-precision array (Chromium 135+, Firefox 129+, Safari 18.2+), when it has one. */
type HalfArray = new (...args: [ArrayLike<number>] | [ArrayBufferLike, number, number]) => ArrayLike<number>;
const NativeFloat16 = (globalThis as { Float16Array?: HalfArray }).Float16Array;

/**
 * Float32 → float16 bits. With a native Float16Array the engine converts (round to nearest even,
 * which differs from {@link toFloat16}'s round-half-up only on exact ties, by one unit in the last place).
 */
export function encodeFloat16(values: Float32Array): ArrayBuffer {
  if (NativeFloat16) return (new NativeFloat16(values) as unknown as Uint16Array).buffer as ArrayBuffer;
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16(values[i]!);
  return out.buffer;
}

/** Every float16 bit pattern's value, built on first use: decoding is then one lookup a value. */
let table: Float32Array | undefined;

/** The value of every float16 bit pattern (index: the bits); an index decodes stored rows with it. */
export function float16Values(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    if (NativeFloat16) {
      // The engine's conversion is exact and builds the table in a fraction of a millisecond…
      const bits = new Uint16Array(65536).map((_, i) => i);
      table.set(new NativeFloat16(bits.buffer, 0, 65536));
    } else for (let bits = 0; bits < 65536; bits++) table[bits] = fromFloat16(bits);
  }
  return table;
}

export function decodeFloat16(buffer: ArrayBuffer | Uint16Array): Float32Array {
  const bits = buffer instanceof Uint16Array ? buffer : new Uint16Array(buffer);
  const out = new Float32Array(bits.length);
  decodeFloat16Into(out, 0, bits, 0, bits.length);
  return out;
}

/**
 * Decodes `length` float16 values of `bits` from `from` into `target` at `at`, one table lookup a
 * value (…but converting arrays with it, a row at a time, measured three times slower than this in Chromium 156).
 */
export function decodeFloat16Into(target: Float32Array, at: number, bits: Uint16Array, from: number, length: number): void {
  const values = float16Values();
  for (let i = 0; i < length; i++) target[at + i] = values[bits[from + i]!]!;
}
