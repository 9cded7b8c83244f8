/**
 * @module ml/gbdt/tree-grower
 * Grows one regression tree the way XGBoost's CPU `hist` updater does with depthwise growth
 * (algorithms-and-formats.md §1.5): histograms of float32 gradient pairs summed in float64,
 * built for the smaller child only (the sibling is parent minus child), a forward scan with
 * missing values going right and a backward scan with missing going left only when the node
 * has missing values for that feature, un-halved loss_chg compared with gamma directly, ties
 * to the lower feature index, breadth-first node ids and leaf value = eta·w.
 *
 * Buffers are allocated once per training run and reused across trees and nodes.
 */
import type { Random } from '../../kernel/index.js';
import type { Tree } from './model.js';
import type { QuantizedMatrix } from './quantize.js';
import { calcGain, calcWeight } from './split-math.js';
import { findBestSplit } from './split-finder.js';
import type { SplitCandidate } from './split-finder.js';
import type { SplitParams } from './split-math.js';
import { sampleFeatures } from './feature-sampler.js';
import { HistogramBuilder } from './histogram-builder.js';
import type { HistogramJob } from './histogram-builder.js';

/** Tree-growth parameters (float32-rounded where XGBoost stores floats). */
export interface GrowParams extends SplitParams {
  readonly eta: number;
  readonly gamma: number;
  readonly maxDepth: number;
  readonly colsampleBylevel: number;
  readonly colsampleBynode: number;
}

/** XGBoost's kRtEps: a split must gain more than this. */
const RT_EPS = 1e-6;

class NodeList {
  left: number[] = [];
  right: number[] = [];
  parent: number[] = [];
  feature: number[] = [];
  threshold: number[] = [];
  value: number[] = [];
  defaultLeft: number[] = [];
  loss: number[] = [];
  cover: number[] = [];
  baseWeight: number[] = [];
  // Growth state per node: its rows are rowIndex[begin..end), those drawn by subsample first, up to sampledEnd.
  begin: number[] = [];
  end: number[] = [];
  sampledEnd: number[] = [];
  g: number[] = [];
  h: number[] = [];
  rootGain: number[] = [];

  add(parent: number, begin: number, end: number, g: number, h: number, rootGain: number): number {
    const id = this.left.length;
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    this.feature.push(0);
    this.threshold.push(0);
    this.value.push(0);
    this.defaultLeft.push(0);
    this.loss.push(0);
    this.cover.push(0);
    this.baseWeight.push(0);
    this.begin.push(begin);
    this.end.push(end);
    this.sampledEnd.push(end);
    this.g.push(g);
    this.h.push(h);
    this.rootGain.push(rootGain);
    return id;
  }

  toTree(): Tree {
    return {
      numNodes: this.left.length,
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      parent: Int32Array.from(this.parent),
      splitFeature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      value: Float32Array.from(this.value),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      lossChange: Float32Array.from(this.loss),
      cover: Float32Array.from(this.cover),
      baseWeight: Float32Array.from(this.baseWeight),
    };
  }
}

/** Rows drawn by subsample: all row ids in `order`, the `drawn` first. */
export interface RowSample {
  readonly order: Int32Array;
  readonly drawn: number;
}

/** A grown tree and, per leaf, the range of `rowIndex` holding the training rows that reach it (drawn by subsample or not). */
export interface GrownTree {
  readonly tree: Tree;
  readonly leaves: readonly { node: number; begin: number; end: number }[];
  /** Row ids partitioned by leaf (valid until the next call to `grow`). */
  readonly rowIndex: Int32Array;
}

/** Grows trees over one quantised matrix. */
export class TreeGrower {
  readonly #q: QuantizedMatrix;
  readonly #p: GrowParams;
  /** Histogram slot offset per feature: bins of f occupy `slotPtr[f] .. slotPtr[f] + numBins(f)`, then its missing slot. */
  readonly #slotPtr: Int32Array;
  readonly #histSize: number;
  readonly #hist: HistogramBuilder;
  readonly #rowIndex: Int32Array;
  readonly #scratch: Int32Array;
  /** Per bin of the split feature (and its missing slot): 1 when the row goes left. */
  readonly #goesLeft: Uint8Array;

