/**
 * @module ml/gbdt/radix-sort
 * Linear-time sorting of float32 values for the trainer's hot paths (quantile cuts once per
 * training, ROC AUC every round): an LSD radix sort with 11-bit digits on order-preserving
 * integer keys (sign bit flipped for positives, all bits flipped for negatives). Equal keys keep
 * their input order (stable), so results are deterministic.
 */

function orderKey(bits: number): number {
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function fromOrderKey(key: number): number {
  return key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
}

/** Counting-sort passes over `keys` (permuting `payload` alongside when given); returns the sorted buffers. */
function radixPasses(keys: Uint32Array, payload: Int32Array | undefined): { keys: Uint32Array; payload: Int32Array | undefined } {
  const n = keys.length;
  const counts = new Int32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    counts[k & 2047] = counts[k & 2047]! + 1;
    counts[2048 + ((k >>> 11) & 2047)] = counts[2048 + ((k >>> 11) & 2047)]! + 1;
    counts[4096 + (k >>> 22)] = counts[4096 + (k >>> 22)]! + 1;
  }
  let spareKeys: Uint32Array = new Uint32Array(n);
  let sparePayload: Int32Array | undefined = payload === undefined ? undefined : new Int32Array(n);
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    const shift = pass * 11;
    // A digit shared by every key leaves the order unchanged: skip the pass.
    let used = 0;
    for (let d = 0; d < 2048 && used < 2; d++) if (counts[base + d]! > 0) used++;
    if (used < 2) continue;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const d = base + ((k >>> shift) & 2047);
      const at = counts[d]!;
      spareKeys[at] = k;
      if (payload !== undefined) sparePayload![at] = payload[i]!;
      counts[d] = at + 1;
    }
    const k = keys;
    keys = spareKeys;
    spareKeys = k;
    const p = payload;
    payload = sparePayload;
    sparePayload = p;
  }
  return { keys, payload };
}

/**
 * float32 values (no NaN) in ascending order (-0 before +0), as a new array; `payload`, one
 * entry per value, is permuted alongside in place (stable).
 */
export function sortFloat32(values: Float32Array, payload?: Int32Array): Float32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = orderKey(bits[i]!);
  const result = radixPasses(keys, payload);
  const sorted = result.keys;
  if (payload !== undefined && result.payload !== payload) payload.set(result.payload!);
  const out = new Float32Array(n);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) outBits[i] = fromOrderKey(sorted[i]!);
  return out;
}

/** Indices that sort `values` ascending (stable: ties keep index order). */
export function argsortFloat32(values: Float32Array): Int32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const keys = new Uint32Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // -0 and +0 compare equal: give them one key so they form one tie group.
    keys[i] = orderKey(values[i] === 0 ? 0 : bits[i]!);
    index[i] = i;
  }
  return radixPasses(keys, index).payload!;
}
