/**
 * The int8 scan of {@link createInt8Index}: the integer dot product of one quantised query with
 * every quantised row. Two interchangeable scanners with identical results:
 * - `simd`: a 0.5 KB WebAssembly module, assembled below from its instruction listing, that
 *   multiplies 16 codes per instruction (i16x8.extmul of i8x16 lanes); about 15× the JS loop;
 * - `js`: the same sums in a plain loop, for engines without WebAssembly SIMD (or without
 *   permission to compile WebAssembly).
 * Rows are `stride` bytes apart, `stride` a multiple of 32 (the kernel reads 32 bytes a turn);
 * the padding stays zero. Codes must lie in [-127, 127]: two products then fit an i16 lane.
 */

export type Int8KernelKind = 'simd' | 'js';

export interface Int8Scanner {
  readonly kind: Int8KernelKind;
  /** Row `r` starts at `codes[r * stride]`. A new view after every {@link reserve}. */
  readonly codes: Int8Array;
  /** The quantised query, `stride` long. A new view after every {@link reserve}. */
  readonly query: Int8Array;
  /** Room for `rows` rows; the codes of the existing rows are kept. */
  reserve(rows: number): void;
  /** `out[r]` = query · row r for r < rows. The array is reused by the next call. */
  scan(rows: number): Int32Array;
}

/** Bytes read per kernel turn; row strides are multiples of it. */
export const KERNEL_STEP = 32;

export function strideFor(dimension: number): number {
  return Math.ceil(dimension / KERNEL_STEP) * KERNEL_STEP;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is missing or compiling is forbidden (CSP). */
function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = kernelBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function simdAvailable(): boolean {
  return simdModule() !== null;
}

export function createInt8Scanner(stride: number, capacity: number, kind: Int8KernelKind): Int8Scanner {
  if (stride % KERNEL_STEP !== 0) throw new RangeError(`stride ${stride} is not a multiple of ${KERNEL_STEP}`);
  if (kind === 'js') return jsScanner(stride, capacity);
  const module = simdModule();
  if (!module) throw new Error('WebAssembly SIMD is not available here');
  return simdScanner(module, stride, capacity);
}

function jsScanner(stride: number, capacity: number): Int8Scanner {
  let codes = new Int8Array(stride * capacity);
  let out = new Int32Array(capacity);
  const query = new Int8Array(stride);
  return {
    kind: 'js',
    get codes() {
      return codes;
    },
    query,
    reserve(rows) {
      if (rows <= out.length) return;
      const next = new Int8Array(stride * rows);
      next.set(codes);
      codes = next;
      out = new Int32Array(rows);
    },
    scan(rows) {
      for (let r = 0; r < rows; r++) out[r] = dotInt8(codes, r * stride, query, stride);
      return out;
    },
  };
}

/** Integer dot product; four independent sums, kept in int32 by `| 0`. */
function dotInt8(codes: Int8Array, base: number, query: Int8Array, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let d = 0; d < length; d += 4) {
    s0 = (s0 + codes[base + d]! * query[d]!) | 0;
    s1 = (s1 + codes[base + d + 1]! * query[d + 1]!) | 0;
    s2 = (s2 + codes[base + d + 2]! * query[d + 2]!) | 0;
    s3 = (s3 + codes[base + d + 3]! * query[d + 3]!) | 0;
  }
  return (s0 + s1 + s2 + s3) | 0;
}

const PAGE = 65_536;

