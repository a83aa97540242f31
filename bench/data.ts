/** Deterministic synthetic data for the benchmarks: unit vectors and short English-like memories. */
import { createSeededRandom as random } from '../src/core/pipeline/outbox-jobs';

/**
 * `n` unit vectors of `dim` dimensions in one packed array (row i at i·dim), each around one of
 * `clusters` random centres weighted `spread` against unit Gaussian noise (0 clusters: isotropic).
 */
export function packedUnitVectors(n: number, dim: number, seed: number, clusters = 0, spread = 1.5): Float32Array {
  const rnd = random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  const out = new Float32Array(n * dim);
  const v = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const centre = clusters > 0 ? centres[i % clusters]! : undefined;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      v[d] = (centre ? centre[d]! * spread : 0) + gauss();
      norm += v[d]! * v[d]!;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[i * dim + d] = v[d]! / norm;
  }
  return out;
}

/** The same vectors as separate arrays. */
export function unitVectors(n: number, dim: number, seed: number, clusters = 0): Float32Array[] {
  const packed = packedUnitVectors(n, dim, seed, clusters);
  return Array.from({ length: n }, (_, i) => packed.slice(i * dim, (i + 1) * dim));
}

const WORDS = (
  'coffee tea morning sister brother garden violin guitar lisbon berlin dinner restaurant birthday anniversary ' +
  'marathon running hiking camping mountain lake river painting sunrise book novel author friend support group ' +
  'doctor appointment dentist friday saturday monday passport renewal budget salary project deadline meeting ' +
  'kayak bicycle car tyres winter summer holiday flight oslo tokyo kyoto recipe sourdough basil tomato'
).split(' ');

export function sentences(n: number, seed: number): string[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 14 + Math.floor(rnd() * 10) }, () => WORDS[Math.floor(rnd() * WORDS.length)]!);
    return `Memory ${i}: ${words.join(' ')}.`;
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
