/**
 * @module ml/explain/gauss-legendre
 * Gauss–Legendre quadrature on [0, 1]. TreeSHAP's Shapley weights are Beta integrals,
 * k!(d-1-k)!/d! = ∫₀¹ t^k (1-t)^(d-1-k) dt (Linear TreeSHAP, Yu et al. 2022, eq. 4;
 * algorithms-and-formats.md §2.4), so a leaf's attribution is the integral of a polynomial of
 * degree d-1, which an n-point rule integrates exactly when 2n-1 ≥ d-1. This is the same
 * observation XGBoost 3.3's QuadratureTreeSHAP builds on.
 */

/** Nodes and weights of the n-point rules for n = 1..maxPoints, packed: rule n starts at n(n-1)/2. */
export interface QuadratureRules {
  readonly maxPoints: number;
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Computes Gauss–Legendre rules on [0, 1] for 1..maxPoints points by Newton's method on the
 * Legendre polynomial P_n (three-term recurrence), started from Tricomi's approximation.
 */
export function gaussLegendreRules(maxPoints: number): QuadratureRules {
  const size = (maxPoints * (maxPoints + 1)) / 2;
  const nodes = new Float64Array(size);
  const weights = new Float64Array(size);
  for (let n = 1; n <= maxPoints; n++) {
    const start = (n * (n - 1)) / 2;
    for (let i = 0; i < n; i++) {
      let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
      let dp = 1;
      for (let iter = 0; iter < 100; iter++) {
        let p0 = 1;
        let p1 = z;
        for (let k = 2; k <= n; k++) {
          const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        const pn = n === 1 ? z : p1;
        const pnm1 = n === 1 ? 1 : p0;
        dp = (n * (z * pn - pnm1)) / (z * z - 1);
        const step = pn / dp;
        z -= step;
        if (Math.abs(step) < 1e-16) break;
      }
      // Map [-1, 1] → [0, 1]: t = (1 - z)/2 (ascending t), weight halves.
      nodes[start + i] = (1 - z) / 2;
      weights[start + i] = 1 / ((1 - z * z) * dp * dp);
    }
  }
  return { maxPoints, nodes, weights };
}

/** Number of quadrature points that integrate a leaf with `d` unique path features exactly. */
export function pointsFor(d: number): number {
  return Math.max(1, Math.ceil(d / 2));
}