/** Linear memory: [query: stride][codes: capacity × stride][out: capacity × 4]. */
function simdScanner(module: WebAssembly.Module, stride: number, capacity: number): Int8Scanner {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const scan = new WebAssembly.Instance(module, { env: { memory } }).exports.scan as (
    codes: number,
    query: number,
    stride: number,
    rows: number,
    out: number,
  ) => void;
  const codesAt = stride;
  let rowsRoom = 0;
  let codes = new Int8Array(0);
  let query = new Int8Array(0);
  let out = new Int32Array(0);
  const reserve = (rows: number) => {
    if (rows <= rowsRoom && codes.buffer === memory.buffer) return;
    rowsRoom = Math.max(rows, rowsRoom);
    const bytes = codesAt + rowsRoom * stride + rowsRoom * 4;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    codes = new Int8Array(memory.buffer, codesAt, rowsRoom * stride);
    query = new Int8Array(memory.buffer, 0, stride);
    out = new Int32Array(memory.buffer, codesAt + rowsRoom * stride, rowsRoom);
  };
  reserve(capacity);
  return {
    kind: 'simd',
    get codes() {
      return codes;
    },
    get query() {
      return query;
    },
    reserve,
    scan(rows) {
      scan(codesAt, 0, stride, rows, out.byteOffset);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The kernel, as a WebAssembly binary. Its text form:
//
// (func (export "scan") (param $codes $query $stride $rows $out i32)
//   (local $end $p $q $rowEnd i32) (local $acc0 $acc1 $a $b v128)
//   $end = $out + $rows * 4
//   loop over rows while $out < $end:
//     $acc0 = $acc1 = 0;  $p = $codes;  $rowEnd = $codes + $stride;  $q = $query
//     loop while $p < $rowEnd, 32 bytes a turn, for offset in (0, 16):
//       $a = v128.load($p + offset);  $b = v128.load($q + offset)
//       $accN += i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.extmul_low_i8x16_s($a, $b),
//                                                        i16x8.extmul_high_i8x16_s($a, $b)))
//     i32.store($out, lane sum of $acc0 + $acc1);  $out += 4;  $codes = $rowEnd
// )
// Two products of codes in [-127, 127] add up to at most 32,258: an i16 lane holds it.
// ---------------------------------------------------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
// Local indexes: the five parameters, then four i32 and four v128 locals.
const [CODES, QUERY, STRIDE, ROWS, OUT] = [0, 1, 2, 3, 4] as const;
const [END, P, Q, ROW_END] = [5, 6, 7, 8] as const;
const [ACC0, ACC1, A, B] = [9, 10, 11, 12] as const;

const uleb = (n: number): number[] => {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0);
  return bytes;
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const i32Const = (value: number) => [0x41, ...uleb(value)];
const I32_ADD = [0x6a];
const I32_SHL = [0x74];
const I32_LT_U = [0x49];
const I32_GE_U = [0x4f];
const I32_STORE = [0x36, 2, 0];
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...uleb(opcode), ...immediates];
const v128Load = (offset: number) => simd(0x00, 4, offset);
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const I16X8_EXTMUL_LOW_I8X16_S = simd(0x9c);
const I16X8_EXTMUL_HIGH_I8X16_S = simd(0x9d);
const I16X8_ADD = simd(0x8e);
const I32X4_EXTADD_PAIRWISE_I16X8_S = simd(0x7e);
const I32X4_ADD = simd(0xae);
const i32x4Lane = (lane: number) => simd(0x1b, lane);

/** $acc += pairwise(extmul_low(a, b) + extmul_high(a, b)) over the 16 bytes at `offset`. */
const step = (acc: number, offset: number) => [
  ...get(acc),
  ...get(P),
  ...v128Load(offset),
  ...tee(A),
  ...get(Q),
  ...v128Load(offset),
  ...tee(B),
  ...I16X8_EXTMUL_LOW_I8X16_S,
  ...get(A),
  ...get(B),
  ...I16X8_EXTMUL_HIGH_I8X16_S,
  ...I16X8_ADD,
  ...I32X4_EXTADD_PAIRWISE_I16X8_S,
  ...I32X4_ADD,
  ...set(acc),
];

const SCAN_BODY = [
  ...[...get(OUT), ...get(ROWS), ...i32Const(2), ...I32_SHL, ...I32_ADD, ...set(END)],
  ...[0x02, 0x40, 0x03, 0x40], // block, loop (over rows)
  ...[...get(OUT), ...get(END), ...I32_GE_U, 0x0d, 1], // br_if exit
  ...[...V128_ZERO, ...set(ACC0), ...V128_ZERO, ...set(ACC1)],
  ...[...get(CODES), ...tee(P), ...get(STRIDE), ...I32_ADD, ...set(ROW_END), ...get(QUERY), ...set(Q)],
  ...[0x03, 0x40], // loop (over the row, 32 bytes a turn)
  ...step(ACC0, 0),
  ...step(ACC1, 16),
  ...[...get(P), ...i32Const(32), ...I32_ADD, ...tee(P), ...get(Q), ...i32Const(32), ...I32_ADD, ...set(Q)],
  ...[...get(ROW_END), ...I32_LT_U, 0x0d, 0, 0x0b], // br_if continue; end
  ...[...get(OUT), ...get(ACC0), ...get(ACC1), ...I32X4_ADD, ...tee(ACC0), ...i32x4Lane(0)],
  ...[...get(ACC0), ...i32x4Lane(1), ...I32_ADD, ...get(ACC0), ...i32x4Lane(2), ...I32_ADD],
  ...[...get(ACC0), ...i32x4Lane(3), ...I32_ADD, ...I32_STORE],
  ...[...get(OUT), ...i32Const(4), ...I32_ADD, ...set(OUT), ...get(ROW_END), ...set(CODES)],
  ...[0x0c, 0, 0x0b, 0x0b, 0x0b], // br loop; end loop; end block; end func
];

/** The module's bytes: one function `scan`, the memory imported as env.memory. */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const body = [
    ...vec([
      [4, I32],
      [4, V128],
    ]),
    ...SCAN_BODY,
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])), // (i32 × 5) → ()
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, min 0
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
