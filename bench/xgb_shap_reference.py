#!/usr/bin/env python3
"""Reference timing for bench/explain.bench.ts: XGBoost's own TreeSHAP (predict(pred_contribs=True))
on the same model and rows as the TypeScript benchmark, one thread.
Usage: python3 xgb_shap_reference.py MODEL.json DATA.csv ROWS REPEATS
Prints JSON: {"rows": n, "rows_per_s": median, "runs": [...], "xgboost": version}.
DATA.csv is the UCI credit default file (ID first, label 'default' last; other columns are the
model's features in order). Empty cells are missing values."""
import json
import statistics
import sys
import time

import numpy as np
import xgboost as xgb


def main() -> None:
    model_path, data_path, rows, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = np.genfromtxt(data_path, delimiter=",", skip_header=1, max_rows=rows, dtype=np.float32, filling_values=np.nan)
    x = data[:, 1:-1]
    booster = xgb.Booster(model_file=model_path)
    booster.set_param({"nthread": 1})
    dm = xgb.DMatrix(x, missing=np.nan, nthread=1, feature_names=booster.feature_names)
    booster.predict(dm, pred_contribs=True)
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        booster.predict(dm, pred_contribs=True)
        runs.append(len(x) / (time.perf_counter() - t))
    print(json.dumps({"rows": len(x), "rows_per_s": statistics.median(runs), "runs": runs, "xgboost": xgb.__version__}))


if __name__ == "__main__":
    main()