  /**
   * `threads` 2 builds histograms with a worker thread sharing the features (same results);
   * call {@link close} when done.
   */
  constructor(q: QuantizedMatrix, params: GrowParams, threads = 1) {
    this.#q = q;
    this.#p = params;
    this.#slotPtr = new Int32Array(q.cols + 1);
    for (let f = 0; f < q.cols; f++) this.#slotPtr[f + 1] = this.#slotPtr[f]! + (q.cutPtr[f + 1]! - q.cutPtr[f]!) + 1;
    this.#histSize = 2 * this.#slotPtr[q.cols]!;
    const F = q.cols;
    // Each row's histogram offsets (2 · slot), precomputed so the kernel does not double them per update.
    const offsets = 2 * this.#slotPtr[F]! <= 65536 ? new Uint16Array(q.rows * F) : new Int32Array(q.rows * F);
    for (let f = 0; f < F; f++) {
      const base = this.#slotPtr[f]!;
      const col = f * q.rows;
      for (let r = 0; r < q.rows; r++) offsets[r * F + f] = 2 * (base + q.bins[col + r]!);
    }
    // Depthwise growth keeps at most the histograms of one level's nodes plus one per split: 2^max_depth.
    const capacity = params.maxDepth > 0 && params.maxDepth <= 16 ? 2 ** params.maxDepth + 1 : 0;
    const poolBytes = capacity * this.#histSize * 8;
    const useThreads = threads > 1 && capacity > 0 && poolBytes <= 256 * 1024 * 1024 ? 2 : 1;
    this.#hist = new HistogramBuilder(offsets, F, this.#histSize, useThreads > 1 ? capacity : 0, useThreads);
    this.#rowIndex = this.#hist.rowIndex;
    this.#scratch = new Int32Array(q.rows);
    let widest = 0;
    for (let f = 0; f < F; f++) widest = Math.max(widest, q.cutPtr[f + 1]! - q.cutPtr[f]!);
    this.#goesLeft = new Uint8Array(widest + 1);
  }

  /** Number of threads building histograms (1 or 2). */
  get threads(): number {
    return this.#hist.threads;
  }

  /** Releases the histogram worker, if any. */
  close(): void {
    this.#hist.close();
  }

