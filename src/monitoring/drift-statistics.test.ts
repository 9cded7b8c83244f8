import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, readJson, readNumericCsv } from '../../test/support/golden.js';
import {
  chiSquareTest,
  empiricalCdf,
  jensenShannonCategorical,
  jensenShannonSturges,
  ksTest,
  linfCdf,
  linfPmf,
  linfRobust,
  psiReferenceDeciles,
  wasserstein,
  wassersteinNormed,
  zTest,
} from './drift-statistics.js';
import { kolmogorovSf, ks2SampPValue } from './special-functions.js';

interface NumericCase {
  kind: 'numeric';
  n_reference: number;
  n_current: number;
  ks_statistic: number;
  ks_pvalue: number;
  linf_simple: number;
  linf_robust: number;
  wasserstein: number;
  wasserstein_normed_by_reference_std: number;
  jensenshannon_distance_sturges_bins: number;
  sturges_bin_edges: number[];
  psi_reference_deciles: number;
  psi_inner_edges: number[];
}
interface CategoricalCase {
  kind: 'categorical';
  categories: string[];
  reference_counts: number[];
  current_counts: number[];
  chisquare_statistic: number;
  chisquare_pvalue: number;
  linf_pmf: number;
  jensenshannon_distance: number;
}

const dir = join(GOLDEN_DIR, 'stats');
const golden = readJson<{ columns: Record<string, NumericCase | CategoricalCase> }>(join(dir, 'drift.json'));
const ref = readNumericCsv(join(dir, 'drift_reference.csv'));
const cur = readNumericCsv(join(dir, 'drift_current.csv'));

function column(csv: typeof ref, name: string): Float64Array {
  const c = csv.header.indexOf(name);
  const out = new Float64Array(csv.rows);
  for (let r = 0; r < csv.rows; r++) out[r] = csv.values[r * csv.cols + c]!;
  return out;
}

function counts(values: Float64Array): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
  return m;
}

const rel = (a: number, b: number, tol: number): void => {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe('drift statistics equal SciPy/NumPy (golden drift.json)', () => {
  for (const [name, g] of Object.entries(golden.columns)) {
    if (g.kind === 'numeric') {
      it(`numeric ${name}`, () => {
        const a = empiricalCdf(column(ref, name));
        const b = empiricalCdf(column(cur, name));
        expect(a.total).toBe(g.n_reference);
        const ks = ksTest(a, b);
        rel(ks.statistic, g.ks_statistic, 1e-9);
        expect(Math.abs(ks.pValue - g.ks_pvalue)).toBeLessThanOrEqual(1e-6);
        expect(ks.method).toBe('asymp');
        rel(linfCdf(a, b), g.linf_simple, 1e-9);
        rel(linfRobust(linfCdf(a, b), a.total, b.total), g.linf_robust, 1e-9);
        rel(wasserstein(a, b), g.wasserstein, 1e-9);
        rel(wassersteinNormed(a, b), g.wasserstein_normed_by_reference_std, 1e-9);
        const js = jensenShannonSturges(a, b);
        expect(Array.from(js.edges)).toEqual(g.sturges_bin_edges);
        rel(js.distance, g.jensenshannon_distance_sturges_bins, 1e-9);
        const psi = psiReferenceDeciles(a, b);
        psi.innerEdges.forEach((e, i) => {
          rel(e, g.psi_inner_edges[i]!, 1e-12);
        });
        rel(psi.psi, g.psi_reference_deciles, 1e-9);
      });
    } else {
      it(`categorical ${name}`, () => {
        const a = counts(column(ref, name));
        const b = counts(column(cur, name));
        g.categories.forEach((c, i) => {
          expect(a.get(c) ?? 0).toBe(g.reference_counts[i]);
          expect(b.get(c) ?? 0).toBe(g.current_counts[i]);
        });
        const chi = chiSquareTest(a, b);
        rel(chi.statistic, g.chisquare_statistic, 1e-9);
        expect(Math.abs(chi.pValue - g.chisquare_pvalue)).toBeLessThanOrEqual(1e-6);
        rel(linfPmf(a, b), g.linf_pmf, 1e-9);
        rel(jensenShannonCategorical(a, b), g.jensenshannon_distance, 1e-9);
      });
    }
  }
});

describe('KS p-values equal SciPy in both methods', () => {
  it('kstwo.sf (scipy 1.10 values) across its method regions', () => {
    const cases: [number, number, number][] = [
      [3706, 0.03, 0.002482243388263476],
      [100, 0.1, 0.2526927570063874],
      [100, 0.3, 1.7719869892662917e-8],
      [50, 0.05, 0.9990238098461883],
      [20000, 0.005, 0.6974088406327613],
      [500, 0.04, 0.3902508696049749],
    ];
    for (const [n, x, p] of cases) expect(Math.abs(kolmogorovSf(n, x) - p)).toBeLessThan(1e-12);
  });
  it('ks_2samp exact method for small samples', () => {
    expect(ks2SampPValue(0.1025, 100, 80)).toEqual({ pValue: expect.closeTo(0.7012351614134317, 12), method: 'exact' });
    expect(ks2SampPValue(0.09, 300, 300).pValue).toBeCloseTo(0.17609362474930004, 12);
    expect(ks2SampPValue(0.0542, 5000, 2000).pValue).toBeCloseTo(0.00043839637901019147, 12);
    expect(ks2SampPValue(0.11783783783783784, 37, 1000).pValue).toBeCloseTo(0.6592958671608471, 12);
  });
  it('z-test as Evidently', () => {
    const r = zTest(new Map([['a', 60], ['b', 40]]), new Map([['a', 45], ['b', 55]]));
    expect(r.pValue).toBeCloseTo(0.03367206885634588, 12);
    expect(zTest(new Map([['a', 3]]), new Map([['a', 5]])).pValue).toBe(1);
  });
});
