/**
 * The paper's training done by calling the library directly, as a user's script would: read and
 * parse the split CSVs from disk, train with the paper's parameters, serialize. The reference of
 * the job-overhead benchmark, run both in the bench's process and in a fresh one
 * (jobs-direct-child.ts).
 */
import { readFileSync } from 'node:fs';
import { labelVector, parseCsvFrame, toFeatureMatrix } from '../src/data/index.js';
import { serializeXgboostModel, train } from '../src/ml/gbdt/index.js';
import { PAPER_PARAMS } from '../src/quickstart/credit-scenario.js';

export function trainPaperModel(trainCsv: string, validationCsv: string): string {
  const { eval_metric, ...booster } = PAPER_PARAMS;
  const tr = parseCsvFrame(readFileSync(trainCsv));
  const va = parseCsvFrame(readFileSync(validationCsv));
  const features = tr.columns.map((c) => c.name).filter((n) => n !== 'default' && n !== 'ID');
  const result = train({ x: toFeatureMatrix(tr, features), y: Float32Array.from(labelVector(tr, 'default')), featureNames: features }, { ...booster, eval_metric: [...eval_metric] }, {
    validation: { x: toFeatureMatrix(va, features), y: Float32Array.from(labelVector(va, 'default')) },
  });
  return serializeXgboostModel(result.model);
}