  /**
   * Grows one tree from per-row gradients `grad[r * stride + offset]` (and hess likewise),
   * considering only `treeFeatures` (ascending; the colsample_bytree set). With `sample`, only
   * the first `drawn` rows of `sample.order` (see sampleRows) were drawn by subsample: the others
   * carry zero gradients and are left out of every histogram, which changes no sum; they are
   * still partitioned, behind each node's drawn rows, so that their leaves come out of the
   * partition too (bin order agrees with the thresholds).
   */
  grow(grad: Float32Array, hess: Float32Array, stride: number, offset: number, treeFeatures: Int32Array, random: Random, sample?: RowSample): GrownTree {
    const q = this.#q;
    const p = this.#p;
    const g = this.#hist.grad;
    const h = this.#hist.hess;
    if (stride === 1) {
      g.set(grad);
      h.set(hess);
    } else {
      for (let r = 0, o = offset; r < q.rows; r++, o += stride) {
        g[r] = grad[o]!;
        h[r] = hess[o]!;
      }
    }
    const rowIndex = this.#rowIndex;
    let n = q.rows;
    if (sample === undefined) {
      for (let r = 0; r < q.rows; r++) rowIndex[r] = r;
    } else {
      rowIndex.set(sample.order);
      n = sample.drawn;
    }
    const nodes = new NodeList();
    const hists = new Map<number, Float64Array>();
    const best = new Map<number, SplitCandidate>();

    const rootHist = this.#hist.acquire();
    this.#hist.build([{ hist: rootHist, begin: 0, end: n }]);
    let G = 0;
    let H = 0;
    if (q.dense) {
      // XGBoost sums the root's first-feature histogram for dense data (1.7 InitRoot); bin order matters in float64.
      const nb = this.#slotPtr[1]! - 1;
      for (let b = 0; b < nb; b++) {
        G += rootHist[2 * b]!;
        H += rootHist[2 * b + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const r = rowIndex[i]!;
        G += g[r]!;
        H += h[r]!;
      }
    }
    const root = nodes.add(-1, 0, q.rows, G, H, calcGain(p, G, H));
    nodes.sampledEnd[root] = n;
    const w0 = calcWeight(p, G, H);
    nodes.cover[root] = Math.fround(H);
    nodes.baseWeight[root] = w0;
    nodes.value[root] = Math.fround(w0 * p.eta);
    hists.set(root, rootHist);

    let level = [root];
    let depth = 0;
    if (p.maxDepth === 0 || depth < p.maxDepth) {
      const levelFeatures = sampleFeatures(treeFeatures, p.colsampleBylevel, random);
      best.set(root, this.#evaluate(nodes, root, rootHist, sampleFeatures(levelFeatures, p.colsampleBynode, random)));
    }
    while (level.length > 0) {
      const applied: number[] = [];
      for (const nid of level) {
        const c = best.get(nid);
        if (c === undefined || !this.#isValid(c, depth)) continue;
        this.#apply(nodes, nid, c);
        applied.push(nid);
      }
      for (const nid of level) {
        if (!applied.includes(nid)) {
          const hist = hists.get(nid);
          if (hist !== undefined) this.#hist.release(hist);
          hists.delete(nid);
        }
      }
      for (const nid of applied) this.#partition(nodes, nid, best.get(nid)!);
      const childDepth = depth + 1;
      const next: number[] = [];
      const childrenValid = p.maxDepth === 0 || childDepth < p.maxDepth;
      const levelFeatures = childrenValid && applied.length > 0 ? sampleFeatures(treeFeatures, p.colsampleBylevel, random) : treeFeatures;
      const jobs: HistogramJob[] = [];
      const pairs: { parent: Float64Array; small: Float64Array; smallId: number; largeId: number }[] = [];
      for (const nid of applied) {
        const parentHist = hists.get(nid)!;
        hists.delete(nid);
        if (!childrenValid) {
          this.#hist.release(parentHist);
          continue;
        }
        const l = nodes.left[nid]!;
        const r = nodes.right[nid]!;
        // XGBoost builds the child with fewer rows and derives its sibling by subtraction.
        const leftSmaller = nodes.sampledEnd[l]! - nodes.begin[l]! < nodes.sampledEnd[r]! - nodes.begin[r]!;
        const small = leftSmaller ? l : r;
        const smallHist = this.#hist.acquire();
        jobs.push({ hist: smallHist, begin: nodes.begin[small]!, end: nodes.sampledEnd[small]! });
        pairs.push({ parent: parentHist, small: smallHist, smallId: small, largeId: leftSmaller ? r : l });
        next.push(l, r);
      }
      this.#hist.build(jobs);
      const size = this.#histSize;
      for (const { parent, small, smallId, largeId } of pairs) {
        for (let i = 0; i < size; i++) parent[i] = parent[i]! - small[i]!;
        hists.set(smallId, small);
        hists.set(largeId, parent);
      }
      for (const nid of next) {
        best.set(nid, this.#evaluate(nodes, nid, hists.get(nid)!, sampleFeatures(levelFeatures, p.colsampleBynode, random)));
      }
      level = next;
      depth = childDepth;
    }
    for (const hist of hists.values()) this.#hist.release(hist);
    const leaves: { node: number; begin: number; end: number }[] = [];
    for (let i = 0; i < nodes.left.length; i++) {
      if (nodes.left[i] === -1) leaves.push({ node: i, begin: nodes.begin[i]!, end: nodes.end[i]! });
    }
    return { tree: nodes.toTree(), leaves, rowIndex };
  }

  /** Best split of node `nid` over `features`. */
  #evaluate(nodes: NodeList, nid: number, hist: Float64Array, features: Int32Array): SplitCandidate {
    return findBestSplit(this.#q, this.#slotPtr, this.#p, hist, nodes.g[nid]!, nodes.h[nid]!, nodes.rootGain[nid]!, features);
  }

  #isValid(c: SplitCandidate, depth: number): boolean {
    const p = this.#p;
    if (c.feature < 0 || !(c.loss > RT_EPS)) return false;
    if (c.hl === 0 || c.hr === 0) return false;
    if (c.loss < p.gamma) return false;
    if (p.maxDepth > 0 && depth >= p.maxDepth) return false;
    return true;
  }

  /** Turns leaf `nid` into a split with two leaf children (XGBoost `ApplyTreeSplit` + `ExpandNode`). */
  #apply(nodes: NodeList, nid: number, c: SplitCandidate): void {
    const p = this.#p;
    const pg = c.gl + c.gr;
    const ph = c.hl + c.hr;
    const wl = calcWeight(p, c.gl, c.hl);
    const wr = calcWeight(p, c.gr, c.hr);
    const l = nodes.add(nid, 0, 0, c.gl, c.hl, calcGain(p, c.gl, c.hl));
    const r = nodes.add(nid, 0, 0, c.gr, c.hr, calcGain(p, c.gr, c.hr));
    nodes.left[nid] = l;
    nodes.right[nid] = r;
    nodes.feature[nid] = c.feature;
    nodes.threshold[nid] = c.threshold;
    nodes.defaultLeft[nid] = c.defaultLeft;
    nodes.value[nid] = 0;
    nodes.loss[nid] = c.loss;
    nodes.cover[nid] = Math.fround(ph);
    nodes.baseWeight[nid] = calcWeight(p, pg, ph);
    const lv = Math.fround(wl * p.eta);
    const rv = Math.fround(wr * p.eta);
    nodes.value[l] = lv;
    nodes.baseWeight[l] = lv;
    nodes.cover[l] = Math.fround(c.hl);
    nodes.value[r] = rv;
    nodes.baseWeight[r] = rv;
    nodes.cover[r] = Math.fround(c.hr);
  }

  /**
   * Stable partition of the node's rows into its children (left: bin <= splitBin, missing by
   * default direction), drawn and undrawn rows each: a child's drawn rows stay in front.
   */
  #partition(nodes: NodeList, nid: number, c: SplitCandidate): void {
    const q = this.#q;
    const rows = this.#rowIndex;
    const scratch = this.#scratch;
    const begin = nodes.begin[nid]!;
    const end = nodes.end[nid]!;
    const sampledEnd = nodes.sampledEnd[nid]!;
    const bins = q.bins;
    const col = c.feature * q.rows;
    const missing = q.cutPtr[c.feature + 1]! - q.cutPtr[c.feature]!;
    // A table instead of comparisons: the direction is data-dependent and would mispredict.
    const goesLeft = this.#goesLeft;
    for (let b = 0; b < missing; b++) goesLeft[b] = b <= c.splitBin ? 1 : 0;
    goesLeft[missing] = c.defaultLeft;
    const sampledLeft = partitionRange(rows, scratch, bins, col, goesLeft, begin, sampledEnd, begin, 0);
    const sampledRight = sampledEnd - sampledLeft;
    const w = partitionRange(rows, scratch, bins, col, goesLeft, sampledEnd, end, sampledLeft, sampledRight);
    rows.set(scratch.subarray(0, end - w), w);
    const l = nodes.left[nid]!;
    const r = nodes.right[nid]!;
    nodes.begin[l] = begin;
    nodes.end[l] = w;
    nodes.sampledEnd[l] = sampledLeft;
    nodes.begin[r] = w;
    nodes.end[r] = end;
    nodes.sampledEnd[r] = w + sampledRight;
  }
}

/**
 * One stable pass of a partition over `rows[from..to)`: rows going left are written from
 * `rows[w]` on (never past the row being read), the others appended to `scratch` from `s` on;
 * returns the new `w`. Branch-free, two rows per iteration (the direction is data-dependent).
 */
function partitionRange(rows: Int32Array, scratch: Int32Array, bins: Uint8Array | Uint16Array, col: number, goesLeft: Uint8Array, from: number, to: number, w: number, s: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) {
    const r0 = rows[i]!;
    const r1 = rows[i + 1]!;
    const left0 = goesLeft[bins[col + r0]!]!;
    const left1 = goesLeft[bins[col + r1]!]!;
    rows[w] = r0;
    scratch[s] = r0;
    w += left0;
    s += 1 - left0;
    rows[w] = r1;
    scratch[s] = r1;
    w += left1;
    s += 1 - left1;
  }
  if (i < to) {
    const r0 = rows[i]!;
    const left0 = goesLeft[bins[col + r0]!]!;
    rows[w] = r0;
    scratch[s] = r0;
    w += left0;
  }
  return w;
}
