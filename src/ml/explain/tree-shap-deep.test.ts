/**
 * Deep trees: a chain with 34 distinct features on one path exercises the untabulated,
 * path-walking branch of the kernel; checked against the original TreeSHAP recursion
 * (Lundberg et al. 2018, Algorithm 2: EXTEND / UNWIND) written out here independently.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../kernel/index.js';
import type { Tree, TreeEnsemble } from '../gbdt/index.js';
import { allocateTree } from '../gbdt/index.js';
import { treeShap } from './tree-shap.js';

const K = 34;

function chainModel(): TreeEnsemble {
  const random = createRandom(4);
  const tree = allocateTree(2 * K + 1);
  let cover = 1000;
  for (let k = 0; k < K; k++) {
    const node = 2 * k;
    const leaf = 2 * k + 1;
    const next = 2 * k + 2;
    tree.left[node] = leaf;
    tree.right[node] = next;
    tree.parent[leaf] = node;
    tree.parent[next] = node;
    tree.splitFeature[node] = (k * 7) % K;
    tree.threshold[node] = 0;
    tree.defaultLeft[node] = k % 2;
    tree.cover[node] = cover;
    const leftCover = Math.max(1, Math.round(cover * (0.05 + 0.2 * random.next())));
    tree.cover[leaf] = leftCover;
    tree.value[leaf] = Math.fround(random.nextNormal() / 10);
    cover -= leftCover;
  }
  tree.cover[2 * K] = cover;
  tree.value[2 * K] = 0.75;
  return {
    objective: 'reg:squarederror',
    featureNames: Array.from({ length: K }, (_, j) => `f${j}`),
    featureTypes: [],
    numFeature: K,
    numGroups: 1,
    baseScore: 0.5,
    trees: [tree],
    treeGroup: Int32Array.of(0),
    attributes: {},
    objectiveParams: {},
  };
}

interface PathElement {
  d: number;
  z: number;
  o: number;
  w: number;
}

/** Algorithm 2 of Lundberg et al. (2018), in double precision. */
function originalTreeShap(tree: Tree, x: Float32Array, phi: Float64Array): void {
  const extend = (path: PathElement[], z: number, o: number, d: number): PathElement[] => {
    const m = path.map((e) => ({ ...e }));
    const l = m.length;
    m.push({ d, z, o, w: l === 0 ? 1 : 0 });
    for (let i = l - 1; i >= 0; i--) {
      m[i + 1]!.w += (o * m[i]!.w * (i + 1)) / (l + 1);
      m[i]!.w = (z * m[i]!.w * (l - i)) / (l + 1);
    }
    return m;
  };
  const unwind = (path: PathElement[], i: number): PathElement[] => {
    const m = path.map((e) => ({ ...e }));
    const l = m.length - 1;
    let n = m[l]!.w;
    const { o, z } = m[i]!;
    for (let j = l - 1; j >= 0; j--) {
      if (o !== 0) {
        const t = m[j]!.w;
        m[j]!.w = (n * (l + 1)) / ((j + 1) * o);
        n = t - (m[j]!.w * z * (l - j)) / (l + 1);
      } else m[j]!.w = (m[j]!.w * (l + 1)) / (z * (l - j));
    }
    for (let j = i; j < l; j++) {
      m[j]!.d = m[j + 1]!.d;
      m[j]!.z = m[j + 1]!.z;
      m[j]!.o = m[j + 1]!.o;
    }
    m.pop();
    return m;
  };
  const recurse = (node: number, path: PathElement[], z: number, o: number, d: number): void => {
    const m = extend(path, z, o, d);
    if (tree.left[node] === -1) {
      for (let i = 1; i < m.length; i++) {
        const w = unwind(m, i).reduce((s, e) => s + e.w, 0);
        phi[m[i]!.d]! += w * (m[i]!.o - m[i]!.z) * tree.value[node]!;
      }
      return;
    }
    const f = tree.splitFeature[node]!;
    const v = x[f]!;
    const goLeft = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v < tree.threshold[node]!;
    const hot = goLeft ? tree.left[node]! : tree.right[node]!;
    const cold = goLeft ? tree.right[node]! : tree.left[node]!;
    let iz = 1;
    let io = 1;
    let p = m;
    const k = m.findIndex((e, idx) => idx > 0 && e.d === f);
    if (k !== -1) {
      iz = m[k]!.z;
      io = m[k]!.o;
      p = unwind(m, k);
    }
    const c = tree.cover[node]!;
    recurse(hot, p, (iz * tree.cover[hot]!) / c, io, f);
    recurse(cold, p, (iz * tree.cover[cold]!) / c, 0, f);
  };
  recurse(0, [], 1, 1, -1);
}

describe('TreeSHAP on a tree with 34 unique features on one path', () => {
  const model = chainModel();
  it('matches the original algorithm and stays additive', () => {
    const random = createRandom(8);
    for (let trial = 0; trial < 5; trial++) {
      const x = new Float32Array(K);
      for (let j = 0; j < K; j++) x[j] = random.next() < 0.1 ? Number.NaN : Math.fround(random.nextNormal() + 0.8);
      const shap = treeShap(model, { rows: 1, cols: K, values: x });
      const phi = new Float64Array(K);
      originalTreeShap(model.trees[0]!, x, phi);
      for (let j = 0; j < K; j++) expect(shap.values[j]!).toBeCloseTo(phi[j]!, 10);
      let n = 0;
      const tree = model.trees[0]!;
      while (tree.left[n] !== -1) {
        const v = x[tree.splitFeature[n]!]!;
        n = (Number.isNaN(v) ? tree.defaultLeft[n] === 1 : v < tree.threshold[n]!) ? tree.left[n]! : tree.right[n]!;
      }
      const sum = shap.values.reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(0.5 + tree.value[n]!, 9);
    }
  });
});
