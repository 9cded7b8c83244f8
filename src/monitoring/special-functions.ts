/**
 * @module monitoring/special-functions
 * The distribution functions the drift tests need, written to match SciPy 1.10: log-gamma,
 * the regularised incomplete gamma functions (chi-square and normal tails), and the one-sample
 * Kolmogorov distribution `kstwo` that `ks_2samp` uses for its asymptotic p-value.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ≈ 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Lower regularised gamma by its series (converges for x < a + 1). */
function gammaSeries(a: number, x: number): number {
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < 10_000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Upper regularised gamma by Lentz's continued fraction (for x ≥ a + 1). */
function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Q(a, x) = Γ(a, x)/Γ(a), the upper regularised incomplete gamma function. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/** P(a, x) = 1 − Q(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Upper tail of the chi-square distribution with `df` degrees of freedom (scipy `chi2.sf`). */
export function chiSquareSf(statistic: number, df: number): number {
  if (Number.isNaN(statistic)) return Number.NaN;
  return gammaQ(df / 2, statistic / 2);
}

/** erfc(x), via erfc(x) = Q(½, x²) for x ≥ 0. */
export function erfc(x: number): number {
  return x >= 0 ? gammaQ(0.5, x * x) : 2 - gammaQ(0.5, x * x);
}

/** Upper tail of the standard normal distribution. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** ln(n!/nⁿ). */
function logFactorialOverPower(n: number): number {
  return logGamma(n + 1) - n * Math.log(n);
}

/**
 * One-sided Smirnov tail P(Dₙ⁺ ≥ x) by the exact Birnbaum–Tingey (1951) sum, evaluated in
 * log space: x·Σ_{j=0}^{⌊n(1−x)⌋} C(n,j)(1−x−j/n)^{n−j}(x+j/n)^{j−1}.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const jmax = Math.floor(n * (1 - x) + 1e-12);
  const logs: number[] = [];
  const lnFactN = logGamma(n + 1);
  for (let j = 0; j <= jmax; j++) {
    const a = 1 - x - j / n;
    if (a <= 0 && n - j > 0) continue;
    const lt = lnFactN - logGamma(j + 1) - logGamma(n - j + 1) + (n - j > 0 ? (n - j) * Math.log(a) : 0) + (j - 1) * Math.log(x + j / n);
    logs.push(lt);
  }
  if (logs.length === 0) return 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const l of logs) if (l > max) max = l;
  let s = 0;
  for (const l of logs) s += Math.exp(l - max);
  return Math.min(1, x * Math.exp(max) * s);
}

const E128 = 2 ** 128;

/** P(Dₙ ≤ d) by Durbin's matrix method as improved by Marsaglia, Tsang & Wang (2003). */
function kolmogorovCdfDurbin(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;
  const matmul = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l]!;
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] = C[i * m + j]! + a * B[l * m + j]!;
      }
    return C;
  };
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let expnt = 0;
  let hExpnt = 0;
  let nn = n;
  while (nn > 0) {
    if (nn % 2 === 1) {
      P = matmul(P, H);
      expnt += hExpnt;
    }
    H = matmul(H, H);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < H.length; i++) H[i] = H[i]! / E128;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / E128) {
      p *= E128;
      expnt -= 128;
    }
  }
  return p * 2 ** expnt;
}

/** P(Dₙ ≤ x) by the Pelz–Good (1976) asymptotic series, as in Simard & L'Ecuyer (2011). */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -(Math.PI * Math.PI) / 8 / z2;
  if (qlog < -708) return 0;
  const q = Math.exp(qlog);
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const qp = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m2 * m2, k3a + k3b * m2 + k3c * m2 * m2 + k3d * m2 * m2 * m2];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!;
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const denom = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * sqrt2pi) / denom[i]!;
  const q2 = Math.exp(-pi2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k >= 1; k--) {
    const ks2 = k * k;
    const qpw = q2 ** ks2;
    k2extra += ks2 * qpw;
    const kspi = Math.PI * k;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qpw;
  }
  K[2] = K[2]! + (k2extra * pi2 * sqrt2pi) / (-36 * z3);
  K[3] = K[3]! + (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic Dₙ (scipy
 * `kstwo.sf`), choosing the method by (n, x) as Simard & L'Ecuyer (2011) recommend and SciPy's
 * `_kolmogn` does (Durbin–MTW stands in for Pomeranz where SciPy uses it; both are exact).
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n > 0) || Math.floor(n) !== n) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip(1 - kolmogorovCdfDurbin(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = kolmogorovCdfDurbin(n, x);
  else cdf = kolmogorovCdfPelzGood(n, x);
  return clip(1 - cdf);
}

function frexpExponent(v: number): number {
  return v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1;
}

/**
 * P(D_{m,n} < h/lcm) by counting lattice paths that stay strictly inside the band
 * (Hodges 1958, following Drion/Gnedenko/Korolyuk), with SciPy's rescaling to avoid overflow.
 */
function probInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  let A = new Float64Array(Math.max(lenA, 1));
  for (let j = minj; j < maxj; j++) A[j] = 1;
  let expnt = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 0;
    const next = new Float64Array(A.length);
    let acc = 0;
    for (let j = 0; j < maxj - minj; j++) {
      acc += A[minj - lastminj + j] ?? 0;
      next[j] = acc;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) for (let j = curlen; j < curlen + (lastlen - curlen) && j < next.length; j++) next[j] = 0;
    A = next;
    const e = frexpExponent(A[maxj - minj - 1]!);
    if (e > 900) {
      const shift = e - 800;
      const f = 2 ** -shift;
      for (let j = 0; j < A.length; j++) A[j] = A[j]! * f;
      expnt += shift;
    }
  }
  let val = A[maxj - minj - 1]!;
  for (let i = 1; i <= n; i++) {
    val = (val * i) / (m + i);
    const e = frexpExponent(val);
    if (e < -128) {
      val *= 2 ** -e;
      expnt += e;
    }
  }
  return val * 2 ** expnt;
}

/** P(D_{n,n} ≥ h/n) with SciPy's Horner-like alternating sum. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Two-sided p-value of the two-sample KS statistic d, as scipy 1.10 `ks_2samp(method='auto')`. */
export function ks2SampPValue(d: number, n1: number, n2: number, method: 'auto' | 'exact' | 'asymp' = 'auto'): { pValue: number; method: 'exact' | 'asymp' } {
  let mode = method === 'auto' ? (Math.max(n1, n2) <= 10_000 ? 'exact' : 'asymp') : method;
  if (mode === 'exact') {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    if (h === 0) return { pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : 1 - probInside(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { pValue: p, method: 'exact' };
    mode = 'asymp';
  }
  const en = (n1 * n2) / (n1 + n2);
  return { pValue: clip(kolmogorovSf(Math.round(en), d)), method: 'asymp' };
}
