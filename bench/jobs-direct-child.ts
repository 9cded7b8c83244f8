/**
 * The reference of the job-overhead benchmark (jobs.bench.ts), run as a process of its own like a
 * user's training script: the paper's training by calling the library directly — read and parse the
 * split CSVs from disk, train, serialize — timed from inside (Node's start-up and module loading
 * excluded, as the runner's warm job process has them done before a job arrives). Prints
 * `{ wallSeconds, cpuSeconds }` as JSON.
 */
import { trainPaperModel } from './paper-training.js';

const [trainCsv, validationCsv] = process.argv.slice(2);
if (!trainCsv || !validationCsv) throw new Error('usage: jobs-direct-child.ts TRAIN.csv VALIDATION.csv');
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
trainPaperModel(trainCsv, validationCsv);
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ wallSeconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 })}\n`);
