#!/usr/bin/env python3
"""Reference timings for bench/explain.bench.ts: XGBoost's own TreeSHAP (predict(pred_contribs=True))
and interaction values (pred_interactions=True) on the same model and rows as the TypeScript
benchmark, one thread.
Usage: python3 xgb_shap_reference.py MODEL.json DATA.csv ROWS REPEATS INTERACTION_ROWS
Prints JSON: {"rows", "rows_per_s" (median wall clock), "rows_per_cpu_s" (median process CPU time),
"interaction_rows_per_cpu_s", "xgboost"}. DATA.csv is the UCI credit default file (ID first,
label 'default' last; the other columns are the model's features in order); empty = missing."""
import json
import statistics
import sys
import time

import numpy as np
import xgboost as xgb


def timed(fn, rows):
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return rows / (time.perf_counter() - wall), rows / max(time.process_time() - cpu, 1e-9)


def main() -> None:
    model_path, data_path = sys.argv[1], sys.argv[2]
    rows, repeats, interaction_rows = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    data = np.genfromtxt(data_path, delimiter=",", skip_header=1, max_rows=rows, dtype=np.float32, filling_values=np.nan)
    x = data[:, 1:-1]
    booster = xgb.Booster(model_file=model_path)
    booster.set_param({"nthread": 1})
    dm = xgb.DMatrix(x, missing=np.nan, nthread=1, feature_names=booster.feature_names)
    booster.predict(dm, pred_contribs=True)
    runs = [timed(lambda: booster.predict(dm, pred_contribs=True), len(x)) for _ in range(repeats)]
    small = xgb.DMatrix(x[:interaction_rows], missing=np.nan, nthread=1, feature_names=booster.feature_names)
    inter = timed(lambda: booster.predict(small, pred_interactions=True), interaction_rows)
    print(json.dumps({
        "rows": len(x),
        "rows_per_s": statistics.median(r[0] for r in runs),
        "rows_per_cpu_s": statistics.median(r[1] for r in runs),
        "interaction_rows_per_cpu_s": inter[1],
        "xgboost": xgb.__version__,
    }))


if __name__ == "__main__":
    main()
