/**
 * The reference of the job-overhead benchmark (jobs.bench.ts), run as a process of its own like a
 * user's training script: the paper's training by calling the library directly — read and parse the
 * split CSVs from disk, train, serialize — timed from inside (Node's start-up and module loading
 * excluded, as the runner's warm job process has them done before a job arrives). Prints
 * `{ wallSeconds, cpuSeconds }` as JSON.
 */
import { readFileSync } from 'node:fs';
import { labelVector, parseCsvFrame, toFeatureMatrix } from '../src/data/index.js';
import { serializeXgboostModel, train } from '../src/ml/gbdt/index.js';
import { PAPER_PARAMS } from '../src/quickstart/credit-scenario.js';

const [trainCsv, validationCsv] = process.argv.slice(2);
if (!trainCsv || !validationCsv) throw new Error('usage: jobs-direct-child.ts TRAIN.csv VALIDATION.csv');
const { eval_metric, ...booster } = PAPER_PARAMS;
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
const tr = parseCsvFrame(readFileSync(trainCsv));
const va = parseCsvFrame(readFileSync(validationCsv));
const features = tr.columns.map((c) => c.name).filter((n) => n !== 'default' && n !== 'ID');
const result = train({ x: toFeatureMatrix(tr, features), y: Float32Array.from(labelVector(tr, 'default')), featureNames: features }, { ...booster, eval_metric: [...eval_metric] }, {
  validation: { x: toFeatureMatrix(va, features), y: Float32Array.from(labelVector(va, 'default')) },
});
serializeXgboostModel(result.model);
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ wallSeconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 })}\n`);
