#!/usr/bin/env python3
"""XGBoost reference timings for bench/gbdt.bench.ts (bench helper, not product code).

The whitepaper setup on the credit default data, split as the golden cases (numpy
default_rng(42) permutation, first 70 percent train, last 15 percent test), tree_method hist,
one thread. Prints JSON: per repetition, the wall and CPU (process_time) seconds of training 100
rounds and of predicting all 30,000 rows, and the test ROC AUC. The caller takes medians (it runs
this script before and after its own measurements, so both see the same machine load).

Run: python3 bench/xgb_reference.py datasets/uci_credit_card_default.csv [repetitions]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

path = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
cc = pd.read_csv(path)
X = cc.drop(columns=["ID", "default"]).values.astype(np.float32)
y = cc["default"].values
idx = np.random.default_rng(42).permutation(len(X))
tr, te = idx[: int(0.7 * len(X))], idx[int(0.85 * len(X)) :]
params = dict(objective="binary:logistic", tree_method="hist", max_depth=5, eta=0.2, gamma=4,
              min_child_weight=6, subsample=0.8, seed=0, nthread=1)

train_s, train_cpu_s = [], []
booster = None
for _ in range(reps):
    # The DMatrix is built outside the timer, as a user would hold it; the hist cuts are
    # computed inside train().
    dtr = xgb.DMatrix(X[tr], label=y[tr])
    t, c = time.perf_counter(), time.process_time()
    booster = xgb.train(params, dtr, 100)
    train_s.append(time.perf_counter() - t)
    train_cpu_s.append(time.process_time() - c)

pred_s, pred_cpu_s = [], []
for _ in range(5 * reps):
    # A fresh DMatrix each time: XGBoost caches the predictions of a DMatrix it has seen.
    dall = xgb.DMatrix(X)
    t, c = time.perf_counter(), time.process_time()
    booster.predict(dall)
    pred_s.append(time.perf_counter() - t)
    pred_cpu_s.append(time.process_time() - c)

p = booster.predict(xgb.DMatrix(X[te]))
order = np.argsort(p)
ranks = np.empty(len(p))
ranks[order] = np.arange(1, len(p) + 1)
pos = y[te] == 1
auc = (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())

print(json.dumps({
    "xgboost_version": xgb.__version__,
    "rows_predicted": len(X),
    "train_s": train_s,
    "train_cpu_s": train_cpu_s,
    "predict_s": pred_s,
    "predict_cpu_s": pred_cpu_s,
    "test_auc": float(auc),
}))
