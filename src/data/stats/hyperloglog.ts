/**
 * @module data/stats/hyperloglog
 * HyperLogLog distinct count (Flajolet, Fusy, Gandouet & Meunier 2007) with p = 14 (16 384 one-byte
 * registers, standard error 1.04/√m ≈ 0.81 %), linear counting below 2.5·m (Heule, Nunkesser &
 * Hall, "HyperLogLog in Practice", 2013, §4) and the 32-bit large-range correction. Hashing is
 * deterministic (MurmurHash3's 32-bit finaliser over the value's bits / UTF-16 code units), so
 * registers are byte-identical across runs and platforms. Merge is the register-wise maximum:
 * exactly associative and commutative, so partitioned and one-pass sketches are identical.
 */
import { AppError } from '../../kernel/index.js';

export const HLL_DEFAULT_P = 14;

export interface HllState {
  readonly p: number;
  registers: Uint8Array;
}

/** Empty sketch with 2^p registers. */
export function initHll(p = HLL_DEFAULT_P): HllState {
  if (!(p >= 4 && p <= 18)) throw new AppError('INVALID_INPUT', { message: `HyperLogLog precision must be in [4, 18], got ${p}` });
  return { p, registers: new Uint8Array(1 << p) };
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Hash of a float64 given its low and high 32-bit words (callers map −0 to 0 first). */
export function hashBits(lo: number, hi: number): number {
  return fmix32(Math.imul(lo ^ 0x3c6ef372, 0x9e3779b1) ^ hi);
}

/** Deterministic 32-bit hash of a float64 (−0 hashes as 0). */
export function hashNumber(x: number): number {
  f64[0] = x === 0 ? 0 : x;
  return hashBits(u32[0]!, u32[1]!);
}

/** Deterministic 32-bit hash of a string (FNV-1a over UTF-16 code units, then MurmurHash3's finaliser). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/** Records one 32-bit hash. */
export function addHash(state: HllState, hash: number): void {
  const p = state.p;
  const idx = hash >>> (32 - p);
  const rest = (hash << p) >>> 0;
  const rank = rest === 0 ? 32 - p + 1 : Math.clz32(rest) + 1;
  if (rank > state.registers[idx]!) state.registers[idx] = rank;
}

/** Adds the non-NaN values of `values[start..end)`. */
export function updateHllNumbers(state: HllState, values: Float64Array, start = 0, end = values.length): HllState {
  for (let i = start; i < end; i++) {
    const x = values[i]!;
    if (!Number.isNaN(x)) addHash(state, hashNumber(x));
  }
  return state;
}

/** Register-wise maximum of two sketches (a new state). */
export function mergeHll(a: HllState, b: HllState): HllState {
  if (a.p !== b.p) throw new AppError('INVALID_INPUT', { message: `Cannot merge HyperLogLog sketches of precision ${a.p} and ${b.p}` });
  const registers = a.registers.slice();
  const rb = b.registers;
  for (let i = 0; i < registers.length; i++) if (rb[i]! > registers[i]!) registers[i] = rb[i]!;
  return { p: a.p, registers };
}

/** The distinct-count estimate. */
export function finalizeHll(state: HllState): number {
  const m = state.registers.length;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const r = state.registers[i]!;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / sum;
  if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
  const two32 = 4294967296;
  if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
  return Math.round(raw);
}
