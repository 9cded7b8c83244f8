/**
 * @module ml/linear/normal-distribution
 * Standard normal tail probabilities for Wald tests.
 */

/**
 * Complementary error function, W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 23, 1969; the coefficients of netlib
 * specfun CALERF), relative error below 1e-15 in double precision.
 */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let result: number;
  if (ax < 0.5) {
    const a = [3.161123743870565, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
    const b = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.2368334391704];
    const z = x * x;
    let num = a[4]! * z;
    let den = z;
    for (let i = 0; i < 3; i++) {
      num = (num + a[i]!) * z;
      den = (den + b[i]!) * z;
    }
    return 1 - (x * (num + a[3]!)) / (den + b[3]!);
  }
  if (ax <= 4) {
    const c = [
      0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707, 2051.0783778260716,
      1230.339354797997, 2.1531153547440383e-8,
    ];
    const d = [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247, 3439.3676741437216, 1230.3393548037495];
    let num = c[8]! * ax;
    let den = ax;
    for (let i = 0; i < 7; i++) {
      num = (num + c[i]!) * ax;
      den = (den + d[i]!) * ax;
    }
    result = (num + c[7]!) / (den + d[7]!);
  } else {
    const p = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4, 0.016315387137302097];
    const q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
    const z = 1 / (ax * ax);
    let num = p[5]! * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + p[i]!) * z;
      den = (den + q[i]!) * z;
    }
    result = (z * (num + p[4]!)) / (den + q[4]!);
    result = (1 / Math.sqrt(Math.PI) - result) / ax;
  }
  // exp(−x²) split as exp(−y²)·exp(−(x−y)(x+y)) with y = x rounded to 1/16, as CALERF does for accuracy.
  const y = Math.trunc(ax * 16) / 16;
  result *= Math.exp(-y * y) * Math.exp(-(ax - y) * (ax + y));
  return x < 0 ? 2 - result : result;
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Two-sided p-value of a Wald statistic. */
export function twoSidedPValue(z: number): number {
  return 2 * normalSurvival(Math.abs(z));
}
