/**
 * @module ml/explain/tree-shap-kernel
 * The per-row TreeSHAP loop over precomputed tables (see tree-shap-tables.ts for the maths).
 * This function is deliberately self-contained (no imports, no closures over module state):
 * worker threads receive its source text, so the single-threaded and parallel paths run the
 * very same code and give bit-identical results.
 */
import type { ShapTables } from './tree-shap-tables.js';

/**
 * Adds TreeSHAP values of rows [rowStart, rowEnd) of `x` (row-major, `cols` wide, float32, NaN =
 * missing) into `out`, laid out rows × groups × (numFeature + 1) with the bias last in each block.
 * `out` must be zero for those rows on entry.
 */
export function treeShapKernel(tb: ShapTables, x: Float32Array, cols: number, rowStart: number, rowEnd: number, out: Float64Array): void {
  const width = tb.numFeature + 1;
  const groups = tb.numGroups;
  const rowWidth = groups * width;
  const mask = new Int32Array(tb.totalNodes);
  const { internalStart, internalOrder, leafStart, feature, threshold, defaultLeft, left, right, slotBit } = tb;
  const { leafNode, leafDepth, leafFeatureStart, leafTableStart, leafFeatures, table } = tb;
  let direct: Float64Array | undefined;
  let prefix: Float64Array | undefined;
  let bits: Uint8Array | undefined;

  for (let r = rowStart; r < rowEnd; r++) {
    for (let g = 0; g < groups; g++) out[r * rowWidth + g * width + tb.numFeature] = tb.bias[g]!;
  }
  // Tree-outer order keeps one tree's tables in cache while all rows stream through it.
  for (let t = 0; t < tb.numTrees; t++) {
    const groupOffset = tb.treeGroup[t]! * width;
    const i0 = internalStart[t]!;
    const i1 = internalStart[t + 1]!;
    const l0 = leafStart[t]!;
    const l1 = leafStart[t + 1]!;
    if (i0 === i1) continue;
    mask[internalOrder[i0]!] = -1;
    for (let r = rowStart; r < rowEnd; r++) {
      const xo = r * cols;
      const oo = r * rowWidth + groupOffset;
      // Satisfaction masks top-down: the child x does not take loses its feature's bit.
      for (let k = i0; k < i1; k++) {
        const n = internalOrder[k]!;
        const m = mask[n]!;
        const v = x[xo + feature[n]!]!;
        const goLeft = Number.isNaN(v) ? defaultLeft[n] === 1 : v < threshold[n]!;
        const cleared = m & ~slotBit[n]!;
        if (goLeft) {
          mask[left[n]!] = m;
          mask[right[n]!] = cleared;
        } else {
          mask[left[n]!] = cleared;
          mask[right[n]!] = m;
        }
      }
      for (let k = l0; k < l1; k++) {
        const d = leafDepth[k]!;
        const fs = leafFeatureStart[k]!;
        const ts = leafTableStart[k]!;
        if (ts >= 0) {
          const base = ts + (mask[leafNode[k]!]! & ((1 << d) - 1)) * d;
          for (let i = 0; i < d; i++) {
            const o = oo + leafFeatures[fs + i]!;
            out[o] = out[o]! + table[base + i]!;
          }
          continue;
        }
        // Untabulated leaf (deep, or beyond the table budget): satisfaction bits from the mask
        // (or, past 31 unique features, from the path), then the quadrature the tables use.
        if (direct === undefined || direct.length < d) {
          direct = new Float64Array(d);
          prefix = new Float64Array(d + 1);
          bits = new Uint8Array(d);
        }
        const dir = direct;
        const pre = prefix!;
        const p = bits!;
        if (d <= 31) {
          const m = mask[leafNode[k]!]!;
          for (let i = 0; i < d; i++) p[i] = (m >>> i) & 1;
        } else {
          p.fill(1, 0, d);
          let c = leafNode[k]!;
          let n = tb.parent[c]!;
          while (n !== -1) {
            const v = x[xo + feature[n]!]!;
            const goLeft = Number.isNaN(v) ? defaultLeft[n] === 1 : v < threshold[n]!;
            if (goLeft !== (left[n] === c)) {
              const f = feature[n]!;
              for (let i = 0; i < d; i++) if (leafFeatures[fs + i] === f) p[i] = 0;
            }
            c = n;
            n = tb.parent[c]!;
          }
        }
        const points = Math.max(1, Math.ceil(d / 2));
        const qs = (points * (points - 1)) / 2;
        dir.fill(0, 0, d);
        for (let j = 0; j < points; j++) {
          const tq = tb.quadNodes[qs + j]!;
          const w = tb.quadWeights[qs + j]!;
          pre[0] = 1;
          for (let i = 0; i < d; i++) {
            const q = tb.leafQ[fs + i]!;
            pre[i + 1] = pre[i]! * (q + (p[i]! - q) * tq);
          }
          let suffix = 1;
          for (let i = d - 1; i >= 0; i--) {
            dir[i] = dir[i]! + w * pre[i]! * suffix;
            const q = tb.leafQ[fs + i]!;
            suffix *= q + (p[i]! - q) * tq;
          }
        }
        const value = tb.leafValue[k]!;
        for (let i = 0; i < d; i++) {
          const o = oo + leafFeatures[fs + i]!;
          out[o] = out[o]! + value * (p[i]! - tb.leafQ[fs + i]!) * dir[i]!;
        }
      }
    }
  }
}
